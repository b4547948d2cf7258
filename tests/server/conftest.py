"""Fixtures for the server tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from mocktui.config import build_engine
from tests.server.live import LiveServer, running


@pytest.fixture
def shared_collection(shared_file: Callable[[str], Path]) -> Callable[[str], str]:
    """A shared collection by name (skipped without ../shared, failed in CI: see need_shared)."""
    return lambda name: str(shared_file(f"{name}.postman_collection.json"))


@pytest.fixture
async def demo() -> AsyncIterator[LiveServer]:
    async with running(build_engine([], seed=7)) as server:
        yield server
