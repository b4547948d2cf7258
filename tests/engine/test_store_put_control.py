"""ControlStore.put_control: another process's write to one endpoint (a shared store)."""

from __future__ import annotations

from mocktui.config import build_engine
from mocktui.engine.store import identity, serialize

USER = "0/Users/Get user"


def test_a_control_written_elsewhere_lands_by_key_and_says_whether_it_changed() -> None:
    writer, reader = build_engine([], seed=1), build_engine([], seed=1)
    control = writer.store.pin(USER, 2)
    ident = identity(writer.store.endpoint(USER))
    item = serialize(control, ident, writer.store.endpoint(USER))
    assert reader.store.put_control(item, ident) == USER
    assert reader.store.pinned(USER).name == "User not found"
    assert USER in reader.store.steering
    assert reader.store.put_control(item, ident) is None  # the same again: nothing changed
    assert reader.store.put_control(None, ident) == USER  # back to the defaults
    assert reader.store.mode(USER) == "auto"
    assert USER not in reader.store.steering


def test_a_control_for_a_moved_endpoint_re_attaches_by_method_path_and_name() -> None:
    reader = build_engine([], seed=1)
    ident = {
        "key": "old-folder/Get user",
        "method": "GET",
        "path": "/users/{userId}",
        "name": "Get user",
    }
    item = {"endpoint": ident, "mode": "auto", "delay_ms": 250}
    assert reader.store.put_control(item, ident) == USER
    assert reader.store.delay(USER) == 250


def test_a_control_that_matches_nothing_is_kept_as_an_orphan_and_replaced() -> None:
    reader = build_engine([], seed=1)
    ident = {"key": "gone", "method": "GET", "path": "/gone", "name": "Gone"}
    assert (
        reader.store.put_control({"endpoint": ident, "mode": "auto", "delay_ms": 5}, ident) is None
    )
    assert reader.store.orphans == [{"endpoint": ident, "mode": "auto", "delay_ms": 5}]
    reader.store.put_control({"endpoint": ident, "mode": "auto", "delay_ms": 7}, ident)
    assert reader.store.orphans == [{"endpoint": ident, "mode": "auto", "delay_ms": 7}]
    reader.store.put_control(None, ident)
    assert reader.store.orphans == []


def test_a_delay_written_elsewhere_keeps_the_mode_s_place() -> None:
    reader = build_engine([], seed=1)
    reader.store.set_mode(USER, "sequential")
    stamp = reader.store.control(USER).stamp
    ident = identity(reader.store.endpoint(USER))
    item = {"endpoint": ident, "mode": "sequential", "delay_ms": 10}
    assert reader.store.put_control(item, ident) == USER
    assert reader.store.control(USER).stamp == stamp
    assert reader.store.delay(USER) == 10
