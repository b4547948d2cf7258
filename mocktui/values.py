"""Numbers written as text (in files, request headers, templates, the keyboard): one rule.

``str.isdigit()`` accepts "²" (which ``int()`` then rejects: a crash) and "٣" (which ``int()``
reads as 3, as no HTTP client or Postman user writes it); ``int()`` also takes "+5", " 5" and
"1_000", and refuses more than 4300 digits (``sys.get_int_max_str_digits()``). Text from outside
goes through these instead: ASCII digits only, any length, never an exception.

Stdlib only and nothing from mocktui, so that every layer can use it.
"""

from __future__ import annotations

import sys


def is_digits(text: str) -> bool:
    """True for one or more ASCII digits and nothing else (no sign, space or underscore)."""
    return text.isascii() and text.isdigit()


def small_int(text: str, cap: int = sys.maxsize) -> int | None:
    """ASCII digits as a number, at most ``cap`` (a longer number is ``cap``); None otherwise.

    Any length: leading zeros are skipped and a number with more digits than ``cap`` is not
    converted at all, so ``int()``'s digit limit is never reached.
    """
    if not is_digits(text):
        return None
    digits = text.lstrip("0")
    if len(digits) > len(str(cap)):
        return cap
    return min(int(digits or "0"), cap)
