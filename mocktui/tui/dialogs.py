"""Small modal dialogs: an endpoint's delay, a scenario's name, and the server log."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, RichLog, Static

from mocktui.engine.store import ControlError, check_name
from mocktui.rules import MAX_DELAY_MS, parse_delay
from mocktui.tui import keys
from mocktui.tui.safe import safe


class DelayDialog(ModalScreen[int | None]):
    """Ask for a delay in milliseconds (0 to MAX_DELAY_MS); dismisses with the value or None."""

    BINDINGS = [*keys.DIALOG]

    def __init__(self, endpoint_name: str, current: int) -> None:
        super().__init__()
        self.endpoint_name = endpoint_name
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="delay-dialog", classes="dialog") as box:
            box.border_title = "Delay"
            yield Label(Text(f"Delay before {safe(self.endpoint_name)} answers:"))
            yield Input(
                str(self.current),
                placeholder="1500, 1500ms, 1.5s · 0 for none",
                id="delay-input",
            )
            yield Label("", id="delay-error")
            yield Static(
                Text(
                    f"0 to {MAX_DELAY_MS:,} ms (180s) · enter to set · escape to cancel",
                    style="dim",
                )
            )
        yield Footer(compact=True)  # its own keys (the main screen's would show through)

    def on_mount(self) -> None:
        field = self.query_one("#delay-input", Input)
        field.focus()
        field.select_all()

    @on(Input.Changed, "#delay-input")
    def _changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        try:
            if value:
                parse_delay(value)
        except ValueError as exc:
            self._show_error([str(exc)])
        else:
            self._show_error(None)

    @on(Input.Submitted, "#delay-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value:
            self.dismiss(0)
            return
        try:
            delay = parse_delay(value)  # the rule of --delay: 1500, 1500ms, 1.5s
        except ValueError as exc:
            self._show_error([str(exc)])
            self.app.bell()
            return
        self.dismiss(delay)

    def _show_error(self, problems: Iterable[str] | None) -> None:
        label = self.query_one("#delay-error", Label)
        if problems:
            label.update(Text(" ".join(problems), style="bold red"))
        else:
            label.update("")

    def action_cancel(self) -> None:
        self.dismiss(None)


class NameDialog(ModalScreen[str | None]):
    """Ask for a name (a scenario's); dismisses with the name or None."""

    BINDINGS = [*keys.DIALOG]

    def __init__(self, title: str, prompt: str, taken: Iterable[str] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.taken = set(taken)

    def compose(self) -> ComposeResult:
        with Vertical(id="name-dialog", classes="dialog") as box:
            box.border_title = self.title_text
            yield Label(Text(self.prompt))
            yield Input(placeholder="a name, e.g. checkout fails", id="name-input")
            yield Label("", id="name-error")
            yield Static(Text("enter to save · escape to cancel", style="dim"))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    @on(Input.Changed, "#name-input")
    def _changed(self, event: Input.Changed) -> None:
        label = self.query_one("#name-error", Label)
        if event.value.strip() in self.taken:
            label.update(Text("exists: saving replaces it", style="yellow"))
        else:
            label.update("")

    @on(Input.Submitted, "#name-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            name = check_name(event.value)
        except ControlError as exc:
            self.query_one("#name-error", Label).update(Text(exc.message, style="bold red"))
            self.app.bell()
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ServerLogScreen(ModalScreen[None]):
    """What the server and Python logging said while the dashboard was up."""

    BINDINGS = [*keys.DIALOG]

    def __init__(self, lines: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(id="log-dialog", classes="dialog") as box:
            box.border_title = "Server log"
            log = RichLog(id="server-log", wrap=True, markup=False, highlight=False)
            yield log
        yield Footer(compact=True)

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        if not self.lines:
            log.write(Text("Nothing logged.", style="dim"))
        for level, line in self.lines:
            style = {"WARNING": "yellow", "ERROR": "bold red", "CRITICAL": "bold red"}.get(
                level, ""
            )
            log.write(Text(safe(line, multiline=True), style=style))
        log.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen[None]):
    """A block of text to read (and select): the curl command of a request."""

    BINDINGS = [*keys.DIALOG]

    def __init__(self, title: str, text: str, hint: str = "escape to close") -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="text-dialog", classes="dialog") as box:
            box.border_title = self.title_text
            log = RichLog(id="text-body", wrap=True, markup=False, highlight=False)
            yield log
            yield Static(Text(self.hint, style="dim"))
        yield Footer(compact=True)

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        log.write(Text(safe(self.text, multiline=True)))
        log.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class QuitDialog(ModalScreen[bool]):
    """"Stop the mock for everyone using it?": y / enter stop it, n / escape go back."""

    BINDINGS = [*keys.QUIT]

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog", classes="dialog") as box:
            box.border_title = "Quit"
            yield Label(Text("Requests arrived in the last minute."))
            yield Label(Text("Stop the mock for everyone using it? (y/n)", style="bold"))
        yield Footer(compact=True)

    def action_stop(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
