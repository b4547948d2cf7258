"""One frozen settings object, built from the command line (or an ASGI server's environment),
and the engine built from it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.postman.loader import load_collection, load_environment
from mocktui.postman.model import Collection
from mocktui.rules import DEFAULT_MAX_BODY, DEFAULT_UPSTREAM_TIMEOUT

__all__ = ["DEFAULT_MAX_BODY", "Settings", "build_engine", "load_collections", "parse_variable"]

# Option values (delays, ports, flags, header lists, seeds) are read by mocktui.rules, the same
# for the command line, the ASGI environment and the request headers.


def parse_variable(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


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
    state_file: str | None = None  # --state: controls and scenarios that outlive the process
    scenario: str | None = None  # --scenario: applied at start
    har: str | None = None  # --har: the traffic as HAR 1.2, written on exit
    coverage: str | None = None  # --coverage: served counts as JSON, written on exit
    max_body: int = DEFAULT_MAX_BODY  # --max-body: bytes of request body accepted (413 beyond)
    upstream: str | None = None  # --upstream: a URL, or "auto"; misses are proxied there
    upstream_timeout: float = DEFAULT_UPSTREAM_TIMEOUT  # --upstream-timeout, seconds
    record: bool = False  # --record: save every proxied exchange as an example
    record_all_headers: bool = False  # --record-all-headers: Date-like headers too
    record_to: str | None = None  # --record-to: write the collection there, not in place

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
