"""The dashboard: a Textual app, with the mock server running as a task in the same event loop.

``run_dashboard()`` is what the CLI calls. It runs ``asyncio.run(_dashboard())``, which starts
Hypercorn as a task (on the socket the CLI already bound), then runs the app in the same loop
(``await app.run_async()``), and stops the server in ``finally`` (shutdown event, then a bounded
wait). All Python logging goes into the dashboard while it runs; nothing reaches the terminal.

The app itself never reaches into the server or the engine: it talks to a ``Backend``
(``tui.backend``): request events drained in batches on a timer, endpoint views, and the
actions shared with the palette and the control API. The server, the watcher, signals and the
state file belong to the runtime (``server.runtime``) that the app runs inside.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import tzinfo
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, HelpPanel, Input

from mocktui.config import Settings
from mocktui.engine.engine import MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.engine.state import StateFile
from mocktui.engine.store import Change, ControlError
from mocktui.formats.curl import curl_command
from mocktui.rules import is_loopback
from mocktui.server import memory
from mocktui.server.headless import LineWriter, print_events
from mocktui.server.runtime import Runtime
from mocktui.tui import keys
from mocktui.tui.backend import Backend, Finding, LocalBackend
from mocktui.tui.collections import CollectionsTree
from mocktui.tui.detail import DetailScreen
from mocktui.tui.dialogs import NameDialog, QuitDialog, ServerLogScreen, TextScreen
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.examples import ExamplesScreen
from mocktui.tui.flash import FlashLine
from mocktui.tui.header import Counts, StatusHeader
from mocktui.tui.help import HelpScreen
from mocktui.tui.lists import ListFilter
from mocktui.tui.logs import DashboardLog, capture_logging
from mocktui.tui.palette import EndpointCommands
from mocktui.tui.problems import ProblemsScreen, tally
from mocktui.tui.safe import safe, safe_markup
from mocktui.tui.saving import save_request
from mocktui.tui.terminal import TerminalSwap
from mocktui.tui.traffic import DEFAULT_CAP, TrafficPanel, TrafficView

POLL_INTERVAL = 1 / 12  # seconds between two drains of the event bus (~12 Hz)
# Under steady traffic the screen is redrawn every BUSY_POLLS polls only (~4 Hz): a redraw costs
# about the same whatever the batch, and at 12 Hz the redraws took half of the core the server
# shares with them during a flood (issue 7). A first request after a quiet poll shows at once.
BUSY_POLLS = 3
# After a key, the traffic is not drawn again for this long (the server is held as long, see
# serve.Hold): the screen update that shows the key then carries the key's changes only, not a
# batch of new traffic rows as well.
KEY_QUIET = 0.15
SETTLE_AFTER = 2.0  # seconds after start: the dashboard has been drawn (memory.settle)
WIDE = 100  # columns from which the collections tree shows by default
RECENT_TRAFFIC = 60.0  # seconds: quitting after requests this recent asks first
EXIT_GUARD = 0.8  # seconds after the terminal went away before the process is ended anyway
MAX_TOASTS = 3  # log notifications per poll; the rest are counted (all are in the server log)
CHECK_INLINE = 200  # endpoints + examples up to which mocktui check runs on the loop (< 40 ms)
log = logging.getLogger("mocktui.server")


class MockTUI(App[int]):
    """Header, collections tree, endpoints table, traffic list, footer."""

    CSS_PATH = "mocktui.tcss"
    TITLE = "mocktui"
    BINDINGS = [*keys.APP]
    COMMANDS = App.COMMANDS | {EndpointCommands}  # ctrl+p: jump to an endpoint by name or path
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    def __init__(
        self,
        source: Backend | MockEngine,
        *,
        url: str = "",
        settings: Settings | None = None,
        tz: tzinfo | None = None,
        poll_interval: float = POLL_INTERVAL,
        traffic_cap: int = DEFAULT_CAP,
        log_handler: DashboardLog | None = None,
        notes: Iterable[str] = (),
        keymap: Mapping[str, str] | None = None,
        on_key: Callable[[], None] | None = None,
    ) -> None:
        """``url`` is the address shown in the header; ``tz`` the zone for times (None: local).
        ``source`` is a backend, or an engine of this process (wrapped in ``LocalBackend``).
        ``notes`` are shown as warnings at start (saved controls that match nothing ...).

        ``keymap`` is the user's (binding id -> keys, from config.toml's ``[keys]``).
        ``on_key`` is called for every key that comes in, before it is handled (the server in
        this process holds new requests for a moment: serve.Hold).

        Tests pass a fixed ``url`` and ``tz`` so screenshots do not depend on ports or zones.
        """
        super().__init__()
        self.on_key_in = on_key
        self.user_keymap = dict(keymap or {})
        self.backend = LocalBackend.of(source)
        self.notes = list(notes)
        self.url = url
        self.settings = settings
        self.tz = tz
        self.poll_interval = poll_interval
        self.traffic_cap = traffic_cap
        self.log_handler = log_handler or DashboardLog()
        self.tree_shown: bool | None = None  # None: by width; the `t` key decides otherwise
        self._dirty: set[str] = set()
        self._all_dirty = False  # a change to many endpoints at once (reset, scenario ...)
        self._tree: CollectionsTree | None = None  # the panels, once mounted
        self._endpoints = self.backend.endpoints  # to notice a reload of the collections
        self._lost_seen = 0
        self.last_words: Callable[[], None] = lambda: None  # what exit_guard saves before _exit
        self.findings: list[Finding] | None = None  # mocktui check's, once it ran
        self.check_seconds = 0.0  # how long the last check took (in its thread, if one)
        self._last_traffic = -RECENT_TRAFFIC  # monotonic time of the newest request seen
        self._last_poll = -1.0  # monotonic time of the last poll that drained the bus
        self._busy = False  # that poll found requests
        self._key_at = -1.0  # monotonic time of the last key that came in

    # -- lifecycle ----------------------------------------------------------------------------

    def on_load(self) -> None:
        # Python 3.12+: Textual (6.2+) switches the loop to eager tasks when the app starts.
        # Hypercorn 0.18 then answers only every other request on a keep-alive connection and
        # hangs on shutdown. The server shares this loop, so put the default task factory
        # back. (run_test() does not enable eager tasks; tests/tui checks this reset anyway.)
        asyncio.get_running_loop().set_task_factory(None)

    def compose(self) -> ComposeResult:
        backend = self.backend
        exposed = self.settings is not None and not is_loopback(self.settings.host)
        yield StatusHeader(
            self.url,
            backend.private,
            self._counts(),
            exposed,
            delay_ms=getattr(backend, "delay_ms", 0),
            id="header",
        )
        with Horizontal(id="body"):
            tree = CollectionsTree(backend.collections, id="collections")
            tree.border_title = "Collections"
            yield tree
            with Vertical(id="main"):
                table = EndpointsTable(backend, id="endpoints")
                table.border_title = "Endpoints"
                yield table
                yield TrafficPanel(cap=self.traffic_cap, tz=self.tz, id="traffic-panel")
        yield FlashLine(id="flash")
        yield ListFilter(id="list-filter")  # `/` in the tree and the endpoints
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
        self._traffic.view.opener = self.show_details
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.subscription = self.backend.subscribe()
        self.backend.listen(self._control_changed)
        self._apply_tree()
        self._table.focus()
        for line in [*self.backend.skipped_report(), *self.notes]:  # notified, kept in the log
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
        self.check_problems()

    def on_unmount(self) -> None:
        self.backend.unlisten(self._control_changed)
        self.subscription.close()

    def _control_changed(self, change: Change) -> None:
        # Every change, by key, palette, control API or scenario; redrawn on the next poll.
        if change.endpoint_key is None:
            self._all_dirty = True
            return
        self._dirty.add(change.endpoint_key)
        # Endpoints with the same method and path are reached by the same requests: a pin on
        # one changes what the others' "auto →" says (spec §7), so their rows are redrawn too.
        changed = self.backend.endpoint(change.endpoint_key)
        if changed is not None:
            shape = (changed.method, changed.display_path)
            self._dirty.update(
                e.key for e in self.backend.endpoints if (e.method, e.display_path) == shape
            )

    def flash(self, message: str, error: bool = False) -> None:
        """One line of feedback (after a control key) on the screen shown, else a toast."""
        try:
            line = self.screen.query_one(FlashLine)
        except Exception:
            self.notify(safe(message), severity="warning" if error else "information",
                        markup=False, timeout=4)
            return
        line.show(message, error=error)

    def _counts(self) -> Counts:
        return Counts(*self.backend.counts())

    # -- the poll: one batch of events, one redraw --------------------------------------------

    def poll(self) -> None:
        """Drain new request events into the traffic list and refresh counts and hits."""
        if not self._table.is_attached:  # shutting down
            return
        now = time.monotonic()
        if self._busy and now - self._last_poll < self.poll_interval * (BUSY_POLLS - 0.5):
            return  # traffic keeps coming: the next redraw takes this batch too
        events: list[RequestEvent] = []
        lost = 0
        if now - self._key_at >= KEY_QUIET:  # else a key is being shown: the traffic waits
            self._last_poll = now
            events = self.subscription.drain()
            self._busy = bool(events)
            lost = self.subscription.dropped - self._lost_seen
            self._lost_seen = self.subscription.dropped
        if events:
            self._last_traffic = time.monotonic()
        if events or lost:
            self._traffic.add(events, lost)
        in_flight = getattr(self.backend, "in_flight", None)
        if in_flight is not None:
            self._traffic.view.set_pending(in_flight())
            hit = {e.endpoint_key for e in events if e.endpoint_key}
            self._table.refresh_hits(hit - self._dirty)
        if self._all_dirty:
            self._dirty.update(str(k.value) for k in self._table.rows)
            self._all_dirty = False
        if self._dirty:
            for key in self._dirty:
                self._table.refresh_endpoint(key)
            self._dirty.clear()
        if self.backend.endpoints is not self._endpoints:  # the collections were reloaded
            self._endpoints = self.backend.endpoints
            assert self._tree is not None
            self._tree.populate(self.backend.collections)
            self._table.show(self.backend.endpoints)
            self._table.border_title = "Endpoints"
            self.check_problems()
        self._header.set_counts(self._counts())
        self._header.set_connection(self.backend.connection())
        store_status = getattr(self.backend, "store_status", None)  # a shared store (--store)
        if store_status is not None:
            self._header.set_store(store_status())
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

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._key_at = time.monotonic()
            if self.on_key_in is not None:
                self.on_key_in()
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A printable key that reached the app while an input has the focus was typed right
        after ``/`` (a fast typist, a paste, a busy moment): it was already on its way to the
        list when the input took the focus. It is the input's (it was lost, or worse: ``d``
        opened the delay dialog)."""
        focused = self.focused
        if getattr(event, "retyped", False):  # came back unhandled: never loop
            return
        if isinstance(focused, Input) and event.is_printable and event.character:
            event.stop()
            retyped = events.Key(event.key, event.character)
            retyped.retyped = True  # type: ignore[attr-defined]
            focused.post_message(retyped)

    def on_resize(self, event: events.Resize) -> None:
        # The new size is the event's: self.size can still be the old one here (it was: after
        # 120 -> 80 -> 120 columns the tree showed and hid the wrong way round).
        if self._tree is not None:
            self._apply_tree(event.size.width)

    def _apply_tree(self, width: int | None = None) -> None:
        tree = self._tree
        assert tree is not None
        width = self.size.width if width is None else width
        visible = self.tree_shown if self.tree_shown is not None else width >= WIDE
        if tree.display != visible:
            tree.display = visible
            if not visible and tree.has_focus:
                self._table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The footer shows only the keys that do something where the user is.
        if action in ("toggle_tree", "save_scenario"):
            return self.screen is self.screen_stack[0]  # not over the detail view or dialogs
        if action == "help":
            return not isinstance(self.screen, ModalScreen)  # in help, ? closes it
        if action == "hide_help_panel":  # Textual's "Keys" panel (palette): esc closes it
            return bool(self.screen.query(HelpPanel))
        return True

    def action_toggle_tree(self) -> None:
        tree = self._tree
        assert tree is not None
        self.tree_shown = not tree.display
        self._apply_tree()
        if self.tree_shown:
            tree.focus()
            self.query_one("#flash", FlashLine).hide()  # a flash about hiding it is old news
        elif len(self._table.base) != len(self.backend.endpoints):
            # A folder narrowing the user can no longer see: the next key would act on a list
            # chosen in a hidden tree. Lift it (a "/" filter stays: it shows in the border).
            self._table.show(self.backend.endpoints)
            self._table.border_title = "Endpoints"
            self.flash("the collections tree is hidden: the folder's narrowing is lifted")

    # -- panels talking to each other -------------------------------------------------------------

    @on(CollectionsTree.Narrow)
    def _narrow(self, message: CollectionsTree.Narrow) -> None:
        table = self._table
        if message.endpoint is not None:
            if message.endpoint.key not in table.rows:
                table.show(self.backend.endpoints)
                table.border_title = "Endpoints"
            table.select(message.endpoint.key)
            table.focus()
            return
        if message.folder is None:
            table.show(self.backend.endpoints)
            table.border_title = "Endpoints"
        else:
            table.show(message.folder.all_endpoints())
            table.border_title = Text(f"Endpoints · {safe(message.folder.name)}")

    @on(TrafficView.Selected)
    def _details(self, message: TrafficView.Selected) -> None:
        self.show_details(message.event)

    def show_details(self, event: RequestEvent) -> None:
        view = self._traffic.view
        self.push_screen(DetailScreen(event, tz=self.tz, neighbour=view.neighbour))

    @on(EndpointsTable.Opened)
    def _examples(self, message: EndpointsTable.Opened) -> None:
        self.push_screen(ExamplesScreen(self.backend, message.endpoint))

    @on(TrafficView.ExportRequested)
    def action_export_har(self) -> None:
        """The traffic kept, as a HAR 1.2 file in the working directory."""
        try:
            path = self.backend.export_har(Path.cwd())
        except OSError as exc:
            self._export_failed(exc)
            return
        if inspect.isawaitable(path):  # a remote backend fetches it first (mocktui attach)
            self.run_worker(self._export_later(path), group="export")
            return
        self.notify(safe(f"HAR written to {path}"), title="export", markup=False, timeout=8)

    async def _export_later(self, pending: Awaitable[Path]) -> None:
        try:
            path = await pending
        except OSError as exc:
            self._export_failed(exc)
            return
        self.notify(safe(f"HAR written to {path}"), title="export", markup=False, timeout=8)

    def _export_failed(self, exc: OSError) -> None:
        self.notify(
            safe(f"cannot write the HAR file in {Path.cwd()}: {exc.strerror or exc}"),
            severity="error",
            markup=False,
        )
    @on(TrafficView.SaveRequested)
    def _save_example(self, message: TrafficView.SaveRequested) -> None:
        self.run_worker(save_request(self, self.backend, message.event), group="save")

    @on(TrafficView.CurlRequested)
    def _curl(self, message: TrafficView.CurlRequested) -> None:
        command = curl_command(message.event.to_dict(explanation=False), self.url or "")
        self.copy_to_clipboard(command)  # OSC 52: works over SSH and in tmux (set-clipboard on)
        self.push_screen(
            TextScreen("curl", command, "copied to the clipboard (OSC 52) · escape to close")
        )

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        """The palette's "Screenshot": an SVG in the working directory (Textual's default is
        ~/Downloads, which a server seldom has, and it failed without a reason), and say where."""
        folder = path or str(Path.cwd())
        try:
            written = self.save_screenshot(filename, folder, time_format)
        except OSError as exc:
            self.notify(
                safe(f"cannot write the screenshot in {folder}: {exc.strerror or exc}"),
                title="screenshot",
                severity="error",
                markup=False,
            )
            return None
        self.notify(safe(f"screenshot written to {written}"), title="screenshot", markup=False)
        return written

    def action_save_scenario(self) -> None:
        """``S``: save every control under a name."""
        taken = self.backend.scenarios()

        def done(name: str | None) -> None:
            if name is None:
                return
            self._run_action(lambda: self.backend.actions.save_scenario(name, "keys"))

        self.push_screen(NameDialog("Save scenario", "Save the current controls as:", taken), done)

    def _run_action(self, run: Callable[[], str]) -> None:
        try:
            message = run()
        except ControlError as exc:
            self.bell()
            self.flash(exc.message, error=True)
            return
        self.flash(message)

    def apply_scenario(self, name: str) -> None:
        def run() -> str:
            message, lines = self.backend.actions.apply_scenario(name, "palette")
            for line in lines:
                self.notify(safe(line), severity="warning", markup=False, timeout=8)
            return message

        self._run_action(run)

    # -- problems: mocktui check's findings, in the header and a screen -------------------------

    def check_problems(self) -> None:
        """Run ``mocktui check`` on the collections served (at start and after each reload).
        Small ones inline (the header shows the count in the first frame); large ones in a
        thread, so requests are answered meanwhile (the server shares this loop)."""
        endpoints = self.backend.endpoints

        def timed() -> tuple[list[Finding], float]:
            started = time.perf_counter()
            return self.backend.problems(), time.perf_counter() - started

        if len(endpoints) + self.backend.counts()[1] <= CHECK_INLINE:
            self._problems_found(endpoints, *timed())
            return

        async def in_thread() -> None:
            self._problems_found(endpoints, *await asyncio.to_thread(timed))

        self.run_worker(in_thread(), name="mocktui check", group="problems", exclusive=True)

    def _problems_found(self, endpoints: object, findings: list[Finding], seconds: float) -> None:
        if self.backend.endpoints is not endpoints:  # reloaded meanwhile: its own check follows
            return
        self.check_seconds = seconds
        self.findings = findings
        errors, warnings = tally(findings)
        self._header.set_problems(errors, warnings)
        for screen in self.screen_stack:
            if isinstance(screen, ProblemsScreen):
                screen.show(findings)

    def action_problems(self) -> None:
        """The Problems screen; ``enter`` on a finding selects its endpoint here."""
        if any(isinstance(screen, ProblemsScreen) for screen in self.screen_stack):
            return
        self.push_screen(ProblemsScreen(self.backend, self.findings), self._jump_to_endpoint)

    def jump_to_endpoint(self, key: str) -> None:
        """Select this endpoint in the endpoints table (the palette's endpoints), showing all
        endpoints if a folder or a filter hides it."""
        table = self._table
        if key not in table.rows and table.filter_text:
            table.filter_rows("")
        self._jump_to_endpoint(key)

    def _jump_to_endpoint(self, key: str | None) -> None:
        if key is None:
            return
        table = self._table
        if key not in table.rows:  # narrowed to another folder: show them all
            table.show(self.backend.endpoints)
            table.border_title = "Endpoints"
        if table.select(key):
            table.focus()
        else:
            self.bell()

    # -- app actions ----------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """``q`` or Ctrl+C: stop. When requests were served in the last minute, others may be
        using the mock: ask once (``y``, ``enter``, ``q`` or Ctrl+C again stop it)."""
        if isinstance(self.screen, QuitDialog) or self.backend.remote:
            # Attached to a mocktui elsewhere: quitting stops nothing but this dashboard.
            self.exit(return_code=0)
            return
        if time.monotonic() - self._last_traffic > RECENT_TRAFFIC:
            self.exit(return_code=0)
            return

        def done(stop: bool | None) -> None:
            if stop:
                self.exit(return_code=0)

        self.push_screen(QuitDialog(), done)


    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_server_log(self) -> None:
        self.push_screen(ServerLogScreen(self.log_handler.lines))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # mocktui's commands first; Textual's generic ones (theme, keys, screenshot) after.
        yield from self._mocktui_commands(screen)
        yield from super().get_system_commands(screen)

    def _mocktui_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Help: keys", "Every key of the dashboard", self.action_help)
        yield SystemCommand(
            "Server log",
            "What the server logged while the dashboard was up",
            self.action_server_log,
        )
        if screen is not self.screen_stack[0]:
            return
        errors, warnings = tally(self.findings or [])
        yield SystemCommand(
            "Problems…",
            f"What mocktui check finds: {errors} errors, {warnings} warnings (enter: go to one)"
            if self.findings is not None
            else "What mocktui check finds (still checking)",
            self.action_problems,
        )
        yield SystemCommand(
            "Toggle collections tree",
            "Show or hide the collections panel",
            self.action_toggle_tree,
        )
        endpoints = screen.query_one(EndpointsTable)
        yield SystemCommand(
            f"Endpoints: {'hide' if endpoints.folders else 'show'} folders",
            "The Name column shows each request's folders (Folder / Name)",
            lambda: endpoints.show_folders(not endpoints.folders),
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
        yield SystemCommand(
            "Traffic: export HAR", "Write the traffic as HAR 1.2 (e)", self.action_export_har
        )
        yield SystemCommand(
            "Scenario: save…", "Save every control under a name (S)", self.action_save_scenario
        )
        for scenario in self.backend.scenarios():
            yield SystemCommand(
                f"Scenario: apply {safe_markup(scenario)}",
                "Replace every control with this saved set",
                lambda n=scenario: self.apply_scenario(n),
            )
        actions = self.backend.actions
        yield SystemCommand(
            "Controls: reset",
            "Every endpoint back to auto, enabled, no delay",
            lambda: self._run_action(lambda: actions.reset("palette")),
        )
        table = screen.query_one(EndpointsTable)
        endpoint = table.selected
        if endpoint is None:
            return
        key = endpoint.key
        name = safe_markup(endpoint.name)
        yield SystemCommand(f"{name}: auto", "Answer by normal matching (unpin)", table.action_auto)
        for mode in ("sequential", "random"):
            yield SystemCommand(
                f"{name}: {mode}",
                "Each request gets the next example" if mode == "sequential" else
                "Each request gets an example at random (--seed)",
                lambda m=mode: self._run_action(lambda: actions.set_mode(key, m, "palette")),
            )
        for example in endpoint.examples:
            yield SystemCommand(
                f"{name}: pin #{example.position} {safe_markup(example.name)} ({example.code})",
                "Always answer with this example",
                lambda n=example.position: table.action_pin(n),
            )
        enabled = self.backend.view(key)["enabled"]
        yield SystemCommand(
            f"{name}: {'disable' if enabled else 'enable'}",
            "A disabled endpoint answers 404 like a path with no example",
            table.action_toggle_enabled,
        )
        yield SystemCommand(f"{name}: delay…", "Wait before answering (ms)", table.action_delay)
        yield SystemCommand(f"{name}: examples…", "Pin or disable one (enter)", table.action_open)

    def collections_reloaded(self, ok: bool, message: str, notes: Iterable[str] = ()) -> None:
        """A reload of the collection files: the panels catch up on the next poll."""
        logging.getLogger("mocktui.collection").log(
            logging.INFO if ok else logging.ERROR, "%s", message
        )
        # A broken collection keeps a mark in the header until it loads again (the toast fades).
        self._header.set_broken(None if ok else message)
        if ok:  # errors are notified through the log already
            self.notify(safe(message), title="collections", markup=False, timeout=5)
        for line in notes:  # saved controls re-attached or left over
            self.notify(safe(line), severity="warning", markup=False, timeout=8)

    # -- SIGHUP and friends ---------------------------------------------------------------------

    def hang_up(self) -> None:
        """We were asked to stop (SIGTERM, SIGINT): exit cleanly, restoring the terminal."""
        self.exit(return_code=0)

    def terminal_gone(self) -> None:
        """The terminal went away (SIGHUP: a tmux pane closed, an SSH drop; or the tty stopped
        being one). Nothing can be drawn any more: send what Textual still writes to /dev/null,
        so its writer thread neither fails nor blocks the exit on a full queue (it did: the
        process then kept the port and ignored SIGTERM), then exit as usual."""
        detach_terminal()
        exit_guard(EXIT_GUARD, self.last_words)
        self.exit(return_code=0)


# -- running it ---------------------------------------------------------------------------------


async def _watch_terminal(app: MockTUI, interval: float = 0.2) -> None:
    """Exit when the terminal goes away without a SIGHUP reaching us (e.g. the shell that
    owned it ignored it): a hung-up tty stops being a tty, and Textual's input thread would
    otherwise spin on end-of-file."""
    fds = [fd for fd in (0, 2) if _isatty(fd)]
    while fds:
        await asyncio.sleep(interval)
        if not all(_isatty(fd) for fd in fds):
            app.terminal_gone()
            return


def detach_terminal() -> None:
    """Point stdin, stdout and stderr at /dev/null (the terminal is gone)."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError):
            os.dup2(null, fd)
    os.close(null)


