"""--body-limit: how much of each body the traffic keeps (the rule lives in mocktui.rules)."""

from __future__ import annotations

import pytest

from mocktui.cli import parser, settings_from
from mocktui.config import build_engine
from mocktui.engine.engine import MockRequest
from mocktui.rules import DEFAULT_BODY_LIMIT, MAX_BODY_KEPT, parse_body_limit


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", 0), ("65536", 65536), ("1048576", 1048576), (str(MAX_BODY_KEPT), MAX_BODY_KEPT)],
)
def test_body_limit_reads_bytes(text: str, value: int) -> None:
    assert parse_body_limit(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1x", "expected a number of bytes, got '1x'"),
        ("²", "expected a number of bytes, got '²'"),
        ("-1", "expected a number of bytes, got '-1'"),
        ("", "expected a number of bytes, got ''"),
        (str(MAX_BODY_KEPT + 1), "must be from 0 to 67108864 bytes (64 MiB)"),
        ("9" * 500, "must be from 0 to 67108864 bytes (64 MiB)"),
    ],
)
def test_body_limit_refuses_what_is_not_a_size(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_body_limit(text)
    assert str(info.value) == message


def test_the_option_reaches_the_engine() -> None:
    args = parser().parse_args(["--body-limit", "200000"])
    assert settings_from(args).engine.body_limit == 200_000
    assert settings_from(parser().parse_args([])).engine.body_limit == DEFAULT_BODY_LIMIT == 65536


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parser().parse_args(["--body-limit", "64k"])
    assert info.value.code == 2
    assert "argument --body-limit: expected a number of bytes, got '64k'" in capsys.readouterr().err


@pytest.mark.parametrize(("limit", "kept"), [(DEFAULT_BODY_LIMIT, 65536), (200_000, 100_000)])
def test_bodies_are_kept_up_to_the_limit(limit: int, kept: int) -> None:
    engine = build_engine([], seed=1, body_limit=limit)
    body = b"x" * 100_000
    request = MockRequest("POST", "/users", headers=[("content-type", "text/plain")], body=body)
    event = engine.record(request, engine.handle(request), 1.0)
    assert len(event.request_body.data) == kept
    assert event.request_body.size == 100_000
    assert event.request_body.truncated is (kept < 100_000)
