"""Issue 10, round two of the dashboard: the defects and frictions of the keys branch, driven as
a user would (real keys through the pilot; the real server where requests matter)."""

from __future__ import annotations

import json
from collections.abc import Callable

from textual import events
from textual.widgets import Input

from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.tui.app import MockTUI
from mocktui.tui.detail import DetailBody, DetailScreen
from mocktui.tui.dialogs import DelayDialog, NameDialog
from mocktui.tui.help import HelpScreen
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
