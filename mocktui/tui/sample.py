"""Fixed sample traffic on the demo collection, for screenshots and snapshot tests.

Requests go through the real engine (``handle`` + ``record``) with a seeded engine, fixed
arrival times and fixed durations, so every render of the dashboard is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from urllib.parse import parse_qsl

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest

#: 2026-01-01 09:00:00 UTC: the first sample request.
START = 1_767_258_000.0
URL = "http://127.0.0.1:3000"  # the header's URL in screenshots (no live port)
TZ = UTC

_TRAFFIC: tuple[tuple[str, str, str, dict[str, str], str, float], ...] = (
    # method, path, query, headers, body, duration ms
    ("GET", "/users", "", {"Accept": "application/json"}, "", 0.8),
    ("GET", "/users/7", "", {"Accept": "application/json"}, "", 1.1),
    (
        "POST",
        "/users",
        "",
        {"Content-Type": "application/json"},
        '{"name": "Ada Lovelace", "email": "ada@example.com"}',
        1.4,
    ),
    ("GET", "/products", "category=books", {}, "", 0.9),
    ("GET", "/orders/42", "", {"Accept": "application/json"}, "", 0.7),
    ("DELETE", "/users/3", "", {}, "", 0.6),
    ("GET", "/health", "", {}, "", 0.3),
    ("PUT", "/users/7", "", {"Content-Type": "application/json"}, '{"role": "admin"}', 0.7),
    ("GET", "/[red]x\x1b[2J", "", {"User-Agent": "curl/8.5.0"}, "", 0.5),
    ("GET", "/reports/daily", "", {}, "", 12.6),
    ("GET", "/products/bk-101", "", {}, "", 1.0),
    ("GET", "/users", "", {"Accept": "application/json"}, "", 0.9),
)


def sample_engine(files: Sequence[str] = ()) -> MockEngine:
    """The demo collection (or these files, shaped like it), seeded, with one pin, one delay,
    one disabled endpoint and one in sequential mode."""
    engine = build_engine(list(files), seed=1)
    controls = engine.store
    by_name = {ep.name: ep for ep in engine.endpoints}
    controls.pin(by_name["Get product"].key, by_name["Get product"].examples[1].id)
    controls.set_delay(by_name["Daily report"].key, 250)
    controls.set_endpoint_enabled(by_name["Delete user"].key, False)
    controls.set_mode(by_name["List products"].key, "sequential")
    return engine


def record_sample_traffic(engine: MockEngine, start: float = START) -> None:
    """Send the sample requests through the engine and publish their events."""
    for i, (method, path, query, headers, body, duration) in enumerate(_TRAFFIC):
        request = MockRequest(
            method=method,
            path=path,
            query=parse_qsl(query, keep_blank_values=True),
            query_string=query,
            headers=[("Host", "127.0.0.1:3000"), *headers.items()],
            body=body.encode(),
            client=f"127.0.0.1:{52000 + i}",
            received=start + i * 1.25,
        )
        response = engine.handle(request)
        engine.record(request, response, duration)
