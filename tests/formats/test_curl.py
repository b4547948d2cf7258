"""curl_command: each command is run with the real curl (through bash) against a raw HTTP server
that records the bytes it gets, and those must be the event's request."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mocktui.formats.curl import curl_command, quote

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash"
)

HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade"}


@dataclass
class Received:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes


class RawServer:
    """HTTP/1.x on 127.0.0.1 that records each request's request line, headers and body bytes."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.requests: list[Received] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    self._handle(conn)
                except Exception as exc:  # reported by the test, not lost in the thread
                    self.errors.append(exc)

    def _handle(self, conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        request_line, *lines = head.split(b"\r\n")
        method, rest = request_line.split(b" ", 1)
        target, version = rest.rsplit(b" ", 1)
        headers = []
        for line in lines:
            name, _, value = line.partition(b":")
            headers.append((name.decode("utf-8"), value.strip(b" \t").decode("utf-8")))
        lengths = [int(v) for n, v in headers if n.lower() == "content-length"]
        if any(n.lower() == "expect" for n, _ in headers):
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        while lengths and len(body) < lengths[0]:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        self.requests.append(
            Received(method.decode(), target.decode("utf-8"), version.decode(), headers, body)
        )
        answer = b"" if method == b"HEAD" else b"ok"
        conn.sendall(
            version + b" 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n" + answer
        )


@pytest.fixture
def server() -> Iterator[RawServer]:
    srv = RawServer()
    yield srv
    srv.close()
    assert srv.errors == []


def run(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    argv = ["bash", "-c", command]
    if len(command.encode("utf-8", "surrogateescape")) > 100_000:
        # Linux takes at most 128 KiB in one exec argument, so a long command (a big binary body
        # as printf escapes) is sourced from a file, as if pasted.
        script = cwd / "command.sh"
        script.write_text(command, encoding="utf-8")
        argv = ["bash", "-c", '. "$0"', str(script)]
    result = subprocess.run(
        argv,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, (command, result.stderr)
    return result


def body(text: str | None = None, data: bytes | None = None, size: int | None = None) -> dict:
    if data is not None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            kept = {"text": None, "base64": base64.b64encode(data).decode()}
        else:
            data = None
    if data is None:
        raw = (text or "").encode("utf-8")
        kept = {"text": text or "", "base64": None}
    else:
        raw = data
    real = len(raw) if size is None else size
    return {"size": real, "truncated": real > len(raw), **kept}


def make_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": 1,
        "time": 1764625453.156,
        "client": "127.0.0.1:50312",
        "scheme": "http",
        "http_version": "1.1",
        "method": "GET",
        "host": "127.0.0.1:3000",
        "raw_path": "/users/42",
        "path": "/users/42",
        "query": "",
        "request": {
            "headers": [
                ["Host", "127.0.0.1:3000"],
                ["User-Agent", "tester/1.0"],
                ["Accept", "*/*"],
            ],
            "body": body(""),
        },
        "status": 200,
        "response": {"headers": [], "body": body("")},
        "duration_ms": 1.5,
        "endpoint": None,
        "example": None,
        "miss": None,
        "decided_by": "score",
        "proxied": None,
    }
    request = changes.pop("request", None)
    event.update(changes)
    if request:
        event["request"] = {**event["request"], **request}
    return event


def sent_body(event: dict[str, Any]) -> bytes:
    kept = event["request"]["body"]
    if kept["text"] is not None:
        return kept["text"].encode("utf-8")
    return base64.b64decode(kept["base64"] or "")


def expected_headers(event: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, value.strip(" \t"))
        for name, value in event["request"]["headers"]
        if name.lower() not in HOP and not name.lower().startswith("proxy-")
    ]


def replay(server: RawServer, event: dict[str, Any], cwd: Path, **env: str) -> Received:
    before = len(server.requests)
    run(curl_command(event, server.base_url), cwd, **env)
    assert len(server.requests) == before + 1
    return server.requests[-1]


def assert_same(received: Received, event: dict[str, Any]) -> None:
    query = event["query"]
    assert received.method == event["method"]
    assert received.target == event["raw_path"] + (f"?{query}" if query else "")
    assert received.version == f"HTTP/{event['http_version']}"
    hosts = [v for n, v in received.headers if n.lower() == "host"]
    assert len(hosts) == 1
    others = [(n, v) for n, v in received.headers if n.lower() not in ("host", "content-length")]
    assert others == expected_headers(event)
    data = sent_body(event)
    assert received.body == data
    lengths = [v for n, v in received.headers if n.lower() == "content-length"]
    names = {n.lower() for n, _ in event["request"]["headers"]}
    if data or names & {"content-length", "transfer-encoding"}:
        assert lengths == [str(len(data))]
    else:
        assert lengths == []


# --- request line ------------------------------------------------------------------------------


def test_get_with_query_and_headers(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        raw_path="/users/42%2Fx",
        path="/users/42/x",
        query="a=1&a=2&b=%20&c=+",
        request={
            "headers": [
                ["host", "127.0.0.1:3000"],
                ["user-agent", "tester/1.0"],
                ["accept", "application/json"],
                ["x-trace", "1"],
                ["x-trace", "2"],
                ["Cookie", "a=1; b=2"],
            ]
        },
    )
    command = curl_command(event, server.base_url)
    assert " -X " not in command
    assert_same(replay(server, event, tmp_path), event)


def test_curl_defaults_are_removed_when_the_request_had_none(
    server: RawServer, tmp_path: Path
) -> None:
    event = make_event(request={"headers": [["Host", "x"]]})
    received = replay(server, event, tmp_path)
    assert [n.lower() for n, _ in received.headers] == ["host"]
    assert_same(received, event)


@pytest.mark.parametrize(
    "raw_path",
    [
        "/users/42%2Fx",
        "/a/../b//c/./d/",
        "//double",
        "/{a,b}/[1-2]/x*",
        "/a%zz%/%",
        '/back\\slash/"<>^`|',
        "/$(touch PWNED)/`touch PWNED`",
        "/caf\u00e9/\u202eevil",
        "/with space/and#hash",
        "/ctl\x1b[31m\x01",
    ],
)
def test_path_is_sent_exactly(server: RawServer, tmp_path: Path, raw_path: str) -> None:
    event = make_event(raw_path=raw_path, query="q=1")
    assert_same(replay(server, event, tmp_path), event)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "query",
    ["a=1&a=2&b=%20", "q=$(touch PWNED)&r=`touch PWNED`;x", "x=\u00e9 \u00fc&y=#z", "=&&=", "%"],
)
def test_query_is_sent_exactly(server: RawServer, tmp_path: Path, query: str) -> None:
    event = make_event(query=query)
    assert_same(replay(server, event, tmp_path), event)
    assert not (tmp_path / "PWNED").exists()


