"""Request events: one per request, masked and truncated; the bounded bus and its readers."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from typing import Any

import pytest

from mocktui.engine.engine import MASK, EngineSettings, MockEngine, MockRequest
from mocktui.engine.events import BODY_LIMIT, EMPTY_BODY, Body, EventBus, RequestEvent


def make_event(bus: EventBus, body: bytes = b"") -> RequestEvent:
    return RequestEvent(
        id=bus.new_id(),
        time=0.0,
        client="test",
        method="GET",
        path="/x",
        query="",
        request_headers=(),
        request_body=Body.keep(body),
        status=200,
        response_headers=(),
        response_body=EMPTY_BODY,
        duration_ms=0.0,
    )


def publish(bus: EventBus, count: int, body: bytes = b"") -> list[RequestEvent]:
    # A fresh bytes object per event (b"" stays shared): memory checks see every body.
    events = [make_event(bus, body + b"#" * bool(body)) for _ in range(count)]
    for event in events:
        bus.publish(event)
    return events


# -- one event per request -------------------------------------------------------------------


@pytest.fixture
def engine(pm: Any) -> MockEngine:
    return pm.engine(
        pm.item(
            "Get user",
            "/users/{{id}}",
            pm.example("One user", "/users/{{id}}", id="u1", body='{"id": "{{id}}"}'),
            id="ep-users",
        ),
        settings=EngineSettings(api_key="s3cret"),
    )


def serve(engine: MockEngine, request: MockRequest, duration_ms: float = 1.5) -> RequestEvent:
    response = engine.handle(request)
    return engine.record(request, response, duration_ms)


def test_hit_event(engine: MockEngine) -> None:
    request = MockRequest(
        "get",
        "/users/carol",
        query=[("a", "1")],
        query_string="a=1",
        headers=[("X-Api-Key", "s3cret"), ("Accept", "application/json")],
        body=b"hello",
        client="10.0.0.1:5555",
        received=1_700_000_000.5,
    )
    event = serve(engine, request, 2.25)
    assert event.id == 1
    assert (event.time, event.client, event.method, event.path, event.query) == (
        1_700_000_000.5,
        "10.0.0.1:5555",
        "get",
        "/users/carol",
        "a=1",
    )
    assert event.request_headers == (("X-Api-Key", MASK), ("Accept", "application/json"))
    assert (event.request_body.data, event.request_body.size) == (b"hello", 5)
    assert event.status == 200
    assert event.response_body.data == b'{"id": "carol"}'
    assert ("Access-Control-Allow-Origin", "*") in event.response_headers
    assert event.duration_ms == 2.25
    assert (event.endpoint_key, event.endpoint_name) == ("ep-users", "Get user")
    assert (event.example_id, event.example_name) == ("u1", "One user")
    assert event.miss_reason is None
    assert event.matched
    assert event.explanation is not None and event.explanation.decided_by == "score"
    store = engine.store
    assert (store.requests, store.misses, store.hits) == (1, 0, {"ep-users": 1})


def test_miss_event(engine: MockEngine) -> None:
    request = MockRequest("POST", "", headers=[("x-api-key", "s3cret")])
    event = serve(engine, request)
    assert event.status == 404
    assert event.path == "/"
    assert not event.matched
    assert (event.endpoint_key, event.example_id, event.example_name) == (None, None, None)
    assert event.miss_reason == "no example matches this method and path"
    assert event.explanation is not None and event.explanation.decided_by == "miss"
    assert event.request_body is EMPTY_BODY
    assert b"mockRequestNotFoundError" in event.response_body.data
    assert (engine.store.requests, engine.store.misses, engine.store.hits) == (1, 1, {})


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([], id="no-key"),
        pytest.param([("x-api-key", "wrong-key")], id="wrong-key"),
    ],
)
def test_unauthorized_event(engine: MockEngine, headers: list[tuple[str, str]]) -> None:
    event = serve(engine, MockRequest("GET", "/users/carol", headers=headers))
    assert event.status == 401
    assert event.miss_reason == "401: missing or wrong x-api-key"
    assert event.example_id is None
    assert b"unauthorizedError" in event.response_body.data
    keys = [v for k, v in event.request_headers if k.lower() == "x-api-key"]
    assert keys == [MASK] * len(headers)  # kept, masked (not dropped)
    assert "wrong-key" not in repr(event)
    assert (engine.store.requests, engine.store.misses) == (1, 1)


def test_every_request_is_one_event(engine: MockEngine) -> None:
    sub = engine.bus.subscribe()
    requests = [
        MockRequest("GET", "/users/a", headers=[("x-api-key", "s3cret")]),  # hit
        MockRequest("GET", "/nothing", headers=[("x-api-key", "s3cret")]),  # miss
        MockRequest("GET", "/users/a"),  # 401
        MockRequest("GET", "/users/b", headers=[("x-api-key", "s3cret")]),  # hit
    ]
    returned = [serve(engine, r) for r in requests]
    events = sub.drain()
    assert events == returned
    assert [e.id for e in events] == [1, 2, 3, 4]
    assert [e.status for e in events] == [200, 404, 401, 200]
    store = engine.store
    assert (store.requests, store.misses, store.hits) == (4, 2, {"ep-users": 2})
    assert sub.drain() == []


def test_api_key_masked_whatever_its_case(pm: Any) -> None:
    engine = pm.engine(pm.item("r", "/a", pm.example("e", "/a")))
    request = MockRequest(
        "GET", "/a", headers=[("X-API-KEY", "k1"), ("x-api-key", "k2"), ("X-Other", "k3")]
    )
    event = serve(engine, request)
    assert event.request_headers == (("X-API-KEY", MASK), ("x-api-key", MASK), ("X-Other", "k3"))


@pytest.mark.parametrize(
    ("size", "kept", "truncated"),
    [
        (0, 0, False),
        (BODY_LIMIT - 1, BODY_LIMIT - 1, False),
        (BODY_LIMIT, BODY_LIMIT, False),
        (BODY_LIMIT + 1, BODY_LIMIT, True),
        (200_000, BODY_LIMIT, True),
    ],
)
def test_bodies_truncated_at_64_kib(pm: Any, size: int, kept: int, truncated: bool) -> None:
    assert BODY_LIMIT == 64 * 1024
    big = "x" * size
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a", method="POST", body=big), method="POST")
    )
    payload = bytes(range(256)) * (size // 256) + b"y" * (size % 256)
    event = serve(engine, MockRequest("POST", "/a", body=payload))
    for body, original in ((event.request_body, payload), (event.response_body, big.encode())):
        assert body.size == size
        assert len(body.data) == kept
        assert body.truncated is truncated
        assert body.data == original[:kept]


# -- the bus ---------------------------------------------------------------------------------


def test_ring_buffer_is_bounded_and_counts_dropped() -> None:
    bus = EventBus(capacity=5)
    sub = bus.subscribe()
    events = publish(bus, 12)
    assert len(bus) == 5
    assert bus.published == 12
    got = sub.drain()
    assert got == events[7:]
    assert sub.dropped == 7
    # Nothing more is lost afterwards, and nothing is counted twice.
    more = publish(bus, 3)
    assert sub.drain() == more
    assert sub.dropped == 7


@pytest.mark.parametrize(
    ("capacity", "published", "behind", "dropped"),
    [
        (5, 5, 5, 0),
        (5, 6, 6, 1),
        (5, 12, 12, 7),
        (1, 4, 4, 3),
        (10, 25, 20, 10),  # subscribed after the first 5 were published
    ],
)
def test_dropped_counted_exactly(capacity: int, published: int, behind: int, dropped: int) -> None:
    bus = EventBus(capacity)
    publish(bus, published - behind)
    sub = bus.subscribe()
    publish(bus, behind)
    got = sub.drain()
    assert sub.dropped == dropped
    assert len(got) == min(capacity, behind)
    assert [e.id for e in got] == list(range(published - len(got) + 1, published + 1))


def test_drain_limit_batches() -> None:
    bus = EventBus(capacity=100)
    sub = bus.subscribe()
    events = publish(bus, 10)
    batches = []
    while batch := sub.drain(limit=4):
        batches.append(batch)
    assert [len(b) for b in batches] == [4, 4, 2]
    assert [e for b in batches for e in b] == events
    assert sub.dropped == 0


def test_drain_limit_with_losses() -> None:
    bus = EventBus(capacity=5)
    sub = bus.subscribe()
    events = publish(bus, 8)  # 1-3 fall out of the ring
    assert sub.drain(limit=2) == events[3:5]
    assert sub.dropped == 3
    publish(bus, 4)  # 6 and 7 fall out before they were read
    assert [e.id for e in sub.drain(limit=2)] == [events[7].id, 9]
    assert sub.dropped == 5
    assert [e.id for e in sub.drain()] == [10, 11, 12]


def test_subscribers_are_independent() -> None:
    bus = EventBus(capacity=5)
    fast, slow = bus.subscribe(), bus.subscribe()
    publish(bus, 3)
    assert len(fast.drain()) == 3
    publish(bus, 4)
    assert len(fast.drain()) == 4 and fast.dropped == 0
    assert [e.id for e in slow.drain()] == [3, 4, 5, 6, 7]
    assert slow.dropped == 2


def test_subscribe_from_start() -> None:
    bus = EventBus(capacity=3)
    publish(bus, 5)
    sub = bus.subscribe(from_start=True)
    assert [e.id for e in sub.drain()] == [3, 4, 5]
    assert sub.dropped == 0
    late = bus.subscribe()
    assert late.drain() == []


def test_unsubscribed_reader_is_forgotten() -> None:
    bus = EventBus(capacity=3)
    sub = bus.subscribe()
    sub.close()
    sub.close()
    publish(bus, 2)
    assert not sub.wakeup.is_set()


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        EventBus(0)


def test_a_reader_that_never_reads_does_not_grow_memory() -> None:
    bus = EventBus(capacity=5)
    sub = bus.subscribe()
    body = b"z" * 4096
    publish(bus, 50, body)  # warm up
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        publish(bus, 2000, body)  # 8 MB if events were kept for the reader
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(bus) == 5
    assert after - before < 100_000
    assert len(sub.drain()) == 5
    assert sub.dropped == 2045


async def test_wakeup_on_publish() -> None:
    bus = EventBus(capacity=5)
    sub = bus.subscribe()
    assert not sub.wakeup.is_set()
    waiter = asyncio.create_task(sub.wait())
    await asyncio.sleep(0)
    assert not waiter.done()
    publish(bus, 1)
    await asyncio.wait_for(waiter, 1)
    assert len(sub.drain(limit=5)) == 1
    assert not sub.wakeup.is_set()  # all read: the flag is cleared
    publish(bus, 3)
    sub.drain(limit=1)
    assert sub.wakeup.is_set()  # still more to read


# -- the bus's byte budget -----------------------------------------------------------------------


def make_sized(bus: EventBus, request: int, response: int) -> RequestEvent:
    event = make_event(bus, b"q" * request)
    return RequestEvent(
        **{
            **{f: getattr(event, f) for f in RequestEvent.__dataclass_fields__},
            "response_body": Body.keep(b"r" * response),
        }
    )


def test_byte_budget_evicts_oldest_and_counts_them_dropped() -> None:
    bus = EventBus(capacity=100, max_bytes=1000)
    sub = bus.subscribe()
    # Request + response body bytes: 300, 300, 250, 200, 0 (1050 in all: over by 50).
    for request, response in [(100, 200), (0, 300), (250, 0), (100, 100), (0, 0)]:
        bus.publish(make_sized(bus, request, response))
    assert [e.id for e in bus.since(1)[0]] == [2, 3, 4, 5]  # the oldest left
    assert (len(bus), bus.bytes) == (4, 750)
    bus.publish(make_sized(bus, 400, 300))  # 1450: events 2 and 3 leave (-> 1150 -> 900)
    assert (len(bus), bus.bytes) == (3, 900)
    assert [e.id for e in sub.drain()] == [4, 5, 6]
    assert sub.dropped == 3
    assert bus.published == 6


def test_byte_budget_always_keeps_the_newest() -> None:
    bus = EventBus(capacity=10, max_bytes=100)
    sub = bus.subscribe()
    publish(bus, 3, b"x" * 10)
    big = make_sized(bus, BODY_LIMIT, BODY_LIMIT)
    bus.publish(big)
    assert bus.since(1)[0] == [big]
    assert sub.drain() == [big]
    assert sub.dropped == 3
    # The next one pushes the big one out, however small it is (it was read: no loss).
    late = bus.subscribe(from_start=True)
    small = make_sized(bus, 1, 0)
    bus.publish(small)
    assert sub.drain() == [small] and sub.dropped == 3
    assert late.drain() == [small] and late.dropped == 1
    assert bus.bytes == 1


def test_byte_budget_drops_counted_exactly_with_unpublished_ids() -> None:
    bus = EventBus(capacity=100, max_bytes=250)
    sub = bus.subscribe()
    bus.publish(make_sized(bus, 100, 0))  # id 1
    bus.new_id()  # id 2: a request cancelled before its event was published
    bus.publish(make_sized(bus, 100, 0))  # id 3
    bus.publish(make_sized(bus, 100, 0))  # id 4: 300 bytes, event 1 leaves
    events, cursor, lost = bus.since(1)
    assert ([e.id for e in events], cursor, lost) == ([3, 4], 5, 1)
    assert [e.id for e in sub.drain()] == [3, 4]
    assert sub.dropped == 1  # id 2 was never published: not a loss


def test_drops_counted_exactly_with_unpublished_ids() -> None:
    bus = EventBus(capacity=2)
    sub = bus.subscribe()
    bus.publish(make_event(bus))  # id 1
    bus.new_id()  # id 2: reserved, never published
    bus.new_id()  # id 3: the same
    for _ in range(3):
        bus.publish(make_event(bus))  # ids 4, 5, 6: 1 and 4 leave the ring
    assert bus.since(1)[1:] == (7, 2)
    assert bus.since(3)[1:] == (7, 1)
    assert bus.since(5)[1:] == (7, 0)
    assert [e.id for e in sub.drain()] == [5, 6]
    assert sub.dropped == 2


def test_byte_budget_and_capacity_both_bound_the_ring() -> None:
    bus = EventBus(capacity=4, max_bytes=10_000)
    sub = bus.subscribe()
    publish(bus, 10, b"x" * 99)  # 100 bytes each: the count is the bound
    assert len(bus) == 4 and bus.bytes == 400
    assert len(sub.drain()) == 4 and sub.dropped == 6


def test_default_byte_budget_bounds_full_bodies() -> None:
    bus = EventBus()
    assert (bus.capacity, bus.max_bytes) == (10_000, 128 * 1024 * 1024)
    sub = bus.subscribe()
    for _ in range(1100):  # 1100 x 128 KiB = 137.5 MiB
        bus.publish(make_sized(bus, BODY_LIMIT, BODY_LIMIT))
    assert bus.bytes <= bus.max_bytes
    assert len(bus) == 1024  # 1024 x 128 KiB = 128 MiB exactly
    assert len(sub.drain()) == 1024 and sub.dropped == 76


def test_byte_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_bytes"):
        EventBus(max_bytes=0)
