"""The control API over real HTTP: every route, its effect on the next mock request, and every
bad input with its exact status and message."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

import httpx
import pytest

from mocktui import __version__
from mocktui.config import build_engine
from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.formats.curl import curl_command
from tests.formats.test_har import har_errors
from tests.server.live import LiveServer, running

API = "/__mocktui"
KEY = "ep-a"  # the endpoint with three examples


def control_error(message: str) -> dict[str, Any]:
    return {"error": {"name": "controlError", "message": message}}


def refused(response: httpx.Response, status: int, message: str) -> None:
    assert (response.status_code, response.json()) == (status, control_error(message)), (
        response.text
    )
    assert response.headers["content-type"] == "application/json"


def abc(pm, settings: EngineSettings | None = None) -> MockEngine:
    """GET /a with three examples (bodies one, two, three), GET /b with one, GET /empty with
    none, and GET /deep/x, an item without an id (its key holds a '/')."""
    return pm.engine(
        pm.item(
            "A",
            "/a",
            pm.example("one", "/a", code=200, id="a1", body="one"),
            pm.example("two", "/a", code=201, id="a2", body="two"),
            pm.example("three", "/a", code=202, id="a3", body="three"),
            id=KEY,
        ),
        pm.item("B", "/b", pm.example("bee", "/b", id="b1", body="bee"), id="ep-b"),
        pm.item("Empty", "/empty", id="ep-empty"),
        pm.item("Deep", "/deep/x", pm.example("deep", "/deep/x", id="d1", body="deep")),
        settings=settings,
    )


async def answers(server: LiveServer, times: int = 1, path: str = "/a") -> list[str]:
    """The bodies of the next ``times`` mock requests."""
    out = []
    for _ in range(times):
        response = await server.client.get(path)
        assert response.status_code < 300, response.text
        out.append(response.text)
    return out


async def post(server: LiveServer, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
    if body is None:
        return await server.client.post(API + path, **kwargs)
    return await server.client.post(API + path, json=body, **kwargs)


# -- reading --------------------------------------------------------------------------------


async def test_health_counts_and_control_calls_are_not_traffic(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        first = (await server.client.get(f"{API}/health")).json()
        assert first == {
            "status": "ok",
            "endpoints": 4,
            "examples": 5,
            "requests": 0,
            "misses": 0,
            "generation": first["generation"],
        }
        for path in ("/health", "/endpoints", f"/endpoints/{KEY}", "/traffic", "/coverage"):
            assert (await server.client.get(API + path)).status_code == 200
        assert (await post(server, f"/endpoints/{KEY}/pin", {"example": 2})).status_code == 200
        assert (await server.client.get(f"{API}/nope")).status_code == 404
        # None of those is mock traffic.
        assert engine.store.requests == 0
        assert len(engine.bus) == 0
        await server.client.get("/a")
        await server.client.get("/missing")
        health = (await server.client.get(f"{API}/health")).json()
        assert (health["requests"], health["misses"]) == (2, 1)
        assert health["generation"] > first["generation"]
        assert engine.store.requests == 2


async def test_endpoints_list_and_one(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        await answers(server, 2)
        listed = (await server.client.get(f"{API}/endpoints")).json()
        assert [e["key"] for e in listed] == [KEY, "ep-b", "ep-empty", "0/Deep"]
        a = listed[0]
        wanted = {
            "key": KEY,
            "method": "GET",
            "path": "/a",
            "name": "A",
            "mode": "auto",
            "pinned": None,
            "enabled": True,
            "delay_ms": 0,
            "hits": 2,
            "example_path": None,  # its examples are saved at its own path
            "auto_pick": {"number": 1, "code": 200, "name": "one", "endpoint": KEY},
        }
        assert {k: a[k] for k in wanted} == wanted
        assert a["examples"] == [
            {
                "id": "a1",
                "number": 1,
                "name": "one",
                "code": 200,
                "enabled": True,
                "served": 2,
                "saved": "/a",
            },
            {
                "id": "a2",
                "number": 2,
                "name": "two",
                "code": 201,
                "enabled": True,
                "served": 0,
                "saved": "/a",
            },
            {
                "id": "a3",
                "number": 3,
                "name": "three",
                "code": 202,
                "enabled": True,
                "served": 0,
                "saved": "/a",
            },
        ]
        assert listed[2]["examples"] == []
        one = (await server.client.get(f"{API}/endpoints/{KEY}")).json()
        assert one == a
        # A key with a '/' in it (an item without an id) is one path segment of the route.
        deep = listed[3]
        assert "/" in deep["key"]
        got = await server.client.get(f"{API}/endpoints/{deep['key']}")
        assert got.json()["name"] == "Deep"
        pinned = await post(server, f"/endpoints/{deep['key']}/pin", {"example": "d1"})
        assert pinned.json()["pinned"] == "d1"
        assert await answers(server, path="/deep/x") == ["deep"]


# -- modes ----------------------------------------------------------------------------------


async def test_pin_by_number_and_by_id_then_null_goes_back_to_auto(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        assert await answers(server) == ["one"]
        view = (await post(server, f"/endpoints/{KEY}/pin", {"example": 2})).json()
        assert (view["mode"], view["pinned"], view["pinned_number"]) == ("pinned", "a2", 2)
        assert await answers(server, 3) == ["two"] * 3
        response = await server.client.get("/a")
        assert response.status_code == 201
        assert engine.bus.since(0)[0][-1].decided_by == "pin"
        view = (await post(server, f"/endpoints/{KEY}/pin", {"example": "a3"})).json()
        assert (view["mode"], view["pinned"]) == ("pinned", "a3")
        assert await answers(server, 2) == ["three"] * 2
        view = (await post(server, f"/endpoints/{KEY}/pin", {"example": None})).json()
        assert (view["mode"], view["pinned"]) == ("auto", None)
        assert await answers(server) == ["one"]
        assert view["examples"][2]["served"] == 2


async def test_sequential_walks_in_order_and_wraps(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        view = (await post(server, f"/endpoints/{KEY}/mode", {"mode": "sequential"})).json()
        assert view["mode"] == "sequential"
        assert await answers(server, 7) == ["one", "two", "three"] * 2 + ["one"]
        # A disabled example is skipped by the walk.
        await post(server, f"/endpoints/{KEY}/examples/a3/disable")
        assert await answers(server, 4) == ["two", "one", "two", "one"]
        # Setting the mode again starts the walk over.
        await post(server, f"/endpoints/{KEY}/mode", {"mode": "sequential"})
        assert await answers(server) == ["one"]
        view = (await post(server, f"/endpoints/{KEY}/mode", {"mode": "auto"})).json()
        assert view["mode"] == "auto"
        assert await answers(server, 2) == ["one", "one"]


async def random_run(pm, seed: int) -> list[str]:
    async with running(abc(pm, EngineSettings(seed=seed))) as server:
        view = (await post(server, f"/endpoints/{KEY}/mode", {"mode": "random"})).json()
        assert view["mode"] == "random"
        return await answers(server, 24)


async def test_random_with_a_seed_repeats_on_a_fresh_engine(pm) -> None:
    first = await random_run(pm, 7)
    second = await random_run(pm, 7)
    assert first == second
    assert set(first) == {"one", "two", "three"}  # it is random: every example comes up
    assert await random_run(pm, 8) != first  # and the seed is what fixes it


async def test_reset_restores_auto_everywhere(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        await post(server, f"/endpoints/{KEY}/pin", {"example": 3})
        await post(server, f"/endpoints/{KEY}/delay", {"ms": 50})
        await post(server, "/endpoints/ep-b/disable")
        assert await answers(server) == ["three"]
        assert (await server.client.get("/b")).status_code == 404
        generation = engine.store.generation
        response = await post(server, "/reset")
        assert response.json() == {"reset": True, "generation": engine.store.generation}
        assert engine.store.generation > generation
        assert await answers(server) == ["one"]
        assert engine.bus.since(0)[0][-1].duration_ms < 50  # the 50 ms delay is gone
        assert await answers(server, path="/b") == ["bee"]
        view = (await server.client.get(f"{API}/endpoints/{KEY}")).json()
        assert (view["mode"], view["pinned"], view["delay_ms"], view["enabled"]) == (
            "auto",
            None,
            0,
            True,
        )


# -- enabling -------------------------------------------------------------------------------


async def test_endpoint_disable_and_enable(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        view = (await post(server, f"/endpoints/{KEY}/disable")).json()
        assert view["enabled"] is False
        missed = await server.client.get("/a")
        assert missed.status_code == 404
        assert missed.json()["error"]["name"] == "mockRequestNotFoundError"
        view = (await post(server, f"/endpoints/{KEY}/enable")).json()
        assert view["enabled"] is True
        assert await answers(server) == ["one"]


async def test_example_disable_by_id_and_by_number_gives_another_example(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        assert await answers(server) == ["one"]
        view = (await post(server, f"/endpoints/{KEY}/examples/a1/disable")).json()
        assert [e["enabled"] for e in view["examples"]] == [False, True, True]
        assert await answers(server) == ["two"]
        view = (await post(server, f"/endpoints/{KEY}/examples/2/disable")).json()
        assert [e["enabled"] for e in view["examples"]] == [False, False, True]
        assert await answers(server) == ["three"]
        # A pin to a disabled example leaves the choice to Postman's ranking.
        await post(server, f"/endpoints/{KEY}/pin", {"example": 1})
        assert await answers(server) == ["three"]
        view = (await post(server, f"/endpoints/{KEY}/examples/1/enable")).json()
        assert [e["enabled"] for e in view["examples"]] == [True, False, True]
        assert await answers(server) == ["one"]
        await post(server, f"/endpoints/{KEY}/pin", {"example": None})
        await post(server, f"/endpoints/{KEY}/examples/a2/enable")
        await post(server, f"/endpoints/{KEY}/examples/3/disable")
        await post(server, f"/endpoints/{KEY}/mode", {"mode": "sequential"})
        assert await answers(server, 3) == ["one", "two", "one"]


# -- delays ---------------------------------------------------------------------------------


async def test_delay_holds_the_next_answer(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        view = (await post(server, f"/endpoints/{KEY}/delay", {"ms": 300})).json()
        assert view["delay_ms"] == 300
        started = time.perf_counter()
        assert await answers(server) == ["one"]
        assert time.perf_counter() - started >= 0.3
        assert engine.bus.since(0)[0][-1].duration_ms >= 300
        started = time.perf_counter()
        await answers(server, path="/b")
        assert time.perf_counter() - started < 0.3  # other endpoints are not delayed
        assert (await post(server, f"/endpoints/{KEY}/delay", {"ms": 0})).json()["delay_ms"] == 0
        started = time.perf_counter()
        await answers(server)
        assert time.perf_counter() - started < 0.3


# -- two endpoints with the same method and path --------------------------------------------


def same_pair(pm) -> MockEngine:
    return pm.engine(
        pm.item(
            "First",
            "/same",
            pm.example("first-1", "/same", id="f1", body="first-1"),
            pm.example("first-2", "/same", id="f2", body="first-2", code=201),
            id="same-1",
        ),
        pm.item(
            "Second",
            "/same",
            pm.example("second-1", "/same", id="s1", body="second-1", code=202),
            pm.example("second-2", "/same", id="s2", body="second-2", code=203),
            id="same-2",
        ),
    )


async def test_pin_on_the_second_of_two_same_path_endpoints(pm) -> None:
    engine = same_pair(pm)
    async with running(engine) as server:
        assert await answers(server, path="/same") == ["first-1"]  # Postman's ranking
        view = (await post(server, "/endpoints/same-2/pin", {"example": 2})).json()
        assert (view["key"], view["pinned"]) == ("same-2", "s2")
        response = await server.client.get("/same")
        assert (response.status_code, response.text) == (203, "second-2")
        event = engine.bus.since(0)[0][-1]
        assert (event.endpoint_key, event.example_id, event.decided_by) == ("same-2", "s2", "pin")
        views = {e["key"]: e for e in (await server.client.get(f"{API}/endpoints")).json()}
        assert (views["same-2"]["hits"], views["same-1"]["hits"]) == (1, 1)
        # The most recently set mode wins: pinning the first endpoint takes over.
        await post(server, "/endpoints/same-1/pin", {"example": "f2"})
        assert await answers(server, path="/same") == ["first-2"]
        await post(server, "/endpoints/same-2/pin", {"example": "s1"})
        assert await answers(server, path="/same") == ["second-1"]


async def test_delay_on_the_second_of_two_same_path_endpoints(pm) -> None:
    engine = same_pair(pm)
    async with running(engine) as server:
        await post(server, "/endpoints/same-2/delay", {"ms": 300})
        started = time.perf_counter()
        assert await answers(server, path="/same") == ["first-1"]
        assert time.perf_counter() - started >= 0.3
        assert engine.bus.since(0)[0][-1].duration_ms >= 300


def example_path(example) -> str:
    """A request path for an example's saved request, its wildcard segments filled in."""
    segments = example.request.segments
    return "/" + "/".join(f"id-{s.wildcard}" if s.wildcard else s.text for s in segments)


