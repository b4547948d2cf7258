"""Issue 10, round two of the dashboard: the defects and frictions of the keys branch, driven as
a user would (real keys through the pilot; the real server where requests matter)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from rich.text import Text
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import HelpPanel, Input, Static

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.tui.app import MockTUI
from mocktui.tui.collections import CollectionsTree
from mocktui.tui.detail import DetailBody, DetailScreen
from mocktui.tui.dialogs import DelayDialog, NameDialog
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.examples import ExamplesTable
from mocktui.tui.help import HelpScreen
from mocktui.tui.lists import ListFilter, endpoint_matches
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import FilterInput, TrafficPanel, TrafficView

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
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), 15)
        body = app.screen.query_one(DetailBody)
        await wait_for(
            pilot, lambda: body.max_scroll_y > 0 and body.scroll_y == body.max_scroll_y, 15
        )
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
        await wait_for(pilot, lambda: "esc Close" in footer_line(app), timeout=10)
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
        await wait_for(pilot, lambda: "esc Cancel" in footer_line(app), timeout=10)
        footer = footer_line(app)
        assert "esc Cancel" in footer
        for other in ("Cycle", "Quit", "Help", "Tree", "Delay"):
            assert other not in footer
        await pilot.press("q")  # a letter typed, not quit
        assert app.screen.query_one(Input).value.endswith("q")
        await pilot.press("escape")
        await pilot.press("S")
        assert isinstance(app.screen, NameDialog)
        await wait_for(pilot, lambda: "esc Cancel" in footer_line(app), timeout=10)
        assert "Tree" not in footer_line(app)


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


# -- / filters every list; j/k g/G home/end; the position in the border ------------------------


def subtitle(widget: Widget) -> str:
    value = widget.border_subtitle
    return value.plain if isinstance(value, Text) else str(value or "")


async def test_slash_filters_the_endpoints_by_method_path_name_and_folder(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        everything = len(table.shown)
        await pilot.press("slash", *"users")  # live, as it is typed
        assert app.focused is app.query_one(ListFilter)
        assert {e.display_path for e in table.shown} == {"/users", "/users/{userId}"}
        assert subtitle(table) == f"filter users · 1/{table.row_count}"
        await pilot.press("enter")  # keeps it
        assert app.focused is table and len(table.shown) == table.row_count < everything
        await pilot.press("slash", "ctrl+u", *"delete user")  # method and name words
        assert [(e.method, e.name) for e in table.shown] == [("DELETE", "Delete user")]
        await pilot.press("escape")  # clears
        assert len(table.shown) == everything and table.filter_text == ""
        assert table.selected is not None and table.selected.name == "Delete user"  # kept
        await pilot.pause()
        assert subtitle(table) == f"{table.cursor_row + 1}/{everything}"
        await pilot.press("slash", *"products")
        assert table.shown and all("Products" in e.folder for e in table.shown)
        await pilot.press("tab")  # leaving keeps what was typed, and the input goes
        assert not app.query_one(ListFilter).display
        assert table.filter_text == "products"
        health = next(e for e in app.backend.endpoints if e.name == "Health")
        assert endpoint_matches(replace(health, folder=("Admin", "Ops")), ["ops"])  # a folder
        assert not endpoint_matches(health, ["ops"])


async def test_slash_filters_the_tree_and_the_examples(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        tree = app.query_one(CollectionsTree)
        tree.focus()
        await pilot.press("slash", *"get user", "enter")
        labels = [tree.get_node_at_line(n).label.plain for n in range(tree.last_line + 1)]
        assert any("Get user" in label for label in labels)
        assert not any("Delete user" in label for label in labels)
        assert not any("Products" in label for label in labels)  # a folder without a match goes
        assert subtitle(tree).startswith("filter get user · ")
        await pilot.press("slash", "escape")
        assert tree.last_line + 1 > len(labels)
        table = app.query_one(EndpointsTable)
        table.focus()
        table.select(next(e.key for e in table.shown if e.name == "Get user"))
        await pilot.press("enter")
        examples = app.screen.query_one(ExamplesTable)
        total = examples.row_count
        await pilot.press("slash", *"404", "enter")
        assert examples.row_count == 1 < total
        assert subtitle(app.screen.query_one("#examples-box")) == "filter 404 · 1/1"


async def test_traffic_filter_words_match_endpoint_and_example_names(
    make_app: MakeApp, engine: MockEngine
) -> None:
    record(engine, "GET", "/users/7")  # Get user, User found
    record(engine, "GET", "/users")
    record(engine, "GET", "/nowhere")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 3)
        view.set_filter("found")  # the example's name, not in any path
        assert [e.path for e in view.view] == ["/users/7"]
        view.set_filter("list users")  # the endpoint's name
        assert [e.path for e in view.view] == ["/users"]
        view.set_filter("miss")
        assert [e.path for e in view.view] == ["/nowhere"]


async def test_j_k_g_G_home_end_move_in_every_list(make_app: MakeApp, engine: MockEngine) -> None:
    for n in range(5):
        record(engine, "GET", f"/users/{n}")
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        count = table.row_count
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == count - 1
        await pilot.pause()
        assert subtitle(table) == f"{count}/{count}"
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == count - 1
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.pause()
        assert subtitle(table) == f"1/{count}"

        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 5)
        view.focus()
        await pilot.press("g")
        assert view.cursor == 0 and not view.follow
        await pilot.press("j", "j")
        assert view.cursor == 2
        assert subtitle(app.query_one(TrafficPanel)).endswith("3/5")
        await pilot.press("k")
        assert view.cursor == 1
        await pilot.press("G")
        assert view.cursor == 4 and view.follow

        tree = app.query_one(CollectionsTree)
        tree.focus()
        await pilot.press("G")
        assert tree.cursor_line == tree.last_line
        await pilot.press("g", "j")
        assert tree.cursor_line == 1
        await pilot.pause()
        assert subtitle(tree) == f"2/{tree.last_line + 1}"


# -- the palette: endpoints by name or path; mocktui's commands first ------------------------


async def test_palette_jumps_to_an_endpoint_by_name(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        await pilot.press("slash", *"products", "enter")  # a filter that hides the target
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"delete user")
        await wait_for(pilot, lambda: "DELETE /users/{userId}" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
        assert table.selected is not None and table.selected.name == "Delete user"
        assert app.focused is table


async def test_palette_lists_mocktui_commands_first_and_keys_closes_with_escape(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert commands[0] == "Help: keys"
        assert commands.index("Keys") > commands.index("Traffic: clear")
        app.action_show_help_panel()
        await pilot.pause()
        assert app.screen.query(HelpPanel)
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query(HelpPanel)


# -- / searches the detail view -----------------------------------------------------------------


async def test_slash_searches_inside_the_detail_view(
    make_app: MakeApp, engine: MockEngine
) -> None:
    body = json.dumps({"items": [{"id": i, "text": f"needle{i}"} for i in range(150)]})
    record(engine, "POST", "/nope", body.encode(), "application/json")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first_detail(app, pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        detail = screen.query_one(DetailBody)
        await pilot.press("slash", *"needle120", "enter")
        await pilot.pause()
        assert "needle120" in screen_text(app).splitlines()[1]  # the first line of the view
        status = screen.query_one("#detail-search-status", Static)
        assert "needle120: line 1 of 1" in str(status.render())
        top = detail.scroll_y
        await pilot.press("ctrl+u", *"needle1", "enter")  # needle1, needle10 ... needle149
        assert detail.scroll_y > top or detail.scroll_y < top
        await pilot.press("ctrl+u", *"zzz", "enter")
        assert "not found: zzz" in str(status.render())
        await pilot.press("escape")
        assert app.focused is detail


async def test_keys_typed_right_after_slash_go_to_the_filter(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        # In one burst, as a fast typist or a paste sends them: "d" must not open the delay
        # dialog, and none of them may be lost on the way to the input.
        for key, char in [("slash", "/"), ("d", "d"), ("e", "e"), ("l", "l")]:
            app.post_message(events.Key(key, char))
        field = app.query_one(ListFilter)
        await wait_for(pilot, lambda: field.value == "del")
        assert not isinstance(app.screen, DelayDialog)
        table = app.query_one(EndpointsTable)
        assert [e.name for e in table.shown] == ["Delete user"]
