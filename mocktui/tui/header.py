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

    def set_problems(self, errors: int, warnings: int) -> None:
        if (errors, warnings) != self.problems:
            self.problems = (errors, warnings)
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
            f"{c.endpoints:,} endpoints · {c.examples:,} examples · "
            f"{c.requests:,} requests · {c.misses:,} misses"
        )
        short_counts = (
            f"{c.endpoints} ep · {c.examples} ex · {c.requests:,} req · {c.misses:,} miss"
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
            (least, short_counts, Text()),
        ]
        for left_mode, counts, problems in tries:
            text = self._line(left_mode, counts, problems, width)
            if text is not None:
                return text
        return Text(safe(self.url))

    def _problem_texts(self) -> tuple[Text, Text, Text]:
        """The problems' count, long to short (empty when there are none)."""
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
