"""Option values (command line and ASGI environment): numbers are ASCII digits, any length."""

from __future__ import annotations

import pytest

from mocktui.config import parse_delay, parse_port


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), (" 250 ", 250), ("0180000", 180000), ("-0", 0)],
)
def test_delay(text: str, expected: int) -> None:
    assert parse_delay(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "expected milliseconds, got 'soon'"),
        ("²", "expected milliseconds, got '²'"),  # str.isdigit() says yes
        ("\u0663", "expected milliseconds, got '\u0663'"),  # int() would read 3
        ("+5", "expected milliseconds, got '+5'"),
        ("1_000", "expected milliseconds, got '1_000'"),
        ("--5", "expected milliseconds, got '--5'"),
        ("-500", "must be from 0 to 180000 ms, got -500"),
        ("180001", "must be from 0 to 180000 ms, got 180001"),
        pytest.param(  # int() would refuse it
            "9" * 5000, "must be from 0 to 180000 ms, got 999999999999…", id="5000-digits"
        ),
    ],
)
def test_delay_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_delay(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("70000", "must be from 0 to 65535, got 70000"),
        ("\u0663\u0660\u0660\u0660", "expected a port number, got '\u0663\u0660\u0660\u0660'"),
        ("8_080", "expected a port number, got '8_080'"),
        pytest.param("9" * 5000, "must be from 0 to 65535, got 999999999999…", id="5000-digits"),
    ],
)
def test_port_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_port(text)
    assert str(info.value) == message
    assert parse_port(" 8080 ") == 8080
