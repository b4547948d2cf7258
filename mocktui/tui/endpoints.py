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
from mocktui.tui.lists import (
    ListFilter,
    Positioned,
    endpoint_matches,
    filter_label,
    filter_words,
)
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style, status_style

COLUMNS = ("method", "path", "answers", "hits", "delay", "state")
LABELS = {
    "method": "Method",
    "path": "Path",
    "answers": "Answers",
    "hits": "Hits",
    "delay": "Delay",
    "state": "On",
}
FIXED = {"method": 6, "hits": 5, "delay": 8, "state": 3}


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
    """Widths for the table's columns at this width (each column also gets 2 cells of padding)."""
    free = width - sum(FIXED.values()) - 2 * len(COLUMNS)
    path = max(12, free // 2)
    answers = max(12, free - path)
    return {**FIXED, "path": path, "answers": answers}


def answers_text(view: dict[str, Any]) -> Text:
    """What an endpoint answers now: its mode, and the pinned example."""
    enabled = view["enabled"]
    mode = view["mode"]
    if mode == "pinned" and view["pinned_number"] is not None:
        example = view["examples"][view["pinned_number"] - 1]
        text = Text(f"#{example['number']} ", style="bold cyan", end="")
        text.append(str(example["code"]), status_style(example["code"]))
        text.append(" " + safe(example["name"]), "bold")
    elif mode in ("sequential", "random"):
        text = Text(mode, style="bold magenta", end="")
    else:
        text = Text("auto", style="dim" if enabled else "dim strike", end="")
    off = sum(1 for ex in view["examples"] if not ex["enabled"])
    if off:
        text.append(f" ({off} off)", "yellow")
    return text


class EndpointsTable(Positioned, DataTable[Text]):
    """Method, path, what it answers now (mode), hits, delay, enabled."""

    BINDINGS = [*keys.ENDPOINTS]

    class Opened(Message):
        """``enter`` on an endpoint: show its examples."""

        def __init__(self, endpoint: Endpoint) -> None:
            super().__init__()
            self.endpoint = endpoint

    def __init__(self, backend: Backend, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.backend = backend
        self.base: list[Endpoint] = list(backend.endpoints)  # all, or a folder's
        self.shown: list[Endpoint] = list(self.base)  # of those, the ones the filter keeps
        self.filter_text = ""
        self._width = 0

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

    def rebuild(self) -> None:
        selected = self.selected
        self._width = self.size.width
        widths = column_widths(max(self._width - 1, 40))
        self.clear(columns=True)
        for name in COLUMNS:
            self.add_column(LABELS[name], width=widths[name], key=name)
        self._widths = widths
        for endpoint in self.shown:
            self.add_row(*self._cells(endpoint), key=endpoint.key)
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

    def _cells(self, endpoint: Endpoint) -> list[Text]:
        w = self._widths
        view = self.backend.view(endpoint.key)
        enabled = view["enabled"]
        dim = "" if enabled else "dim"
        delay = view["delay_ms"]
        return [
            _fit(
                Text(safe(endpoint.method), style=f"bold {method_style(endpoint.method)}"),
                w["method"],
            ),
            _fit_tail(Text(safe(endpoint.display_path), style=dim, end=""), w["path"]),
            _fit(answers_text(view), w["answers"]),
            Text(f"{view['hits']:,}", justify="right", end=""),
            Text(
                f"{delay:,} ms" if delay else "·",
                style="yellow" if delay else "dim",
                justify="right",
                end="",
            ),
            Text("on", style="green", end="") if enabled else Text("off", style="bold red", end=""),
        ]

    def refresh_endpoint(self, endpoint_key: str) -> None:
        """Redraw one endpoint's row (after a control change or new hits)."""
        endpoint = self.backend.endpoint(endpoint_key)
        if endpoint is None or endpoint_key not in self.rows:
            return
        for name, cell in zip(COLUMNS, self._cells(endpoint), strict=True):
            self.update_cell(endpoint_key, name, cell)

    def refresh_hits(self, endpoint_keys: set[str]) -> None:
        for key in endpoint_keys:
            if key in self.rows:
                hits = self.backend.view(key)["hits"]
                self.update_cell(key, "hits", Text(f"{hits:,}", justify="right", end=""))

    # -- actions (keys in mocktui.tui.keys.ENDPOINTS): one-liners over the backend's actions ----

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle", "pin", "auto", "toggle_enabled", "delay", "mode", "open"):
            return self.selected is not None
        return True

    def _act(self, run: Callable[[str], str]) -> None:
        """Run an action on the selected endpoint; a refusal is a bell and a notification."""
        endpoint = self.selected
        if endpoint is None:
            return
        try:
            run(endpoint.key)
        except ControlError as exc:
            self.app.bell()
            self.notify(safe(exc.message), severity="warning", markup=False, timeout=4)
        self.refresh_endpoint(endpoint.key)

    def action_cycle(self) -> None:
        """auto -> example 1 -> example 2 -> ... -> auto."""
        self._act(lambda key: self.backend.actions.cycle(key, "keys"))

    def action_pin(self, number: int) -> None:
        self._act(lambda key: self.backend.actions.pin(key, number, "keys"))

    def action_auto(self) -> None:
        self._act(lambda key: self.backend.actions.auto(key, "keys"))

    def action_mode(self) -> None:
        """auto -> sequential -> random -> auto."""
        self._act(lambda key: self.backend.actions.cycle_mode(key, "keys"))

    def action_toggle_enabled(self) -> None:
        self._act(lambda key: self.backend.actions.toggle_endpoint(key, "keys"))

    def action_open(self) -> None:
        endpoint = self.selected
        if endpoint is not None:
            self.post_message(self.Opened(endpoint))

    def action_delay(self) -> None:
        endpoint = self.selected
        if endpoint is None:
            return
        key = endpoint.key

        def done(value: int | None) -> None:
            if value is not None:
                self._act(lambda k: self.backend.actions.set_delay(k, value, "keys"))

        current = self.backend.view(key)["delay_ms"]
        self.app.push_screen(DelayDialog(safe(endpoint.name), current), done)
