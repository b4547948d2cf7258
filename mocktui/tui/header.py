"""The one-line header: where to send requests, the mode, and live counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from mocktui.tui.safe import safe


@dataclass(frozen=True, slots=True)
class Counts:
    endpoints: int
    examples: int
    requests: int
    misses: int


class StatusHeader(Widget):
    """``mocktui  http://127.0.0.1:3000  public      8 endpoints · 18 examples · ...``.

    In private mode it says so; the key itself is never shown. When ``mocktui check`` finds
    problems in the collections, their count follows the mode (errors in red, warnings in
    yellow): ``⚠ 2 errors · 6 warnings``, ``⚠ 8 problems`` or ``⚠ 8`` as the width allows.
    """

    DEFAULT_CSS = """
    StatusHeader { height: 1; }
    """

    def __init__(
        self,
        url: str,
        private: bool,
        counts: Counts,
        exposed: bool = False,
        problems: tuple[int, int] = (0, 0),
        delay_ms: int = 0,
        **kwargs: object,
    ) -> None:
        """``exposed``: public and listening beyond this machine (a warning, in red).
        ``problems``: (errors, warnings) of ``mocktui check`` (none shown when both are 0)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.url = url
        self.private = private
        self.exposed = exposed and not private
        self.counts = counts
        self.problems = problems
        self.delay_ms = delay_ms  # --delay: every answer waits this long (shown as "+250 ms")
        self.broken: str | None = None  # a collection file that failed to reload, until it loads
        self.connection: str | None = None  # attached elsewhere and lost: "disconnected ..."
        self.store_away: str | None = None  # why the shared store (--store) is out of reach

    def set_store(self, away: str | None) -> None:
        """The shared store is out of reach (``away`` says why) or back (None)."""
        if away != self.store_away:
            self.store_away = away
            self.refresh()

    def set_counts(self, counts: Counts) -> None:
        if counts != self.counts:
            self.counts = counts
            self.refresh()

    def set_connection(self, connection: str | None) -> None:
        """``None``: connected (or local); else shown right after the URL, whatever the width."""
        if connection != self.connection:
            self.connection = connection
            self.refresh()

    def set_problems(self, errors: int, warnings: int) -> None:
        if (errors, warnings) != self.problems:
            self.problems = (errors, warnings)
            self.refresh()

    def set_broken(self, what: str | None) -> None:
        """Mark a collection that failed to (re)load, until it loads again (None clears)."""
        if what != self.broken:
            self.broken = what
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        c = self.counts
        mode = "private: x-api-key required" if self.private else "public"
        short_mode = "private" if self.private else "public"
        if self.exposed:
            mode, short_mode = "public on the network, no key!", "exposed!"
        if self.store_away:
            mode, short_mode = "store away: serving the local copy", "store away!"
        long_counts = (
            f"{_n(c.endpoints, 'endpoint')} · {_n(c.examples, 'example')} · "
            f"{_n(c.requests, 'request')} · {_n(c.misses, 'miss', 'misses')}"
        )
        short_counts = (
            f"{c.endpoints:,} ep · {c.examples:,} ex · {c.requests:,} req · {c.misses:,} miss"
        )
        long_problems, mid_problems, short_problems = self._problem_texts()
        tries = [
            (mode, long_counts, long_problems),
            (mode, long_counts, mid_problems),
            (short_mode, long_counts, mid_problems),
            (short_mode, short_counts, mid_problems),
        ]
        if not self.private and not self.exposed and not self.store_away:  # says least: first
            tries.append(("", short_counts, mid_problems))
        least = short_mode if self.store_away else ""  # a store away is never left out
        tries += [
            (short_mode, short_counts, short_problems),
            (least, short_counts, short_problems),
            (least, short_counts, self._marks()),
        ]
        if self.connection:  # a lost connection says so before the counts go
            tries.append(("", "", Text()))
        for left_mode, counts, problems in tries:
            text = self._line(left_mode, counts, problems, width)
            if text is not None:
                return text
        if self.connection:
            return Text.assemble((safe(self.connection), "bold white on red"), " ", safe(self.url))
        if self.broken is not None or self.delay_ms:  # never lost, whatever the width
            text = Text(safe(self.url) + "  ", end="")
            text.append_text(self._marks())
            return text
        return Text(safe(self.url))

    def _problem_texts(self) -> tuple[Text, Text, Text]:
        """The problems' count, long to short (empty when there are none), after the marks
        that must stay while they hold: a broken collection, the global delay."""
        long, mid, short = self._problem_counts()
        marks = Text(end="")
        if self.broken is not None:
            marks.append("✗ reload failed", "bold white on red")
        if self.delay_ms:
            if marks:
                marks.append("  ")
            marks.append(f"+{self.delay_ms:,} ms", "bold yellow")
        if not marks:
            return long, mid, short
        out = []
        for counts in (long, mid, short):
            text = marks.copy()
            if counts:
                text.append("  ")
                text.append_text(counts)
            out.append(text)
        short_marks = self._marks()
        if short:
            short_marks.append(" ")
            short_marks.append_text(short)
        return out[0], out[1], short_marks

    def _marks(self) -> Text:
        """The shortest form of the marks that must stay (``✗ +250ms``)."""
        marks = Text(end="")
        if self.broken is not None:
            marks.append("✗", "bold white on red")
        if self.delay_ms:
            if marks:
                marks.append(" ")
            marks.append(f"+{self.delay_ms:,}ms", "bold yellow")
        return marks

    def _problem_counts(self) -> tuple[Text, Text, Text]:
        errors, warnings = self.problems
        total = errors + warnings
        if not total:
            return Text(), Text(), Text()
        style = "bold red" if errors else "bold yellow"
        long = Text("⚠ ", style)
        parts = []
        if errors:
            parts.append((f"{errors:,} error" + ("" if errors == 1 else "s"), "bold red"))
        if warnings:
            parts.append((f"{warnings:,} warning" + ("" if warnings == 1 else "s"), "bold yellow"))
        for i, (part, part_style) in enumerate(parts):
            if i:
                long.append(" · ")
            long.append(part, part_style)
        mid = Text(f"⚠ {total:,} problem" + ("" if total == 1 else "s"), style)
        return long, mid, Text(f"⚠ {total:,}", style)

    def _line(self, mode: str, counts: str, problems: Text, width: int) -> Text | None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" mocktui ", "bold reverse")
        text.append(" ")
        text.append(safe(self.url), "bold underline")
        if self.connection:
            text.append("  ")
            text.append(f" {safe(self.connection)} ", "bold white on red")
        if mode:
            text.append("  ")
            style = (
                "bold white on red"
                if self.exposed or self.store_away
                else "bold yellow"
                if self.private
                else ""
            )
            text.append(mode, style)
        if problems:
            text.append("  ")
            text.append_text(problems)
        used = text.cell_len
        if used + 2 + len(counts) + 1 > width:
            return None
        text.append(" " * (width - used - len(counts) - 1))
        self._append_counts(text, counts)
        text.append(" ")
        return text

    def _append_counts(self, text: Text, counts: str) -> None:
        # Misses stand out once there are any.
        head, sep, tail = counts.rpartition(" · ")
        text.append(head + sep)
        text.append(tail, "bold red" if self.counts.misses else "")


def _n(count: int, word: str, plural: str | None = None) -> str:
    """``1 request``, ``2 requests``, ``1 miss``, ``3 misses``."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"
