"""What every list of the dashboard shares: ``/`` filters it, ``j``/``k``, ``g``/``G`` and
``home``/``end`` move in it, and its panel shows the row position (``523/1,077``).

The filter is one input docked at the bottom of the screen (``ListFilter``), not one per
panel: ``/`` opens it for the focused list, the list narrows as the user types, ``enter`` keeps
the filter, ``escape`` clears it, leaving it (``tab``) keeps what was typed. A list says how to
filter it by ``filter_rows(text)`` and what it is filtered by in ``filter_text``.

The position goes in the panel's border subtitle, set at most once per frame (holding ``j``
moves many rows between two frames), never by redrawing the list.
"""

from __future__ import annotations

from typing import Protocol

from rich.text import Text
from textual import events, on
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from mocktui.postman.model import Endpoint
from mocktui.tui import keys
from mocktui.tui.safe import safe


def words_match(words: list[str], *fields: str) -> bool:
    """Every word (lower case) is in one of the fields (any case)."""
    haystack = " ".join(fields).lower()
    return all(word in haystack for word in words)


def endpoint_matches(endpoint: Endpoint, words: list[str]) -> bool:
    """``/`` in the endpoints and the tree: every word in its method, path, name or folder."""
    return words_match(
        words,
        endpoint.method,
        endpoint.display_path,
        endpoint.name,
        " / ".join(endpoint.folder),
    )


def filter_words(text: str) -> list[str]:
    return text.lower().split()


def position_text(index: int, count: int) -> str:
    if count <= 0:
        return "0/0"
    return f"{min(max(index, 0), count - 1) + 1:,}/{count:,}"


LIVE_ROWS = 400  # lists up to this long are filtered at every key; longer ones on a pause
TYPING_PAUSE = 0.15  # seconds without a key before a long list is filtered


class Filterable(Protocol):
    filter_text: str

    def filter_rows(self, text: str) -> None: ...

    def focus(self, scroll_visible: bool = True) -> object: ...


class Positioned:
    """A mixin for a list widget: its position in ``position_panel()``'s border subtitle."""

    _position_due = False
    position_label = ""  # what the subtitle says before the position (a filter, a count)

    def position_panel(self) -> Widget:
        return self  # type: ignore[return-value]

    def position(self) -> tuple[int, int]:
        raise NotImplementedError

    def show_position(self) -> None:
        """Retitle on the next frame (once, however many moves came before it)."""
        if self._position_due:
            return
        self._position_due = True
        self.call_after_refresh(self._retitle_position)  # type: ignore[attr-defined]

    def _retitle_position(self) -> None:
        self._position_due = False
        index, count = self.position()
        text = position_text(index, count)
        if self.position_label:
            text = f"{self.position_label} · {text}"
        self.position_panel().border_subtitle = Text(text, end="")


class ListFilter(Input):
    """The filter of the focused list, docked under the panels; live, as the user types."""

    BINDINGS = [*keys.LIST_FILTER]

    class Closed(Message):
        """The filter input closed (the list it filtered has the focus again)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            placeholder="filter: words in method, path, name, folder · enter keeps · esc clears",
            compact=True,
            **kwargs,  # type: ignore[arg-type]
        )
        self.target: Filterable | None = None
        self._pending: Timer | None = None

    def on_mount(self) -> None:
        self.display = False

    def open(self, target: Filterable, hint: str | None = None) -> None:
        self.target = target
        if hint:
            self.placeholder = hint
        with self.prevent(Input.Changed):
            self.value = target.filter_text
        self.display = True
        # At once (focus() waits a turn): the keys typed right after / come here, not to the
        # list (where "d" would open the delay dialog).
        self.screen.set_focus(self)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        target = self.target
        if target is None:
            return
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if getattr(target, "filter_size", 0) <= LIVE_ROWS:
            target.filter_rows(event.value)
            return
        # A long list (1,997 endpoints) is rebuilt once the typing pauses, not per key.
        value = event.value
        self._pending = self.set_timer(TYPING_PAUSE, lambda: target.filter_rows(value))

    def _flush(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
            if self.target is not None:
                self.target.filter_rows(self.value)

    @on(Input.Submitted)
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        self._flush()
        self._close(focus=True)

    def action_clear(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        if self.target is not None:
            self.target.filter_rows("")
        self._close(focus=True)

    def on_blur(self, event: events.Blur) -> None:
        if self.screen.focused is not self and self.display:
            self._flush()
            self._close(focus=False)  # tab or a click elsewhere: what was typed stays applied

    def _close(self, focus: bool) -> None:
        target = self.target
        self.display = False
        self.target = None
        if focus and target is not None:
            target.focus()
        self.post_message(self.Closed())


def filter_label(text: str) -> str:
    """``filter users`` for a subtitle (escaped)."""
    return f"filter {safe(text)}" if text.strip() else ""
