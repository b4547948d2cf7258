"""The dashboard as a user drives it: real keys, the real server, real HTTP requests."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import httpx
import pytest
from textual.pilot import Pilot

from mocktui.engine.engine import MockEngine
from mocktui.tui.app import MockTUI
from mocktui.tui.detail import DetailScreen
from mocktui.tui.dialogs import DelayDialog
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.flash import FlashLine
from mocktui.tui.header import StatusHeader
from mocktui.tui.help import HelpScreen
from mocktui.tui.logs import DashboardLog, capture_logging
from mocktui.tui.traffic import TrafficView

from .conftest import plain, screen_text, wait_for

MakeApp = Callable[..., MockTUI]


def users_key(engine: MockEngine) -> str:
    return next(ep.key for ep in engine.endpoints if ep.name == "List users")


def row_text(app: MockTUI, key: str) -> str:
    table = app.query_one(EndpointsTable)
    return " ".join(cell.plain for cell in table.get_row(key))


def traffic_lines(app: MockTUI) -> list[str]:
    """What the traffic view draws, line by line (only the lines on screen)."""
    view = app.query_one(TrafficView)
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


async def test_endpoints_has_focus_at_start(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)):
        assert isinstance(app.focused, EndpointsTable)
        assert app.query_one(EndpointsTable).row_count == 8


async def test_pin_2_then_auto(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)  # the first row, selected at start
        await pilot.press("2")
        assert "#2 200 Empty list" in row_text(app, key)  # shown at once
        response = await client.get("/users")
        assert response.status_code == 200
        assert response.json() == []  # example 2, "Empty list"

        await pilot.press("a")
        assert "auto" in row_text(app, key)
        response = await client.get("/users")
        assert len(response.json()) == 3  # auto: the best match, "All users"


async def test_pin_beyond_the_examples_warns(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("9")
        await pilot.pause()
        assert app.backend.engine.store.steering == set()
        flash = app.query_one(FlashLine)
        assert flash.display and flash.has_class("-error")
        assert "has no example 9 (give an example ID or a number from 1 to 3)" in flash.message


async def test_space_cycles_auto_then_each_example_then_auto(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        seen = []
        for _ in range(4):
            await pilot.press("space")
            pinned = app.backend.engine.answering(key)
            seen.append(pinned.name if pinned else "auto")
        assert seen == ["All users", "Empty list", "Server error", "auto"]
        await pilot.press("space", "space", "space")
        assert (await client.get("/users")).status_code == 500
        assert "#3 500 Server error" in row_text(app, key)


async def test_x_disables_and_enables(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        await pilot.press("x")
        assert row_text(app, key).endswith("off")
        response = await client.get("/users")
        assert response.status_code == 404
        assert response.json()["error"]["name"] == "mockRequestNotFoundError"

        await pilot.press("x")
        assert row_text(app, key).endswith("on")
        assert (await client.get("/users")).status_code == 200


async def test_d_sets_a_delay(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        await pilot.press("d")
        assert isinstance(app.screen, DelayDialog)
        await pilot.press("9", "9", "9", "9", "9", "9", "enter")  # over 180000: refused
        assert isinstance(app.screen, DelayDialog)
        assert "180000" in screen_text(app)
        await pilot.press(*["backspace"] * 6, "3", "0", "0", "enter")
        assert not isinstance(app.screen, DelayDialog)
        assert app.backend.engine.store.delay(key) == 300
        assert "300 ms" in row_text(app, key)

        started = time.perf_counter()
        assert (await client.get("/users")).status_code == 200
        assert time.perf_counter() - started >= 0.29

        await pilot.press("d", "escape")  # escape cancels: unchanged
        assert app.backend.engine.store.delay(key) == 300
        await pilot.press("d", "0", "enter")  # 0 removes it
        assert app.backend.engine.store.delay(key) == 0

        # The rule of --delay: "1_000" is not milliseconds (int() would take it).
        await pilot.press("d", "backspace", "1", "underscore", "0", "enter")
        assert isinstance(app.screen, DelayDialog)
        error = str(app.screen.query_one("#delay-error").render())
        assert error == "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '1_0'"
        # "2s" is two seconds (it used to set 2 ms), "1.5s" and "1500ms" are 1500 ms.
        await pilot.press("escape")
        for typed, expected in (("2s", 2000), ("1.5s", 1500), ("750ms", 750)):
            await pilot.press("d", "backspace", *typed, "enter")
            assert not isinstance(app.screen, DelayDialog), typed
            assert app.backend.engine.store.delay(key) == expected
        await pilot.press("d", "backspace", *"2m", "enter")  # minutes are not a unit here
        assert isinstance(app.screen, DelayDialog)
        assert app.backend.engine.store.delay(key) == 750


async def test_request_appears_in_traffic(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        assert (await client.get("/users/7")).status_code == 200
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 1)
        line = next(line for line in traffic_lines(app) if "/users/7" in line)
        assert "GET" in line
        assert "200" in line
        assert "User found" in line
        assert " ms" in line
        header = app.query_one(StatusHeader)
        assert header.counts.requests == 1
        assert "1 request ·" in screen_text(app)


async def test_enter_shows_details_with_the_explanation(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await client.get("/users")
        await client.post("/nope", json={"a": 1})
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 2)
        await pilot.press("tab")
        assert app.focused is view
        await pilot.press("enter")  # the newest row: the miss
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "POST /nope" in text
        assert "no match" in text
        assert "decided by: miss" in text
        assert "dropped at:" in text
        # The explanation lists the candidates and why each was dropped.
        event = app.screen.event
        assert event.explanation is not None and event.explanation.candidates
        match = app.screen.query_one("#detail-match")
        detail = plain(match.body)
        assert "3 method" in detail or "5 path" in detail

        await pilot.press("p")  # previous request
        assert app.screen.event.path == "/users"
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_detail_pretty_prints_json_and_flags_binary(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await client.post("/users", json={"name": "Ada"})
        await client.post("/upload", content=bytes(range(256)) * 10)
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 2)
        view.focus()
        await pilot.press("up", "enter")
        body = plain(app.screen.query_one("#detail-req-body").body)
        assert '"name": "Ada"' in body  # pretty-printed (indent adds the space after the colon)
        await pilot.press("n")
        assert app.screen.event.path == "/upload"
        body = plain(app.screen.query_one("#detail-req-body").body)
        assert "binary, 2,560 bytes" in body


async def test_filter_narrows_rows_and_empty_clears(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await client.get("/users")
        await client.get("/nope")
        await client.post("/users", json={"name": "x"})
        await client.get("/users/missing/deeper")
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 4)
        await pilot.press("tab", "slash")
        await pilot.press(*"GET 4xx nope", "enter")
        assert [e.path for e in view.view] == ["/nope"]
        assert app.focused is view
        assert "filter GET 4xx nope: 1 shown" in screen_text(app)

        await pilot.press("slash", "ctrl+u", *"post", "enter")
        assert [e.method for e in view.view] == ["POST"]

        await pilot.press("slash", "ctrl+u", "enter")  # empty: no filter
        assert len(view.view) == 4

        await pilot.press("slash", *"zzz", "escape")  # escape: filter unchanged
        assert len(view.view) == 4


async def test_c_clears(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await client.get("/users")
        await client.get("/health")
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 2)
        await pilot.press("tab", "c")
        assert len(view.rows) == 0
        assert view.total == 0
        assert not any("/users" in line for line in traffic_lines(app))
        await client.get("/health")  # new requests still arrive
        await wait_for(pilot, lambda: len(view.rows) == 1)


async def test_hostile_path_is_shown_escaped(make_app: MakeApp, client: httpx.AsyncClient) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        response = await client.get("/[red]x%1b[2J")
        assert response.status_code == 404
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 1)
        assert view.rows[0].path == "/[red]x\x1b[2J"  # what the client sent
        text = screen_text(app)
        assert "/[red]x␛[2J" in text  # markup literal, ESC visible
        assert "\x1b" not in text
        drawn = "".join(seg.text for y in range(3) for seg in view.render_line(y))
        assert "/[red]x␛[2J" in drawn  # the row is among the lines looked at
        assert "\x1b" not in drawn

        await pilot.press("tab", "enter")
        text = screen_text(app)
        assert "GET /[red]x␛[2J" in text
        assert "\x1b" not in text


async def test_traffic_follows_newest_until_the_user_moves_up(
    make_app: MakeApp, engine: MockEngine
) -> None:
    from mocktui.tui.sample import record_sample_traffic

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TrafficView)
        view.focus()
        for _ in range(3):
            record_sample_traffic(engine)
        await wait_for(pilot, lambda: len(view.rows) == 36)
        assert view.cursor == 35 and view.follow
        assert view.scroll_y == view.max_scroll_y > 0

        await pilot.press("up", "up")
        assert view.cursor == 33 and not view.follow
        record_sample_traffic(engine)
        await wait_for(pilot, lambda: len(view.rows) == 48)
        assert view.cursor == 33  # stays on the row the user chose

        await pilot.press("end")
        assert view.follow and view.cursor == 47
        record_sample_traffic(engine)
        await wait_for(pilot, lambda: len(view.rows) == 60)
        assert view.cursor == 59
        assert view.scroll_y == view.max_scroll_y


async def test_traffic_is_bounded_and_counts_drops(make_app: MakeApp, engine: MockEngine) -> None:
    from mocktui.tui.sample import record_sample_traffic

    app = make_app(traffic_cap=20)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TrafficView)
        for _ in range(5):
            record_sample_traffic(engine)  # 60 requests
        await wait_for(pilot, lambda: view.total == 60)
        assert len(view.rows) == 20
        assert view.dropped == 40
        assert view.rows[-1].id == engine.bus.next_id - 1
        await wait_for(pilot, lambda: "60 requests · 40 dropped" in screen_text(app))


async def test_tab_moves_between_panels(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.focused.id == "endpoints"
        await pilot.press("tab")
        assert app.focused.id == "traffic"
        await pilot.press("tab")
        assert app.focused.id == "collections"
        await pilot.press("shift+tab")
        assert app.focused.id == "traffic"


async def test_footer_shows_the_keys_of_the_focused_panel(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: screen_text(app).splitlines()[-1].strip(), 10)  # drawn
        footer = screen_text(app).splitlines()[-1]
        assert "Cycle" in footer and "Delay" in footer and "Filter" not in footer
        await pilot.press("tab")
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert "Filter" in footer and "Clear" in footer and "Cycle" not in footer


async def test_folder_narrows_endpoints_and_root_shows_all(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        await pilot.press("shift+tab")
        assert app.focused.id == "collections"
        await pilot.press(*["down"] * 6, "enter")  # root, Users, 4 requests, Products
        assert [ep.name for ep in table.shown] == ["List products", "Get product"]
        assert table.row_count == 2
        assert "Endpoints · Products" in screen_text(app)
        await pilot.press("home", "enter")
        assert table.row_count == 8


async def test_narrow_screen_hides_the_tree_until_t(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tree = app.query_one("#collections")
        assert not tree.display
        await pilot.press("t")
        assert tree.display and app.focused is tree
        await pilot.press("t")
        assert not tree.display and app.focused.id == "endpoints"


async def test_control_api_changes_show_in_the_table(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        response = await client.post(f"/__mocktui/endpoints/{key}/pin", json={"example": 3})
        assert response.status_code == 200
        await wait_for(pilot, lambda: "#3 500 Server error" in row_text(app, key))
        await client.post(f"/__mocktui/endpoints/{key}/disable")
        await wait_for(pilot, lambda: row_text(app, key).endswith("off"))


async def test_help_screen_opens_and_closes(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "cycle what it answers" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_has_mocktui_commands(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "List users: pin #2 Empty list (200)" in titles
        assert "List users: auto" in titles
        assert "List users: disable" in titles
        assert "Traffic: clear" in titles
        command = next(
            c
            for c in app.get_system_commands(app.screen)
            if c.title.startswith("List users: pin #2")
        )
        command.callback()
        assert app.backend.engine.answering(users_key(app.backend.engine)).name == "Empty list"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert "CommandPalette" in type(app.screen).__name__


async def test_q_quits_with_status_0(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_server_logs_become_notifications_not_terminal_output(
    make_app: MakeApp, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = DashboardLog()
    app = make_app(log_handler=handler)
    with capture_logging(handler):
        async with app.run_test(size=(120, 36)) as pilot:
            logging.getLogger("mocktui.server").error("boom [red]%s", "\x1b[2J")
            logging.getLogger("hypercorn.error").info("Running on fd://3")
            await wait_for(pilot, lambda: app._notifications)
            message = str(next(iter(app._notifications)).message)
            assert "boom [red]␛[2J" in message
            assert [level for level, _ in handler.lines] == ["ERROR"]  # INFO: root level
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


async def test_on_load_resets_the_task_factory(make_app: MakeApp) -> None:
    """Python 3.12+: Textual turns on eager tasks, which breaks Hypercorn keep-alive; the app
    puts the default factory back in on_load (see MockTUI.on_load)."""
    loop = asyncio.get_running_loop()

    def factory(loop: asyncio.AbstractEventLoop, coro, **kwargs):  # type: ignore[no-untyped-def]
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(factory)
    try:
        async with make_app().run_test(size=(80, 24)):
            assert loop.get_task_factory() is None
    finally:
        loop.set_task_factory(None)


async def test_run_async_runs_with_the_default_task_factory(make_app: MakeApp) -> None:
    """The real path: run_async() sets eager tasks on 3.12+ before on_load puts them back."""
    seen: list[object] = []

    async def pilot(pilot: Pilot[int]) -> None:
        seen.append(asyncio.get_running_loop().get_task_factory())
        pilot.app.exit(0)

    await make_app().run_async(headless=True, size=(80, 24), auto_pilot=pilot)
    assert seen == [None]


async def test_keep_alive_requests_all_answered_while_the_app_runs(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        statuses = [(await client.get("/health")).status_code for _ in range(6)]
        assert statuses == [200] * 6
        await wait_for(pilot, lambda: len(app.query_one(TrafficView).rows) == 6)


def test_sample_events_serialise() -> None:
    # The sample traffic used by screenshots goes through the real engine.
    from mocktui.tui.sample import record_sample_traffic, sample_engine

    engine = sample_engine()
    record_sample_traffic(engine)
    events, _, _ = engine.bus.since(1)
    assert len(events) == 12
    assert any(not e.matched for e in events)
    assert json.loads(events[2].request_body.data)["name"] == "Ada Lovelace"


async def test_reloaded_collections_show_and_controls_survive(
    make_app: MakeApp, engine: MockEngine
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(engine)
        await pilot.press("2")
        before = app.query_one(EndpointsTable).shown
        engine.load(list(engine.collections))  # as a reload of the file does
        await wait_for(pilot, lambda: app.query_one(EndpointsTable).shown is not before)
        assert app.query_one(EndpointsTable).shown == engine.endpoints
        assert "#2 200 Empty list" in row_text(app, key)  # the pin survived the reload
        assert "mocktui demo shop (18)" in screen_text(app)


async def test_server_stops_within_the_timeout_with_a_slow_request_in_flight(
    engine: MockEngine,
) -> None:
    from mocktui.server.runtime import STOP_TIMEOUT, serving
    from mocktui.server.serve import base_url, bind_socket

    health = next(ep.key for ep in engine.endpoints if ep.name == "Health")
    engine.store.set_delay(health, 30_000)
    sock = bind_socket("127.0.0.1", 0)
    async with httpx.AsyncClient(base_url=base_url(sock)) as client:
        async with serving(engine, sock) as server:
            slow = asyncio.create_task(client.get("/health"))
            await asyncio.sleep(0.2)
            started = time.perf_counter()
        assert server.done()
        assert time.perf_counter() - started < STOP_TIMEOUT + 0.5
        # The delayed request does not hold the shutdown: it is answered at once.
        response = await asyncio.wait_for(slow, 1)
        assert response.status_code == 200
