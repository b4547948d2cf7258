"""The control store (spec section 7): modes after Postman's ranking, endpoints a request
reaches, validation, scenarios, the state file and re-attaching after a reload."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mocktui.engine.actions import Actions
from mocktui.engine.engine import EngineSettings, MockEngine, MockRequest
from mocktui.engine.state import StateError, StateFile, read_state, write_atomically
from mocktui.engine.store import ControlError
from tests.engine.support import send


def names(engine: MockEngine, path: str, n: int, method: str = "GET") -> list[str | None]:
    out = []
    for _ in range(n):
        response = send(engine, path, method=method)
        out.append(response.example.name if response.example else None)
    return out


@pytest.fixture
def three(pm: Any) -> dict[str, Any]:
    """One endpoint with three examples, and another at the same method and path."""
    return pm.collection(
        pm.item(
            "list",
            "/items",
            pm.example("a", "/items", id="1"),
            pm.example("b", "/items", id="2", code=404),
            pm.example("c", "/items", id="3", code=500),
            id="ep-list",
        ),
        pm.item(
            "twin",
            "/items",
            pm.example("twin-ok", "/items", id="4", code=201),
            pm.example("twin-slow", "/items", id="5", code=202),
            id="ep-twin",
        ),
        pm.item("other", "/other", pm.example("other", "/other", id="6"), id="ep-other"),
    )


@pytest.fixture
def engine(pm: Any, three: dict[str, Any]) -> MockEngine:
    return MockEngine([pm.load(three)], EngineSettings(seed=3))


def test_auto_is_postmans_pick(engine: MockEngine) -> None:
    assert names(engine, "/items", 2) == ["a", "a"]


def test_sequential_walks_in_order_and_wraps(engine: MockEngine) -> None:
    engine.store.set_mode("ep-list", "sequential")
    assert names(engine, "/items", 7) == ["a", "b", "c", "a", "b", "c", "a"]
    response = send(engine, "/items")
    assert response.explanation.decided_by == "sequential"
    assert "sequential: example 2 of 3 eligible" in " ".join(response.explanation.notes)


def test_sequential_skips_disabled_examples_and_reset_restarts(engine: MockEngine) -> None:
    store = engine.store
    store.set_mode("ep-list", "sequential")
    store.set_example_enabled("ep-list", 2, False)
    assert names(engine, "/items", 4) == ["a", "c", "a", "c"]
    store.reset()
    store.set_mode("ep-list", "sequential")
    assert names(engine, "/items", 2) == ["a", "b"]


def test_sequential_cursor_survives_a_reload(
    engine: MockEngine, pm: Any, three: dict[str, Any]
) -> None:
    engine.store.set_mode("ep-list", "sequential")
    assert names(engine, "/items", 2) == ["a", "b"]
    engine.load([pm.load(three)])
    assert names(engine, "/items", 2) == ["c", "a"]


def test_random_with_a_seed_is_reproducible(pm: Any, three: dict[str, Any]) -> None:
    runs = []
    for _ in range(2):
        engine = MockEngine([pm.load(three)], EngineSettings(seed=11))
        engine.store.set_mode("ep-list", "random")
        runs.append(names(engine, "/items", 30))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"a", "b", "c"}  # every enabled example comes up in 30 draws
    other = MockEngine([pm.load(three)], EngineSettings(seed=12))
    other.store.set_mode("ep-list", "random")
    assert names(other, "/items", 30) != runs[0]


def test_a_control_on_the_second_of_two_same_path_endpoints_applies(engine: MockEngine) -> None:
    # Postman's ranking picks ep-list's "a"; the request reaches ep-twin too.
    engine.store.pin("ep-twin", 2)
    response = send(engine, "/items")
    assert response.example.name == "twin-slow"
    assert response.explanation.decided_by == "pin"
    assert response.explanation.candidates[0].example_name == "twin-slow"
    engine.store.pin("ep-twin", None)
    engine.store.set_delay("ep-twin", 750)
    response = send(engine, "/items")
    assert (response.example.name, response.delay_ms) == ("a", 750)
    # A request that does not reach ep-twin is not delayed.
    assert send(engine, "/other").delay_ms == 0


def test_the_most_recently_set_control_wins(engine: MockEngine) -> None:
    engine.store.pin("ep-twin", 1)
    engine.store.pin("ep-list", 3)
    assert names(engine, "/items", 1) == ["c"]
    engine.store.set_mode("ep-twin", "sequential")
    assert names(engine, "/items", 2) == ["twin-ok", "twin-slow"]
    response = send(engine, "/items")
    assert "most recently set of 2 controlled endpoints" in " ".join(response.explanation.notes)


def test_explicit_headers_win_over_modes(engine: MockEngine) -> None:
    engine.store.set_mode("ep-list", "sequential")
    by_code = send(engine, "/items", headers=[("x-mock-response-code", "500")])
    assert by_code.example.name == "c"
    by_name = send(engine, "/items", headers=[("x-mock-response-name", "b")])
    assert by_name.example.name == "b"
    assert names(engine, "/items", 1) == ["a"]  # the cursor did not move for those


def test_a_mode_with_every_example_disabled_leaves_the_choice_to_postman(
    engine: MockEngine,
) -> None:
    store = engine.store
    store.set_mode("ep-twin", "random")
    store.set_example_enabled("ep-twin", "4", False)
    store.set_example_enabled("ep-twin", "5", False)
    assert names(engine, "/items", 2) == ["a", "a"]


@pytest.mark.parametrize(
    ("write", "message", "status"),
    [
        (lambda s: s.pin("nope", 1), "no endpoint with key 'nope'", 404),
        (
            lambda s: s.pin("ep-list", 4),
            "endpoint 'ep-list' has no example 4 (give an example ID or a number from 1 to 3)",
            404,
        ),
        (
            lambda s: s.set_mode("ep-list", "loud"),
            "unknown mode 'loud': use one of auto, pinned, sequential, random",
            400,
        ),
        (
            lambda s: s.set_mode("ep-list", "pinned"),
            'mode "pinned" needs an example (its ID or number)',
            400,
        ),
        (lambda s: s.set_delay("ep-list", -1), "delay must be from 0 to 180000 ms, got -1", 400),
        (
            lambda s: s.set_delay("ep-list", True),
            "delay must be a whole number of milliseconds from 0 to 180000",
            400,
        ),
        (lambda s: s.set_delay("ep-list", 180_001), "from 0 to 180000 ms, got 180001", 400),
        (lambda s: s.save_scenario("  "), "a scenario needs a name (non-empty text)", 400),
        (
            lambda s: s.save_scenario("a\x1bb"),
            "a scenario name cannot hold control characters or '/'",
            400,
        ),
        (
            lambda s: s.apply_scenario("none"),
            "no scenario named 'none' (scenarios: none saved yet)",
            404,
        ),
    ],
)
def test_every_write_is_validated(
    engine: MockEngine, write: Any, message: str, status: int
) -> None:
    before = engine.store.snapshot()
    with pytest.raises(ControlError) as caught:
        write(engine.store)
    assert message in caught.value.message
    assert caught.value.status == status
    assert engine.store.snapshot() == before


def test_example_refs_are_ids_first_then_numbers(engine: MockEngine) -> None:
    store = engine.store
    store.pin("ep-twin", "4")  # the ID "4", not the 4th example
    assert store.pinned("ep-twin").name == "twin-ok"
    store.pin("ep-twin", "2")  # no example has ID "2" in ep-twin: the 2nd
    assert store.pinned("ep-twin").name == "twin-slow"
    store.pin("ep-list", 2)
    assert store.pinned("ep-list").name == "b"


def test_actions_cycle_and_cycle_mode(engine: MockEngine) -> None:
    actions = Actions(engine)
    assert [actions.cycle("ep-list", "keys") for _ in range(4)] == [
        "list: pinned to #1 a (200)",
        "list: pinned to #2 b (404)",
        "list: pinned to #3 c (500)",
        "list: auto",
    ]
    assert [actions.cycle_mode("ep-list") for _ in range(3)] == [
        "list: sequential",
        "list: random",
        "list: auto",
    ]
    assert actions.toggle_example("ep-list", 1) == "list: example #1 a disabled"
    assert actions.toggle_example("ep-list", 1) == "list: example #1 a enabled"


def test_listeners_hear_who_changed_what(engine: MockEngine) -> None:
    heard: list[dict[str, Any]] = []
    engine.store.listeners.append(lambda change: heard.append(change.to_dict()))
    engine.store.pin("ep-list", 2, source="keys")
    engine.store.set_example_enabled("ep-list", "3", False, source="api")
    assert [(h["kind"], h["endpoint"], h["source"]) for h in heard] == [
        ("mode", "ep-list", "keys"),
        ("example", "ep-list", "api"),
    ]
    assert heard[0]["pinned"] == "2" and heard[1]["generation"] > heard[0]["generation"]


def test_served_counts_and_hits(engine: MockEngine) -> None:
    engine.store.set_mode("ep-list", "sequential")
    for _ in range(3):
        request = MockRequest("GET", "/items")
        engine.record(request, engine.handle(request), 1.0)
    engine.record(MockRequest("GET", "/nothing"), engine.handle(MockRequest("GET", "/nothing")), 1)
    store = engine.store
    assert store.requests == 4 and store.misses == 1 and store.hits == {"ep-list": 3}
    assert store.served == {("ep-list", "1"): 1, ("ep-list", "2"): 1, ("ep-list", "3"): 1}


# -- scenarios and the state file -------------------------------------------------------------


def test_scenario_round_trips_through_the_state_file(
    pm: Any, three: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    first = MockEngine([pm.load(three)])
    state = StateFile(path, first.store)
    assert state.load() == []
    first.store.pin("ep-list", 3)
    first.store.set_delay("ep-twin", 250)
    first.store.save_scenario("checkout fails")
    first.store.reset()
    first.store.set_mode("ep-list", "sequential")
    state.close()

    second = MockEngine([pm.load(three)])
    assert StateFile(path, second.store).load() == []
    assert second.store.mode("ep-list") == "sequential"  # the controls as last saved
    assert second.store.scenarios.keys() == {"checkout fails"}
    second.store.apply_scenario("checkout fails")
    assert second.store.pinned("ep-list").name == "c"
    assert second.store.delay("ep-twin") == 250
    assert names(second, "/items", 1) == ["c"]


def test_state_is_saved_after_every_change(engine: MockEngine, tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    StateFile(path, engine.store).load()
    engine.store.pin("ep-list", 2)
    saved = json.loads(path.read_text())
    assert saved["controls"] == [
        {
            "endpoint": {"key": "ep-list", "method": "GET", "path": "/items", "name": "list"},
            "mode": "pinned",
            "pinned": {"id": "2", "name": "b", "number": 2},
        }
    ]
    engine.store.pin("ep-list", None)
    assert json.loads(path.read_text())["controls"] == []


def test_a_kill_during_a_write_leaves_the_old_file(
    engine: MockEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.json"
    state = StateFile(path, engine.store)
    state.load()
    engine.store.pin("ep-list", 2)
    good = path.read_bytes()

    def killed(fd: int) -> None:  # the process dies after writing, before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", killed)
    with pytest.raises(KeyboardInterrupt):
        engine.store.pin("ep-list", 3)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.glob("*state.json*")] == ["state.json"]  # no temp left
    assert read_state(path).controls[0]["pinned"]["number"] == 2


def test_write_atomically_replaces_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    write_atomically(path, b"one")
    write_atomically(path, b"two")
    assert path.read_bytes() == b"two"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"controls": [', "line 1, column 15: invalid JSON"),
        (b'{"info": {"name": "a collection"}}', "not a mocktui state file"),
        (b"[]", "not a mocktui state file"),
        (b"", "empty: not a mocktui state file"),
        (b'{"mocktui": "state", "version": 9}', "$.version: expected 1, got 9"),
        (b'{"mocktui": "state", "version": 1, "controls": {}}', "$.controls: expected a list"),
        (b"\xff\xfe", "byte 0: not UTF-8 text"),
    ],
)
def test_a_foreign_or_broken_state_file_is_refused_and_kept(
    engine: MockEngine, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(StateError) as caught:
        StateFile(path, engine.store).load()
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    engine.store.pin("ep-list", 2)  # a change after the refusal
    assert path.read_bytes() == content


def test_reload_that_renames_an_id_reattaches_by_method_and_path(
    engine: MockEngine, pm: Any, three: dict[str, Any]
) -> None:
    engine.store.pin("ep-list", 3)
    renamed = json.loads(json.dumps(three))
    renamed["item"][0]["id"] = "ep-list-v2"
    engine.load([pm.load(renamed)])
    assert engine.store.pinned("ep-list-v2").name == "c"
    assert names(engine, "/items", 1) == ["c"]
    assert engine.attach_report == [
        "saved controls for GET /items (list) re-attached by method and path"
    ]


def test_controls_that_match_nothing_are_kept_and_reported(
    engine: MockEngine, pm: Any, three: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    StateFile(path, engine.store).load()
    engine.store.set_delay("ep-other", 100)
    gone = json.loads(json.dumps(three))
    del gone["item"][2]
    engine.load([pm.load(gone)])
    assert engine.attach_report == [
        "saved controls for GET /other (other) match no endpoint: kept"
    ]
    engine.store.pin("ep-list", 2)  # another change: the orphan stays in the file
    saved = json.loads(path.read_text())["controls"]
    assert {c["endpoint"]["key"] for c in saved} == {"ep-list", "ep-other"}
    engine.load([pm.load(three)])  # it comes back: the control re-attaches
    assert engine.store.delay("ep-other") == 100


def test_a_request_reaches_an_endpoint_through_its_own_request_too(pm: Any) -> None:
    # PayPal-style: the endpoint is POST /v1/orders/view, its examples were saved at .../view/1.
    data = pm.collection(
        pm.item(
            "view",
            "/v1/orders/view",
            pm.example(
                "saved elsewhere", "/v1/orders/view/1", id="1", code=201, method="POST"
            ),
            id="ep-view",
            method="POST",
        ),
    )
    engine = MockEngine([pm.load(data)])
    assert send(engine, "/v1/orders/view", method="POST").status == 404  # Postman: a miss
    engine.store.pin("ep-view", 1)
    response = send(engine, "/v1/orders/view", method="POST")
    assert (response.status, response.example.name) == (201, "saved elsewhere")
    assert response.explanation.decided_by == "pin"
    engine.store.pin("ep-view", None)
    engine.store.set_delay("ep-view", 40)
    assert send(engine, "/v1/orders/view/1", method="POST").delay_ms == 40


def test_a_scenario_name_with_a_lone_surrogate_is_refused(engine: MockEngine) -> None:
    with pytest.raises(ControlError, match="control characters"):
        engine.store.save_scenario("a\ud800")
    with pytest.raises(ControlError, match="control characters"):
        engine.store.save_scenario("x\u202ey")
