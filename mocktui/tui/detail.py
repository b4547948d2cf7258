"""The detail view of one request: what came in, what went out, and why.

The match explanation comes first, so a miss shows at once which examples were considered and
the step that dropped each. Bodies: JSON pretty-printed and highlighted, binary summarised,
truncated ones flagged. Every string from the client or the collection goes through ``safe``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from mocktui.engine.engine import NO_SAVED_EXAMPLE
from mocktui.engine.events import Body, RequestEvent
from mocktui.engine.explain import Candidate, Explanation
from mocktui.tui import keys
from mocktui.tui.outside import open_outside
from mocktui.tui.safe import safe, safe_text
from mocktui.tui.styles import method_style, status_style
from mocktui.tui.traffic import PROXIED_STYLE, answered_by, format_duration

MAX_CANDIDATES = 200  # rows of the candidates table; the rest are counted
JSON_PRETTY_LIMIT = 256 * 1024  # characters of pretty JSON to highlight; beyond, plain text
SYNTAX_THEME = "ansi_dark"  # terminal colours: reads in 16-colour terminals too

Neighbour = Callable[[RequestEvent, int], "RequestEvent | None"]


# -- pieces -------------------------------------------------------------------------------------


def _header_value(headers: Sequence[tuple[str, str]], name: str) -> str:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), "")


def headers_table(headers: Sequence[tuple[str, str]]) -> RenderableType:
    if not headers:
        return Text("(no headers)", style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(style="bold", no_wrap=False, max_width=30)
    table.add_column(overflow="fold")
    for key, value in headers:
        table.add_row(safe_text(key), safe_text(value))
    return table


def _looks_binary(data: bytes, truncated: bool) -> bool:
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a character at the truncation point is not binary.
        return not (truncated and exc.start >= len(data) - 3)
    return False


def body_view(body: Body, headers: Sequence[tuple[str, str]]) -> RenderableType:
    """A body for reading: JSON pretty-printed, text as is, binary summarised."""
    content_type = _header_value(headers, "content-type").split(";")[0].strip().lower()
    parts: list[RenderableType] = []
    if body.size == 0:
        return Text("(empty)", style="dim")
    if body.truncated:
        parts.append(
            Text(
                f"truncated: the first {len(body.data):,} of {body.size:,} bytes are kept",
                style="bold yellow",
            )
        )
    if _looks_binary(body.data, body.truncated):
        kind = f", {safe(content_type)}" if content_type else ""
        parts.append(Text(f"binary, {body.size:,} bytes{kind}", style="italic"))
        preview = body.data[:32]
        parts.append(
            Text(
                " ".join(f"{b:02x}" for b in preview) + (" …" if body.size > 32 else ""),
                style="dim",
            )
        )
        return Group(*parts)
    text = body.data.decode("utf-8", "replace")
    pretty = _pretty_json(text) if not body.truncated else None
    if pretty is not None and len(pretty) <= JSON_PRETTY_LIMIT:
        parts.append(
            Syntax(
                safe(pretty, multiline=True),
                "json",
                theme=SYNTAX_THEME,
                word_wrap=True,
                background_color="default",
            )
        )
    else:
        parts.append(Text(safe(text, multiline=True)))
    return Group(*parts)


def _pretty_json(text: str) -> str | None:
    """Pretty JSON for an object or array; None for anything else."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return None


def summary(event: RequestEvent, tz: tzinfo | None) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    request = Text(end="")
    request.append(safe(event.method), f"bold {method_style(event.method)}")
    request.append(" ")
    request.append(safe(event.path))
    if event.query:
        request.append("?" + safe(event.query), "dim")
    table.add_row("Request", request)
    status = Text(str(event.status), style=status_style(event.status), end="")
    label, style = answered_by(event)
    status.append("  ")
    status.append(label, style or "bold")
    table.add_row("Answer", status)
    if event.endpoint_name is not None:
        table.add_row("Endpoint", safe_text(event.endpoint_name))
    if event.proxied is not None:
        upstream = safe_text(event.proxied, PROXIED_STYLE)
        if event.upstream_status is not None:
            upstream.append(f"  {event.upstream_status}", status_style(event.upstream_status))
        if event.upstream_ms is not None:
            upstream.append(f"  in {format_duration(event.upstream_ms)}", "dim")
        table.add_row("Upstream", upstream)
        if event.recorded:
            table.add_row("Saved as", safe_text(event.recorded))
    if not event.matched and event.miss_reason:
        table.add_row("Why", safe_text(event.miss_reason, "bold red"))
    stamp = datetime.fromtimestamp(event.time, tz).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    table.add_row("Time", Text(f"{stamp}   took {format_duration(event.duration_ms)}"))
    if event.client:
        table.add_row("Client", safe_text(event.client))
    return table


