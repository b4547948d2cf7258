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
    engine: EngineSettings = field(default_factory=EngineSettings)

    @property
    def collection_paths(self) -> list[str]:
        return list(self.collections) or [str(demo_collection_path())]


def load_collections(
    paths: Sequence[str], env_file: str | None = None, variables: Mapping[str, str] | None = None
) -> list[Collection]:
    """Load every file (raises CollectionError for the first one that is unusable)."""
    environment = load_environment(env_file) if env_file else {}
    return [
        load_collection(path, variables or {}, environment, index=i) for i, path in enumerate(paths)
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
