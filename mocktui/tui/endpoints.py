"""The endpoints panel: one row per endpoint, and the keys that change what it answers.

Every change goes through ``engine.controls`` (the same object the control API uses), so it
takes effect for the very next request; the row is redrawn at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from mocktui.engine.engine import MockEngine
from mocktui.postman.model import Endpoint
from mocktui.tui import keys
from mocktui.tui.dialogs import DelayDialog
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


class EndpointsTable(DataTable[Text]):
    """Method, path, what it answers now, hits, delay, enabled."""

    BINDINGS = [*keys.ENDPOINTS]

    def __init__(self, engine: MockEngine, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.engine = engine
        self.shown: list[Endpoint] = list(engine.endpoints)
        self._width = 0

    # -- building -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.rebuild()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.rebuild()

    def show(self, endpoints: Sequence[Endpoint]) -> None:
        """Show only these endpoints (a folder), keeping the cursor on the same one if possible."""
        self.shown = list(endpoints)
        self.rebuild()

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
        return self.engine.endpoint_by_key.get(key or "")

    def _cells(self, endpoint: Endpoint) -> list[Text]:
        w = self._widths
        engine = self.engine
        enabled = engine.controls.endpoint_enabled(endpoint.key)
        dim = "" if enabled else "dim"
        pinned = engine.answering(endpoint.key)
        if pinned is None:
            answers = Text("auto", style="dim" if enabled else "dim strike", end="")
        else:
            answers = Text(f"#{pinned.position} ", style="bold cyan", end="")
            answers.append(str(pinned.code), status_style(pinned.code))
            answers.append(" " + safe(pinned.name), "bold")
        delay = engine.controls.delays.get(endpoint.key, 0)
        hits = engine.hits.get(endpoint.key, 0)
        return [
            _fit(
                Text(safe(endpoint.method), style=f"bold {method_style(endpoint.method)}"),
                w["method"],
            ),
            _fit_tail(Text(safe(endpoint.display_path), style=dim, end=""), w["path"]),
            _fit(answers, w["answers"]),
            Text(f"{hits:,}", justify="right", end=""),
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
        endpoint = self.engine.endpoint_by_key.get(endpoint_key)
        if endpoint is None or endpoint_key not in self.rows:
            return
        for name, cell in zip(COLUMNS, self._cells(endpoint), strict=True):
            self.update_cell(endpoint_key, name, cell)

    def refresh_hits(self, endpoint_keys: set[str]) -> None:
        for key in endpoint_keys:
            if key in self.rows:
                hits = self.engine.hits.get(key, 0)
                self.update_cell(key, "hits", Text(f"{hits:,}", justify="right", end=""))

    # -- actions (keys in mocktui.tui.keys.ENDPOINTS) ---------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cycle", "pin", "auto", "toggle_enabled", "delay"):
            return self.selected is not None
        return True

    def action_cycle(self) -> None:
        """auto -> example 1 -> example 2 -> ... -> auto."""
        endpoint = self.selected
        if endpoint is None or not endpoint.examples:
            return
        pinned = self.engine.answering(endpoint.key)
        if pinned is None:
            target = endpoint.examples[0].id
        else:
            index = endpoint.examples.index(pinned) + 1
            target = endpoint.examples[index].id if index < len(endpoint.examples) else None
        self.engine.controls.pin(endpoint.key, target)
        self.refresh_endpoint(endpoint.key)

    def action_pin(self, number: int) -> None:
        endpoint = self.selected
        if endpoint is None:
            return
        if not 1 <= number <= len(endpoint.examples):
            count = len(endpoint.examples)
            self.app.bell()
            self.notify(
                f"{safe(endpoint.name)} has {count} example{'s' if count != 1 else ''}",
                severity="warning",
                markup=False,
                timeout=3,
            )
            return
        self.engine.controls.pin(endpoint.key, endpoint.examples[number - 1].id)
        self.refresh_endpoint(endpoint.key)

    def action_auto(self) -> None:
        endpoint = self.selected
        if endpoint is not None:
            self.engine.controls.pin(endpoint.key, None)
            self.refresh_endpoint(endpoint.key)

    def action_toggle_enabled(self) -> None:
        endpoint = self.selected
        if endpoint is not None:
            enabled = self.engine.controls.endpoint_enabled(endpoint.key)
            self.engine.controls.set_endpoint_enabled(endpoint.key, not enabled)
            self.refresh_endpoint(endpoint.key)

    def action_delay(self) -> None:
        endpoint = self.selected
        if endpoint is None:
            return
        key = endpoint.key

        def done(value: int | None) -> None:
            if value is not None:
                self.engine.controls.set_delay(key, value)
                self.refresh_endpoint(key)

        current = self.engine.controls.delays.get(key, 0)
        self.app.push_screen(DelayDialog(safe(endpoint.name), current), done)
