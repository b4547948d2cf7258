"""Helpers shared by the engine tests."""

from __future__ import annotations

from collections.abc import Sequence

from mocktui.engine.engine import MockEngine, MockRequest, MockResponse


def send(
    engine: MockEngine,
    path: str,
    method: str = "GET",
    headers: Sequence[tuple[str, str]] = (),
    query: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
) -> MockResponse:
    return engine.handle(MockRequest(method, path, query=query, headers=headers, body=body))