def exit_guard(seconds: float, last_words: Callable[[], None]) -> None:
    """A last resort once the terminal is gone: if the process is still here after
    ``seconds`` (something in the UI's shutdown blocked), save what must be saved and end it
    with status 0, so the port is freed and nothing lingers."""

    def guard() -> None:
        time.sleep(seconds)
        with contextlib.suppress(Exception):
            last_words()
        os._exit(0)

    threading.Thread(target=guard, name="mocktui exit guard", daemon=True).start()


def _isatty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False


async def _dashboard(
    engine: MockEngine,
    sock: socket.socket,
    settings: Settings | None,
    state: StateFile | None = None,
    notes: Iterable[str] = (),
    keymap: Mapping[str, str] | None = None,
    terminal: int | None = None,
) -> int:
    """``terminal``: a file descriptor on the terminal to draw on when stdin, stdout or stderr
    is not one (``tui.terminal``); it is put on all three while the dashboard runs."""
    swap = TerminalSwap(terminal) if terminal is not None else None
    try:
        return await _dashboard_on(engine, sock, settings, state, notes, keymap, swap)
    finally:
        if swap is not None:
            swap.restore()


async def _dashboard_on(
    engine: MockEngine,
    sock: socket.socket,
    settings: Settings | None,
    state: StateFile | None,
    notes: Iterable[str],
    keymap: Mapping[str, str] | None,
    swap: TerminalSwap | None,
) -> int:
    handler = DashboardLog()
    app: MockTUI | None = None

    def report(ok: bool, message: str) -> None:
        if app is not None:
            app.collections_reloaded(ok, message, engine.attach_report if ok else ())

    runtime = Runtime(engine, sock, settings, state=state, logger=log, report=report)
    app = MockTUI(
        LocalBackend(engine, runtime.url, runtime.recorder),
        url=runtime.url,
        settings=settings,
        log_handler=handler,
        notes=notes,
        keymap=keymap,
        on_key=runtime.hold.hold,
    )

    writer: LineWriter | None = None
    printer: asyncio.Task[None] | None = None
    out = None
    if swap is not None and swap.stdout is not None:
        # stdout is a file or a pipe: it gets the headless JSON lines, the terminal the UI.
        out = open(swap.stdout, "w", encoding="utf-8", closefd=True)  # noqa: SIM115 (finally)
        writer = LineWriter(out)
        printer = asyncio.create_task(print_events(engine, writer), name="json lines")

    async def front() -> None:
        watchdog = asyncio.create_task(_watch_terminal(app), name="terminal watchdog")
        # Once the dashboard is up, what Textual built is frozen with the load (server/memory.py):
        # a full collection then walks only what the dashboard makes as it runs.
        asyncio.get_running_loop().call_later(SETTLE_AFTER, memory.settle, False)
        try:
            await app.run_async()
        finally:
            watchdog.cancel()

    def on_signal(sig: int) -> None:
        if sig == signal.SIGHUP:
            app.terminal_gone()
        else:
            app.hang_up()

    app.last_words = lambda: state.close() if state is not None else None

    try:
        with capture_logging(handler):
            await runtime.run(front, on_signal=on_signal)
            if settings is not None:
                for line in runtime.write_outputs(settings.har, settings.coverage).lines:
                    log.info("%s", line)
    finally:
        if printer is not None and writer is not None:
            printer.cancel()  # after the server stopped: its last drain has every request
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            writer.close()
        if out is not None:
            with contextlib.suppress(OSError):
                out.close()
    return app.return_code or 0


def run_dashboard(
    engine: MockEngine,
    sock: socket.socket,
    settings: Settings | None = None,
    state: StateFile | None = None,
    notes: Iterable[str] = (),
    keymap: Mapping[str, str] | None = None,
    terminal: int | None = None,
) -> int:
    """Run the dashboard and the server until the user quits; the exit status (0 on ``q``).
    ``terminal``: see ``_dashboard`` (``tui.terminal.find_terminal()`` finds it)."""
    return asyncio.run(_dashboard(engine, sock, settings, state, notes, keymap, terminal))
