"""Reloading the collection files when they change: new content served, controls kept, a broken
file reported without losing what was served."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.watch import reload, start_watching, stop_watching

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def write_collection(path: Path, body: str, extra: bool = False) -> None:
    def item(item_id: str, url: str, name: str, text: str) -> dict:
        request = {"method": "GET", "url": url}
        examples = [
            {"id": f"{item_id}-ok", "name": "ok", "code": 200, "body": text},
            {"id": f"{item_id}-err", "name": "err", "code": 500, "body": "boom"},
        ]
        for example in examples:
            example["originalRequest"] = request
        return {"id": item_id, "name": name, "request": request, "response": examples}

    items = [item("users", "/users", "Users", body)]
    if extra:
        items.append(item("teams", "/teams", "Teams", "teams"))
    data = {"info": {"name": "w", "schema": SCHEMA}, "item": items}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.replace(path)  # as editors and exports do: a new file renamed over the old one


async def wait_until(check, timeout: float = 8.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "timed out waiting for the reload"
        await asyncio.sleep(0.05)


async def test_changed_file_is_served_and_controls_survive(tmp_path: Path) -> None:
    path = tmp_path / "api.postman_collection.json"
    write_collection(path, "first")
    engine = MockEngine(load_collections([str(path)]))
    engine.store.pin("users", "users-err")
    reports: list[tuple[bool, str]] = []
    watcher = start_watching(engine, [str(path)], None, {}, lambda ok, m: reports.append((ok, m)))
    try:
        await asyncio.sleep(0.3)  # let the watcher start
        write_collection(path, "second", extra=True)
        await wait_until(lambda: reports)
        assert reports == [(True, "reloaded: 2 endpoints, 4 examples")]
        pinned = engine.handle(MockRequest("GET", "/users"))
        assert (pinned.status, pinned.body) == (500, b"boom")  # the pin survived
        engine.store.pin("users", None)
        assert engine.handle(MockRequest("GET", "/users")).body == b"second"
        assert engine.handle(MockRequest("GET", "/teams")).status == 200

        path.write_text('{"info": ')  # broken: reported, and the old version keeps serving
        await wait_until(lambda: len(reports) == 2)
        ok, message = reports[1]
        assert not ok
        assert message.startswith(f"{path}: line 1, column 10: invalid JSON: ")
        assert message.endswith("; still serving the previous version")
        assert engine.handle(MockRequest("GET", "/teams")).status == 200
    finally:
        await stop_watching(*watcher)


def test_reload_reports_any_exception_and_keeps_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "api.postman_collection.json"
    write_collection(path, "first")
    engine = MockEngine(load_collections([str(path)]))

    def broken_load(*_args: object) -> None:
        raise RuntimeError("something load() did not expect")

    monkeypatch.setattr(engine, "prepare", broken_load)  # as a template it cannot compile
    ok, message = reload(engine, [str(path)], None, {})
    assert not ok
    assert message == (
        f"{path}: cannot load: RuntimeError: something load() did not expect; "
        "still serving the previous version"
    )
    assert engine.handle(MockRequest("GET", "/users")).body == b"first"

    monkeypatch.setattr("mocktui.watch.load_collections", broken_load)
    ok, message = reload(engine, [str(path)], None, {})
    assert not ok and "RuntimeError" in message
    assert engine.handle(MockRequest("GET", "/users")).body == b"first"


async def test_watcher_keeps_running_after_an_unexpected_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "api.postman_collection.json"
    write_collection(path, "first")
    engine = MockEngine(load_collections([str(path)]))
    real_prepare = engine.prepare
    calls = 0

    def fails_once(collections: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("boom")
        return real_prepare(collections)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "prepare", fails_once)
    reports: list[tuple[bool, str]] = []
    watcher = start_watching(engine, [str(path)], None, {}, lambda ok, m: reports.append((ok, m)))
    try:
        await asyncio.sleep(0.3)  # let the watcher start
        write_collection(path, "second")
        await wait_until(lambda: reports)
        assert not reports[0][0]
        assert engine.handle(MockRequest("GET", "/users")).body == b"first"
        write_collection(path, "third")
        await wait_until(lambda: len(reports) == 2)
        assert reports[1] == (True, "reloaded: 1 endpoints, 2 examples")
        assert engine.handle(MockRequest("GET", "/users")).body == b"third"
    finally:
        await stop_watching(*watcher)


async def test_a_reload_is_read_off_the_loop_and_swapped_in_on_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from mocktui.watch import reload_off_loop

    path = tmp_path / "api.postman_collection.json"
    write_collection(path, "first")
    engine = MockEngine(load_collections([str(path)]))
    threads: dict[str, str] = {}
    prepare, install = engine.prepare, engine.install

    def spy_prepare(collections: object) -> object:
        threads["prepare"] = threading.current_thread().name
        return prepare(collections)  # type: ignore[arg-type]

    def spy_install(prepared: object) -> None:
        threads["install"] = threading.current_thread().name
        install(prepared)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "prepare", spy_prepare)
    monkeypatch.setattr(engine, "install", spy_install)
    write_collection(path, "second")
    ok, message = await reload_off_loop(engine, [str(path)], None, {})
    assert ok, message
    loop_thread = threading.current_thread().name
    assert threads["install"] == loop_thread
    assert threads["prepare"] != loop_thread
    assert engine.handle(MockRequest("GET", "/users")).body == b"second"
