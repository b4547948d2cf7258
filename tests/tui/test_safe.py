"""Hostile text: markup shows literally, control characters become visible stand-ins."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from mocktui.tui.safe import safe, safe_bytes, safe_text


def rendered(text: Text) -> str:
    console = Console(force_terminal=True, color_system="truecolor", width=200)
    with console.capture() as capture:
        console.print(text, end="")
    return capture.get()


def test_escape_sequences_become_visible() -> None:
    assert safe("/x\x1b[2J") == "/x␛[2J"
    assert safe("a\x00b\x07c\x7f") == "a␀b␇c␡"
    assert safe("\x9b2J") == "\\x9b2J"  # C1 CSI


def test_newlines_and_tabs_one_line_and_multiline() -> None:
    assert safe("a\nb\tc\rd") == "a␊b␉c␍d"
    assert safe("a\r\nb\tc", multiline=True) == "a\nb   c"
    assert safe("x\x1b[31my\n", multiline=True) == "x␛[31my\n"


def test_bidi_and_invisible_characters_are_shown() -> None:
    assert safe("abc\u202edef") == "abc\\u202edef"
    assert safe("a\u200bb\ufeff") == "a\\u200bb\\ufeff"


def test_markup_is_not_parsed_and_no_escape_reaches_the_terminal() -> None:
    out = rendered(safe_text("[red]x\x1b[2J[/red] [bold]"))
    assert "[red]x␛[2J[/red] [bold]" in out
    assert "\x1b[2J" not in out


def test_plain_unicode_is_kept() -> None:
    assert safe("/café/日本/😀") == "/café/日本/😀"


def test_bytes() -> None:
    assert safe_bytes(b"ok\xff\x1b") == "ok\ufffd␛"