async def test_paypal_pins_on_later_endpoints_of_same_path_groups(shared_collection) -> None:
    engine = build_engine([shared_collection("paypal-partner-apis")])
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for endpoint in engine.endpoints:
        groups[endpoint.method, endpoint.display_path].append(endpoint)
    later = [ep for eps in groups.values() if len(eps) > 1 for ep in eps[1:] if ep.examples]
    assert len(later) >= 5, "the collection has groups of endpoints with one method and path"
    elsewhere = 0
    async with running(engine) as server:
        for endpoint in later:
            for example in endpoint.examples:
                method, path = example.request.method, example_path(example)
                query = list(example.request.query)
                await server.client.request(method, path, params=query)
                unpinned = engine.bus.since(0)[0][-1]
                elsewhere += unpinned.endpoint_key != endpoint.key
                pin = await post(server, f"/endpoints/{endpoint.key}/pin", {"example": example.id})
                assert pin.status_code == 200, pin.text
                response = await server.client.request(method, path, params=query)
                event = engine.bus.since(0)[0][-1]
                where = f"{endpoint.name} / {example.name}: {method} {path}"
                assert response.status_code == example.code, where
                assert (event.endpoint_key, event.example_id) == (endpoint.key, example.id), where
                assert event.decided_by == "pin", where
                assert (await post(server, "/reset")).status_code == 200
    # Without the pin, Postman's ranking answers from another endpoint of the group.
    assert elsewhere >= 10


