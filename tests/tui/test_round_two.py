"""Issue 10, round two of the dashboard: the defects and frictions of the keys branch, driven as
a user would (real keys through the pilot; the real server where requests matter)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.tui.app import MockTUI
from mocktui.tui.detail import DetailBody, DetailScreen
from mocktui.tui.dialogs import DelayDialog, NameDialog
from mocktui.tui.help import HelpScreen
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import FilterInput, TrafficView

from .conftest import screen_text, wait_for

MakeApp = Callable[..., MockTUI]


def record(engine: MockEngine, method: str, path: str, body: bytes = b"", ctype: str = "") -> None:
    request = MockRequest(
        method, path, headers=[("content-type", ctype)] if ctype else [], body=body
    )
    engine.record(request, engine.handle(request), 1.0)


def long_json() -> bytes:
    return json.dumps({"items": [{"id": i, "text": "word " * 30} for i in range(150)]}).encode()


# -- #8: an unapplied filter input does not stay behind ----------------------------------------


async def test_tab_away_from_an_unapplied_filter_hides_it(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(TrafficView)
        field = app.query_one(FilterInput)
        await pilot.press("tab")
        assert app.focused is view
        await pilot.press("slash", "G", "E")
        assert app.focused is field and field.display
        await pilot.press("tab")
        assert not field.display  # gone, not left on screen
        assert app.focused is not field
        for _ in range(4):  # and it never takes the focus later
            await pilot.press("tab")
            assert app.focused is not field
        assert not view.filter.active  # it was never applied


# -- #9: end right after opening a long body reaches the end -------------------------------------


async def test_end_right_after_opening_reaches_the_end(
    make_app: MakeApp, engine: MockEngine
) -> None:
    record(engine, "POST", "/nope", long_json(), "application/json")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 1)
        await pilot.press("tab")
        # The keys as a quick typist sends them: end is in the queue before the view is up.
        app.post_message(events.Key("enter", None))
        app.post_message(events.Key("end", None))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        body = app.screen.query_one(DetailBody)
        await wait_for(pilot, lambda: body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y)
        # The body re-wraps narrower (more lines): the end follows.
        await pilot.resize_terminal(60, 24)
        await wait_for(pilot, lambda: body.size.width == 60)
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("home")
        assert body.scroll_y == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert body.scroll_y == 0  # let go of the end


# -- #14: help and dialogs at 80x24 -------------------------------------------------------------


def footer_line(app: MockTUI) -> str:
    return screen_text(app).splitlines()[-1]


async def test_help_at_80x24_shows_how_to_close_and_scrolls(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        assert any("esc or ? closes" in line for line in lines[:-1])  # on screen, not below
        box = app.screen.query_one("#help")
        assert box.max_scroll_y > 0 and box.show_vertical_scrollbar
        # Only the keys that work here: not the endpoints' keys showing through.
        footer = footer_line(app)
        assert "esc Close" in footer
        for other in ("Cycle", "Pin", "Tree", "Help", "Examples"):
            assert other not in footer
        await pilot.press("end")
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_dialog_footer_shows_only_its_keys(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, DelayDialog)
        footer = footer_line(app)
        assert "esc Cancel" in footer
        for other in ("Cycle", "Quit", "Help", "Tree", "Delay"):
            assert other not in footer
        await pilot.press("q")  # a letter typed, not quit
        assert app.screen.query_one(Input).value.endswith("q")
        await pilot.press("escape")
        await pilot.press("S")
        assert isinstance(app.screen, NameDialog)
        assert "esc Cancel" in footer_line(app) and "Tree" not in footer_line(app)


# -- bodies outside the box: $PAGER and $EDITOR (real processes) --------------------------------


def fake_program(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A script that records its arguments and a copy of the file it was given."""
    record = tmp_path / f"{name}.got"
    args = tmp_path / f"{name}.args"
    script = tmp_path / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{args}"\ncp "$2" "{record}"\n')
    script.chmod(0o755)
    return script, record


async def open_first_detail(app: MockTUI, pilot: Pilot[object]) -> None:
    view = app.query_one(TrafficView)
    await wait_for(pilot, lambda: len(view.rows) >= 1)
    await pilot.press("tab", "enter")
    assert isinstance(app.screen, DetailScreen)


async def test_v_opens_the_response_body_in_the_pager(
    make_app: MakeApp, engine: MockEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, got = fake_program(tmp_path, "pager")
    monkeypatch.setenv("PAGER", f"{pager} --flag")  # split as a shell would
    record(engine, "GET", "/users")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_detail(app, pilot)
        event = app.screen.event
        await pilot.press("v")
        await wait_for(pilot, got.exists)
        assert got.read_bytes() == event.response_body.data  # the body as sent
        args = (tmp_path / "pager.args").read_text().splitlines()
        assert args[0] == "--flag"
        assert args[1].endswith(f"mocktui-{event.id}-response-body.json")
        assert not Path(args[1]).exists()  # removed once the pager is done
        assert isinstance(app.screen, DetailScreen)  # and back in the detail view


async def test_shift_v_pages_the_request_body_and_o_edits(
    make_app: MakeApp, engine: MockEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, paged = fake_program(tmp_path, "pager")
    editor, edited = fake_program(tmp_path, "editor")
    monkeypatch.setenv("PAGER", f"{pager} -")
    monkeypatch.setenv("EDITOR", f"{editor} -")
    body = b'{"name": "Ada", "note": "\\u001b[2J"}'
    record(engine, "POST", "/users", body, "application/json")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_detail(app, pilot)
        await pilot.press("V")
        await wait_for(pilot, paged.exists)
        assert paged.read_bytes() == body
        await pilot.press("o")
        await wait_for(pilot, edited.exists)
        assert edited.read_bytes() == app.screen.event.response_body.data


async def test_the_pager_gets_what_body_limit_kept(
    engine: MockEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, got = fake_program(tmp_path, "pager")
    monkeypatch.setenv("PAGER", f"{pager} -")
    big = build_engine([], seed=1, body_limit=300_000)
    body = b"a" * 100_000 + b"THE END"
    record(big, "POST", "/users", body, "text/plain")
    app = MockTUI(big, url=URL, tz=TZ, poll_interval=1 / 50)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_detail(app, pilot)
        await pilot.press("V")
        await wait_for(pilot, got.exists)
        assert got.read_bytes() == body  # whole: 100 KiB is more than the default 64 KiB


async def test_a_pager_that_is_not_there_is_a_message(
    make_app: MakeApp, engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGER", "no-such-pager-here")
    record(engine, "GET", "/users")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_detail(app, pilot)
        await pilot.press("v")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "cannot run no-such-pager-here: not found (set $PAGER or $EDITOR)" in messages
        await pilot.press("V")  # a GET has no request body
        await pilot.pause()
        assert "the request body is empty" in [n.message for n in app._notifications]
