"""Numbers written as text: ASCII digits only, any length, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocktui.rules import is_digits, small_int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("007", 7),
        ("999", 999),
        ("1001", 1000),
        ("9" * 5000, 1000),  # int() refuses more than 4300 digits
        ("0" * 5000 + "12", 12),
        ("²", None),  # str.isdigit() says yes, int() raises
        ("٣", None),  # int() reads it as 3
        ("\uff11\uff12", None),  # fullwidth digits
        ("+1", None),
        ("-1", None),
        (" 1", None),
        ("1_000", None),
        ("", None),
    ],
)
def test_small_int(text: str, expected: int | None) -> None:
    assert small_int(text, 1000) == expected
    assert is_digits(text) == (expected is not None)


@given(st.text())
def test_small_int_never_raises_and_agrees_with_int_on_ascii_digits(text: str) -> None:
    value = small_int(text, 10**6)
    if value is None:
        assert not (text.isascii() and text.isdigit())
    else:
        assert value == min(int(text), 10**6)