def _candidate_line(c: Candidate) -> Text:
    text = Text(end="")
    text.append(safe(c.method), method_style(c.method))
    text.append(" " + safe(c.path) + " → ")
    text.append(str(c.code), status_style(c.code))
    text.append(" " + safe(c.example_name), "bold" if c.kept else "")
    return text


def _dropped_at(dropped: Sequence[Candidate]) -> str:
    """Where the candidates fell, most first: ``4 path: no step ... (10); 2 method (2)``.

    Steps are grouped by their name (the text before the colon); a group whose candidates all
    fell for the same reason shows the reason too.
    """
    groups: dict[str, Counter[str]] = {}
    for c in dropped:
        name = c.step.split(":", 1)[0].split(";", 1)[0]
        groups.setdefault(name, Counter())[c.step] += 1
    parts = []
    for name, reasons in sorted(groups.items(), key=lambda kv: -kv[1].total()):
        label = next(iter(reasons)) if len(reasons) == 1 else name
        parts.append(f"{safe(label)} ({reasons.total()})")
    return "; ".join(parts)


class CandidatesView:
    """The candidates: a table when wide, two lines per candidate when narrow (80 columns)."""

    WIDE = 110

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = candidates

    @staticmethod
    def _parts(c: Candidate) -> tuple[Text, str, Text, Text]:
        mark = Text("✓", style="bold green") if c.kept else Text("✗", style="red")
        score = "-" if c.score is None else f"{c.score:g}"
        step = safe_text(c.step, "" if c.kept else "dim")
        if c.detail:
            step.append(f" ({safe(c.detail)})", "dim")
        return mark, score, _candidate_line(c), step

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= self.WIDE:
            table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
            table.add_column("", width=1, no_wrap=True)
            table.add_column("score", justify="right", no_wrap=True, width=5)
            table.add_column("candidate", overflow="fold")
            table.add_column("kept or dropped by", overflow="fold")
            for c in self.candidates:
                table.add_row(*self._parts(c))
            yield table
            return
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
        table.add_column("", width=1, no_wrap=True)
        table.add_column("score", justify="right", no_wrap=True, width=5)
        table.add_column("candidate · kept or dropped by", overflow="fold")
        for c in self.candidates:
            mark, score, line, step = self._parts(c)
            step.pad_left(2)
            table.add_row(mark, score, Text("\n").join([line, step]))
        yield table


def explanation_view(explanation: Explanation | None, event: RequestEvent) -> RenderableType:
    """Every candidate with its score and the step that kept or dropped it, and the notes."""
    if explanation is None:
        reason = event.miss_reason or "the request was answered before matching"
        return Text(f"No match explanation: {safe(reason)}.", style="dim")
    parts: list[RenderableType] = []
    head = Text("decided by: ")
    head.append(safe(explanation.decided_by), "bold")
    candidates = explanation.candidates
    kept = [c for c in candidates if c.kept]
    dropped = [c for c in candidates if not c.kept]
    head.append(f"   {len(candidates)} candidate{'s' if len(candidates) != 1 else ''}")
    if candidates:
        head.append(f", {len(kept)} kept, {len(dropped)} dropped")
    parts.append(head)
    if not event.matched and dropped:
        # The one line that answers "why did this miss?": where the candidates fell.
        why = Text("dropped at: ", style="bold red")
        why.append(_dropped_at(dropped), "red")
        parts.append(why)
        near = next((c for c in dropped if c.score is None and c.detail), None)
        if near is not None:  # the nearest example, and which segment differs (issue 10, #5)
            line = Text("nearest: ", style="bold")
            line.append_text(_candidate_line(near))
            line.append(" · " + safe(near.detail), "yellow")
            parts.append(line)
    if not candidates and event.miss_reason != NO_SAVED_EXAMPLE:  # that one says why itself
        parts.append(Text("No example has this method and path shape.", style="dim"))
    for note in explanation.notes:
        parts.append(Text("• " + safe(note), style="italic"))
    if candidates:
        ordered = [*kept, *dropped]
        parts.append(CandidatesView(ordered[:MAX_CANDIDATES]))
        if len(ordered) > MAX_CANDIDATES:
            parts.append(Text(f"… {len(ordered) - MAX_CANDIDATES:,} more", style="dim"))
    return Group(*parts)