def test_asterisk_target(server: RawServer, tmp_path: Path) -> None:
    event = make_event(method="OPTIONS", raw_path="*", path="*")
    assert_same(replay(server, event, tmp_path), event)


@pytest.mark.parametrize(
    ("method", "text"),
    [
        ("PURGE", ""),
        ("DELETE", ""),
        ("DELETE", '{"id": 1}'),
        ("GET", "a body on a GET"),
        ("PUT", "x"),
        ("PATCH", "[]"),
        ("POST", ""),
        ("OPTIONS", ""),
    ],
)
def test_methods(server: RawServer, tmp_path: Path, method: str, text: str) -> None:
    headers = [["Host", "x"], ["Content-Type", "text/plain"]] if text else [["Host", "x"]]
    event = make_event(method=method, request={"headers": headers, "body": body(text)})
    assert_same(replay(server, event, tmp_path), event)


def test_head_uses_head_option(server: RawServer, tmp_path: Path) -> None:
    event = make_event(method="HEAD")
    command = curl_command(event, server.base_url)
    assert "--head" in command
    assert " -X " not in command
    assert_same(replay(server, event, tmp_path), event)


def test_http_1_0(server: RawServer, tmp_path: Path) -> None:
    event = make_event(http_version="1.0")
    assert_same(replay(server, event, tmp_path), event)


