"""mocktui.rules: every value rule, tested once, here. The callers are tested for using them
(a row each in their own tests), not for the rule again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mocktui import rules

HUGE = "9" * 5000  # int() refuses more than 4300 digits
ODD_DIGITS = ["²", "٣", "\uff12", "2_00", "+ 2", "1e3", "0x1", "1.0", "", " ", "-"]

# -- digits and whole numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", True), ("0123456789", True), (HUGE, True)]
    + [(t, False) for t in [*ODD_DIGITS, " 1", "1 ", "-1", "+1", "\uff11"]],
)
def test_is_digits_means_ascii_digits_only(text: str, expected: bool) -> None:
    assert rules.is_digits(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc123", True), ("9", True), ("v1", True), ("abc", False), ("²", False), ("٣", False)],
)
def test_has_digit(text: str, expected: bool) -> None:
    assert rules.has_digit(text) is expected


@pytest.mark.parametrize(
    ("text", "signed", "expected"),
    [
        ("42", True, 42),
        (" 42 ", True, 42),
        ("007", True, 7),
        ("-5", True, -5),
        ("+5", True, 5),
        ("-5", False, None),
        ("+5", False, None),
        ("9" * 100, True, int("9" * 100)),
        ("9" * 101, True, None),
        ("0" * 500 + "1", True, 1),  # leading zeros do not count
        (HUGE, True, None),
        *((t, True, None) for t in ODD_DIGITS),
    ],
)
def test_whole_number(text: str, signed: bool, expected: int | None) -> None:
    assert rules.whole_number(text, signed) == expected


@pytest.mark.parametrize(
    ("text", "low", "high", "expected"),
    [
        ("50", 0, 100, 50),
        ("500", 0, 100, 100),
        ("-500", 0, 100, 0),
        ("-5", 1, 100, 1),
        (HUGE, 0, 100, 100),
        ("-" + HUGE, -7, 100, -7),
        ("0" * 5000 + "3", 0, 100, 3),
        ("abc", 0, 100, None),
        ("²", 0, 100, None),
    ],
)
def test_bounded_int_clamps_any_number_of_digits(
    text: str, low: int, high: int, expected: int | None
) -> None:
    assert rules.bounded_int(text, low, high) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("12", 12), (HUGE, 10**rules.MAX_DIGITS), ("-1", None), (" 1", None), ("²", None)],
)
def test_index_number(text: str, expected: int | None) -> None:
    assert rules.index_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("-1", -1), ("--1", None), ("+1", None), (" 1", None), ("²", None), ("", None)],
)
def test_list_index(text: str, expected: int | None) -> None:
    assert rules.list_index(text) == expected


# -- booleans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *((w, True) for w in ["1", "true", "TRUE", " yes ", "on", "On"]),
        *((w, False) for w in ["0", "false", "No", "off", " OFF "]),
        *((w, None) for w in ["", "maybe", "2", "t", "y", "enabled", None]),
    ],
)
def test_parse_bool(text: str | None, expected: bool | None) -> None:
    assert rules.parse_bool(text) is expected


def test_parse_flag_is_parse_bool_that_refuses() -> None:
    assert rules.parse_flag("on") is True
    assert rules.parse_flag("off") is False
    with pytest.raises(ValueError, match=r"^expected true or false, got 'maybe'$"):
        rules.parse_flag("maybe")


# -- header names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X-Tenant", ("x-tenant",)),
        (" x-tenant , Accept,, ", ("x-tenant", "accept")),
        *((w, rules.ALL_HEADERS) for w in ["true", "on", "yes", "1", "*", "all", " ALL "]),
        *((w, ()) for w in ["false", "off", "no", "0", "", " ", ","]),
    ],
)
def test_parse_header_names(text: str, expected: tuple[str, ...]) -> None:
    assert rules.parse_header_names(text) == expected


@pytest.mark.parametrize("text", ["Bad Key", "x-a, x-ä", "a:b"])
def test_parse_header_names_refuses_what_is_not_a_header_name(text: str) -> None:
    with pytest.raises(ValueError, match="is not a valid HTTP header name"):
        rules.parse_header_names(text)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("Content-Type", True),
        ("X-Fine_1.~!#$%&'*+^`|", True),
        ("Bad Key", False),
        ("X-Ä", False),
        ("X:Y", False),
        ("", False),
        ("X\0", False),
        ("X\n", False),
    ],
)
def test_is_header_name(name: str, valid: bool) -> None:
    assert rules.is_header_name(name) is valid


# -- delays ------------------------------------------------------------------------------------


def test_the_delay_cap() -> None:
    assert rules.MAX_DELAY_MS == 180_000
    clamped = [rules.clamp_delay(ms) for ms in (-1, 0, 5, 180_000, 180_001)]
    assert clamped == [0, 0, 5, 180_000, 180_000]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("250", 250),
        (" 250 ", 250),
        ("0", 1),
        ("-5", 1),
        ("999999", 180_000),
        (HUGE, 180_000),
        *((t, None) for t in ODD_DIGITS),
    ],
)
def test_delay_header(text: str, expected: int | None) -> None:
    assert rules.delay_header(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("250", 250), (" 40 ", 40), ("-5", 0), ("abc", 0), ("²", 0), ("999999", 180_000)],
)
def test_example_delay(text: str, expected: int) -> None:
    assert rules.example_delay(text) == expected


@pytest.mark.parametrize(
    ("value", "valid"),
    [(0, True), (180_000, True), (180_001, False), (-1, False), (True, False), (1.5, False)],
)
def test_valid_delay(value: object, valid: bool) -> None:
    assert rules.valid_delay(value) is valid


@pytest.mark.parametrize(
    ("text", "expected", "error"),
    [
        ("1500", 1500, None),
        (" 0 ", 0, None),
        ("180000", 180_000, None),
        ("180001", None, "must be from 0 to 180000 ms, got 180001"),
        ("-500", None, "must be from 0 to 180000 ms, got -500"),
        ("1500ms", 1500, None),
        ("1500 MS", 1500, None),
        ("1.5s", 1500, None),
        ("2s", 2000, None),
        ("0.25s", 250, None),
        ("180s", 180_000, None),
        ("181s", None, "must be from 0 to 180000 ms, got 181000"),
        ("1.5ms", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '1.5ms'"),
        ("2m", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '2m'"),
        ("1.2345s", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '1.2345s'"),
        ("soon", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got 'soon'"),
        ("٣", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '٣'"),
        ("1_000", None, "expected milliseconds (1500, 1500ms) or seconds (1.5s), got '1_000'"),
    ],
)
def test_parse_delay(text: str, expected: int | None, error: str | None) -> None:
    if error is None:
        assert rules.parse_delay(text) == expected
    else:
        with pytest.raises(ValueError) as info:
            rules.parse_delay(text)
        assert str(info.value) == error


# -- other option values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "error"),
    [
        ("0", 0, None),
        ("8080", 8080, None),
        ("70000", None, "must be from 0 to 65535, got 70000"),
        ("٣٠٠٠", None, "expected a port number, got '٣٠٠٠'"),
        ("http", None, "expected a port number, got 'http'"),
    ],
)
def test_parse_port(text: str, expected: int | None, error: str | None) -> None:
    if error is None:
        assert rules.parse_port(text) == expected
    else:
        with pytest.raises(ValueError) as info:
            rules.parse_port(text)
        assert str(info.value) == error


@pytest.mark.parametrize("text", ["7", "-7", " 42 "])
def test_parse_seed(text: str) -> None:
    assert rules.parse_seed(text) == int(text)


@pytest.mark.parametrize("text", ["x", "٣", "1_0", HUGE])
def test_parse_seed_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"^expected a whole number$"):
        rules.parse_seed(text)


# -- status codes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200", 200),
        (" 404 ", 404),
        ("0404", 404),
        ("1000", 1000),
        (HUGE, 1000),
        *((t, None) for t in ["²00", "٢٠٠", "2_00", "+200", "-200", "abc", ""]),
    ],
)
def test_status_code(text: str, expected: int | None) -> None:
    assert rules.status_code(text) == expected


@pytest.mark.parametrize(("code", "valid"), [(99, False), (100, True), (599, True), (600, False)])
def test_is_status(code: int, valid: bool) -> None:
    assert rules.is_status(code) is valid


# -- media types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "media", "json"),
    [
        ("application/json", "application/json", True),
        ("Application/JSON; charset=utf-8", "application/json", True),
        ("application/problem+json", "application/problem+json", True),
        ("text/json", "text/json", True),
        ("text/plain", "text/plain", False),
        ("application/jsonp", "application/jsonp", False),
        (" ; charset=utf-8", None, False),
        ("", None, False),
        (None, None, False),
    ],
)
def test_media_type(value: str | None, media: str | None, json: bool) -> None:
    assert rules.media_type(value) == media
    assert rules.is_json_type(value) is json


# -- request bodies, text on the wire, request targets, secrets ---------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "error"),
    [
        ("0", 0, None),
        ("1024", 1024, None),
        (" 10485760 ", 10 * 1024 * 1024, None),
        (str(rules.MAX_BODY_LIMIT), rules.MAX_BODY_LIMIT, None),
        (str(rules.MAX_BODY_LIMIT + 1), None, "must be from 0 to 1073741824 bytes"),
        (HUGE, None, "must be from 0 to 1073741824 bytes"),
        ("-1", None, "expected a number of bytes"),
        ("+1", None, "expected a number of bytes"),
        ("10M", None, "expected a number of bytes"),
        *((t, None, "expected a number of bytes") for t in ODD_DIGITS),
    ],
)
def test_parse_max_body(text: str, expected: int | None, error: str | None) -> None:
    if error is None:
        assert rules.parse_max_body(text) == expected
    else:
        with pytest.raises(ValueError, match=error):
            rules.parse_max_body(text)
    assert rules.DEFAULT_MAX_BODY == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", b"plain"),
        ("café 😀", "café 😀".encode()),
        ("a\ud800b", b"a\xef\xbf\xbdb"),
        ("\udfff\ud800", b"\xef\xbf\xbd\xef\xbf\xbd"),
    ],
)
def test_utf8_never_raises_on_a_lone_surrogate(text: str, expected: bytes) -> None:
    assert rules.utf8(text) == expected
    assert rules.no_surrogates(text) == expected.decode("utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("text/plain", "text/plain"),
        ("a\r\nX-Evil: 1", "a  X-Evil: 1"),
        ("a\x00b\x7fc\x1bd", "a b c d"),
        ("a\tb", "a\tb"),
        ("  padded\t ", "padded"),
        ("\r\n", ""),
        ("x\ud800", "x\ufffd"),
        ("café", "café"),
    ],
)
def test_header_value_is_what_goes_out(text: str, expected: str) -> None:
    assert rules.header_value(text) == expected
    rules.utf8(expected).decode("utf-8")  # always encodable


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://example.com/users", ("example.com", "/users")),
        ("HTTPS://Example.com:8443/a/b", ("Example.com:8443", "/a/b")),
        ("http://example.com", ("example.com", "/")),
        ("http://user:pw@example.com/x", ("example.com", "/x")),
        ("http://example.com//x", ("example.com", "//x")),
        ("/users", None),
        ("/http://example.com/x", None),
        ("*", None),
        ("example.com:443", None),
        ("ftp://example.com/x", None),
        ("", None),
    ],
)
def test_absolute_target(target: str, expected: tuple[str, str] | None) -> None:
    assert rules.absolute_target(target) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://user:pw@example.com/x", "http://•••@example.com/x"),
        ("HTTP://a@b@example.com", "HTTP://•••@example.com"),
        ("http://example.com/a@b", "http://example.com/a@b"),
        ("/users/a@b", "/users/a@b"),
    ],
)
def test_mask_userinfo(target: str, expected: str) -> None:
    assert rules.mask_userinfo(target) == expected


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("x-api-key", True),
        ("X-API-Key", True),
        ("api_key", True),
        ("API-KEY", True),
        ("apikey", True),
        ("x_api_key", True),
        (" apikey ", True),
        ("key", False),
        ("x-api-keys", False),
        ("authorization", False),
        ("x-mock-response-id", False),
    ],
)
def test_is_secret_name(name: str, secret: bool) -> None:
    assert rules.is_secret_name(name) is secret


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ""),
        ("q=1&tag=a", "q=1&tag=a"),
        ("api_key=s3cret", "api_key=•••"),
        ("a=1&x-api-key=s3cret&b=2", "a=1&x-api-key=•••&b=2"),
        ("APIKEY=s&apikey=t", "APIKEY=•••&apikey=•••"),
        ("api%5Fkey=s3cret&api%5fkey=x", "api%5Fkey=•••&api%5fkey=•••"),
        ("x%2Dapi%2Dkey=s3cret", "x%2Dapi%2Dkey=•••"),
        ("apikey&k=apikey&monkey=1", "apikey&k=apikey&monkey=1"),
        ("api_key=", "api_key=•••"),
        ("api_key=a=b&&", "api_key=•••&&"),
    ],
)
def test_mask_query(query: str, expected: str) -> None:
    assert rules.mask_query(query) == expected
    assert rules.MASK == "•••"


# -- the module itself --------------------------------------------------------------------------


def test_rules_import_nothing_of_mocktui_nor_third_parties() -> None:
    """postman/, engine/, server/ and tui/ all import it: it must not import any of them."""
    tree = ast.parse(Path(rules.__file__).read_text())
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "ipaddress", "re"}
