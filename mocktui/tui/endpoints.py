"""The endpoints panel: one row per endpoint, and the keys that change what it answers.

Every change is an action of the backend (the same vocabulary the palette and the control API
use), so it takes effect for the very next request; the row is redrawn at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.message import Message
from textual.widgets import DataTable

from mocktui.engine.store import ControlError
from mocktui.postman.model import Endpoint
from mocktui.tui import keys
from mocktui.tui.backend import Backend
from mocktui.tui.dialogs import DelayDialog
from mocktui.tui.flash import control_words, no_examples_words
from mocktui.tui.lists import (
    ListFilter,
    Positioned,
    endpoint_matches,
    filter_label,
    filter_words,
)
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style, status_style

COLUMNS = ("method", "path", "name", "answers", "hits", "delay", "state")
LABELS = {
    "method": "Method",
    "path": "Path",
    "name": "Name",
    "answers": "Answers",
    "hits": "Hits",
    "delay": "Delay",
    "state": "On",
}
# Every cell starts with one space (the table has no cell padding): these widths include it.
WIDE_FIXED = {"method": 7, "hits": 6, "delay": 9, "state": 4}
NARROW_FIXED = {"method": 7, "hits": 5, "delay": 7, "state": 4}
COMPACT = 80  # table widths below this get the narrow fixed columns
NAMES_FROM = 46  # cells left for path, name and answers from which the Name column shows
MIN_ANSWERS = 16


def _fit(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis")
    return text


def _fit_tail(text: Text, width: int) -> Text:
    """Cut from the left: paths share their prefix, their end tells endpoints apart."""
    if text.cell_len <= width:
        return text
    tail = text[len(text) - (width - 1) :]
    return Text("…", style=text.style, end="") + tail


def column_widths(width: int) -> dict[str, int]:
    """Widths of the columns shown at this table width (each includes its leading space).

    Every column that carries state (Answers, Delay, On) keeps its room at any width; the path
    is shortened first, and the Name column only shows when there is room for it (issue 10).
    """
    fixed = WIDE_FIXED if width >= COMPACT else NARROW_FIXED
    free = max(width - sum(fixed.values()), 8 + MIN_ANSWERS)
    if free >= NAMES_FROM:
        answers = max(MIN_ANSWERS + 1, free * 40 // 100)
        name = max(10, free * 24 // 100)
        return {**fixed, "path": free - answers - name, "name": name, "answers": answers}
    answers = max(MIN_ANSWERS + 1, free * 55 // 100)
    return {**fixed, "path": free - answers, "answers": answers}


def path_text(view: dict[str, Any], width: int = 0) -> Text:
    """The endpoint's path, and the path its examples were saved at when it differs:
    ``/v1/orders/view → …/view/1``; cut from the left to ``width`` cells (0: not cut), on the
    strings (cheap: it runs for every row of thousands)."""
    own = view["path"]
    parts = [(safe(own), "")]
    other = view.get("example_path")
    if other:
        mine, theirs = own.strip("/").split("/"), other.strip("/").split("/")
        same = 0
        while same < min(len(mine), len(theirs)) and mine[same] == theirs[same]:
            same += 1
        tail = "/".join(theirs[max(0, same - 1) :])
        parts += [(" → ", "dim"), (safe(f"…/{tail}" if same else other), "cyan")]
    excess = sum(len(p) for p, _ in parts) - width
    text = Text(end="")
    if width and excess > 0:
        excess += 1  # room for the ellipsis
        text.append("…")
        for i, (part, style) in enumerate(parts):
            cut = min(excess, len(part))
            parts[i] = (part[cut:], style)
            excess -= cut
    for part, style in parts:
        if part:
            text.append(part, style)
    return text


def answers_text(view: dict[str, Any]) -> Text:
    """What an endpoint answers now: its mode, the pinned example, or what auto picks."""
    enabled = view["enabled"]
    mode = view["mode"]
    if not view["examples"]:
        return Text("no examples", style="dim italic", end="")
    if mode == "pinned" and view["pinned_number"] is not None:
        example = view["examples"][view["pinned_number"] - 1]
        text = Text(f"#{example['number']} ", style="bold cyan", end="")
        text.append(str(example["code"]), status_style(example["code"]))
        text.append(" " + safe(example["name"]), "bold")
    elif mode in ("sequential", "random"):
        text = Text(mode, style="bold magenta", end="")
    else:
        text = Text("auto", style="dim" if enabled else "dim strike", end="")
        pick = view.get("auto_pick")
        if enabled and pick:
            text.append(" → ", "dim")
            if pick.get("endpoint") not in (None, view["key"]):
                text.append("(other) ", "yellow")
            text.append(str(pick["code"]), status_style(pick["code"]))
            text.append(" " + safe(pick["name"]))
    off = sum(1 for ex in view["examples"] if not ex["enabled"])
    if off:
        text.append(f" ({off} off)", "yellow")
    return text


def delay_text(delay: int, compact: bool) -> Text:
    if not delay:
        return Text("·", style="dim", justify="right", end="")
    if compact and delay >= 1000:
        words = f"{delay / 1000:.3g}s" if delay < 100_000 else f"{delay // 1000}s"
    elif compact:
        words = f"{delay}ms"
    else:
        words = f"{delay:,} ms"
    return Text(words, style="yellow", justify="right", end="")


def _spaced(text: Text, width: int, tail: bool = False) -> Text:
    """A cell: one space, then the text cut to the rest of the width."""
    inner = width - 1
    length = text.cell_len
    if length > inner:
        text = _fit_tail(text, inner) if tail else _fit(text, inner)
    elif text.justify == "right" and length < inner:
        text.pad_left(inner - length)
    text.pad_left(1)  # in place: this runs for every cell of thousands of rows
    return text


NEEDS_EXAMPLES = frozenset({"pin", "cycle", "mode", "auto"})


class EndpointsTable(Positioned, DataTable[Text]):
    """Method, path, name, what it answers now (mode), hits, delay, enabled."""

    BINDINGS = [*keys.ENDPOINTS]

    class Opened(Message):
        """``enter`` on an endpoint: show its examples."""

        def __init__(self, endpoint: Endpoint) -> None:
            super().__init__()
            self.endpoint = endpoint

    def __init__(self, backend: Backend, **kwargs: object) -> None:
        super().__init__(
            cursor_type="row", zebra_stripes=False, cell_padding=0, **kwargs  # type: ignore[arg-type]
        )
        self.backend = backend
        self.base: list[Endpoint] = list(backend.endpoints)  # all, or a folder's
        self.shown: list[Endpoint] = list(self.base)  # of those, the ones the filter keeps
        self.filter_text = ""
        self.folders = False  # the Name column shows "Folder / Name" (palette: show folders)
        self._width = 0
        self._widths: dict[str, int] = {}

    # -- building -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.rebuild()
        self.show_position()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.rebuild()

    def show(self, endpoints: Sequence[Endpoint]) -> None:
        """Show only these endpoints (a folder), keeping the cursor on the same one if possible."""
        self.base = list(endpoints)
        self._apply_filter()

    def filter_rows(self, text: str) -> None:
        """``/``: keep the endpoints whose method, path, name or folder has every word."""
        self.filter_text = text
        self._apply_filter()

    def _apply_filter(self) -> None:
        words = filter_words(self.filter_text)
        self.shown = [e for e in self.base if endpoint_matches(e, words)] if words else self.base
        self.position_label = filter_label(self.filter_text)
        self.rebuild()
        self.show_position()

    def position(self) -> tuple[int, int]:
        return self.cursor_row, self.row_count

    @property
    def filter_size(self) -> int:
        return len(self.base)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_position()

    def action_filter(self) -> None:
        self.screen.query_one(ListFilter).open(self)

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()

    def show_folders(self, on: bool) -> None:
        self.folders = on
        self.rebuild()

    @property
    def columns_shown(self) -> tuple[str, ...]:
        return tuple(name for name in COLUMNS if name in self._widths)

    def rebuild(self) -> None:
        selected = self.selected
        self._width = self.size.width
        widths = column_widths(max(self._width - 1, 40))
        self.clear(columns=True)
        self._widths = widths
        for name in self.columns_shown:
            label = Text(" " + LABELS[name], end="")
            if name in ("hits", "delay"):
                label = Text(LABELS[name].rjust(widths[name]), end="")
            self.add_column(label, width=widths[name], key=name)
        for endpoint in self.shown:
            self.add_row(*self._cells(endpoint).values(), key=endpoint.key)
        if selected is not None:
            self.select(selected.key)

    def select(self, endpoint_key: str) -> bool:
        if endpoint_key not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(endpoint_key))
        return True

    @property
    def selected(self) -> Endpoint | None:
        if not self.shown or not 0 <= self.cursor_row < len(self.shown):
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self.backend.endpoint(key or "")

    def _cells(self, endpoint: Endpoint) -> dict[str, Text]:
        w = self._widths
        view = self.backend.view(endpoint.key)
        enabled = view["enabled"]
        dim = "" if enabled else "dim"
        cells = {
            "method": _spaced(
                Text(safe(endpoint.method), style=f"bold {method_style(endpoint.method)}"),
                w["method"],
            ),
            "path": _spaced(path_text(view, w["path"] - 1), w["path"]),
        }
        cells["path"].stylize(dim)
        if "name" in w:
            name = Text(end="")
            if self.folders and endpoint.folder:
                name.append(safe(" / ".join(endpoint.folder)) + " / ", "dim")
            name.append(safe(endpoint.name), "" if enabled else "dim")
            cells["name"] = _spaced(name, w["name"])
        cells["answers"] = _spaced(answers_text(view), w["answers"])
        cells["hits"] = self._hits(view["hits"])
        cells["delay"] = _spaced(delay_text(view["delay_ms"], w["delay"] < 9), w["delay"])
        state = Text("on", style="green", end="") if enabled else Text("off", "bold red", end="")
        cells["state"] = _spaced(state, w["state"])
        return cells

    def _hits(self, hits: int) -> Text:
        return _spaced(Text(f"{hits:,}", justify="right", end=""), self._widths["hits"])

    def refresh_endpoint(self, endpoint_key: str) -> None:
        """Redraw one endpoint's row (after a control change or new hits)."""
        endpoint = self.backend.endpoint(endpoint_key)
        if endpoint is None or endpoint_key not in self.rows:
            return
        for name, cell in self._cells(endpoint).items():
            self.update_cell(endpoint_key, name, cell)

    def refresh_hits(self, endpoint_keys: set[str]) -> None:
        for key in endpoint_keys:
            if key in self.rows:
                self.update_cell(key, "hits", self._hits(self.backend.view(key)["hits"]))

    # -- actions (keys in mocktui.tui.keys.ENDPOINTS): one-liners over the backend's actions ----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle", "pin", "auto", "toggle_enabled", "delay", "mode", "open"):
            return self.selected is not None
        return True

    def _act(self, run: Callable[[str], str], action: str = "pin") -> None:
        """Run an action on the selected endpoint and say what it did in the flash line; a
        refusal is a bell and the reason, in red."""
        endpoint = self.selected
        if endpoint is None:
            return
        if action in NEEDS_EXAMPLES and not endpoint.examples:
            self.app.bell()
            self._flash(no_examples_words(endpoint), error=True)
            return
        try:
            run(endpoint.key)
        except ControlError as exc:
            self.app.bell()
            self._flash(exc.message, error=True)
        else:
            self._flash(control_words(self.backend.view(endpoint.key), endpoint, action))
        self.refresh_endpoint(endpoint.key)

    def _flash(self, message: str, error: bool = False) -> None:
        flash = getattr(self.app, "flash", None)
        if flash is not None:
            flash(message, error=error)
        else:
            self.notify(safe(message), severity="warning" if error else "information",
                        markup=False, timeout=4)

    def action_cycle(self) -> None:
        """auto -> example 1 -> example 2 -> ... -> auto."""
        self._act(lambda key: self.backend.actions.cycle(key, "keys"), "cycle")

    def action_pin(self, number: int) -> None:
        self._act(lambda key: self.backend.actions.pin(key, number, "keys"))

    def action_auto(self) -> None:
        self._act(lambda key: self.backend.actions.auto(key, "keys"), "auto")

    def action_mode(self) -> None:
        """auto -> sequential -> random -> auto."""
        self._act(lambda key: self.backend.actions.cycle_mode(key, "keys"), "mode")

    def action_toggle_enabled(self) -> None:
        self._act(lambda key: self.backend.actions.toggle_endpoint(key, "keys"), "toggle_enabled")

    def action_open(self) -> None:
        endpoint = self.selected
        if endpoint is not None:
            if not endpoint.examples:
                self.app.bell()
                self._flash(no_examples_words(endpoint), error=True)
                return
            self.post_message(self.Opened(endpoint))

    def action_delay(self) -> None:
        endpoint = self.selected
        if endpoint is None:
            return
        key = endpoint.key

        def done(value: int | None) -> None:
            if value is not None:
                self._act(lambda k: self.backend.actions.set_delay(k, value, "keys"), "delay")

        current = self.backend.view(key)["delay_ms"]
        self.app.push_screen(DelayDialog(safe(endpoint.name), current), done)