def test_version_flags() -> None:
    assert "--http2-prior-knowledge" in curl_command(make_event(http_version="2"), "http://h")
    assert "--http2 " in curl_command(make_event(http_version="2"), "https://h")
    assert "--http1.1" in curl_command(make_event(), "https://h")
    assert "--http1" not in curl_command(make_event(), "http://h")


def test_base_url_with_trailing_slash(server: RawServer, tmp_path: Path) -> None:
    event = make_event(raw_path="/x")
    run(curl_command(event, server.base_url + "/"), tmp_path)
    assert server.requests[-1].target == "/x"


def test_empty_base_url_falls_back_to_the_event_host() -> None:
    event = make_event(host="127.0.0.1:3000", raw_path="/x")
    assert " http://127.0.0.1:3000/x " in curl_command(event, "").splitlines()[0]
    assert "http://localhost/x" in curl_command(make_event(host="", raw_path="/x"), "")


# --- headers -----------------------------------------------------------------------------------

HOSTILE_VALUES = [
    'it\'s "quoted"',
    "$(touch PWNED)",
    "`touch PWNED`",
    "'; touch PWNED; '",
    '"; touch PWNED; "',
    "a && touch PWNED || touch PWNED | cat",
    "${IFS}$HOME $PATH %s %n \\x41 \\",
    "bang! !! !$ history",
    "esc \x1b[2J\x1b]0;title\x07 bell",
    "tab\tinside",
    "\u202eRLO \u200b zero-width \u00e9t\u00e9 \u2603 \U0001f600",
    "~root *.py ?",
]


def test_hostile_header_values(server: RawServer, tmp_path: Path) -> None:
    headers = [["Host", "x"]] + [[f"x-h{i}", v] for i, v in enumerate(HOSTILE_VALUES)]
    event = make_event(request={"headers": headers})
    received = replay(server, event, tmp_path)
    assert_same(received, event)
    assert not (tmp_path / "PWNED").exists()


def test_odd_but_valid_header_names(server: RawServer, tmp_path: Path) -> None:
    event = make_event(request={"headers": [["Host", "x"], ["X-!#$%&'*+.^_`|~", "v"]]})
    assert_same(replay(server, event, tmp_path), event)


def test_empty_header_values_are_sent_empty(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        request={"headers": [["Host", "x"], ["X-Empty", ""], ["X-Blank", "  "], ["Accept", ""]]}
    )
    command = curl_command(event, server.base_url)
    assert "-H 'X-Empty;'" in command
    received = replay(server, event, tmp_path)
    assert ("X-Empty", "") in received.headers
    assert ("X-Blank", "") in received.headers
    assert ("Accept", "") in received.headers
    assert_same(received, event)


def test_hop_by_hop_and_proxy_headers_are_left_to_curl(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        request={
            "headers": [
                ["Host", "x"],
                ["Connection", "keep-alive, Upgrade"],
                ["Keep-Alive", "timeout=5"],
                ["TE", "trailers"],
                ["Upgrade", "h2c"],
                ["Proxy-Authorization", "Basic Zm9v"],
                ["X-Kept", "yes"],
            ]
        }
    )
    received = replay(server, event, tmp_path)
    assert [n for n, _ in received.headers] == ["Host", "X-Kept"]


def test_unsendable_headers_are_left_out_with_a_note(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        request={
            "headers": [
                ["Host", "x"],
                ["X-Split", "a\r\nInjected: yes"],
                ["X-Nul", "a\0b"],
                ["Bad Name\n$(touch PWNED)", "v"],
                ["X-Ok", "fine"],
            ]
        }
    )
    command = curl_command(event, server.base_url)
    notes = [line for line in command.splitlines() if line.startswith("#")]
    assert len(notes) == 3
    assert any("X-Split" in n for n in notes)
    assert any("X-Nul" in n for n in notes)
    received = replay(server, event, tmp_path)
    assert [n for n, _ in received.headers] == ["Host", "X-Ok"]
    assert not (tmp_path / "PWNED").exists()