# -- traffic, coverage, HAR -----------------------------------------------------------------


async def test_traffic_pages_oldest_first_with_a_cursor(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        paths = ["/a", "/b", "/a?x=1", "/nope", "/deep/x"]
        for path in paths:
            await server.client.get(path)
        page = (await server.client.get(f"{API}/traffic", params={"limit": 2})).json()
        assert [e["id"] for e in page["events"]] == [1, 2]
        assert (page["next"], page["dropped"]) == (3, 0)
        assert page["events"][0] == engine.bus.since(0)[0][0].to_dict()
        seen = list(page["events"])
        while page["events"]:
            page = (
                await server.client.get(
                    f"{API}/traffic", params={"since": page["next"], "limit": 2}
                )
            ).json()
            seen += page["events"]
        assert [e["id"] for e in seen] == [1, 2, 3, 4, 5]
        assert [e["path"] + ("?" + e["query"] if e["query"] else "") for e in seen] == paths
        assert [e["status"] for e in seen] == [200, 200, 200, 404, 200]
        assert page["next"] == 6
        everything = (await server.client.get(f"{API}/traffic")).json()
        assert [e["id"] for e in everything["events"]] == [1, 2, 3, 4, 5]
        assert everything["next"] == 6
        later = (await server.client.get(f"{API}/traffic?since=4")).json()
        assert [e["id"] for e in later["events"]] == [4, 5]


async def test_traffic_reports_what_left_the_ring(pm) -> None:
    engine = abc(pm, EngineSettings(history=3))
    async with running(engine) as server:
        for _ in range(5):
            await server.client.get("/a")
        page = (await server.client.get(f"{API}/traffic?since=0")).json()
        assert [e["id"] for e in page["events"]] == [3, 4, 5]
        assert (page["dropped"], page["next"]) == (2, 6)
        page = (await server.client.get(f"{API}/traffic?since=2&limit=1")).json()
        assert [e["id"] for e in page["events"]] == [3]
        assert (page["dropped"], page["next"]) == (1, 4)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=abc", "?since= must be a whole number from 0 to 4611686018427387904, got 'abc'"),
        ("since=-1", "?since= must be a whole number from 0 to 4611686018427387904, got '-1'"),
        ("since=%C2%B2", "?since= must be a whole number from 0 to 4611686018427387904, got '²'"),
        ("since=1.5", "?since= must be a whole number from 0 to 4611686018427387904, got '1.5'"),
        (
            "since=9999999999999999999",
            "?since= must be from 0 to 4611686018427387904, got 9999999999999999999",
        ),
        ("limit=abc", "?limit= must be a whole number from 1 to 1000, got 'abc'"),
        ("limit=-1", "?limit= must be a whole number from 1 to 1000, got '-1'"),
        ("limit=%C2%B2", "?limit= must be a whole number from 1 to 1000, got '²'"),
        ("limit=0", "?limit= must be from 1 to 1000, got 0"),
        ("limit=1001", "?limit= must be from 1 to 1000, got 1001"),
        ("limit=5000", "?limit= must be from 1 to 1000, got 5000"),
    ],
)
async def test_traffic_refuses_bad_cursors(pm, query: str, message: str) -> None:
    async with running(abc(pm)) as server:
        refused(await server.client.get(f"{API}/traffic?{query}"), 400, message)


