"""The flash line: one line of feedback after every control key, as k9s and lazygit show.

``pinned #2 404 User missing on GET /users/{id}``: what the key just did, in words, on the
bottom line in place of the footer's keys, for a few seconds (a refusal in red, with a bell),
as lazygit does. It takes no line from the panels and covers no traffic row.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Footer, Static

from mocktui.postman.model import Endpoint
from mocktui.tui.safe import safe

FLASH_SECONDS = 4.0


class FlashLine(Static):
    """Hidden until ``show()``; hides again after ``FLASH_SECONDS``."""

    DEFAULT_CSS = """
    FlashLine {
        dock: bottom;
        height: 1;
        padding: 0 1;
        display: none;
        text-wrap: nowrap;  /* one line: the end is cut with an ellipsis, never wrapped away */
        text-overflow: ellipsis;
        color: $text;
        background: $boost;
    }
    FlashLine.-error { color: $error; text-style: bold; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.message = ""
        self._timer: Timer | None = None

    def show(self, message: str | Text, error: bool = False) -> None:
        text = message if isinstance(message, Text) else Text(safe(message), end="")
        text.no_wrap = True
        text.overflow = "ellipsis"
        self.message = text.plain
        self.update(text)
        self.set_class(error, "-error")
        self.display = True
        self._footers(False)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(FLASH_SECONDS, self.hide, name="flash")

    def hide(self) -> None:
        self.display = False
        self.message = ""
        self._footers(True)

    def _footers(self, shown: bool) -> None:
        if self.parent is None:
            return
        for footer in self.parent.query_children(Footer):
            footer.display = shown


def where(endpoint: Endpoint) -> str:
    """``GET /users/{id}``: how a flash names an endpoint."""
    return f"{endpoint.method} {endpoint.display_path}"


def control_words(view: dict[str, Any], endpoint: Endpoint, action: str) -> str:
    """What a control key just did to an endpoint, from its view after the change."""
    on = f"on {where(endpoint)}"
    if action == "toggle_enabled":
        if view["enabled"]:
            return f"enabled {where(endpoint)}"
        return f"disabled {where(endpoint)}: it answers 404 until enabled again (x)"
    if action == "delay":
        delay = view["delay_ms"]
        return f"delay {delay:,} ms {on}" if delay else f"no delay {on}"
    mode = view["mode"]
    if mode == "pinned" and view["pinned_number"] is not None:
        example = view["examples"][view["pinned_number"] - 1]
        return f"pinned #{example['number']} {example['code']} {example['name']} {on}"
    if mode in ("sequential", "random"):
        return f"{mode} {on}: each request gets " + (
            "the next example" if mode == "sequential" else "an example at random"
        )
    pick = view.get("auto_pick")
    if pick:
        return f"auto {on} → {pick['code']} {pick['name']}"
    return f"auto {on}"


def no_examples_words(endpoint: Endpoint) -> str:
    """Why a control key does nothing on an endpoint without examples."""
    return (
        f"{where(endpoint)} has no saved example (Postman cannot answer it either): "
        "nothing to pin"
    )
