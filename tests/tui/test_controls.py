"""The lasting controls in the dashboard: m, the examples view, S, e, y, and one store shared
with the control API (real keys, the real server, real HTTP)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from mocktui.engine.engine import MockEngine
from mocktui.tui.app import MockTUI
from mocktui.tui.dialogs import NameDialog, TextScreen
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.examples import ExamplesScreen, ExamplesTable

from .conftest import wait_for
from .test_dashboard import row_text, users_key

MakeApp = Callable[..., MockTUI]


async def test_m_cycles_the_mode_and_the_next_answers_follow(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        await pilot.press("m")
        assert "sequential" in row_text(app, key)
        statuses = [(await client.get("/users")).status_code for _ in range(4)]
        assert statuses == [200, 200, 500, 200]  # All users, Empty list, Server error, wrap
        await pilot.press("m")
        assert "random" in row_text(app, key)
        await pilot.press("m")
        assert "auto" in row_text(app, key)
        assert app.backend.engine.store.mode(key) == "auto"


async def test_examples_view_pins_and_disables_one_example(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        await pilot.press("enter")
        assert isinstance(app.screen, ExamplesScreen)
        table = app.screen.query_one(ExamplesTable)
        # x on the first example ("All users"): the next request gets the next best.
        await pilot.press("x")
        assert " ".join(c.plain for c in table.get_row("demo-01")).split()[-1] == "off"
        assert (await client.get("/users")).json() == []  # "Empty list"
        await pilot.press("down", "down", "enter")  # pin "Server error"
        assert (await client.get("/users")).status_code == 500
        await wait_for(pilot, lambda: "1" in table.get_cell("demo-03", "served").plain)  # served: 1
        await pilot.press("escape")
        assert isinstance(app.focused, EndpointsTable)
        assert "#3 500 Server error …" in row_text(app, key)  # "(1 off)", cut at 120
        await pilot.press("enter", "x")  # enable it again
        assert app.backend.engine.store.example_enabled(key, "demo-01")


async def test_capital_s_saves_a_scenario_and_the_palette_applies_it(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        await pilot.press("3")
        await pilot.press("S")
        assert isinstance(app.screen, NameDialog)
        await pilot.press(*"checkout fails", "enter")
        assert app.backend.scenarios() == ["checkout fails"]
        await pilot.press("a")
        assert (await client.get("/users")).status_code == 200
        app.apply_scenario("checkout fails")  # what the palette's "Scenario: apply" calls
        await pilot.pause()
        assert "#3 500 Server error" in row_text(app, key)
        assert (await client.get("/users")).status_code == 500


async def test_e_writes_the_traffic_as_har_in_the_working_directory(
    make_app: MakeApp, client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await client.get("/users/7")
        await client.post("/users", json={"name": "Ada"})
        await pilot.press("tab")  # to the traffic list
        await wait_for(pilot, lambda: app.backend.counts()[2] == 2)
        await pilot.press("e")
        files = list(tmp_path.glob("mocktui-*.har"))
        assert len(files) == 1
        entries = json.loads(files[0].read_text())["log"]["entries"]
        assert [e["request"]["url"].split("/", 3)[3] for e in entries] == ["users/7", "users"]
        assert any(f"HAR written to {files[0]}" in str(n.message) for n in app._notifications)


async def test_y_shows_curl_and_copies_it_with_osc_52(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        written: list[str] = []
        driver = app._driver
        assert driver is not None
        original = driver.write
        driver.write = lambda data: (written.append(data), original(data))[1]  # type: ignore
        await client.get("/users", params={"page": "2"}, headers={"X-Trace": "t1"})
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.backend.counts()[2] == 1)
        await pilot.press("y")
        assert isinstance(app.screen, TextScreen)
        command = app.screen.text
        assert command.startswith("curl ")
        assert "/users?page=2" in command and "x-trace: t1" in command
        osc = [w for w in written if w.startswith("\x1b]52;c;")]
        assert len(osc) == 1
        assert base64.b64decode(osc[0][len("\x1b]52;c;") : -1]).decode() == command


async def test_api_and_keys_change_the_same_store(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)
        # By the API: the row changes.
        response = await client.post(f"/__mocktui/endpoints/{key}/pin", json={"example": 2})
        assert response.status_code == 200
        await wait_for(pilot, lambda: "#2 200 Empty list" in row_text(app, key))
        # By a key: the API reports it.
        await pilot.press("m")
        view = (await client.get(f"/__mocktui/endpoints/{key}")).json()
        assert (view["mode"], view["pinned"]) == ("sequential", None)
        await pilot.press("x")
        assert (await client.get(f"/__mocktui/endpoints/{key}")).json()["enabled"] is False


async def test_state_file_notes_show_as_notifications(engine: MockEngine) -> None:
    app = MockTUI(engine, notes=["saved controls for GET /gone match no endpoint: kept"])
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert any("GET /gone" in str(n.message) for n in app._notifications)


async def test_quit_asks_once_when_the_mock_is_in_use(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    from mocktui.tui.dialogs import QuitDialog

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await client.get("/users")
        await wait_for(pilot, lambda: app.backend.counts()[2] == 1)
        await pilot.pause(0.2)  # the dashboard drains the request (the poll)
        await pilot.press("q")
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("n")
        assert not isinstance(app.screen, QuitDialog) and app.is_running
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        await pilot.press("ctrl+c")  # again: stop
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_without_recent_traffic_does_not_ask(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_tree_follows_the_size_after_resizes(make_app: MakeApp) -> None:
    from mocktui.tui.collections import CollectionsTree

    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        tree = app.query_one(CollectionsTree)
        seen = [tree.display]
        for width in (80, 120, 80, 120):
            await pilot.resize_terminal(width, 36)
            await pilot.pause()
            seen.append(tree.display)
        assert seen == [True, False, True, False, True]


async def test_screenshot_goes_to_the_working_directory_and_says_where(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))  # no ~/Downloads here
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.deliver_screenshot()  # what the palette's "Screenshot" calls (after a timer)
        await pilot.pause()
        files = list(tmp_path.glob("*.svg"))
        assert len(files) == 1 and files[0].read_text().startswith("<svg")
        notes = [str(n.message) for n in app._notifications]
        assert any(f"screenshot written to {files[0]}" in n for n in notes)