async def test_coverage_served_never_served_never_hit(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        await post(server, f"/endpoints/{KEY}/pin", {"example": 3})
        await answers(server, 2)
        await answers(server, path="/deep/x")
        await server.client.get("/nope")
        report = (await server.client.get(f"{API}/coverage")).json()
        served = {(r["endpoint"], r["id"]): r["served"] for r in report["examples"]}
        deep = next(ep.key for ep in engine.endpoints if ep.name == "Deep")
        assert served == {
            (KEY, "a1"): 0,
            (KEY, "a2"): 0,
            (KEY, "a3"): 2,
            ("ep-b", "b1"): 0,
            (deep, "d1"): 1,
        }
        assert [(r["endpoint"], r["id"]) for r in report["never_served"]] == [
            (KEY, "a1"),
            (KEY, "a2"),
            ("ep-b", "b1"),
        ]
        assert [h["key"] for h in report["never_hit"]] == ["ep-b", "ep-empty"]
        assert report["never_hit"][0] == {"key": "ep-b", "method": "GET", "path": "/b", "name": "B"}
        assert report["summary"] == {
            "examples": 5,
            "examples_served": 2,
            "endpoints": 4,
            "endpoints_never_hit": 2,
            "requests": 4,
            "misses": 1,
        }


async def test_har_is_valid_and_matches_the_requests(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        await server.client.get("/a?x=1&x=2", headers={"X-Trace": "t-1"})
        await server.client.post("/b", content=b'{"n": 1}', headers={"content-type": "text/json"})
        await server.client.get("/nope")
        await server.client.get(f"{API}/health")  # not traffic: not in the HAR
        response = await server.client.get(f"{API}/har")
        assert response.status_code == 200
        document = response.json()
    assert har_errors(document) == []
    log = document["log"]
    assert log["creator"] == {"name": "mocktui", "version": __version__}
    entries = log["entries"]
    host = server.url
    summary = [
        (e["request"]["method"], e["request"]["url"], e["response"]["status"]) for e in entries
    ]
    assert summary == [
        ("GET", f"{host}/a?x=1&x=2", 200),
        ("POST", f"{host}/b", 404),
        ("GET", f"{host}/nope", 404),
    ]
    assert entries[0]["request"]["queryString"] == [
        {"name": "x", "value": "1"},
        {"name": "x", "value": "2"},
    ]
    assert {"name": "x-trace", "value": "t-1"} in entries[0]["request"]["headers"]
    assert entries[0]["response"]["content"]["text"] == "one"
    assert entries[1]["request"]["postData"]["text"] == '{"n": 1}'


# -- scenarios ------------------------------------------------------------------------------


async def test_scenarios_save_list_apply(pm) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        assert (await server.client.get(f"{API}/scenarios")).json() == {"scenarios": []}
        await post(server, f"/endpoints/{KEY}/pin", {"example": 2})
        await post(server, "/endpoints/ep-b/disable")
        saved = await post(server, "/scenarios", {"name": "  broken b  "})
        assert saved.status_code == 201
        assert saved.json() == {
            "saved": "broken b",
            "message": "scenario 'broken b' saved (2 controlled endpoints)",
        }
        await post(server, "/scenarios", {"name": "plain"})
        listed = (await server.client.get(f"{API}/scenarios")).json()
        assert listed == {
            "scenarios": [{"name": "broken b", "controls": 2}, {"name": "plain", "controls": 2}]
        }
        await post(server, "/reset")
        await post(server, "/scenarios", {"name": "plain"})  # overwritten: nothing controlled
        assert await answers(server) == ["one"]
        applied = await post(server, "/scenarios/broken%20b/apply")
        assert applied.json() == {
            "applied": "broken b",
            "message": "scenario 'broken b' applied",
            "unattached": [],
        }
        assert await answers(server) == ["two"]
        assert (await server.client.get("/b")).status_code == 404
        await post(server, "/scenarios/plain/apply")
        assert await answers(server) == ["one"]
        assert await answers(server, path="/b") == ["bee"]


# -- bad input ------------------------------------------------------------------------------

NO_KEY = "no endpoint with key 'nope'"
EXAMPLE_NINE = "endpoint 'ep-a' has no example 9 (give an example ID or a number from 1 to 3)"
GIVE_EXAMPLE = 'give "example": an example ID, its 1-based number, or null'
GIVE_MODE = 'give "mode": "auto", "sequential" or "random"'
GIVE_MS = 'give "ms": a whole number of milliseconds from 0 to 180000'
DELAY_TYPE = "delay must be a whole number of milliseconds from 0 to 180000"
NOT_JSON = "the body is not JSON"
NOT_OBJECT = "the body must be a JSON object"
NO_NAME = "a scenario needs a name (non-empty text)"
BAD_NAME = "a scenario name cannot hold control characters or '/'"

BAD = [
    # unknown endpoint keys
    ("GET", "/endpoints/nope", None, 404, NO_KEY),
    ("POST", "/endpoints/nope/pin", {"example": 1}, 404, NO_KEY),
    ("POST", "/endpoints/nope/mode", {"mode": "random"}, 404, NO_KEY),
    ("POST", "/endpoints/nope/enable", None, 404, NO_KEY),
    ("POST", "/endpoints/nope/disable", None, 404, NO_KEY),
    ("POST", "/endpoints/nope/examples/1/disable", None, 404, NO_KEY),
    ("POST", "/endpoints/nope/examples/1/enable", None, 404, NO_KEY),
    ("POST", "/endpoints/nope/delay", {"ms": 5}, 404, NO_KEY),
    # unknown examples
    ("POST", "/endpoints/ep-a/pin", {"example": 9}, 404, EXAMPLE_NINE),
    ("POST", "/endpoints/ep-a/pin", {"example": 0}, 404, EXAMPLE_NINE.replace(" 9 ", " 0 ")),
    (
        "POST",
        "/endpoints/ep-a/pin",
        {"example": "zz"},
        404,
        "endpoint 'ep-a' has no example 'zz' (give an example ID or a number from 1 to 3)",
    ),
    (
        "POST",
        "/endpoints/ep-a/pin",
        {"example": True},
        404,
        "endpoint 'ep-a' has no example True (give an example ID or a number from 1 to 3)",
    ),
    ("POST", "/endpoints/ep-empty/pin", {"example": 1}, 404, "endpoint 'ep-empty' has no examples"),
    ("POST", "/endpoints/ep-a/examples/9/disable", None, 404, EXAMPLE_NINE),
    (
        "POST",
        "/endpoints/ep-a/examples/zz/enable",
        None,
        404,
        "endpoint 'ep-a' has no example 'zz' (give an example ID or a number from 1 to 3)",
    ),
    # modes
    (
        "POST",
        "/endpoints/ep-a/mode",
        {"mode": "shuffle"},
        400,
        "unknown mode 'shuffle': use one of auto, pinned, sequential, random",
    ),
    (
        "POST",
        "/endpoints/ep-a/mode",
        {"mode": "pinned"},
        400,
        'to pin, give the example: POST .../pin {"example": N}',
    ),
    ("POST", "/endpoints/ep-a/mode", {"mode": 3}, 400, GIVE_MODE),
    ("POST", "/endpoints/ep-a/mode", {}, 400, GIVE_MODE),
    (
        "POST",
        "/endpoints/ep-empty/mode",
        {"mode": "random"},
        400,
        "endpoint 'ep-empty' has no examples to answer with",
    ),
    # delays
    (
        "POST",
        "/endpoints/ep-a/delay",
        {"ms": 180001},
        400,
        "delay must be from 0 to 180000 ms, got 180001",
    ),
    ("POST", "/endpoints/ep-a/delay", {"ms": -1}, 400, "delay must be from 0 to 180000 ms, got -1"),
    ("POST", "/endpoints/ep-a/delay", {"ms": 1.5}, 400, DELAY_TYPE),
    ("POST", "/endpoints/ep-a/delay", {"ms": "100"}, 400, DELAY_TYPE),
    ("POST", "/endpoints/ep-a/delay", {"ms": True}, 400, DELAY_TYPE),
    ("POST", "/endpoints/ep-a/delay", {"ms": None}, 400, DELAY_TYPE),
    # missing keys
    ("POST", "/endpoints/ep-a/pin", {}, 400, GIVE_EXAMPLE),
    ("POST", "/endpoints/ep-a/pin", {"exemple": 1}, 400, GIVE_EXAMPLE),
    ("POST", "/endpoints/ep-a/delay", {}, 400, GIVE_MS),
    ("POST", "/endpoints/ep-a/delay", {"delay": 5}, 400, GIVE_MS),
    # bodies that are not a JSON object
    ("POST", "/endpoints/ep-a/pin", b"{example: 1}", 400, NOT_JSON),
    ("POST", "/endpoints/ep-a/pin", b"\xff\xfe", 400, NOT_JSON),
    ("POST", "/endpoints/ep-a/pin", b"[" * 50_000, 400, NOT_JSON),
    ("POST", "/endpoints/ep-a/mode", b'{"mode": "random"', 400, NOT_JSON),
    ("POST", "/endpoints/ep-a/delay", b"ms=5", 400, NOT_JSON),
    ("POST", "/scenarios", b"name", 400, NOT_JSON),
    ("POST", "/endpoints/ep-a/pin", [1], 400, NOT_OBJECT),
    ("POST", "/endpoints/ep-a/mode", ["random"], 400, NOT_OBJECT),
    ("POST", "/endpoints/ep-a/delay", [{"ms": 5}], 400, NOT_OBJECT),
    ("POST", "/endpoints/ep-a/pin", "2", 400, NOT_OBJECT),
    ("POST", "/scenarios", ["x"], 400, NOT_OBJECT),
    # scenarios
    ("POST", "/scenarios", {"name": ""}, 400, NO_NAME),
    ("POST", "/scenarios", {"name": "   "}, 400, NO_NAME),
    ("POST", "/scenarios", {}, 400, NO_NAME),
    ("POST", "/scenarios", {"name": 5}, 400, NO_NAME),
    ("POST", "/scenarios", {"name": "a\x01b"}, 400, BAD_NAME),
    ("POST", "/scenarios", {"name": "a\nb"}, 400, BAD_NAME),
    ("POST", "/scenarios", {"name": "a\x85b"}, 400, BAD_NAME),
    ("POST", "/scenarios", {"name": "a/b"}, 400, BAD_NAME),
    ("POST", "/scenarios", {"name": "x" * 201}, 400, "a scenario name has at most 200 characters"),
    (
        "POST",
        "/scenarios/ghost/apply",
        None,
        404,
        "no scenario named 'ghost' (scenarios: none saved yet)",
    ),
    # routes and methods
    ("GET", "/nope", None, 404, "no control route GET /__mocktui/nope (see README)"),
    ("GET", "/", None, 404, "no control route GET /__mocktui/ (see README)"),
    ("POST", "/endpoints", None, 405, "/__mocktui/endpoints does not take POST"),
    ("POST", "/health", None, 405, "/__mocktui/health does not take POST"),
    (
        "DELETE",
        "/endpoints/ep-a/pin",
        None,
        405,
        "/__mocktui/endpoints/ep-a/pin does not take DELETE",
    ),
    ("GET", "/reset", None, 405, "/__mocktui/reset does not take GET"),
    ("PUT", "/scenarios", None, 405, "/__mocktui/scenarios does not take PUT"),
    ("POST", "/har", None, 405, "/__mocktui/har does not take POST"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "message"), BAD)
async def test_bad_input_is_refused_with_its_message(
    pm, method: str, path: str, body: Any, status: int, message: str
) -> None:
    engine = abc(pm)
    async with running(engine) as server:
        before = engine.store.snapshot()
        if isinstance(body, bytes):
            kwargs: dict[str, Any] = {"content": body}
        elif body is None:
            kwargs = {}
        else:
            kwargs = {"json": body}
        response = await server.client.request(method, API + path, **kwargs)
        refused(response, status, message)
        # Nothing was changed, and nothing counts as mock traffic.
        assert engine.store.snapshot() == before
        assert engine.store.scenarios == {}
        assert (engine.store.requests, len(engine.bus)) == (0, 0)
        assert await answers(server) == ["one"]


async def test_apply_unknown_scenario_names_the_saved_ones(pm) -> None:
    async with running(abc(pm)) as server:
        await post(server, "/scenarios", {"name": "b"})
        await post(server, "/scenarios", {"name": "a"})
        refused(
            await post(server, "/scenarios/c/apply"),
            404,
            "no scenario named 'c' (scenarios: a, b)",
        )


# -- private mode ---------------------------------------------------------------------------

ROUTES = [
    ("GET", "/health", None, 200),
    ("GET", "/endpoints", None, 200),
    ("GET", f"/endpoints/{KEY}", None, 200),
    ("POST", f"/endpoints/{KEY}/pin", {"example": 2}, 200),
    ("POST", f"/endpoints/{KEY}/mode", {"mode": "sequential"}, 200),
    ("POST", f"/endpoints/{KEY}/disable", None, 200),
    ("POST", f"/endpoints/{KEY}/enable", None, 200),
    ("POST", f"/endpoints/{KEY}/examples/2/disable", None, 200),
    ("POST", f"/endpoints/{KEY}/examples/a2/enable", None, 200),
    ("POST", f"/endpoints/{KEY}/delay", {"ms": 10}, 200),
    ("POST", "/reset", None, 200),
    ("GET", "/traffic?since=0&limit=5", None, 200),
    ("GET", "/scenarios", None, 200),
    ("POST", "/scenarios", {"name": "s"}, 201),
    ("POST", "/scenarios/s/apply", None, 200),
    ("GET", "/coverage", None, 200),
    ("GET", "/har", None, 200),
    ("GET", "/nope", None, 404),
]


async def test_private_mode_guards_every_control_route(pm) -> None:
    engine = abc(pm, EngineSettings(api_key="k"))
    async with running(engine) as server:
        for method, path, body, _status in ROUTES:
            for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": "K"}, {"x-api-key": ""}):
                response = await server.client.request(
                    method, API + path, json=body, headers=headers
                )
                assert response.status_code == 401, (method, path, headers)
                assert response.json()["error"]["name"] == "unauthorizedError"
        # Nothing the refused calls asked for happened.
        assert engine.store.snapshot() == []
        assert engine.store.scenarios == {}
        assert (engine.store.requests, len(engine.bus)) == (0, 0)
        for method, path, body, status in ROUTES:
            response = await server.client.request(
                method, API + path, json=body, headers={"x-api-key": "k"}
            )
            assert response.status_code == status, (method, path, response.text)
        assert engine.store.scenarios == {"s": []}
        # Mock requests need the key too; with it, the controls act on them.
        assert (await server.client.get("/a")).status_code == 401
        await server.client.post(
            f"{API}/endpoints/{KEY}/pin", json={"example": 3}, headers={"x-api-key": "k"}
        )
        response = await server.client.get("/a", headers={"x-api-key": "k"})
        assert (response.status_code, response.text) == (202, "three")
        assert engine.store.requests == 2


# -- curl round trip ------------------------------------------------------------------------

CURL_SETS = {"host", "user-agent", "accept", "content-length", "accept-encoding", "connection"}


async def test_curl_command_replays_the_request(pm) -> None:
    engine = pm.engine(
        pm.item(
            "Echo", "/echo", pm.example("echo", "/echo", method="POST", body="ok"), method="POST"
        )
    )
    async with running(engine) as server:
        target = "/echo%2Fx//y/caf%C3%A9?tag=a&tag=b&q=hello%20world&tag=c&empty="
        body = b'{"name": "Zo\xc3\xab \'quoted\' $HOME `x`", "n": [1, 2]}'
        sent = await server.client.post(
            target,
            content=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Custom-Trace": 'abc 123; it\'s "fine"',
                "X-Second": "two",
            },
        )
        assert sent.status_code == 404
        (original,) = engine.bus.since(0)[0]
        assert original.raw_path == "/echo%2Fx//y/caf%C3%A9"  # httpx kept them as sent
        assert original.query == "tag=a&tag=b&q=hello%20world&tag=c&empty="
        command = curl_command(original.to_dict(), server.url)
        process = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            command,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0, (command, err)
        assert out == sent.content
        events = engine.bus.since(0)[0]
        assert len(events) == 2, command
        replayed = events[1]

    def own(event) -> list[tuple[str, str]]:
        return [(k, v) for k, v in event.request_headers if k.lower() not in CURL_SETS]

    assert replayed.method == original.method == "POST"
    assert replayed.raw_path == original.raw_path
    assert replayed.path == original.path == "/echo/x//y/café"
    assert replayed.query == original.query
    assert replayed.request_body.data == original.request_body.data == body
    assert own(replayed) == own(original), command
    assert [k for k, _ in own(original)] == ["content-type", "x-custom-trace", "x-second"]