def test_masked_header_becomes_a_variable(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        request={"headers": [["Host", "x"], ["x-api-key", "•••"], ["Authorization", "•••"]]}
    )
    command = curl_command(event, server.base_url)
    assert '"$MOCKTUI_API_KEY"' in command
    assert '"$MOCKTUI_AUTHORIZATION"' in command
    assert command.startswith("# x-api-key was masked: set MOCKTUI_API_KEY")
    run(
        command, tmp_path, MOCKTUI_API_KEY="s3cr3t $(touch PWNED)", MOCKTUI_AUTHORIZATION="Bearer t"
    )
    assert server.requests[-1].headers[1:] == [
        ("x-api-key", "s3cr3t $(touch PWNED)"),
        ("Authorization", "Bearer t"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKTUI_")}
    subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    assert [n for n, _ in server.requests[-1].headers] == ["Host"]
    assert not (tmp_path / "PWNED").exists()


# --- bodies ------------------------------------------------------------------------------------

ALL_BYTES = bytes(range(256))

BODIES = {
    "json": '{"name": "Ada", "tags": ["a", "b"]}',
    "hostile text": (
        "it's \"quoted\" $(touch PWNED) `touch PWNED` '; touch PWNED; ' \\ \\\\ %s %% !! $HOME"
    ),
    "newlines": "line 1\nline 2\r\n\n\ttabbed\n",
    "escapes": "\x1b[31mred\x1b[0m \x07 \x08 \x7f \u0085 \u202e\u2066 \u00e9\u4e2d\U0001f600",
    "at file": "@/etc/passwd",
    "dash": "-d --data x",
    "nul text": "a\0b\0",
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_text_bodies(server: RawServer, tmp_path: Path, name: str) -> None:
    text = BODIES[name]
    event = make_event(
        method="POST",
        request={
            "headers": [["Host", "x"], ["Content-Type", "text/plain; charset=utf-8"]],
            "body": body(text),
        },
    )
    assert_same(replay(server, event, tmp_path), event)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "data",
    [
        ALL_BYTES,
        ALL_BYTES[1:],  # no NUL: goes as one $'...' argument
        b"-\0\\%s%%\\n'\"$(touch PWNED)\xff",
        b"\0" * 5,
        b"\xff\xfe" + b"0123456789" * 300,  # > 1 KiB: no Expect
        b"\x80" + ALL_BYTES * 4 + b"1" + b"\x01" + b"07",  # octal escape followed by digits
    ],
    ids=["all-bytes", "no-nul", "printf-specials", "nuls", "large", "digits"],
)
def test_binary_bodies(server: RawServer, tmp_path: Path, data: bytes) -> None:
    event = make_event(
        method="PUT",
        request={"headers": [["Host", "x"]], "body": body(data=data)},
    )
    received = replay(server, event, tmp_path)
    assert_same(received, event)
    assert not any(n.lower() == "expect" for n, _ in received.headers)
    assert not (tmp_path / "PWNED").exists()


def test_no_content_type_is_added(server: RawServer, tmp_path: Path) -> None:
    event = make_event(method="POST", request={"headers": [["Host", "x"]], "body": body("a=1")})
    received = replay(server, event, tmp_path)
    assert not any(n.lower() == "content-type" for n, _ in received.headers)


def test_empty_body_with_content_length(server: RawServer, tmp_path: Path) -> None:
    event = make_event(method="POST", request={"headers": [["Host", "x"], ["Content-Length", "0"]]})
    received = replay(server, event, tmp_path)
    assert ("Content-Length", "0") in received.headers
    assert_same(received, event)


def test_chunked_request_is_sent_with_a_length(server: RawServer, tmp_path: Path) -> None:
    event = make_event(
        method="POST",
        request={
            "headers": [["Host", "x"], ["Transfer-Encoding", "chunked"], ["Content-Type", "a/b"]],
            "body": body("chunked body"),
        },
    )
    assert_same(replay(server, event, tmp_path), event)


def test_truncated_body_sends_the_kept_part_and_warns(server: RawServer, tmp_path: Path) -> None:
    kept = (ALL_BYTES * 256)[: 64 * 1024]
    event = make_event(
        method="POST",
        request={
            "headers": [["Host", "x"], ["Content-Type", "application/octet-stream"]],
            "body": body(data=kept, size=70000),
        },
    )
    command = curl_command(event, server.base_url)
    last = command.splitlines()[-1]
    assert last.startswith("# warning: the request body was truncated")
    assert "65536 of its 70000 bytes" in last
    received = replay(server, event, tmp_path)
    assert received.body == kept


# --- the command as text -----------------------------------------------------------------------


def hostile_events() -> list[dict[str, Any]]:
    events = []
    for value in [*HOSTILE_VALUES, *BODIES.values()]:
        events.append(
            make_event(
                method="POST",
                raw_path="/p/" + value.replace("\0", ""),
                query="q=" + value.replace("\0", ""),
                request={"headers": [["Host", "x"], ["X-V", value]], "body": body(value)},
            )
        )
    events.append(make_event(method="PUT", request={"body": body(data=ALL_BYTES)}))
    events.append(make_event(method="GET\x1b[2J", raw_path="/a\0b"))
    return events


def test_command_shows_no_control_characters() -> None:
    for event in hostile_events():
        command = curl_command(event, "http://127.0.0.1:3000")
        assert all(c == "\n" or c.isprintable() for c in command), command
        for line in command.splitlines():
            assert line.startswith(("# ", "curl ", "printf ", "  -H ", "  --data")), line


def test_commands_parse_and_run_only_curl(tmp_path: Path) -> None:
    """With curl shadowed by a function, running the command does nothing else at all."""
    for event in hostile_events():
        command = curl_command(event, "http://127.0.0.1:9")
        prelude = 'curl() { printf "%s\\0" "$@" > args; cat > /dev/null; }\n'
        run(prelude + command, tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["args"]
        args = (tmp_path / "args").read_bytes().split(b"\0")[:-1]
        assert b"--path-as-is" in args
        (tmp_path / "args").unlink()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain",
        "=x",
        "~root",
        "a'b",
        "!x",
        "".join(chr(i) for i in range(1, 128)),
        "\u00e9\u202e\u200b\u2028\U0001f600",
        "\udcff\udc80",  # surrogate-escaped raw bytes
    ],
)
def test_quote_round_trips(tmp_path: Path, text: str) -> None:
    result = run(f"printf %s {quote(text)}", tmp_path)
    assert result.stdout == text.encode("utf-8", "surrogateescape")
    assert all(c.isprintable() for c in quote(text))


def test_quote_refuses_nul() -> None:
    with pytest.raises(ValueError):
        quote("a\0b")


# --- HTTP/2 (h2c with prior knowledge) against hypercorn ----------------------------------------


def test_http2_request_is_replayed_over_h2c(tmp_path: Path) -> None:
    hypercorn_asyncio = pytest.importorskip("hypercorn.asyncio")
    from hypercorn.config import Config

    seen: list[dict[str, Any]] = []

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        data = b""
        while True:
            message = await receive()
            data += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append({**scope, "body": data})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.loglevel = "WARNING"
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(
        target=loop.run_until_complete,
        args=(hypercorn_asyncio.serve(app, config, shutdown_trigger=stop.wait),),
        daemon=True,
    )
    thread.start()
    try:
        event = make_event(
            http_version="2",
            method="PATCH",
            raw_path="/a/..//b%2Fc",
            query="x=1&x=2",
            request={
                "headers": [
                    ["user-agent", "h2-client"],
                    ["x-quoted", "it's $(touch PWNED)"],
                    ["content-type", "application/json"],
                ],
                "body": body('{"a": "\\u00e9\\n"}'),
            },
        )
        command = curl_command(event, f"http://127.0.0.1:{port}")
        assert "--http2-prior-knowledge" in command
        for _ in range(50):  # until hypercorn listens
            result = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                check=False,
            )
            if result.returncode != 7:
                break
            threading.Event().wait(0.1)
        assert result.returncode == 0, result.stderr
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
    (scope,) = seen
    assert scope["http_version"] == "2"
    assert scope["method"] == "PATCH"
    assert scope["raw_path"] == b"/a/..//b%2Fc"
    assert scope["query_string"] == b"x=1&x=2"
    headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
    assert [h for h in headers if h[0] not in ("host", "content-length")] == expected_headers(event)
    assert scope["body"] == sent_body(event)
    assert not (tmp_path / "PWNED").exists()
