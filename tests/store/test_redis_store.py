"""Two mocktui processes' worth of engines (each with its own Redis backend and its own real
HTTP server on 127.0.0.1) sharing one real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import redis.asyncio as aioredis

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine
from mocktui.engine.store import Change
from mocktui.store import open_store
from mocktui.store.redis_store import K_CONTROLS, K_COUNTS, RedisBackend
from tests.conftest import Postman
from tests.server.live import LiveServer, running
from tests.store.conftest import RedisServer

USER = "0/Users/Get user"
PINNED = "User not found"  # the demo's second example of Get user (404)


@contextlib.asynccontextmanager
async def replica(url: str, engine: MockEngine | None = None) -> AsyncIterator[LiveServer]:
    """One replica: an engine kept in the shared store, served over real HTTP."""
    engine = engine or build_engine([], seed=1)
    backend = open_store(engine, url)
    await backend.start()
    assert backend.away is None
    try:
        async with running(engine) as live:
            yield live
    finally:
        await backend.stop()


def backend_of(live: LiveServer) -> RedisBackend:
    backend = live.engine.store.backend
    assert isinstance(backend, RedisBackend)
    return backend


async def until(check: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Wait for ``check()`` to hold (a generous deadline: this says what never happened, it
    does not time anything)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.01)


async def test_a_pin_through_one_replica_answers_from_every_replica_within_100_ms(
    redis_server: RedisServer,
) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        seen: list[Change] = []
        b.engine.store.listeners.append(seen.append)
        pinned = await a.client.post(f"/__mocktui/endpoints/{USER}/pin", json={"example": 2})
        assert pinned.status_code == 200
        await asyncio.sleep(0.1)  # the 100 ms the change may take to reach every replica
        answers = await asyncio.gather(*(b.client.get("/users/1") for _ in range(50)))
        assert [r.status_code for r in answers] == [404] * 50
        served = {e.example_name for e in b.engine.bus.since(0)[0]}
        assert served == {PINNED}
        # The change event says who made it, and where.
        change = next(c for c in seen if c.kind == "mode")
        assert (change.endpoint_key, change.source) == (USER, "api")
        assert change.to_dict()["replica"] == backend_of(a).replica
        assert change.detail == {"mode": "pinned", "pinned": "demo-05"}


async def test_two_operators_pinning_at_once_end_with_the_last_write_everywhere(
    redis_server: RedisServer,
) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        # Both in the same tick: neither replica has heard of the other's pin yet.
        a.engine.store.pin(USER, 1, source="keys")
        b.engine.store.pin(USER, 2, source="api")
        r = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
        try:

            def agreed() -> bool:
                return a.engine.store.pinned(USER) == b.engine.store.pinned(USER)

            await until(agreed, "both replicas pinned to the same example")
            saved = json.loads(await r.hget(K_CONTROLS, USER))
        finally:
            await r.aclose()
        assert a.engine.store.pinned(USER).id == saved["pinned"]["id"]  # what Redis kept last


async def test_counts_add_up_across_replicas(redis_server: RedisServer) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        await asyncio.gather(*(a.client.get("/users/1") for _ in range(30)))
        await asyncio.gather(*(b.client.get("/users/1") for _ in range(20)))
        await asyncio.gather(*(b.client.get("/nowhere") for _ in range(5)))

        async def summary(live: LiveServer) -> dict[str, Any]:
            return (await live.client.get("/__mocktui/coverage")).json()

        for live in (a, b):
            await until(lambda live=live: live.engine.store.requests == 55, "every request counted")
            report = await summary(live)
            assert report["summary"]["requests"] == 55
            assert report["summary"]["misses"] == 5
            row = next(e for e in report["examples"] if e["id"] == "demo-04")
            assert row["served"] == 50
            view = (await live.client.get(f"/__mocktui/endpoints/{USER}")).json()
            assert view["hits"] == 50


async def test_scenarios_are_shared(redis_server: RedisServer) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        a.engine.store.pin(USER, 2)
        saved = await a.client.post("/__mocktui/scenarios", json={"name": "users fail"})
        assert saved.status_code == 201
        await until(lambda: "users fail" in b.engine.store.scenarios, "the scenario reached b")
        await b.client.post("/__mocktui/reset")
        await until(lambda: a.engine.store.mode(USER) == "auto", "the reset reached a")
        applied = await b.client.post("/__mocktui/scenarios/users fail/apply")
        assert applied.status_code == 200
        await until(lambda: a.engine.store.mode(USER) == "pinned", "the scenario applied on a")
        assert a.engine.store.pinned(USER).name == PINNED


async def test_replicas_of_different_collection_versions_share_controls_by_method_path_name(
    redis_server: RedisServer, pm: Postman
) -> None:
    item = pm.item(
        "Get card",
        "/cards/:id",
        pm.example("Card", "/cards/:id", body="card"),
        pm.example("No card", "/cards/:id", code=404, body="none"),
    )
    old = pm.engine(pm.folder("v1", item))
    new = pm.engine(pm.folder("cards", item), pm.item("Other", "/other"))  # another key
    (old_key,) = [e.key for e in old.endpoints]
    new_key = next(e.key for e in new.endpoints if e.name == "Get card")
    assert old_key != new_key
    async with replica(redis_server.url, old) as a, replica(redis_server.url, new) as b:
        a.engine.store.pin(old_key, "2")
        await until(lambda: b.engine.store.mode(new_key) == "pinned", "the pin re-attached")
        assert b.engine.store.pinned(new_key).name == "No card"
        assert (await b.client.get("/cards/7")).status_code == 404


async def test_the_traffic_api_shows_every_replicas_requests(redis_server: RedisServer) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        await b.client.get("/users/1", headers={"x-from": "b"})
        await a.client.get("/products")

        async def paths() -> list[str]:
            data = (await a.client.get("/__mocktui/traffic?since=0")).json()
            return [e["path"] for e in data["events"]]

        found: list[str] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while found != ["/users/1", "/products"] and loop.time() < deadline:
            found = await paths()
            await asyncio.sleep(0.02)
        assert found == ["/users/1", "/products"]  # in the order Redis received them
        # The headless lines of a stay its own requests.
        assert [e.path for e in a.engine.bus.since(0)[0]] == ["/products"]


async def test_redis_killed_mid_run_keeps_serving_and_the_state_is_back_after_restart(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with replica(redis_server.url) as a, replica(redis_server.url) as b:
        a.engine.store.pin(USER, 2)
        await until(lambda: b.engine.store.mode(USER) == "pinned", "the pin reached b")
        await asyncio.gather(*(b.client.get("/users/1") for _ in range(10)))
        await until(lambda: a.engine.store.requests == 10, "the first counts shared")

        redis_server.kill()
        await until(lambda: backend_of(a).away and backend_of(b).away, "both noticed")
        assert "unreachable" in str(backend_of(a).away)
        assert "serving from the local copy" in str(backend_of(a).away)
        # Requests keep being answered, from the local copy of the controls.
        answers = await asyncio.gather(*(a.client.get("/users/1") for _ in range(10)))
        assert [r.status_code for r in answers] == [404] * 10
        b.engine.store.set_delay("0/Products/List products", 5)  # made while Redis is away

        redis_server.start()  # empty: it persisted nothing
        await until(lambda: backend_of(a).away is None and backend_of(b).away is None, "both back")
        await until(
            lambda: a.engine.store.delay("0/Products/List products") == 5,
            "the change made during the outage reached a",
        )
        r = aioredis.Redis.from_url(redis_server.url, decode_responses=True)
        try:

            async def counted() -> int:
                return int((await r.hget(K_COUNTS, "requests")) or 0)

            loop = asyncio.get_running_loop()
            deadline = loop.time() + 10
            while await counted() != 20 and loop.time() < deadline:
                await asyncio.sleep(0.02)
            assert await counted() == 20  # the counts are back, the outage's included
            controls = {k: json.loads(v) for k, v in (await r.hgetall(K_CONTROLS)).items()}
        finally:
            await r.aclose()
        assert controls[USER]["pinned"]["id"] == "demo-05"
        assert controls["0/Products/List products"]["delay_ms"] == 5
        assert (await b.client.get("/users/1")).status_code == 404
    messages = [r.getMessage() for r in caplog.records if r.name == "mocktui.store"]
    assert any("unreachable" in m and "retrying" in m for m in messages)
    assert any(m.endswith("is back: controls and counts resynced") for m in messages)


async def test_a_replica_joining_later_adopts_the_shared_controls(
    redis_server: RedisServer,
) -> None:
    async with replica(redis_server.url) as a:
        a.engine.store.pin(USER, 2)
        a.engine.store.set_endpoint_enabled("0/Health", False)
        await asyncio.sleep(0)  # let the writes go
        await until(lambda: not backend_of(a)._writes, "the writes sent")
        late = build_engine([], seed=1)
        late.store.set_delay(USER, 9)  # its own, before joining: the shared state wins
        async with replica(redis_server.url, late) as b:
            assert b.engine.store.pinned(USER).name == PINNED
            assert b.engine.store.delay(USER) == 0
            assert not b.engine.store.endpoint_enabled("0/Health")
            assert (await b.client.get("/health")).status_code == 404
