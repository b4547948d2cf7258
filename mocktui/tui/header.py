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

    In private mode it says so; the key itself is never shown.
    """

    DEFAULT_CSS = """
    StatusHeader { height: 1; }
    """

    def __init__(
        self, url: str, private: bool, counts: Counts, exposed: bool = False, **kwargs: object
    ) -> None:
        """``exposed``: public and listening beyond this machine (a warning, in red)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.url = url
        self.private = private
        self.exposed = exposed and not private
        self.counts = counts

    def set_counts(self, counts: Counts) -> None:
        if counts != self.counts:
            self.counts = counts
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        c = self.counts
        mode = "private: x-api-key required" if self.private else "public"
        short_mode = "private" if self.private else "public"
        if self.exposed:
            mode, short_mode = "public on the network, no key!", "exposed!"
        long_counts = (
            f"{c.endpoints:,} endpoints · {c.examples:,} examples · "
            f"{c.requests:,} requests · {c.misses:,} misses"
        )
        short_counts = (
            f"{c.endpoints} ep · {c.examples} ex · {c.requests:,} req · {c.misses:,} miss"
        )
        for left_mode, counts in ((mode, long_counts), (short_mode, long_counts)):
            text = self._line(left_mode, counts, width)
            if text is not None:
                return text
        text = self._line(short_mode, short_counts, width)
        if text is None:
            text = self._line("", short_counts, width)
        return text or Text(safe(self.url))

    def _line(self, mode: str, counts: str, width: int) -> Text | None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" mocktui ", "bold reverse")
        text.append(" ")
        text.append(safe(self.url), "bold underline")
        if mode:
            text.append("  ")
            style = "bold yellow" if self.private else "bold white on red" if self.exposed else ""
            text.append(mode, style)
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