# -- the screen ---------------------------------------------------------------------------------


class Section(Static):
    """A titled block of the detail view."""

    def __init__(self, title: str, body: RenderableType, **kwargs: object) -> None:
        super().__init__(body, **kwargs)  # type: ignore[arg-type]
        self.border_title = f" {title} "
        self.body = body


class DetailBody(VerticalScroll):
    """The scrolling body of the detail view. ``end`` sticks to the end: the sections of a long
    body can still be laid out (or re-wrapped) when the key arrives, so the end moves on after
    it (it used to stop halfway); any other move lets go."""

    stuck_at_end = False

    def action_scroll_end(self) -> None:
        self.stuck_at_end = True
        self.scroll_end(animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self.stuck_at_end:
            self.scroll_end(animate=False, immediate=True)

    def _let_go(self) -> None:
        self.stuck_at_end = False

    def action_scroll_home(self) -> None:
        self._let_go()
        super().action_scroll_home()

    def action_scroll_up(self) -> None:
        self._let_go()
        super().action_scroll_up()

    def action_scroll_down(self) -> None:
        self._let_go()
        super().action_scroll_down()

    def action_page_up(self) -> None:
        self._let_go()
        super().action_page_up()

    def action_page_down(self) -> None:
        self._let_go()
        super().action_page_down()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._let_go()


class DetailSearch(Input):
    """``/`` in the detail view: enter finds the next line with the text, escape closes."""

    BINDINGS = [*keys.DETAIL_SEARCH]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder="search the details", compact=True, **kwargs)  # type: ignore[arg-type]

    @on(Input.Submitted)
    def _find(self, event: Input.Submitted) -> None:
        event.stop()
        screen = self.screen
        if isinstance(screen, DetailScreen):
            screen.search(event.value)

    def action_close(self) -> None:
        screen = self.screen
        if isinstance(screen, DetailScreen):
            screen.close_search()


