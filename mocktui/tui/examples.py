"""The examples of one endpoint (``enter`` on an endpoint): code, name, served count, on/off.

``enter`` / ``space`` pins the selected example, ``x`` disables or enables it alone, ``a`` goes
back to auto, ``escape`` closes. Every change is a backend action, as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from mocktui.engine.store import ControlError
from mocktui.postman.model import Endpoint
from mocktui.tui import keys
from mocktui.tui.backend import Backend
from mocktui.tui.flash import FlashLine, control_words, where
from mocktui.tui.lists import ListFilter, Positioned, filter_label, filter_words, words_match
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style, status_style

REFRESH = 0.25  # seconds between two reads of the served counts

COLUMNS = (("number", "#", 3), ("code", "Code", 4), ("name", "Name", None),
           ("saved", "Saved request", None), ("served", "Served", 7), ("state", "On", 4),
           ("answers", "", 8))


class ExamplesTable(Positioned, DataTable[Text]):
    BINDINGS = [*keys.EXAMPLES]

    def __init__(self, backend: Backend, endpoint: Endpoint, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.backend = backend
        self.endpoint = endpoint
        self.filter_text = ""

    def _kept(self, example: dict[str, Any]) -> bool:
        words = filter_words(self.filter_text)
        return not words or words_match(
            words, f"#{example['number']}", str(example["code"]), example["name"]
        )

    def filter_rows(self, text: str) -> None:
        """``/``: the examples with every word in their number, code or name."""
        self.filter_text = text
        self.position_label = filter_label(text)
        self.build()
        self.show_position()

    def position_panel(self) -> Widget:
        return self.parent if isinstance(self.parent, Widget) else self

    def position(self) -> tuple[int, int]:
        return self.cursor_row, self.row_count

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_position()

    def action_filter(self) -> None:
        self.screen.query_one(ListFilter).open(
            self, "filter the examples: words in number, code, name · enter · esc clears"
        )

    def action_first(self) -> None:
        self.action_scroll_top()

    def action_last(self) -> None:
        self.action_scroll_bottom()

    def on_mount(self) -> None:
        self.build()

    def on_resize(self) -> None:
        self.build()

    def build(self) -> None:
        row = self.cursor_row
        self.clear(columns=True)
        fixed = sum(w for _k, _l, w in COLUMNS if w) + 2 * len(COLUMNS)
        free = max(20, self.size.width - fixed - 1)
        flexible = {"name": free - free * 2 // 5, "saved": free * 2 // 5}  # where it answers
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or flexible[key])
        view = self.backend.view(self.endpoint.key)
        for example in view["examples"]:
            if self._kept(example):
                self.add_row(*self._cells(view, example), key=example["id"])
        if self.row_count:
            self.move_cursor(row=min(max(row, 0), self.row_count - 1))

    def _cells(self, view: dict[str, Any], example: dict[str, Any]) -> list[Text]:
        on = example["enabled"]
        pinned = view["mode"] == "pinned" and view["pinned"] == example["id"]
        return [
            Text(str(example["number"]), style="bold cyan" if pinned else "dim", justify="right"),
            Text(str(example["code"]), style=status_style(example["code"])),
            Text(safe(example["name"]), style="" if on else "dim strike", end=""),
            Text(safe(example.get("saved", "")), style="dim", end="", overflow="ellipsis"),
            Text(f"{example['served']:,}", justify="right"),
            Text("on", style="green") if on else Text("off", style="bold red"),
            Text("pinned", style="bold cyan") if pinned else Text(""),
        ]

    def refresh_counts(self) -> None:
        view = self.backend.view(self.endpoint.key)
        for example in view["examples"]:
            if not self._kept(example):
                continue
            if example["id"] not in self.rows:
                self.build()
                return
            for (key, _label, _w), cell in zip(COLUMNS, self._cells(view, example), strict=True):
                self.update_cell(example["id"], key, cell)

    @property
    def selected(self) -> str | None:
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def _act(self, run: Callable[[str], str], action: str = "pin") -> None:
        """Run an action on the selected example; the flash line says what it did."""
        example_id = self.selected
        if example_id is None:
            return
        try:
            message = run(example_id)
        except ControlError as exc:
            self.app.bell()
            self._flash(exc.message, error=True)
            return
        view = self.backend.view(self.endpoint.key)
        if action == "toggle":
            example = next(e for e in view["examples"] if e["id"] == example_id)
            state = "enabled" if example["enabled"] else "disabled"
            message = (
                f"{state} example #{example['number']} {example['code']} {example['name']} "
                f"of {where(self.endpoint)}"
            )
        else:
            message = control_words(view, self.endpoint, action)
        self._flash(message)
        self.refresh_counts()

    def _flash(self, message: str, error: bool = False) -> None:
        flash = getattr(self.app, "flash", None)
        if flash is not None:
            flash(message, error=error)
        else:
            self.notify(safe(message), markup=False, timeout=3)

    def action_pin(self) -> None:
        key = self.endpoint.key
        self._act(lambda ex: self.backend.actions.pin(key, ex, "keys"))

    def action_toggle(self) -> None:
        key = self.endpoint.key
        self._act(lambda ex: self.backend.actions.toggle_example(key, ex, "keys"), "toggle")

    def action_auto(self) -> None:
        key = self.endpoint.key
        self._act(lambda _ex: self.backend.actions.auto(key, "keys"), "auto")

    def action_close(self) -> None:
        self.app.pop_screen()


class ExamplesScreen(Screen[None]):
    """One endpoint's examples, full screen (it fits 80x24 like every screen)."""

    def __init__(self, backend: Backend, endpoint: Endpoint) -> None:
        super().__init__()
        self.backend = backend
        self.endpoint = endpoint

    def compose(self) -> ComposeResult:
        endpoint = self.endpoint
        title = Text(endpoint.method + " ", style=f"bold {method_style(endpoint.method)}")
        title.append(safe(endpoint.display_path))
        title.append(f"  {safe(endpoint.name)}", "dim")
        with Vertical(id="examples-box") as box:
            box.border_title = "Examples"
            yield Static(title, id="examples-title")
            yield ExamplesTable(self.backend, endpoint, id="examples")
            yield Static(
                Text(
                    "enter pin · x disable/enable this example · a auto · esc back", style="dim"
                ),
                id="examples-help",
            )
        yield FlashLine()
        yield ListFilter(id="list-filter")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ExamplesTable).focus()
        self.query_one(ExamplesTable).show_position()
        self.set_interval(REFRESH, self.query_one(ExamplesTable).refresh_counts)
