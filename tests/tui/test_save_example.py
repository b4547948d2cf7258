"""``s`` in the traffic: a proxied request saved as an example, a miss saved after editing
(in $EDITOR, a real script here, or in the dialog); the next HTTP request gets the example."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import TextArea

from mocktui.tui.app import MockTUI
from mocktui.tui.backend import LocalBackend
from mocktui.tui.detail import summary
from mocktui.tui.sample import TZ, URL
from mocktui.tui.saving import ExampleDialog
from mocktui.tui.traffic import TrafficView, answered_by
from tests.server.test_proxy import Proxied, mock, write_collection
from tests.server.upstream import Upstream as RealAPI
from tests.server.upstream import upstream_server
from tests.tui.conftest import FAST_POLL, plain, wait_for


@pytest.fixture(scope="module")
def api() -> Iterator[RealAPI]:
    with upstream_server() as server:
        yield server


LOADED = 60.0  # seconds a wait may take on a loaded machine (a bound, not a measurement)


def dialog_area(app: MockTUI) -> list[TextArea]:
    """The text of the example dialog, once it is on screen and composed."""
    if not isinstance(app.screen, ExampleDialog):
        return []
    return list(app.screen.query(TextArea))


def told(app: MockTUI) -> list[str]:
    """What the app notifies from now on (its messages, in order)."""
    notes: list[str] = []
    app.notify = lambda message, *args, **kwargs: notes.append(str(message))  # type: ignore[method-assign]
    return notes


def dashboard(m: Proxied) -> MockTUI:
    backend = LocalBackend(m.engine, URL, m.recorder)
    return MockTUI(backend, url=URL, tz=TZ, poll_interval=FAST_POLL)


def fake_editor(folder: Path) -> str:
    """An $EDITOR that makes the example a 201 with a body of its own (it edits the file)."""
    script = folder / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        'sed -i -e \'s/^200 OK$/201 Created/\' -e \'s/^{}$/{"made": "in the editor"}/\' "$1"\n'
    )
    script.chmod(0o755)
    return str(script)


async def test_s_on_a_proxied_request_saves_its_answer(
    api: RealAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")  # not used for a proxied request (it would fail)
    path = write_collection(tmp_path)
    async with mock([str(path)], api.url) as m:
        app = dashboard(m)
        async with app.run_test(size=(120, 36)) as pilot:
            first = await m.client.get("/text")
            view = app.query_one(TrafficView)
            await wait_for(pilot, lambda: len(view.rows) == 1, LOADED)
            assert answered_by(view.rows[0]) == ("proxied", "bold magenta")
            view.focus()
            await pilot.press("s")
            await wait_for(pilot, lambda: m.recorder is not None and m.recorder.saved == 1, LOADED)
            await wait_for(pilot, lambda: "GET /text 200" in path.read_text(), LOADED)
            await m.recorder.flush()
            again = await m.client.get("/text")
            await wait_for(pilot, lambda: len(view.rows) == 2, LOADED)
            event = view.rows[1]
    assert event.proxied is None and event.example_name == "GET /text 200"
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["content-type"] == "text/plain; charset=utf-8"


async def test_s_on_a_miss_opens_editor_and_saves_what_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", fake_editor(tmp_path))
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = write_collection(tmp_path)
    async with mock([str(path)], None) as m:
        app = dashboard(m)
        async with app.run_test(size=(120, 36)) as pilot:
            missed = await m.client.get("/things/7?color=red")
            view = app.query_one(TrafficView)
            await wait_for(pilot, lambda: len(view.rows) == 1, LOADED)
            view.focus()
            await pilot.press("s")
            await wait_for(pilot, lambda: m.recorder is not None and m.recorder.saved == 1, LOADED)
            assert m.recorder is not None
            await m.recorder.flush()
            answer = await m.client.get("/things/7?color=red")
            await wait_for(pilot, lambda: len(view.rows) == 2, LOADED)
            event = view.rows[1]
    assert missed.status_code == 404
    assert (answer.status_code, answer.json()) == (201, {"made": "in the editor"})
    assert event.example_name == "GET /things/7 201"  # named for the request and its status
    saved = json.loads(path.read_text())["item"][1]["response"]
    assert [(r["code"], r["status"], r["body"]) for r in saved] == [
        (201, "Created", '{"made": "in the editor"}')
    ]
    assert saved[0]["originalRequest"]["url"]["query"] == [{"key": "color", "value": "red"}]
    assert list(temp.iterdir()) == []  # the file handed to the editor is removed


async def test_s_on_a_miss_without_editor_uses_the_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    path = write_collection(tmp_path)
    async with mock([str(path)], None) as m:
        app = dashboard(m)
        notes = told(app)
        async with app.run_test(size=(120, 36)) as pilot:
            await m.client.delete("/gone/1")
            view = app.query_one(TrafficView)
            await wait_for(pilot, lambda: len(view.rows) == 1, LOADED)
            view.focus()
            await pilot.press("s")
            await wait_for(pilot, lambda: bool(dialog_area(app)), LOADED)
            area = dialog_area(app)[0]
            assert area.text.splitlines()[3:] == [
                "200 OK",
                "Content-Type: application/json",
                "",
                "{}",
            ]
            area.text = area.text.replace("200 OK", "not a status")
            first = app.screen
            await pilot.press("ctrl+s")  # refused: the dialog opens again with the text
            await wait_for(
                pilot, lambda: app.screen is not first and bool(dialog_area(app)), LOADED
            )
            area = dialog_area(app)[0]
            assert notes[-1] == (
                "not saved: line 4: expected a status code from 100 to 599 first, "
                "got 'not a status'"
            )
            assert "not a status" in area.text
            area.text = area.text.replace("not a status", "410").replace("{}", '{"gone": 1}')
            await pilot.press("ctrl+s")
            assert m.recorder is not None
            await wait_for(pilot, lambda: m.recorder is not None and m.recorder.saved == 1, LOADED)
            await m.recorder.flush()
            answer = await m.client.delete("/gone/1")
    assert (answer.status_code, answer.json()) == (410, {"gone": 1})
    recorded = json.loads(path.read_text())["item"][2]
    assert recorded["name"] == "Recorded"
    assert recorded["item"][0]["name"] == "DELETE /gone/1"


async def test_proxied_rows_and_details_show_the_upstream(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    async with mock([str(path)], api.url, record=True) as m:
        await m.client.get("/status/418")
        await m.client.get("/status/418")  # the same again: not saved twice
        async with mock([str(path)], api.refused_url) as down:
            await down.client.get("/nowhere")
            failed = down.events()[-1]
        saved, again = m.events()
    assert answered_by(saved) == ("proxied, saved", "bold magenta")
    assert answered_by(again) == ("proxied", "bold magenta")
    assert answered_by(failed) == ("upstream failed", "bold red")
    lines = [line.rstrip() for line in plain(summary(saved, TZ)).splitlines()]
    upstream = next(line for line in lines if line.startswith("Upstream"))
    assert upstream.split()[:3] == ["Upstream", f"{api.url}/status/418", "418"]
    assert upstream.split()[3] == "in"
    assert "Saved as  GET /status/418 418" in lines
    down_line = next(line for line in plain(summary(failed, TZ)).splitlines() if "Upstream" in line)
    assert down_line.split() == [
        "Upstream",
        f"{api.refused_url}/nowhere",
        "in",
        *down_line.split()[3:],
    ]


async def test_s_on_a_recorded_request_does_not_save_it_twice(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    async with mock([str(path)], api.url, record=True) as m:
        app = dashboard(m)
        notes = told(app)
        async with app.run_test(size=(120, 36)) as pilot:
            await m.client.get("/chunked")
            view = app.query_one(TrafficView)
            await wait_for(pilot, lambda: len(view.rows) == 1, LOADED)
            view.focus()
            await pilot.press("s")
            await wait_for(pilot, lambda: bool(notes), LOADED)
            assert notes == ["saved already, as 'GET /chunked 200' (--record)"]
        assert m.recorder is not None
        await m.recorder.flush()
        assert m.recorder.saved == 1
    assert path.read_text().count('"GET /chunked 200"') == 1
