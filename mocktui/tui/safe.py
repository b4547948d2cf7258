"""Hostile text made safe to show.

Paths, headers, bodies and example names come from clients and collections. Before any of it
reaches the screen it goes through ``safe()``:

- control characters become visible stand-ins (``ESC`` -> ``␛``, ``NUL`` -> ``␀``, C1 controls
  and invisible/bidirectional formatting characters -> ``\\x9b`` / ``\\u202e``), so an
  ``ESC[2J`` in a path cannot clear the user's screen and a right-to-left override cannot
  reorder what the user reads;
- ``safe_text()`` wraps the result in a ``rich.text.Text``, which is never parsed as markup, so
  ``[red]`` shows literally.

Wrapping in ``Text`` alone is not enough: Rich passes ESC through to the terminal.
"""

from __future__ import annotations

from rich.style import StyleType
from rich.text import Text
from textual.markup import escape as escape_markup

from mocktui.rules import UNSAFE_RANGES, escaped

# Every character mocktui.rules calls unsafe gets a stand-in: C0 controls the Unicode "Control
# Pictures" (U+2400 + code: ␀ ␁ ... ␛ ... ␟, and ␡ for DEL), the others their escape (C1
# controls, invisible and bidirectional formatting characters, lone surrogates).
_TABLE: dict[int, str] = {
    code: escaped(chr(code))
    for low, high in UNSAFE_RANGES
    for code in range(low, high + 1)
}
_TABLE.update({code: chr(0x2400 + code) for code in range(0x20)})
_TABLE[0x7F] = "␡"

# Multi-line text (bodies) keeps its line breaks; tabs become spaces there.
_MULTILINE = dict(_TABLE)
_MULTILINE[0x0A] = "\n"
del _MULTILINE[0x09]


def safe(text: str, *, multiline: bool = False) -> str:
    """``text`` with every control character replaced by a visible stand-in.

    One-line text (paths, header values, names) shows newlines and tabs as ``␊`` and ``␉``;
    with ``multiline=True`` (bodies) newlines are kept, CRLF becomes a newline and tabs expand.
    """
    if multiline:
        text = text.replace("\r\n", "\n").expandtabs(4)
        return text.translate(_MULTILINE)
    return text.translate(_TABLE)


def safe_text(text: str, style: StyleType = "", *, multiline: bool = False) -> Text:
    """A ``Text`` (never parsed as markup) holding ``safe(text)``."""
    return Text(safe(text, multiline=multiline), style=style, end="")


def safe_bytes(data: bytes, *, multiline: bool = False) -> str:
    """Bytes decoded as UTF-8 (undecodable bytes replaced), then made safe."""
    return safe(data.decode("utf-8", "replace"), multiline=multiline)


def safe_markup(text: str) -> str:
    """``safe(text)`` with Textual markup escaped, for the few places that parse markup
    (command palette titles)."""
    return escape_markup(safe(text))
