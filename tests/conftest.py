"""Shared test helpers: where the public collections live, and Postman JSON built in code."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
# Let the suite run from a checkout whose venv does not have mocktui installed.
if importlib.util.find_spec("mocktui") is None:
    sys.path.insert(0, str(ROOT))

from mocktui.engine.engine import EngineSettings, MockEngine  # noqa: E402
from mocktui.engine.store import ControlStore  # noqa: E402
from mocktui.postman.loader import load_collection  # noqa: E402
from mocktui.postman.model import Collection  # noqa: E402

# The public collections every checkout shares: <repo>/../shared/collections (MOCKTUI_SHARED
# names another shared/ folder, as for bench/run.py).
SHARED = (Path(os.environ.get("MOCKTUI_SHARED") or ROOT / "../shared") / "collections").resolve()
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def in_ci() -> bool:
    """CI sets CI=true (any value but "", "0", "false" and "no" counts)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# Property tests: no deadline (a loaded CI machine is slower, not wrong); in CI the same
# examples every run (derandomized, no example database), so a red CI is reproducible.
settings.register_profile("mocktui", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.load_profile("ci" if in_ci() else "mocktui")


def need_shared(name: str = "") -> Path:
    """The shared collections folder, or a file in it. Every test that needs ../shared comes
    through here: missing, the test is skipped on a developer's machine, but fails in CI, where
    a missing folder means a broken set-up, not a reason to test less."""
    path = SHARED / name if name else SHARED
    if path.exists():
        return path
    problem = f"{path} not found: the shared collections are expected at {SHARED}"
    if in_ci():
        pytest.fail(f"{problem} (CI is set: a missing ../shared fails, it is not skipped)")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared collections folder (see need_shared)."""
    return need_shared()


@pytest.fixture(scope="session")
def shared_file() -> Callable[[str], Path]:
    """need_shared, for a file of the shared collections folder."""
    return need_shared


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def tarot_and_copy(shared: Path, tmp_path: Path) -> list[str]:
    """The real tarot collection and a copy of it served under another base URL (/v9/tarot):
    same item and example ids, different paths, as a v2/v3 or staging/prod pair would be."""
    original = shared / "roxyapi-tarot.postman_collection.json"
    data = json.loads(original.read_text(encoding="utf-8"))
    for variable in data["variable"]:
        if variable["key"] == "baseUrl":
            variable["value"] = "https://copy.example.com/v9/tarot"
    copy = tmp_path / "copy.postman_collection.json"
    copy.write_text(json.dumps(data), encoding="utf-8")
    return [str(original), str(copy)]


class Postman:
    """Builds Postman v2.1 JSON in code, writes it under tmp_path, loads it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.files = 0

    @staticmethod
    def example(
        name: str,
        url: Any = None,
        *,
        method: str | None = "GET",
        code: Any = 200,
        body: str = "",
        id: str | None = None,
        headers: dict[str, str] | None = None,
        req_body: str | None = None,
        response_headers: dict[str, str] | None = None,
        original: bool = True,
    ) -> dict[str, Any]:
        """An example; ``headers``/``req_body`` belong to its originalRequest."""
        data: dict[str, Any] = {"name": name, "body": body}
        if code is not None:
            data["code"] = code
        if id is not None:
            data["id"] = id
        if response_headers:
            data["header"] = [{"key": k, "value": v} for k, v in response_headers.items()]
        if original:
            request: dict[str, Any] = {"url": url}
            if method is not None:
                request["method"] = method
            if headers:
                request["header"] = [{"key": k, "value": v} for k, v in headers.items()]
            if req_body is not None:
                request["body"] = {"mode": "raw", "raw": req_body}
            data["originalRequest"] = request
        return data

    @staticmethod
    def item(
        name: str, url: Any, *examples: dict[str, Any], method: str = "GET", id: str | None = None
    ) -> dict[str, Any]:
        """A request item (an endpoint) with its examples."""
        data: dict[str, Any] = {
            "name": name,
            "request": {"method": method, "url": url},
            "response": list(examples),
        }
        if id is not None:
            data["id"] = id
        return data

    @staticmethod
    def folder(
        name: str, *items: dict[str, Any], variables: dict[str, str] | None = None
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"name": name, "item": list(items)}
        if variables is not None:
            data["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
        return data

    @staticmethod
    def collection(
        *items: dict[str, Any],
        variables: dict[str, str] | None = None,
        schema: str = SCHEMA_V21,
        name: str = "test",
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"info": {"name": name, "schema": schema}, "item": list(items)}
        if variables is not None:
            data["variable"] = [{"key": k, "value": v} for k, v in variables.items()]
        return data

    def write(self, data: Any, name: str | None = None) -> Path:
        """Write a JSON document (or raw text) to a new file and return its path."""
        self.files += 1
        path = self.tmp_path / (name or f"c{self.files}.postman_collection.json")
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return path

    def load(self, data: dict[str, Any], **kwargs: Any) -> Collection:
        """Load a collection document (keyword arguments go to load_collection)."""
        return load_collection(self.write(data), **kwargs)

    def engine(
        self,
        *items: dict[str, Any],
        settings: EngineSettings | None = None,
        store: ControlStore | None = None,
        variables: dict[str, str] | None = None,
    ) -> MockEngine:
        """A MockEngine serving one collection made of these items."""
        collection = self.load(self.collection(*items, variables=variables))
        return MockEngine([collection], settings, store)


@pytest.fixture
def pm(tmp_path: Path) -> Postman:
    return Postman(tmp_path)
