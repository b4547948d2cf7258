"""The control routes a dashboard attached from elsewhere reads (mocktui attach): /snapshot,
/collections, and the generation and instance it orders things by."""

from __future__ import annotations

import json

from mocktui.config import build_engine
from mocktui.postman.codec import FORMAT, collection_from_dict
from tests.server.live import LiveServer, running


async def test_collections_come_back_as_the_same_model(demo: LiveServer) -> None:
    answer = await demo.client.get("/__mocktui/collections")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    data = answer.json()
    assert data["format"] == FORMAT
    snap = (await demo.client.get("/__mocktui/snapshot")).json()
    assert data["version"] == f"{snap['instance']}.0"
    assert [collection_from_dict(c) for c in data["collections"]] == demo.engine.collections


async def test_snapshot_has_every_view_the_counts_and_the_next_event_id(demo: LiveServer) -> None:
    await demo.client.get("/users")
    await demo.client.get("/nothing-here")
    await demo.client.post("/__mocktui/endpoints/0/Users/List users/pin", json={"example": 2})
    await demo.client.post("/__mocktui/scenarios", json={"name": "empty"})
    snap = (await demo.client.get("/__mocktui/snapshot")).json()
    assert snap["requests"] == 2
    assert snap["misses"] == 1
    assert snap["next_event"] == 3
    assert snap["private"] is False
    assert snap["scenarios"] == ["empty"]
    assert snap["generation"] == demo.engine.store.generation
    assert len(snap["endpoints"]) == len(demo.engine.endpoints)
    users = next(v for v in snap["endpoints"] if v["key"] == "0/Users/List users")
    assert (users["mode"], users["pinned_number"], users["hits"]) == ("pinned", 2, 1)


async def test_a_write_answers_with_the_generation_the_stream_says(demo: LiveServer) -> None:
    async with demo.client.stream("GET", "/__mocktui/events") as stream:
        lines = stream.aiter_lines()
        assert await anext(lines) == ": mocktui event stream"
        answer = await demo.client.post(
            "/__mocktui/endpoints/0/Users/List users/delay", json={"ms": 300}
        )
        assert answer.json()["generation"] == demo.engine.store.generation
        assert answer.json()["delay_ms"] == 300
        async for line in lines:
            if line.startswith("data: "):
                change = json.loads(line.removeprefix("data: "))
                break
    assert (change["kind"], change["generation"]) == ("delay", answer.json()["generation"])
    read = await demo.client.get("/__mocktui/endpoints/0/Users/List users")
    assert "generation" not in read.json()  # a read keeps the shape of GET /endpoints


async def test_the_snapshot_says_private_and_which_process() -> None:
    async with running(build_engine([], api_key="k3y")) as server:
        refused = await server.client.get("/__mocktui/snapshot")
        assert refused.status_code == 401
        snap = (await server.client.get("/__mocktui/snapshot", headers={"x-api-key": "k3y"})).json()
        assert snap["private"] is True
        assert len(snap["instance"]) == 32
    async with running(build_engine([])) as other:
        again = (await other.client.get("/__mocktui/snapshot")).json()
    assert again["instance"] != snap["instance"]


async def test_a_reload_changes_the_collections_version(demo: LiveServer) -> None:
    demo.engine.load(demo.engine.collections)
    snap = (await demo.client.get("/__mocktui/snapshot")).json()
    assert snap["collections_version"] == f"{snap['instance']}.1"