class DetailScreen(Screen[None]):
    """Escape closes; n / p show the next / previous request of the traffic list."""

    BINDINGS = [*keys.DETAIL]

    def __init__(
        self,
        event: RequestEvent,
        tz: tzinfo | None = None,
        neighbour: Neighbour | None = None,
    ) -> None:
        super().__init__()
        self.event = event
        self.tz = tz
        self.neighbour = neighbour

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="detail-title")
        with DetailBody(id="detail-body"):
            yield from self._sections()
        yield Static("", id="detail-search-status")
        yield DetailSearch(id="detail-search")
        yield Footer(compact=True)

    def _title(self) -> Text:
        e = self.event
        text = Text(" ", end="")
        text.append(safe(e.method), f"bold {method_style(e.method)}")
        text.append(" " + safe(e.path))
        if e.query:  # the query string is part of what was asked
            text.append("?" + safe(e.query), "dim")
        text.append("  ")
        text.append(str(e.status), f"bold {status_style(e.status)}")
        label, style = answered_by(e)
        text.append("  " + label, style or "bold")
        text.truncate(max(20, self.app.size.width), overflow="ellipsis")
        return text

    def _sections(self) -> list[Section]:
        e = self.event
        return [
            Section("Request", summary(e, self.tz), id="detail-summary"),
            Section("Match", explanation_view(e.explanation, e), id="detail-match"),
            Section("Request headers", headers_table(e.request_headers), id="detail-req-headers"),
            Section(
                "Request body", body_view(e.request_body, e.request_headers), id="detail-req-body"
            ),
            Section(
                "Response headers", headers_table(e.response_headers), id="detail-resp-headers"
            ),
            Section(
                "Response body",
                body_view(e.response_body, e.response_headers),
                id="detail-resp-body",
            ),
        ]

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.query_one(DetailSearch).display = False
        self.query_one("#detail-search-status").display = False

    # -- / searches the detail view -----------------------------------------------------------

    def action_search(self) -> None:
        field = self.query_one(DetailSearch)
        field.display = True
        self.query_one("#detail-search-status").display = True
        self._say("type, then enter: the next line with it · esc closes")
        self.set_focus(field)  # at once: the keys typed right after / are the search's

    def _say(self, text: str) -> None:
        self.query_one("#detail-search-status", Static).update(Text(text, style="dim"))

    def matches(self, needle: str) -> list[int]:
        """The lines (y in the scrolling body) that hold ``needle``, any case, as drawn."""
        needle = needle.lower()
        console = self.app.console
        found: list[int] = []
        for section in self.query(Section):
            width = max(1, section.content_region.width)
            options = console.options.update_width(width)
            top = section.virtual_region.y + section.styles.gutter.top
            for n, line in enumerate(console.render_lines(section.body, options, pad=False)):
                if needle in "".join(segment.text for segment in line).lower():
                    found.append(top + n)
        return found

    def search(self, needle: str) -> None:
        """Scroll to the next line below the top of the view that holds ``needle``."""
        body = self.query_one(DetailBody)
        if not needle.strip():
            self._say("type something to search for · esc closes")
            return
        found = self.matches(needle)
        if not found:
            self.app.bell()
            self._say(f"not found: {safe(needle)} · esc closes")
            return
        current = round(body.scroll_y)
        later = [y for y in found if y > current]
        target = later[0] if later else found[0]  # past the last one: from the top again
        body.stuck_at_end = False
        body.scroll_to(y=target, animate=False)
        number = found.index(target) + 1
        wrapped = "" if later else " (from the top)"
        self._say(f"{safe(needle)}: line {number} of {len(found)}{wrapped} · enter next · esc")

    def close_search(self) -> None:
        self.query_one(DetailSearch).display = False
        self.query_one("#detail-search-status").display = False
        self.query_one(DetailBody).focus()

    async def show(self, event: RequestEvent) -> None:
        self.event = event
        self.query_one("#detail-title", Static).update(self._title())
        body = self.query_one("#detail-body", DetailBody)
        body.stuck_at_end = False
        await body.remove_children()
        await body.mount_all(self._sections())
        body.scroll_home(animate=False)

    async def _step(self, step: int) -> None:
        if self.neighbour is None:
            return
        event = self.neighbour(self.event, step)
        if event is None:
            self.app.bell()
            return
        await self.show(event)

    def action_close(self) -> None:
        self.dismiss(None)

    async def action_page(self, which: str) -> None:
        """``v`` / ``V``: the response / request body, as kept, in ``$PAGER`` (``less``)."""
        await self._outside("pager", which)

    async def action_edit(self, which: str) -> None:
        """``o`` / ``O``: the response / request body, as kept, in ``$EDITOR`` (a copy)."""
        await self._outside("editor", which)

    async def _outside(self, kind: str, which: str) -> None:
        e = self.event
        if which == "request":
            body, headers = e.request_body, e.request_headers
        else:
            body, headers = e.response_body, e.response_headers
        if body.size == 0:
            self.app.bell()
            self.notify(f"the {which} body is empty", severity="warning", timeout=3)
            return
        name = f"mocktui-{e.id}-{which}-body"
        problem = await open_outside(self.app, kind, body, headers, name)
        if problem is not None:
            self.app.bell()
            self.notify(safe(problem), severity="error", markup=False, timeout=6)
        elif body.truncated:
            self.notify(
                f"only the first {len(body.data):,} of {body.size:,} bytes were kept: "
                "--body-limit keeps more",
                severity="warning",
                timeout=6,
            )

    def action_scroll_end(self) -> None:
        """``end`` before the body has focus (typed right after ``enter``): the same."""
        self.query_one(DetailBody).action_scroll_end()

    async def action_next(self) -> None:
        await self._step(1)

    async def action_previous(self) -> None:
        await self._step(-1)
