"""The dashboard: a Textual app, with the mock server running as a task in the same event loop.

``run_dashboard()`` is what the CLI calls. It runs ``asyncio.run(_dashboard())``, which starts
Hypercorn as a task (on the socket the CLI already bound), then runs the app in the same loop
(``await app.run_async()``), and stops the server in ``finally`` (shutdown event, then a bounded
wait). All Python logging goes into the dashboard while it runs; nothing reaches the terminal.

The app itself never reaches into the server: it reads request events from the engine's bus
(drained in batches on a timer) and writes controls through ``engine.controls``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterable
from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer

from mocktui.config import Settings
from mocktui.engine.engine import MockEngine
from mocktui.server.app import create_app
from mocktui.server.serve import SHUTDOWN_GRACE, base_url, serve
from mocktui.tui import keys
from mocktui.tui.collections import CollectionsTree
from mocktui.tui.detail import DetailScreen
from mocktui.tui.dialogs import ServerLogScreen
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.header import Counts, StatusHeader
from mocktui.tui.help import HelpScreen
from mocktui.tui.logs import DashboardLog, capture_logging
from mocktui.tui.safe import safe, safe_markup
from mocktui.tui.traffic import DEFAULT_CAP, TrafficPanel, TrafficView
from mocktui.watch import start_watching, stop_watching

POLL_INTERVAL = 1 / 12  # seconds between two drains of the event bus (~12 Hz)
WIDE = 100  # columns from which the collections tree shows by default
MAX_TOASTS = 3  # log notifications per poll; the rest are counted (all are in the server log)
STOP_TIMEOUT = SHUTDOWN_GRACE + 2.0  # seconds to wait for the server to stop on exit
log = logging.getLogger("mocktui.server")


class MockTUI(App[int]):
    """Header, collections tree, endpoints table, traffic list, footer."""

    CSS_PATH = "mocktui.tcss"
    TITLE = "mocktui"
    BINDINGS = [*keys.APP]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    def __init__(
        self,
        engine: MockEngine,
        *,
        url: str = "",
        settings: Settings | None = None,
        tz: tzinfo | None = None,
        poll_interval: float = POLL_INTERVAL,
        traffic_cap: int = DEFAULT_CAP,
        log_handler: DashboardLog | None = None,
    ) -> None:
        """``url`` is the address shown in the header; ``tz`` the zone for times (None: local).

        Tests pass a fixed ``url`` and ``tz`` so screenshots do not depend on ports or zones.
        """
        super().__init__()
        self.engine = engine
        self.url = url
        self.settings = settings
        self.tz = tz
        self.poll_interval = poll_interval
        self.traffic_cap = traffic_cap
        self.log_handler = log_handler or DashboardLog()
        self.tree_shown: bool | None = None  # None: by width; the `t` key decides otherwise
        self._dirty: set[str] = set()
        self._tree: CollectionsTree | None = None  # the panels, once mounted
        self._endpoints = engine.endpoints  # to notice a reload of the collections
        self._example_count = engine.example_count
        self._lost_seen = 0

    # -- lifecycle ----------------------------------------------------------------------------

    def on_load(self) -> None:
        # Python 3.12+: Textual (6.2+) switches the loop to eager tasks when the app starts.
        # Hypercorn 0.18 then answers only every other request on a keep-alive connection and
        # hangs on shutdown. The server shares this loop, so put the default task factory
        # back. (run_test() does not enable eager tasks; tests/tui checks this reset anyway.)
        asyncio.get_running_loop().set_task_factory(None)

    def compose(self) -> ComposeResult:
        engine = self.engine
        yield StatusHeader(
            self.url, engine.settings.api_key is not None, self._counts(), id="header"
        )
        with Horizontal(id="body"):
            tree = CollectionsTree(engine.collections, id="collections")
            tree.border_title = "Collections"
            yield tree
            with Vertical(id="main"):
                table = EndpointsTable(engine, id="endpoints")
                table.border_title = "Endpoints"
                yield table
                yield TrafficPanel(cap=self.traffic_cap, tz=self.tz, id="traffic-panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if not self.is_headless and self.console.color_system in ("standard", "windows"):
            # A 16-colour terminal (TERM=xterm): the terminal's own palette reads better than
            # truecolour theme colours squeezed into 16. (Not in tests: snapshots must not
            # depend on the TERM of whoever runs them.)
            self.theme = "ansi-dark"
        main = self.screen_stack[0]
        self._tree = main.query_one(CollectionsTree)
        self._header = main.query_one(StatusHeader)
        self._table = main.query_one(EndpointsTable)
        self._traffic = main.query_one(TrafficPanel)
        self.subscription = self.engine.bus.subscribe(from_start=True)
        self.engine.controls.listeners.append(self._control_changed)
        self._apply_tree()
        self._table.focus()
        for line in self.engine.skipped_report():  # shown as notifications, kept in the log
            self.log_handler.handle(
                logging.makeLogRecord(
                    {
                        "name": "mocktui.collection",
                        "levelno": logging.WARNING,
                        "levelname": "WARNING",
                        "msg": line,
                    }
                )
            )
        self.poll()
        self.set_interval(self.poll_interval, self.poll, name="drain events")

    def on_unmount(self) -> None:
        with contextlib.suppress(ValueError):
            self.engine.controls.listeners.remove(self._control_changed)
        self.subscription.close()

    def _control_changed(self, endpoint_key: str) -> None:
        # Called by Controls for keys and the control API alike; redrawn on the next poll.
        self._dirty.add(endpoint_key)

    def _counts(self) -> Counts:
        engine = self.engine
        return Counts(len(self._endpoints), self._example_count, engine.requests, engine.misses)

    # -- the poll: one batch of events, one redraw --------------------------------------------

    def poll(self) -> None:
        """Drain new request events into the traffic list and refresh counts and hits."""
        if not self._table.is_attached:  # shutting down
            return
        events = self.subscription.drain()
        lost = self.subscription.dropped - self._lost_seen
        self._lost_seen = self.subscription.dropped
        if events or lost:
            self._traffic.add(events, lost)
            hit = {e.endpoint_key for e in events if e.endpoint_key}
            self._table.refresh_hits(hit - self._dirty)
        if self._dirty:
            for key in self._dirty:
                self._table.refresh_endpoint(key)
            self._dirty.clear()
        if self.engine.endpoints is not self._endpoints:  # the collections were reloaded
            self._endpoints = self.engine.endpoints
            self._example_count = self.engine.example_count
            assert self._tree is not None
            self._tree.populate(self.engine.collections)
            self._table.show(self.engine.endpoints)
            self._table.border_title = "Endpoints"
        self._header.set_counts(self._counts())
        self._notify_logs()

    def _notify_logs(self) -> None:
        """Warnings and errors logged since the last poll, as (at most a few) notifications."""
        pending = self.log_handler.take_pending()
        for level, message in pending[:MAX_TOASTS]:
            self.notify(
                safe(message),
                title="server",
                severity="error" if level >= logging.ERROR else "warning",
                markup=False,
                timeout=8,
            )
        if len(pending) > MAX_TOASTS:
            more = len(pending) - MAX_TOASTS
            self.notify(f"and {more} more: ctrl+p, Server log", severity="warning", markup=False)

    # -- layout ---------------------------------------------------------------------------------

    def on_resize(self) -> None:
        if self._tree is not None:
            self._apply_tree()

    def _apply_tree(self) -> None:
        tree = self._tree
        assert tree is not None
        visible = self.tree_shown if self.tree_shown is not None else self.size.width >= WIDE
        if tree.display != visible:
            tree.display = visible
            if not visible and tree.has_focus:
                self._table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_tree":
            return self.screen is self.screen_stack[0]  # not over the detail view or dialogs
        return True

    def action_toggle_tree(self) -> None:
        tree = self._tree
        assert tree is not None
        self.tree_shown = not tree.display
        self._apply_tree()
        if self.tree_shown:
            tree.focus()

    # -- panels talking to each other -------------------------------------------------------------

    @on(CollectionsTree.Narrow)
    def _narrow(self, message: CollectionsTree.Narrow) -> None:
        table = self._table
        if message.endpoint is not None:
            if message.endpoint.key not in table.rows:
                table.show(self.engine.endpoints)
                table.border_title = "Endpoints"
            table.select(message.endpoint.key)
            table.focus()
            return
        if message.folder is None:
            table.show(self.engine.endpoints)
            table.border_title = "Endpoints"
        else:
            table.show(message.folder.all_endpoints())
            table.border_title = Text(f"Endpoints · {safe(message.folder.name)}")

    @on(TrafficView.Selected)
    def _details(self, message: TrafficView.Selected) -> None:
        view = self._traffic.view
        self.push_screen(DetailScreen(message.event, tz=self.tz, neighbour=view.neighbour))

    # -- app actions ----------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self.exit(return_code=0)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_server_log(self) -> None:
        self.push_screen(ServerLogScreen(self.log_handler.lines))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help: keys", "Every key of the dashboard", self.action_help)
        yield SystemCommand(
            "Server log",
            "What the server logged while the dashboard was up",
            self.action_server_log,
        )
        if screen is not self.screen_stack[0]:
            return
        yield SystemCommand(
            "Toggle collections tree",
            "Show or hide the collections panel",
            self.action_toggle_tree,
        )
        traffic = screen.query_one(TrafficView)
        yield SystemCommand(
            "Traffic: clear", "Remove every row of the traffic list", traffic.action_clear
        )
        yield SystemCommand(
            "Traffic: filter…",
            "Filter by method, status class, path text",
            screen.query_one(TrafficPanel).open_filter,
        )
        yield SystemCommand(
            "Traffic: follow newest", "Jump to the newest request", traffic.action_last
        )
        table = screen.query_one(EndpointsTable)
        endpoint = table.selected
        if endpoint is None:
            return
        name = safe_markup(endpoint.name)
        yield SystemCommand(f"{name}: auto", "Answer by normal matching (unpin)", table.action_auto)
        for example in endpoint.examples:
            yield SystemCommand(
                f"{name}: pin #{example.position} {safe_markup(example.name)} ({example.code})",
                "Always answer with this example",
                lambda n=example.position: table.action_pin(n),
            )
        enabled = self.engine.controls.endpoint_enabled(endpoint.key)
        yield SystemCommand(
            f"{name}: {'disable' if enabled else 'enable'}",
            "A disabled endpoint answers 404 like a path with no example",
            table.action_toggle_enabled,
        )
        yield SystemCommand(f"{name}: delay…", "Wait before answering (ms)", table.action_delay)

    def collections_reloaded(self, ok: bool, message: str) -> None:
        """A reload of the collection files: the panels catch up on the next poll."""
        logging.getLogger("mocktui.collection").log(
            logging.INFO if ok else logging.ERROR, "%s", message
        )
        if ok:  # errors are notified through the log already
            self.notify(safe(message), title="collections", markup=False, timeout=5)

    # -- SIGHUP and friends ---------------------------------------------------------------------

    def hang_up(self) -> None:
        """The terminal went away (SSH dropped) or we were asked to stop: exit cleanly."""
        self.exit(return_code=0)


# -- running it ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(
    engine: MockEngine, sock: socket.socket, logger: logging.Logger | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """Serve ``engine`` on ``sock`` in this loop for the duration of the block, then stop:
    set the shutdown event and wait (bounded) for in-flight requests."""
    shutdown = asyncio.Event()
    task = asyncio.create_task(
        serve(create_app(engine=engine), sock, shutdown, logger or log), name="mocktui server"
    )
    task.add_done_callback(_server_done)
    try:
        yield task
    finally:
        shutdown.set()
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def _server_done(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the server stopped: %s", task.exception())


async def _watch_terminal(app: MockTUI, interval: float = 1.0) -> None:
    """Exit when the terminal goes away without a SIGHUP reaching us (e.g. the shell that
    owned it ignored it): a hung-up tty stops being a tty, and Textual's input thread would
    otherwise spin on end-of-file."""
    fds = [fd for fd in (0, 2) if _isatty(fd)]
    while fds:
        await asyncio.sleep(interval)
        if not all(_isatty(fd) for fd in fds):
            app.hang_up()
            return


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


async def _dashboard(engine: MockEngine, sock: socket.socket, settings: Settings | None) -> int:
    handler = DashboardLog()
    app = MockTUI(engine, url=base_url(sock), settings=settings, log_handler=handler)
    loop = asyncio.get_running_loop()
    signals = (signal.SIGHUP, signal.SIGTERM, signal.SIGINT)
    with capture_logging(handler):
        async with serving(engine, sock, log):
            for sig in signals:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(sig, app.hang_up)
            watchdog = asyncio.create_task(_watch_terminal(app), name="terminal watchdog")
            watcher = None
            if settings is not None and settings.watched:
                watcher = start_watching(
                    engine,
                    settings.collection_paths,
                    settings.env_file,
                    dict(settings.variables),
                    app.collections_reloaded,
                )
            try:
                await app.run_async()
            finally:
                watchdog.cancel()
                if watcher is not None:
                    await stop_watching(*watcher)
                for sig in signals:
                    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                        loop.remove_signal_handler(sig)
    return app.return_code or 0


def run_dashboard(engine: MockEngine, sock: socket.socket, settings: Settings | None = None) -> int:
    """Run the dashboard and the server until the user quits; the exit status (0 on ``q``)."""
    return asyncio.run(_dashboard(engine, sock, settings))
