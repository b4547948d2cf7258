"""The proxy and record options on the command line: bad values and combinations get one line
and exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from mocktui.cli import EXIT_USAGE, main, parser
from mocktui.rules import parse_timeout, parse_upstream


def test_the_options_read() -> None:
    args = parser().parse_args(
        [
            "--upstream",
            "http://api.example.com:8080/v1/",
            "--upstream-timeout",
            "2.5s",
            "--record",
            "--record-all-headers",
            "--record-to",
            "out.json",
            "c.json",
        ]
    )
    assert args.upstream == "http://api.example.com:8080/v1"
    assert args.upstream_timeout == 2.5
    assert (args.record, args.record_all_headers, args.record_to) == (True, True, "out.json")
    assert parser().parse_args(["--upstream", "AUTO"]).upstream == "auto"
    assert parser().parse_args([]).upstream_timeout == 30.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ftp://x", "expected an http:// or https:// URL, or 'auto', got 'ftp://x'"),
        (
            "api.example.com",
            "expected an http:// or https:// URL, or 'auto', got 'api.example.com'",
        ),
        ("http://x/?q=1", "expected a URL like http://host:8080 (no query), got 'http://x/?q=1'"),
        ("http://", "expected a URL like http://host:8080 (no query), got 'http://'"),
    ],
)
def test_bad_upstreams(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_upstream(text)
    assert str(raised.value) == message


def test_timeouts() -> None:
    assert [parse_timeout(t) for t in ("30", "0.5", "500ms", "2s")] == [30.0, 0.5, 0.5, 2.0]
    for text, message in [
        ("0", "must be more than 0 and at most 3600 s, got '0'"),
        ("soon", "expected seconds (30, 2.5s) or milliseconds (500ms), got 'soon'"),
        ("7200", "must be more than 0 and at most 3600 s, got '7200'"),
    ]:
        with pytest.raises(ValueError) as raised:
            parse_timeout(text)
        assert str(raised.value) == message


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--record", "{c}"],
            "--record saves what the upstream answers: give --upstream URL (or auto) too",
        ),
        (
            ["--record-to", "out.json", "{c}", "{c}"],
            "--record-to FILE takes one COLLECTION (it is written there with the examples)",
        ),
        (
            ["--upstream", "http://127.0.0.1:9", "--record"],
            "--record writes into the collection file: give a COLLECTION "
            "(or --record-to FILE for a copy of the demo)",
        ),
    ],
)
def test_record_combinations_that_cannot_work(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collection = tmp_path / "c.json"
    collection.write_text('{"info": {"name": "c", "schema": "v2.1.0"}, "item": []}')
    code = main([a.replace("{c}", str(collection)) for a in argv])
    assert code == EXIT_USAGE
    assert capsys.readouterr().err == f"mocktui: error: {message}\n"


def test_a_bad_upstream_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--upstream", "nowhere"])
    assert raised.value.code == 2
    assert (
        "argument --upstream: expected an http:// or https:// URL, or 'auto', got 'nowhere'"
        in capsys.readouterr().err
    )
