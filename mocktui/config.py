"""One frozen settings object, built from the command line (or an ASGI server's environment),
and the engine built from it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mocktui.engine.engine import MAX_DELAY_MS, EngineSettings, MockEngine
from mocktui.postman.loader import load_collection, load_environment
from mocktui.postman.model import Collection
from mocktui.values import small_int

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})


# -- parsing option values: one place for the command line and the ASGI environment -------------


def parse_variable(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _whole_number(text: str, high: int, expected: str, unit: str = "") -> int:
    """ASCII digits from 0 to ``high`` (see mocktui.values); a "-" in front is out of range."""
    stripped = text.strip()
    digits = stripped.removeprefix("-")
    value = small_int(digits, high + 1)
    if value is None:
        raise ValueError(f"expected {expected}, got {text!r}")
    if value > high or (value and digits != stripped):
        shown = stripped if len(stripped) <= 12 else stripped[:12] + "…"
        raise ValueError(f"must be from 0 to {high}{unit}, got {shown}")
    return value


def parse_delay(text: str) -> int:
    return _whole_number(text, MAX_DELAY_MS, "milliseconds", " ms")


def parse_port(text: str) -> int:
    return _whole_number(text, 65535, "a port number")


def parse_header_names(text: str) -> tuple[str, ...]:
    """Comma-separated names, lower-cased; ``true``, ``*`` or ``all``: all of each example's."""
    if text.strip().lower() in ("true", "*", "all"):
        return ("*",)
    names = tuple(n.strip().lower() for n in text.split(",") if n.strip())
    if not names:
        raise ValueError("expected header names separated by commas")
    return names


def parse_flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def demo_collection_path() -> Path:
    """The bundled demo collection, served when no file is given."""
    return Path(str(resources.files("mocktui.demo").joinpath("demo.postman_collection.json")))


@dataclass(frozen=True, slots=True)
class Settings:
    collections: tuple[str, ...] = ()  # empty: the bundled demo
    env_file: str | None = None
    variables: tuple[tuple[str, str], ...] = ()
    host: str = "127.0.0.1"
    port: int = 3000
    headless: bool = False
    watch: bool = True  # reload the collection files when they change
    engine: EngineSettings = field(default_factory=EngineSettings)

    @property
    def collection_paths(self) -> list[str]:
        return list(self.collections) or [str(demo_collection_path())]

    @property
    def watched(self) -> bool:
        """Whether to reload on change: asked for, and the files are the user's (not the demo)."""
        return self.watch and bool(self.collections)


def load_collections(
    paths: Sequence[str], env_file: str | None = None, variables: Mapping[str, str] | None = None
) -> list[Collection]:
    """Load every file (raises CollectionError for the first one that is unusable)."""
    environment = load_environment(env_file) if env_file else {}
    taken: set[str] = set()  # endpoint keys are unique across all the files of one load
    return [
        load_collection(path, variables or {}, environment, index=i, taken_keys=taken)
        for i, path in enumerate(paths)
    ]


def build_engine(
    collections: Sequence[str],
    *,
    env: str | None = None,
    variables: Mapping[str, str] | None = None,
    **engine_settings: object,
) -> MockEngine:
    """An engine for collection files (the demo when none), as ``create_app`` and the CLI use."""
    paths = list(collections) or [str(demo_collection_path())]
    settings = EngineSettings(**engine_settings)  # type: ignore[arg-type]
    return MockEngine(load_collections(paths, env, variables), settings)
