"""Fixtures for the server tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from mocktui.config import build_engine
from tests.server.live import LiveServer, running

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "collections"


@pytest.fixture
def shared_collection() -> Callable[[str], str]:
    def find(name: str) -> str:
        path = SHARED / f"{name}.postman_collection.json"
        if not path.exists():
            pytest.skip(f"shared collection {path} is not here")
        return str(path)

    return find


@pytest.fixture
async def demo() -> AsyncIterator[LiveServer]:
    async with running(build_engine([], seed=7)) as server:
        yield server


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` (long floods) run only when asked: ``pytest -m slow``."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
