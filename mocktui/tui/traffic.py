"""The traffic panel: requests as they arrive, newest at the bottom.

Bounded and cheap under a flood:

- the app drains the engine's event bus on a timer (~12 Hz; every third tick, ~4 Hz, while
  traffic keeps coming) and hands each batch to ``add()`` in one call, so the screen never
  costs a request anything and a batch is one redraw;
- rows live in a ``deque(maxlen=cap)`` (1,000 by default): the oldest fall off the front in
  O(1), counted as dropped (so are events that left the bus's ring before they were read);
- ``TrafficView`` is a Line API widget: it draws only the lines on screen, whatever the number
  of rows (``DataTable.remove_row`` is far too slow to cap a live log).

The cursor follows the newest row until the user moves up (or scrolls up); ``end`` (or moving
back down to the last row) follows again.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from mocktui.engine.engine import NO_SAVED_EXAMPLE
from mocktui.engine.events import InFlight, RequestEvent
from mocktui.rules import is_digits
from mocktui.tui import keys
from mocktui.tui.lists import position_text
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style, status_style

DEFAULT_CAP = 1_000
PROXIED_STYLE = "bold magenta"  # answers that came from the upstream (--upstream)
HTTP_METHODS = frozenset(
    {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"}
)


# -- filter -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrafficFilter:
    """``GET 4xx users``: words are ANDed; several methods or statuses are ORed among themselves.

    - an HTTP method (any case): ``GET``, ``post``;
    - a status class ``4xx`` or a status ``404``;
    - ``miss`` / ``hit``: requests no example answered / that an example answered;
    - anything else: text the path (with its query), the endpoint's name or the example's
      name must contain, case-insensitive.
    """

    text: str = ""
    methods: frozenset[str] = frozenset()
    classes: frozenset[int] = frozenset()
    statuses: frozenset[int] = frozenset()
    matched: bool | None = None
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> TrafficFilter:
        methods: set[str] = set()
        classes: set[int] = set()
        statuses: set[int] = set()
        matched: bool | None = None
        words: list[str] = []
        for token in text.split():
            upper = token.upper()
            lower = token.lower()
            if upper in HTTP_METHODS:
                methods.add(upper)
            elif len(lower) == 3 and lower[0] in "12345" and lower[1:] == "xx":
                classes.add(int(lower[0]))
            elif len(token) == 3 and is_digits(token) and token[0] in "12345":
                statuses.add(int(token))
            elif lower in ("miss", "misses"):
                matched = False
            elif lower in ("hit", "hits"):
                matched = True
            else:
                words.append(lower)
        return cls(
            " ".join(text.split()),
            frozenset(methods),
            frozenset(classes),
            frozenset(statuses),
            matched,
            tuple(words),
        )

    @property
    def active(self) -> bool:
        return bool(self.text)

    def __call__(self, event: RequestEvent) -> bool:
        if self.methods and event.method.upper() not in self.methods:
            return False
        if (self.classes or self.statuses) and not (
            event.status // 100 in self.classes or event.status in self.statuses
        ):
            return False
        if self.matched is not None and event.matched != self.matched:
            return False
        if self.words:
            target = " ".join(
                (
                    event.path + ("?" + event.query if event.query else ""),
                    event.endpoint_name or "",
                    event.example_name or "",
                )
            ).lower()
            return all(word in target for word in self.words)
        return True


NO_FILTER = TrafficFilter()


# -- one row ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Columns:
    """Cell widths of a traffic line; a space between columns, one cell of left margin."""

    time: int = 8
    method: int = 7
    path: int = 20
    status: int = 3
    example: int = 16
    duration: int = 8

    @classmethod
    def fit(cls, width: int) -> Columns:
        """Widths for this many cells: the path gives way first, then the example; the status
        and Took with its unit always keep their room (80 columns with the tree shown too)."""
        narrow = width < 70
        method, duration = (6, 7) if narrow else (7, 8)
        rest = width - (1 + 8 + method + 3 + duration + 5)
        example = max(8, min(30, rest * 2 // 5 if narrow else width // 4))
        path = max(6, rest - example)
        if path + example > rest:
            example = max(4, rest - path)
        return cls(method=method, duration=duration, example=example, path=path)


def answered_by(event: RequestEvent) -> tuple[str, str]:
    """What answered the request, and its style: an example, "no match", or why not."""
    if event.example_name is not None:
        return safe(event.example_name), ""
    if event.proxied is not None:  # answered by the upstream (or a 502/504 about it)
        if event.upstream_status is None:
            return "upstream failed", "bold red"
        return ("proxied, saved" if event.recorded else "proxied"), PROXIED_STYLE
    if event.explanation is not None and event.explanation.decided_by == "cors preflight":
        return "CORS preflight", "dim"
    if event.miss_reason == NO_SAVED_EXAMPLE:
        return "no saved example", "yellow"
    if event.status == 404:
        return "no match", "bold red"
    return safe(event.miss_reason or "-"), "yellow"


def format_duration(ms: float) -> str:
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.2f} s"


def _cell(text: Text, width: int, justify: str = "left") -> Text:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if justify == "right" and text.cell_len < width:
        text.pad_left(width - text.cell_len)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text


def header_text(cols: Columns) -> Text:
    line = Text(" ", style="bold", end="")
    for label, width, justify in (
        ("Time", cols.time, "left"),
        ("Method", cols.method, "left"),
        ("Path", cols.path, "left"),
        ("St", cols.status, "left"),
        ("Answered by", cols.example, "left"),
        ("Took", cols.duration, "right"),
    ):
        text = Text(label[:width], end="")
        line.append_text(_cell(text, width, justify))
        line.append(" ")
    line.right_crop(1)
    return line


def _lead(
    item: RequestEvent | InFlight, cols: Columns, tz: tzinfo | None, style: str = ""
) -> Text:
    """A row's first cells, the same for an answered request and a pending one: time, method,
    path with its query."""
    line = Text(" ", style=style, end="")
    stamp = datetime.fromtimestamp(item.time, tz).strftime("%H:%M:%S")
    line.append_text(_cell(Text(stamp, style="dim", end=""), cols.time))
    line.append(" ")
    method = safe(item.method)
    line.append_text(_cell(Text(method, style=method_style(method), end=""), cols.method))
    line.append(" ")
    path = Text(safe(item.path), end="")
    if item.query:
        path.append("?" + safe(item.query), "dim")
    line.append_text(_cell(path, cols.path))
    line.append(" ")
    return line


def row_text(event: RequestEvent, cols: Columns, tz: tzinfo | None) -> Text:
    line = _lead(event, cols, tz)
    line.append_text(_cell(Text(str(event.status), status_style(event.status), end=""), 3))
    line.append(" ")
    label, style = answered_by(event)
    line.append_text(_cell(Text(label, style=style, end=""), cols.example))
    line.append(" ")
    line.append_text(
        _cell(Text(format_duration(event.duration_ms), "dim", end=""), cols.duration, "right")
    )
    return line


def pending_text(pending: InFlight, cols: Columns, tz: tzinfo | None) -> Text:
    """A request that arrived and waits out a delay: shown at once, completed when answered."""
    line = _lead(pending, cols, tz, style="italic")
    line.append_text(_cell(Text("…", style="bold yellow", end=""), 3))
    line.append(" ")
    label = "pending · " + safe(pending.example_name or "no match")
    line.append_text(_cell(Text(label, style="yellow", end=""), cols.example))
    line.append(" ")
    wait = Text("⋯" + format_duration(pending.delay_ms), "yellow", end="")  # the delay it waits
    line.append_text(_cell(wait, cols.duration, "right"))
    return line


# -- the view -----------------------------------------------------------------------------------


class TrafficView(ScrollView, can_focus=True):
    """The rows, drawn line by line (only the visible ones), with a cursor."""

    BINDINGS = [*keys.TRAFFIC]
    COMPONENT_CLASSES = {"traffic-view--cursor", "traffic-view--cursor-blurred"}
    DEFAULT_CSS = """
    TrafficView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        & > .traffic-view--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .traffic-view--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
    }
    """

    class Selected(Message):
        """The user asked for the details of this request (enter)."""

        def __init__(self, event: RequestEvent) -> None:
            super().__init__()
            self.event = event

    class Changed(Message):
        """The rows or counts changed (the panel redraws its title)."""

    class FilterRequested(Message):
        """The user pressed ``/``."""

    class ExportRequested(Message):
        """The user pressed ``e``: the traffic as a HAR file."""

    class SaveRequested(Message):
        """``s``: save the request as an example (proxied: its answer; a miss: a new one)."""

        def __init__(self, event: RequestEvent) -> None:
            super().__init__()
            self.event = event

    class CurlRequested(Message):
        """The user pressed ``y`` on a request: show it as curl and copy it."""

        def __init__(self, event: RequestEvent) -> None:
            super().__init__()
            self.event = event

    def __init__(self, cap: int = DEFAULT_CAP, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.cap = cap
        self.tz = tz
        self.rows: deque[RequestEvent] = deque(maxlen=cap)
        self.view: deque[RequestEvent] = self.rows  # the filtered rows (the same deque if none)
        self.filter: TrafficFilter = NO_FILTER
        self.cursor = -1  # index into view; -1 when empty
        self.follow = True
        self.total = 0  # requests seen since start (or the last clear)
        self.dropped = 0  # of those, no longer listed (cap) or never read (ring overflow)
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(512)
        self._cols = Columns.fit(40)
        self.pending: list[InFlight] = []  # requests waiting out a delay, below the rows
        self.unseen = 0  # rows that arrived while following was paused
        self.opener: Callable[[RequestEvent], None] | None = None  # shows a request's details

    # -- data -------------------------------------------------------------------------------------

    def add(self, batch: Iterable[RequestEvent], lost: int = 0) -> None:
        """Append a batch of new events (one redraw, whatever its size)."""
        events = list(batch)
        self.total += len(events) + lost
        self.dropped += lost
        if len(events) > self.cap:  # a flood: only the newest cap can be listed
            self.dropped += len(events) - self.cap
            events = events[-self.cap :]
        if not events and not lost:
            return
        overflow = max(0, len(self.rows) + len(events) - self.cap)
        self.dropped += overflow
        if self.view is self.rows:
            self.rows.extend(events)
            removed = overflow
        else:
            self.rows.extend(events)
            first = self.rows[0].id if self.rows else 0
            removed = 0
            while self.view and self.view[0].id < first:
                self.view.popleft()
                removed += 1
            matching = [e for e in events if self.filter(e)]
            self.view.extend(matching)
            # (a maxlen drop here is impossible: view is a subset of rows)
        if not self.follow and self.cursor >= 0:
            self.unseen += len(events) if self.view is self.rows else len(matching)
        self._rows_moved(removed)
        self.post_message(self.Changed())

    def _rows_moved(self, removed: int) -> None:
        """Keep the cursor on its row (or on the newest one when following)."""
        self._update_size()
        if self.follow or self.cursor < 0:
            self.cursor = len(self.view) - 1
            self.follow = True
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self.cursor = max(0, self.cursor - removed)
            if removed:
                self.scroll_to(y=max(0, self.scroll_y - removed), animate=False, immediate=True)
        self.refresh()

    def set_pending(self, pending: list[InFlight]) -> None:
        """The requests in flight now (drawn below the rows until their event arrives)."""
        if [p.token for p in pending] == [p.token for p in self.pending]:
            return
        self.pending = pending
        self._update_size()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()
        self.post_message(self.Changed())

    def _following(self) -> None:
        """Following again: nothing is unseen any more."""
        if self.unseen:
            self.unseen = 0
        self.post_message(self.Changed())

    def clear(self) -> None:
        self.unseen = 0
        self.rows.clear()
        self.view = deque(maxlen=self.cap) if self.filter.active else self.rows
        self.cursor = -1
        self.follow = True
        self.total = 0
        self.dropped = 0
        self._cache.clear()
        self._update_size()
        self.scroll_home(animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Changed())

    def set_filter(self, text: str) -> None:
        current = self.current
        self.filter = TrafficFilter.parse(text)
        if self.filter.active:
            self.view = deque((e for e in self.rows if self.filter(e)), maxlen=self.cap)
        else:
            self.view = self.rows
        index = self._index_of(current.id) if current is not None else None
        self.follow = index is None or index == len(self.view) - 1
        self.cursor = len(self.view) - 1 if index is None else index
        self._update_size()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        else:
            self._show_cursor()
        self.refresh()
        self.post_message(self.Changed())

    @property
    def current(self) -> RequestEvent | None:
        if 0 <= self.cursor < len(self.view):
            return self.view[self.cursor]
        return None

    def _index_of(self, event_id: int) -> int | None:
        index = bisect.bisect_left(_IdView(self.view), event_id)
        if index < len(self.view) and self.view[index].id == event_id:
            return index
        return None

    def neighbour(self, event: RequestEvent, step: int) -> RequestEvent | None:
        """The request ``step`` rows from ``event`` (for next/previous in the detail view);
        moves the cursor there."""
        index = self._index_of(event.id)
        if index is None:
            return None
        target = index + step
        if not 0 <= target < len(self.view):
            return None
        self._move(target)
        return self.view[target]

    # -- drawing ----------------------------------------------------------------------------------

    def _update_size(self) -> None:
        rows = len(self.view) + len(self.pending)
        self.virtual_size = Size(self.scrollable_content_region.width, rows)

    def on_resize(self, event: events.Resize) -> None:
        self._cols = Columns.fit(self.scrollable_content_region.width)
        self._cache.clear()
        self._update_size()
        if self.follow:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    @property
    def columns(self) -> Columns:
        return self._cols

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self.view):
            waiting = index - len(self.view)
            if 0 <= waiting < len(self.pending):
                text = pending_text(self.pending[waiting], self._cols, self.tz)
                text.style = base
                strip = Strip(text.render(self.app.console), text.cell_len)
                return strip.crop_extend(0, width, base)
            return Strip.blank(width, base)
        event = self.view[index]
        if index == self.cursor:
            component = "traffic-view--cursor" if self.has_focus else "traffic-view--cursor-blurred"
            style = self.get_component_rich_style(component)
            return self._strip(event, width, base + style)
        key = (event.id, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._strip(event, width, base)
            self._cache[key] = strip
        return strip

    def _strip(self, event: RequestEvent, width: int, style: Style) -> Strip:
        text = row_text(event, self._cols, self.tz)
        text.style = style
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.crop_extend(0, width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()  # cached lines carry the old theme's colours

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- moving -----------------------------------------------------------------------------------

    def _move(self, index: int) -> None:
        count = len(self.view)
        if not count:
            return
        self.cursor = max(0, min(count - 1, index))
        was = self.follow
        self.follow = self.cursor == count - 1
        if self.follow and not was:
            self._following()
        self._show_cursor()
        self.refresh()
        self.post_message(self.Changed())  # the position (and paused mark) in the subtitle

    def _show_cursor(self) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.view) - 1)
        if not self.follow:
            self.follow = True
            self._following()
        if self.pending:
            self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.follow:
            self.follow = False  # scrolling up stops following, as moving up does
            self.post_message(self.Changed())

    async def _on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < len(self.view):
            self._move(index)
            if event.chain == 2:
                self.action_details()

    # -- actions ----------------------------------------------------------------------------------

    def action_details(self) -> None:
        event = self.current
        if event is None:
            return
        if self.opener is not None:
            # At once, not through a message: a key typed right after enter (end) then goes
            # to the detail view, not to this list.
            self.opener(event)
        else:
            self.post_message(self.Selected(event))

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_clear(self) -> None:
        self.clear()

    def action_export_har(self) -> None:
        self.post_message(self.ExportRequested())

    def action_save_example(self) -> None:
        event = self.current
        if event is None:
            self.app.bell()
            return
        self.post_message(self.SaveRequested(event))

    def action_copy_curl(self) -> None:
        event = self.current
        if event is None:
            self.app.bell()
            return
        self.post_message(self.CurlRequested(event))


class _IdView:
    """A read-only sequence of the ids of a deque of events (for bisect without copying)."""

    __slots__ = ("rows",)

    def __init__(self, rows: deque[RequestEvent]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> int:
        return self.rows[index].id


class TrafficColumns(Widget):
    """The column titles above the traffic view."""

    DEFAULT_CSS = """
    TrafficColumns { height: 1; padding-right: 1; color: $text-muted; }
    """

    def __init__(self, view: TrafficView, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = view

    def render(self) -> Text:
        return header_text(Columns.fit(self.size.width))


class FilterInput(Input):
    BINDINGS = [*keys.FILTER]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_blur(self, event: events.Blur) -> None:
        # Left without enter (tab, a click elsewhere): the text was not applied, so the input
        # goes too; it stayed on screen and took the focus again later.
        if self.screen.focused is not self:
            self.display = False


class TrafficPanel(Vertical):
    """Border with counts, the column titles, the view and the filter input."""

    # Maximizing the traffic (palette, "Maximize") takes the panel, column titles and all,
    # not the bare list under them.
    ALLOW_MAXIMIZE = True

    def __init__(self, cap: int = DEFAULT_CAP, tz: tzinfo | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = TrafficView(cap=cap, tz=tz, id="traffic")
        self.border_title = "Traffic"

    def compose(self) -> ComposeResult:
        yield TrafficColumns(self.view, id="traffic-columns")
        yield self.view
        yield FilterInput(
            placeholder="filter: GET 4xx users miss · enter applies · empty clears · esc",
            id="traffic-filter",
            compact=True,
        )

    def on_mount(self) -> None:
        self.query_one(FilterInput).display = False
        self._retitle()

    def add(self, events: Iterable[RequestEvent], lost: int = 0) -> None:
        self.view.add(events, lost)

    @on(TrafficView.Changed)
    def _changed(self, event: TrafficView.Changed) -> None:
        event.stop()
        self._retitle()

    def _retitle(self) -> None:
        view = self.view
        parts = [f"{view.total:,} request{'' if view.total == 1 else 's'}"]
        if view.dropped:
            parts.append(f"{view.dropped:,} dropped")
        if view.filter.active:
            parts.append(f"filter {safe(view.filter.text)!s}: {len(view.view):,} shown")
        elif len(view.rows) < view.total:
            parts.append(f"last {len(view.rows):,} shown")
        if view.pending:
            parts.append(f"{len(view.pending):,} pending")
        if view.view:
            parts.append(position_text(view.cursor, len(view.view)))
        subtitle = Text(" · ".join(parts), end="")
        if not view.follow and view.rows:
            # Following is paused (the user moved up): say so, and how many arrived since.
            paused = f"paused · {view.unseen:,} new" if view.unseen else "paused"
            subtitle = Text(end="").append(paused + " (end follows)", "bold yellow")
            subtitle.append(" · ").append_text(Text(" · ".join(parts), end=""))
        self.border_subtitle = subtitle
        self.set_class(view.filter.active, "-filtered")

    @on(TrafficView.FilterRequested)
    def open_filter(self, event: TrafficView.FilterRequested | None = None) -> None:
        if event is not None:
            event.stop()
        field_ = self.query_one(FilterInput)
        field_.value = self.view.filter.text
        field_.display = True
        self.screen.set_focus(field_)  # at once: the keys typed right after / are the filter's

    @on(Input.Submitted, "#traffic-filter")
    def _apply(self, event: Input.Submitted) -> None:
        event.stop()
        self.view.set_filter(event.value)
        self._close_filter()

    @on(FilterInput.Cancelled)
    def _cancel(self, event: FilterInput.Cancelled) -> None:
        event.stop()
        self._close_filter()

    def _close_filter(self) -> None:
        self.query_one(FilterInput).display = False
        self.view.focus()
