"""mocktui attach: the dashboard on a mocktui running elsewhere. The remote is a real
``mocktui --headless`` child process on an ephemeral port (or, where the test must reach inside
it, a real server in this loop); the dashboard a Textual pilot on a ``RemoteBackend``."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable

import httpx
import pytest

from mocktui.config import build_engine
from mocktui.engine.actions import Actions
from mocktui.engine.store import ControlError
from mocktui.tui.app import MockTUI
from mocktui.tui.remote import DISCONNECTED, RemoteBackend, connect
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import TrafficView
from tests.server.live import running
from tests.server.process import ROOT, Mocktui
from tests.tui.conftest import FAST_POLL, screen_text, wait_for

USERS = "0/Users/List users"  # the demo's GET /users: #1 All users, #2 Empty list, #3 ...


async def until(check: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the loop run until ``check()`` is true (no pilot: backends alone)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        await asyncio.sleep(0.02)


def dashboard(backend: RemoteBackend) -> MockTUI:
    return MockTUI(backend, url=URL, tz=TZ, poll_interval=FAST_POLL)


def attach(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocktui", "attach", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


async def test_traffic_shows_and_a_pin_made_here_changes_the_next_answer() -> None:
    with Mocktui() as remote:
        backend = await connect(remote.url)
        try:
            app = dashboard(backend)
            async with (
                app.run_test(size=(120, 36)) as pilot,
                httpx.AsyncClient(base_url=remote.url, timeout=10) as http,
            ):
                assert (await http.get("/users")).json() != []
                await wait_for(pilot, lambda: "All users" in screen_text(app), timeout=10)
                assert app._table.selected.key == USERS
                await pilot.press("2")  # pin example 2 of the selected row
                assert "#2 200 Empty list" in screen_text(app)  # the mirror shows it at once
                await wait_for(pilot, lambda: backend.idle, timeout=10)
                answer = await http.get("/users")
                assert answer.json() == []  # the remote answers with the pinned example
                await wait_for(pilot, lambda: len(backend.engine.bus) == 2, timeout=10)
                await pilot.pause(0.1)
                rows = [line for line in screen_text(app).splitlines() if " GET " in line]
                rows = [row for row in rows if "pinned #2" not in row]  # not the flash line
                assert sum("Empty list" in row for row in rows) == 2  # the row and the request
                remote_view = (await http.get(f"/__mocktui/endpoints/{USERS}")).json()
                assert (remote_view["mode"], remote_view["pinned_number"]) == ("pinned", 2)
        finally:
            await backend.close()


async def test_a_restart_of_the_remote_is_survived() -> None:
    remote = Mocktui()
    try:
        backend = await connect(remote.url)
        port, url = remote.port, remote.url
        app = dashboard(backend)
        async with app.run_test(size=(120, 36)) as pilot:
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await http.get("/users")
            await wait_for(pilot, lambda: len(backend.engine.bus) == 1, timeout=10)
            remote.proc.kill()
            remote.proc.wait(10)
            await wait_for(pilot, lambda: DISCONNECTED in screen_text(app), timeout=15)
            assert backend.connection() == DISCONNECTED
            with pytest.raises(ControlError) as refused:
                backend.actions.pin(USERS, 2, "keys")
            assert refused.value.message == (
                f"not connected to {url} (retrying): nothing was changed"
            )
            remote = Mocktui("--port", str(port))
            await wait_for(pilot, lambda: backend.connected, timeout=15)
            await pilot.pause(0.1)
            assert DISCONNECTED not in screen_text(app)
            assert backend.restarts == 1
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                await http.get("/users/1")
                await http.get("/nothing")
            await wait_for(pilot, lambda: len(backend.engine.bus) == 3, timeout=10)
            await pilot.pause(0.1)
            text = screen_text(app)
            assert "User found" in text and "no match" in text
            # The counts are the new process's: two requests, one miss.
            assert "2 requests · 1 miss " in text.splitlines()[0]
            # Ids follow on here although the new process starts its own again.
            assert [e.id for e in backend.engine.bus.since(0)[0]] == [1, 2, 3]
        await backend.close()
    finally:
        remote.stop()


async def test_two_dashboards_see_each_others_changes() -> None:
    with Mocktui() as remote:
        one = await connect(remote.url)
        two = await connect(remote.url)
        try:
            await until(lambda: one.sessions and two.sessions)
            seen: list[str | None] = []
            two.listen(lambda change: seen.append(change.endpoint_key))
            assert one.actions.pin(USERS, 2, "keys") == "List users: pinned to #2 Empty list (200)"
            await until(lambda: two.view(USERS)["pinned_number"] == 2)
            assert USERS in seen
            two.actions.set_delay(USERS, 250, "keys")
            two.actions.toggle_example(USERS, 1, "keys")
            await until(lambda: one.view(USERS)["delay_ms"] == 250)
            await until(lambda: not one.view(USERS)["examples"][0]["enabled"])
            one.actions.save_scenario("slow", "keys")
            await until(lambda: "slow" in two.scenarios())
            two.actions.reset("keys")
            await until(lambda: one.view(USERS)["mode"] == "auto")
            assert one.view(USERS)["delay_ms"] == 0
            assert two.actions.cycle_mode(USERS, "keys") == "List users: sequential"
            await until(lambda: one.view(USERS)["mode"] == "sequential")
            two.actions.apply_scenario("slow", "keys")  # pinned #2, 250 ms, #1 off
            await until(lambda: one.view(USERS)["mode"] == "pinned")
            await until(lambda: two.view(USERS)["mode"] == "pinned")
            for view in (one.view(USERS), two.view(USERS)):
                assert (view["pinned_number"], view["delay_ms"]) == (2, 250)
                assert not view["examples"][0]["enabled"]
        finally:
            await one.close()
            await two.close()


async def test_changes_in_a_row_settle_on_the_last_one() -> None:
    async with running(build_engine([], seed=1)) as server:
        backend = await connect(server.url)
        try:
            await until(lambda: backend.sessions)
            shown: list[int | None] = []  # what the row shows after each change here
            backend.listen(lambda change: shown.append(backend.view(USERS)["pinned_number"]))
            for _ in range(4):  # #1, #2, #3, back to auto: sent in order, shown at once
                backend.actions.cycle(USERS, "keys")
            assert backend.view(USERS)["mode"] == "auto"
            backend.actions.cycle(USERS, "keys")
            await until(lambda: backend.idle)
            await asyncio.sleep(0.2)  # the stream's echoes of the five changes have come
            assert backend.view(USERS)["pinned_number"] == 1
            # The echoes never took the row back through #1, #2, #3 while the answers came.
            assert shown[:5] == [1, 2, 3, None, 1]
            assert set(shown[5:]) <= {1}
            assert server.engine.store.pinned(USERS).position == 1
        finally:
            await backend.close()


async def test_a_refused_change_says_what_the_local_one_says() -> None:
    engine = build_engine([], seed=1)
    local = Actions(build_engine([], seed=1))
    async with running(engine) as server:
        backend = await connect(server.url)
        try:
            for act in (
                lambda a: a.pin(USERS, 9, "keys"),
                lambda a: a.set_delay(USERS, 999_999, "keys"),
                lambda a: a.apply_scenario("nope", "keys"),
                lambda a: a.save_scenario("a/b", "keys"),
            ):
                with pytest.raises(ControlError) as here:
                    act(backend.actions)
                with pytest.raises(ControlError) as there:
                    act(local)
                assert here.value.message == there.value.message
            assert backend.idle  # nothing was sent
            assert server.engine.store.mode(USERS) == "auto"
        finally:
            await backend.close()


async def test_catching_up_after_a_gap_has_no_duplicates_and_counts_what_was_dropped() -> None:
    engine = build_engine([], seed=1, history=5)  # the remote keeps five events
    async with running(engine) as server:
        backend = await connect(server.url)
        feed = backend.subscribe()
        try:
            await until(lambda: backend.sessions)
            for n in (1, 2):
                await server.client.get(f"/users/{n}")
            await until(lambda: len(backend.engine.bus) == 2)
            # The stream goes away (as when the network drops) while requests keep coming.
            follow = backend._tasks[0]
            follow.cancel()
            await asyncio.gather(follow, return_exceptions=True)
            backend.connected = False
            for n in range(3, 11):
                await server.client.get(f"/users/{n}")
            backend._tasks[0] = asyncio.create_task(backend._follow())
            await until(lambda: backend.connected)
            events = feed.drain()
            assert [e.path for e in events] == [f"/users/{n}" for n in (1, 2, 6, 7, 8, 9, 10)]
            assert feed.dropped == 3  # /users/3 to /users/5 left the remote's ring unread
            assert backend.counts()[2:] == (10, 0)  # the remote's own counts
            await server.client.get("/users/11")
            await until(lambda: backend.counts()[2] == 11)
            assert [e.path for e in feed.drain()] == ["/users/11"]
        finally:
            feed.close()
            await backend.close()


async def test_a_private_mock_needs_its_key() -> None:
    with Mocktui("--api-key", "s3cret-key") as remote:
        without = attach(remote.url)
        assert (without.returncode, without.stdout) == (1, "")
        assert without.stderr == (
            f"mocktui: error: {remote.url} is a private mocktui: give its key with --api-key\n"
        )
        wrong = attach(remote.url, "--api-key", "wrong-key")
        assert wrong.returncode == 1
        assert wrong.stderr == (
            f"mocktui: error: {remote.url} refused the api key (401): check --api-key\n"
        )
        backend = await connect(remote.url, "s3cret-key")
        try:
            assert backend.private
            await until(lambda: backend.sessions)
            backend.actions.pin(USERS, 2, "keys")
            await until(lambda: backend.idle)
            answer = httpx.get(f"{remote.url}/users", headers={"x-api-key": "s3cret-key"})
            assert answer.json() == []
        finally:
            await backend.close()


def test_an_unreachable_url_is_one_line() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = attach(f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert result.stderr == (
        f"mocktui: error: cannot reach http://127.0.0.1:{port}: connection refused\n"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com", "'ftp://example.com' is not an http:// or https:// URL of a mocktui"),
        ("http://", "'http://' is not an http:// or https:// URL of a mocktui"),
        ("http://127.0.0.1:99999", "'http://127.0.0.1:99999' has a bad port"),
    ],
)
def test_a_bad_url_is_one_line(url: str, message: str) -> None:
    result = attach(url)
    assert (result.returncode, result.stderr) == (1, f"mocktui: error: {message}\n")


async def test_something_else_than_a_mocktui_is_said() -> None:
    async with running(build_engine([])) as server:
        with pytest.raises(Exception) as caught:
            await connect(f"{server.url}/not/here")
    assert str(caught.value) == (
        f"{server.url}/not/here does not look like a mocktui (no /__mocktui/health)"
    )


@pytest.mark.parametrize(
    ("width", "line"),
    [
        (
            120,
            " mocktui  http://127.0.0.1:3000   disconnected · retrying   public  ⚠ 1 problem"
            "        1,997 ep · 4 ex · 5 req · 0 miss ",
        ),
        (80, " mocktui  http://127.0.0.1:3000   disconnected · retrying".ljust(80)),
        (40, "disconnected · retrying http://127.0.0.1:3000"),
    ],
)
async def test_the_header_says_disconnected_at_every_width(width: int, line: str) -> None:
    from textual.app import App, ComposeResult

    from mocktui.tui.header import Counts, StatusHeader

    header = StatusHeader("http://127.0.0.1:3000", False, Counts(1997, 4, 5, 0), problems=(1, 0))

    class HeaderApp(App[None]):
        def compose(self) -> ComposeResult:
            yield header

    async with HeaderApp().run_test(size=(width, 3)):
        assert DISCONNECTED not in header.render().plain
        header.set_connection(DISCONNECTED)
        assert header.render().plain == line
        header.set_connection(None)
        assert DISCONNECTED not in header.render().plain


async def test_a_reload_there_is_followed_here(tmp_path) -> None:
    from mocktui.config import load_collections
    from tests.server.process import collection

    async with running(build_engine([], seed=1)) as server:
        backend = await connect(server.url)
        try:
            await until(lambda: backend.sessions)
            before = backend.endpoints
            server.engine.store.pin(USERS, 2, "api")
            await until(lambda: backend.view(USERS)["pinned_number"] == 2)
            extra = load_collections([str(collection(tmp_path, ping="pong"))])
            server.engine.load([*server.engine.collections, *extra])  # as the watcher does
            await until(lambda: backend.endpoints is not before)
            assert [e.name for e in backend.endpoints][-1] == "ping"
            assert backend.counts()[:2] == (9, 19)
            assert backend.view(USERS)["pinned_number"] == 2  # the pin survived there and here
        finally:
            await backend.close()


async def test_the_har_is_the_remotes_written_here(tmp_path) -> None:
    import json

    async with running(build_engine([], seed=1)) as server:
        backend = await connect(server.url)
        try:
            for path in ("/users", "/users/7", "/nothing"):
                await server.client.get(path)
            written = await backend.export_har(tmp_path)
            assert written.parent == tmp_path and written.name.startswith("mocktui-")
            entries = json.loads(written.read_text())["log"]["entries"]
            assert [e["request"]["url"] for e in entries] == [
                f"{server.url}/users", f"{server.url}/users/7", f"{server.url}/nothing"
            ]
        finally:
            await backend.close()


async def test_e_in_the_attached_dashboard_writes_the_remotes_har(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    async with running(build_engine([], seed=1)) as server:
        backend = await connect(server.url)
        try:
            app = dashboard(backend)
            async with app.run_test(size=(120, 36)) as pilot:
                await server.client.get("/users")
                await wait_for(pilot, lambda: len(backend.engine.bus) == 1)
                app.screen.query_one(TrafficView).focus()
                await pilot.press("e")
                await wait_for(pilot, lambda: list(tmp_path.glob("mocktui-*.har")))
                files = list(tmp_path.glob("mocktui-*.har"))
                await wait_for(
                    pilot,
                    lambda: any(
                        f"HAR written to {files[0]}" in str(n.message) for n in app._notifications
                    ),
                )
                assert '"url": "' + server.url + '/users"' in files[0].read_text()
        finally:
            await backend.close()
