"""The command line as a user runs it: a real process, its exit status, stderr and stdout."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mocktui import __version__

READY = re.compile(
    r"^mocktui listening on (http://[0-9.]+:(\d+)) \((\d+) endpoints, (\d+) examples\)$"
)


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mocktui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


class Headless:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mocktui", "--headless", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stderr is not None
        self.ready = self.proc.stderr.readline().rstrip("\n")
        match = READY.match(self.ready)
        assert match, f"unexpected ready line: {self.ready!r}"
        self.url = match.group(1)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        # Read through the same buffered streams as the ready line (communicate() would read
        # the raw pipes and lose what readline() buffered ahead). stderr stays small.
        assert self.proc.stdout is not None and self.proc.stderr is not None
        out = self.proc.stdout.read()
        err = self.proc.stderr.read()
        return self.proc.wait(timeout=15), out, err


@pytest.fixture
def headless() -> Iterator[type[Headless]]:
    started: list[Headless] = []

    def start(*args: str) -> Headless:
        server = Headless(*args)
        started.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in started:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.communicate()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"mocktui {__version__}"
    helptext = run("--help")
    assert helptext.returncode == 0
    for option in (
        "--headless",
        "--host",
        "--port",
        "--env",
        "--var",
        "--api-key",
        "--delay",
        "--match-body",
        "--match-headers",
        "--no-cors",
        "--seed",
        "--version",
    ):
        assert option in helptext.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "broken.json",
            '{"info": {"name": "x",}',
            "line 1, column 23: invalid JSON: Expecting property name enclosed in double quotes",
        ),
        ("list.json", "[1, 2]", "$: expected a Postman collection (a JSON object), got a list"),
        (
            "v1.json",
            '{"id": "x", "name": "old", "requests": [], "order": []}',
            "$.requests: a Postman v1 collection; mocktui reads v2.0 and v2.1: re-export it "
            "from Postman",
        ),
        ("other.json", '{"hello": "world"}', "$.info: missing: not a Postman collection"),
        (
            "bad-code.json",
            '{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/'
            'v2.1.0/collection.json"}, "item": [{"name": "a", "request": {"method": "GET", '
            '"url": "/a"}, "response": [{"name": "r", "code": "abc"}]}]}',
            '$.item[0].response[0].code: expected an HTTP status code from 100 to 599, got "abc"',
        ),
    ],
)
def test_unusable_collection_exits_2_with_one_clear_line(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = write(tmp_path, name, content)
    result = run(path, "--headless", "--port", "0")
    assert result.returncode == 2
    assert result.stderr == f"mocktui: error: {path}: {message}\n"
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_file_and_bad_env_file(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope.json"), "--headless")
    assert missing.returncode == 2
    assert missing.stderr == f"mocktui: error: {tmp_path / 'nope.json'}: file: no such file\n"
    env = write(tmp_path, "env.json", '{"name": "e"}')
    bad_env = run("--env", env, "--headless")
    assert bad_env.returncode == 2
    assert bad_env.stderr == (
        f'mocktui: error: {env}: $.values: missing "values": not a Postman environment file\n'
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--var", "novalue"], "argument --var: expected NAME=VALUE, got 'novalue'"),
        (["--port", "70000"], "argument --port: must be from 0 to 65535, got 70000"),
        (
            ["--delay", "soon"],
            "argument --delay: expected milliseconds (1500, 1500ms) or seconds (1.5s), got 'soon'",
        ),
        # The rules of mocktui.rules, as everywhere else.
        (
            ["--delay", "٣"],
            "argument --delay: expected milliseconds (1500, 1500ms) or seconds (1.5s), got '٣'",
        ),
        (["--port", "٣٠٠٠"], "argument --port: expected a port number, got '٣٠٠٠'"),
        (["--seed", "1_0"], "argument --seed: expected a whole number"),
        (
            ["--match-headers", "Bad Key"],
            "argument --match-headers: 'bad key' is not a valid HTTP header name",
        ),
    ],
)
def test_bad_options_exit_2(args: list[str], fragment: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_exits_1_with_a_hint() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("--headless", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr == (
        f"mocktui: error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(pick another with --port, or --port 0 for a free one)\n"
    )


def test_headless_serves_the_demo_and_logs_json_lines(headless) -> None:
    server = headless("--seed", "3")
    assert server.ready.endswith("(8 endpoints, 18 examples)")
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/users/7").status_code == 200
        assert client.get("/missing").status_code == 404
    time.sleep(0.3)
    code, out, err = server.stop(signal.SIGINT)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["method"], x["path"], x["status"], x["example"]) for x in lines] == [
        ("GET", "/users/7", 200, "User found"),
        ("GET", "/missing", 404, None),
    ]
    assert lines[1]["miss"] == "no example matches this method and path"
    assert all(isinstance(x["duration_ms"], float) for x in lines)
    assert set(lines[0]) >= {"time", "method", "path", "status", "example", "duration_ms"}
    assert "Traceback" not in err


def test_headless_sigterm_exits_0_with_options(headless, shared_file) -> None:
    env = shared_file("wise-api.postman_environment.json")
    coll = shared_file("roxyapi-tarot.postman_collection.json")
    server = headless(
        str(coll),
        "--env",
        str(env),
        "--var",
        "apiKey=k",
        "--api-key",
        "k",
        "--delay",
        "5",
        "--match-headers",
        "accept",
        "--no-cors",
    )
    assert server.ready.endswith("(10 endpoints, 61 examples)")
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/api/v2/tarot/cards/fool").status_code == 401
        ok = client.get(
            "/api/v2/tarot/cards/fool", headers={"x-api-key": "k", "accept": "application/json"}
        )
        assert ok.status_code == 200
        assert "access-control-allow-origin" not in ok.headers
    code, _out, err = server.stop(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in err


def test_headless_keeps_serving_when_nobody_reads_stdout(headless) -> None:
    server = headless()  # stdout is a pipe this test never reads until the end
    with httpx.Client(base_url=server.url, timeout=5) as client:
        statuses = [client.get(f"/users/{i}").status_code for i in range(1, 1501)]  # 0: 404
        health = client.get("/__mocktui/health")
    assert statuses == [200] * 1500  # ~300 KB of log lines: far more than a pipe buffer holds
    assert health.json()["requests"] == 1500
    code, out, _err = server.stop(signal.SIGTERM)
    assert code == 0
    assert len(out.splitlines()) == 1500


def test_headless_warns_about_what_it_leaves_out(tmp_path: Path, headless) -> None:
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    example = {"name": "no method", "originalRequest": {"url": "/a"}, "code": 200}
    bad_header = {"name": "ok", "code": 200, "header": [{"key": "Bad Key", "value": "1"}]}
    data = {
        "info": {"name": "x", "schema": schema},
        "item": [
            {
                "name": "A",
                "request": {"method": "GET", "url": "/a"},
                "response": [example, bad_header],
            }
        ],
    }
    path = write(tmp_path, "c.json", json.dumps(data))
    server = headless(path)
    assert server.ready.endswith("(1 endpoints, 1 examples)")  # the one left out is not counted
    _code, _out, err = server.stop()
    assert err.splitlines()[:2] == [
        f"mocktui: warning: {path}: A: example 'no method' left out: no method",
        f"mocktui: warning: {path}: A: example 2: header 'Bad Key' is not a valid HTTP header "
        "name: left out of the answer",
    ]


def test_headless_reloads_a_changed_collection(tmp_path: Path, headless) -> None:
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    def collection(*paths: str) -> str:
        items = [
            {
                "name": p,
                "request": {"method": "GET", "url": p},
                "response": [{"name": p, "code": 200, "body": p}],
            }
            for p in paths
        ]
        return json.dumps({"info": {"name": "w", "schema": schema}, "item": items})

    path = tmp_path / "api.json"
    path.write_text(collection("/a"))
    server = headless(str(path))
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/b").status_code == 404
        time.sleep(0.3)
        path.write_text(collection("/a", "/b"))
        deadline = time.monotonic() + 8
        while client.get("/b").status_code != 200:
            assert time.monotonic() < deadline, "the change was not picked up"
            time.sleep(0.1)
    code, _out, err = server.stop()
    assert code == 0
    assert "mocktui: reloaded: 2 endpoints, 2 examples\n" in err


def test_no_watch_keeps_serving_what_was_loaded(tmp_path: Path, headless) -> None:
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    item = {
        "name": "a",
        "request": {"method": "GET", "url": "/a"},
        "response": [{"name": "a", "code": 200, "body": "a"}],
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"info": {"name": "w", "schema": schema}, "item": [item]}))
    server = headless(str(path), "--no-watch")
    time.sleep(0.3)
    path.write_text("{ broken")
    time.sleep(1.5)  # several times the watcher's debounce: a watcher would have reported
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/a").status_code == 200
    code, _out, err = server.stop()
    assert code == 0
    assert "reloaded" not in err and "error" not in err


# -- lasting controls: --state, --scenario, --har, --coverage ----------------------------------


def test_state_file_restores_pins_after_a_restart(tmp_path: Path, headless) -> None:
    state = str(tmp_path / "state.json")
    first = headless("--state", state)
    endpoints = httpx.get(f"{first.url}/__mocktui/endpoints").json()
    users = next(e for e in endpoints if e["name"] == "List users")
    pinned = httpx.post(
        f"{first.url}/__mocktui/endpoints/{users['key']}/pin", json={"example": 3}
    ).json()
    assert pinned["mode"] == "pinned"
    saved = httpx.post(f"{first.url}/__mocktui/scenarios", json={"name": "broken"})
    assert saved.status_code == 201
    assert first.stop(signal.SIGTERM)[0] == 0

    second = headless("--state", state)
    assert httpx.get(f"{second.url}/users").status_code == 500  # example 3: "Server error"
    httpx.post(f"{second.url}/__mocktui/reset")
    assert httpx.get(f"{second.url}/users").status_code == 200
    assert second.stop()[0] == 0

    third = headless("--state", state, "--scenario", "broken")
    assert httpx.get(f"{third.url}/users").status_code == 500
    assert third.stop()[0] == 0


def test_unknown_scenario_and_broken_state_exit_2(tmp_path: Path) -> None:
    result = run("--headless", "--port", "0", "--scenario", "nope")
    assert result.returncode == 2
    assert result.stderr == (
        "mocktui: error: --scenario: no scenario named 'nope' (scenarios: none saved yet) "
        "(scenarios are kept in the --state file)\n"
    )
    foreign = write(tmp_path, "foreign.json", '{"info": {"name": "not state"}}')
    result = run("--headless", "--port", "0", "--state", foreign)
    assert result.returncode == 2
    assert result.stderr == (
        f'mocktui: error: {foreign}: $.mocktui: not a mocktui state file (expected "mocktui": '
        '"state"); it is left untouched\n'
    )
    assert Path(foreign).read_text() == '{"info": {"name": "not state"}}'


def test_saved_controls_that_match_nothing_are_reported_after_the_ready_line(
    tmp_path: Path, headless
) -> None:
    state = write(
        tmp_path,
        "state.json",
        json.dumps(
            {
                "mocktui": "state",
                "version": 1,
                "controls": [
                    {
                        "endpoint": {"key": "gone", "method": "GET", "path": "/gone", "name": "x"},
                        "mode": "sequential",
                    }
                ],
                "scenarios": {},
            }
        ),
    )
    server = headless("--state", state)
    code, _out, err = server.stop()
    assert code == 0
    assert "mocktui: warning: saved controls for GET /gone (x) match no endpoint: kept\n" in err
    assert json.loads(Path(state).read_text())["controls"][0]["endpoint"]["key"] == "gone"


def test_har_and_coverage_are_written_on_exit(tmp_path: Path, headless) -> None:
    har, cov = tmp_path / "run.har", tmp_path / "coverage.json"
    server = headless("--har", str(har), "--coverage", str(cov))
    assert httpx.get(f"{server.url}/users/7").status_code == 200
    assert httpx.post(f"{server.url}/users", json={"name": "Ada"}).status_code == 201
    assert httpx.get(f"{server.url}/nowhere").status_code == 404
    code, _out, err = server.stop(signal.SIGTERM)
    assert code == 0
    document = json.loads(har.read_text())
    entries = document["log"]["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [
        ("GET", 200),
        ("POST", 201),
        ("GET", 404),
    ]
    assert entries[1]["request"]["postData"]["text"] == '{"name":"Ada"}'
    report = json.loads(cov.read_text())
    summary = report["summary"]
    assert (summary["requests"], summary["misses"], summary["examples_served"]) == (3, 1, 2)
    line = (
        f"mocktui: coverage: 2/{summary['examples']} examples served, "
        f"{summary['endpoints'] - 2} endpoints never hit\n"
    )
    assert line in err
    assert f"mocktui: HAR written to {har}\n" in err

def test_headless_serves_a_collection_with_odd_digits_in_its_templates(
    tmp_path: Path, headless
) -> None:
    # {{$pathSegments '²'}} used to pass one digit check and crash int(): a traceback at start.
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    body = "{{$pathSegments '²'}} {{$pathSegments '1'}} {{$body 'a.--1'}}"
    example = {
        "name": "e",
        "code": 200,
        "body": body,
        "originalRequest": {"method": "POST", "url": "/a/{{x}}"},
    }
    data = {
        "info": {"name": "x", "schema": schema},
        "item": [
            {"name": "A", "request": {"method": "POST", "url": "/a/{{x}}"}, "response": [example]}
        ],
    }
    server = headless(write(tmp_path, "c.json", json.dumps(data)))
    with httpx.Client(base_url=server.url) as client:
        response = client.post("/a/b", json={"a": [1, 2]})
    assert (response.status_code, response.text) == (200, "{{$pathSegments '²'}} b ")
    code, _out, err = server.stop()
    assert code == 0
    assert "Traceback" not in err


def test_headless_serves_one_example_given_as_an_object_and_says_so(
    tmp_path: Path, headless
) -> None:
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    example = {"name": "only", "code": 201, "body": "made"}
    data = {
        "info": {"name": "x", "schema": schema},
        "item": [{"name": "A", "request": {"method": "GET", "url": "/a"}, "response": example}],
    }
    path = write(tmp_path, "c.json", json.dumps(data))
    server = headless(path)
    with httpx.Client(base_url=server.url) as client:
        response = client.get("/a")
    assert (response.status_code, response.text) == (201, "made")
    _code, _out, err = server.stop()
    assert err.splitlines()[0] == (
        f"mocktui: warning: {path}: A: $.item[0].response: one example given as an object, "
        "not a list: used"
    )

@pytest.mark.parametrize("index", ["²", "9" * 5000], ids=["superscript", "5000-digits"])
def test_odd_template_in_an_example_does_not_stop_the_start(
    tmp_path: Path, headless, index: str
) -> None:
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    body = "seg={{$pathSegments '" + index + "'}}"
    item = {
        "name": "a",
        "request": {"method": "GET", "url": "/a"},
        "response": [{"name": "a", "code": 200, "body": body}],
    }
    data = {"info": {"name": "x", "schema": schema}, "item": [item]}
    path = write(tmp_path, "c.json", json.dumps(data))
    server = headless(path)
    assert server.ready.endswith("(1 endpoints, 1 examples)")
    with httpx.Client(base_url=server.url) as client:
        answer = client.get("/a").text
    assert answer == (body if index == "²" else "seg=")  # as written / out of range: empty
    code, _out, err = server.stop()
    assert code == 0
    assert "Traceback" not in err


# -- the private mode's key and exposure --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--api-key", ""],
            {},
            "--api-key: the key is empty (a private mock needs a key; leave it out for a public "
            "one)",
        ),
        (
            ["--api-key", " k "],
            {},
            "--api-key: the key starts or ends with white space (a client cannot send that)",
        ),
        (
            [],
            {"MOCKTUI_API_KEY": ""},
            "MOCKTUI_API_KEY: the key is empty (a private mock needs a key; leave it out for a "
            "public one)",
        ),
        (
            ["--api-key", "a", "--api-key-file", "f"],
            {},
            "--api-key and --api-key-file: give one of them",
        ),
        (
            ["--api-key", "caf\u00e9"],
            {},
            "--api-key: the key may hold only visible ASCII characters, without spaces",
        ),
    ],
)
def test_a_key_that_would_make_a_public_mock_is_refused(
    args: list[str], env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run("--headless", "--port", "0", *args)
    assert (result.returncode, result.stderr) == (2, f"mocktui: error: {message}\n")


@pytest.mark.parametrize("source", ["file", "env"])
def test_the_key_from_a_file_or_the_environment(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, headless
) -> None:
    if source == "file":
        key_file = write(tmp_path, "key", "s3cret\n")
        server = headless("--api-key-file", key_file)
    else:
        monkeypatch.setenv("MOCKTUI_API_KEY", "s3cret")
        server = headless()
    assert httpx.get(f"{server.url}/users").status_code == 401
    assert httpx.get(f"{server.url}/users", headers={"x-api-key": "s3cret"}).status_code == 200
    code, out, err = server.stop()
    assert code == 0 and "s3cret" not in out + err


def test_an_empty_key_file_is_refused(tmp_path: Path) -> None:
    key_file = write(tmp_path, "key", "\n")
    result = run("--headless", "--port", "0", "--api-key-file", key_file)
    assert result.returncode == 2
    assert result.stderr.startswith(f"mocktui: error: --api-key-file {key_file}: the key is empty")


def test_listening_beyond_loopback_without_a_key_warns() -> None:
    server = Headless("--host", "0.0.0.0")
    assert server.ready.startswith("mocktui listening on http://0.0.0.0:")
    code, _out, err = server.stop()
    assert code == 0
    assert err.startswith(
        "mocktui: warning: listening on 0.0.0.0 without --api-key: anyone who can reach this "
        "machine can call the mock and change its controls (see README, Security)\n"
    )
    private = Headless("--host", "0.0.0.0", "--api-key", "k")
    assert "warning" not in private.stop()[2]


def test_hostile_collection_names_reach_stderr_escaped(tmp_path: Path, headless) -> None:
    hostile = {
        "info": {
            "name": "evil",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "x\u001b[2J\u202e\ud800",
                "request": {"method": "GET", "url": "/x"},
                "response": [
                    {
                        "name": "bad header \u001b]52;c;aGk=\u0007",
                        "code": 200,
                        "header": [{"key": "Bad Key", "value": "v"}],
                        "body": "",
                        "originalRequest": {"method": "GET", "url": "/x"},
                    }
                ],
            }
        ],
    }
    path = write(tmp_path, "evil.json", json.dumps(hostile))
    server = headless(path)
    assert httpx.get(f"{server.url}/x").status_code == 200
    code, out, err = server.stop()
    assert code == 0
    assert "\x1b" not in err and "\u202e" not in err and "\x07" not in err
    assert "\\x1b[2J\\u202e\\ud800" in err  # the warning names the endpoint, escaped
    line = json.loads(out.splitlines()[0])
    assert line["endpoint"] == "x\x1b[2J\u202e\ud800"  # the JSON line keeps the text ...
    assert "\x1b" not in out and "\u202e" not in out  # ... written as \u escapes


def test_max_body_sets_the_413_limit(headless) -> None:
    server = headless("--max-body", "100")
    assert httpx.post(f"{server.url}/users", content=b"x" * 100).status_code == 201
    too_big = httpx.post(f"{server.url}/users", content=b"x" * 101)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["name"] == "payloadTooLargeError"
    assert server.stop()[0] == 0
    refused = run("--headless", "--port", "0", "--max-body", "lots")
    assert refused.returncode == 2 and "expected a number of bytes, got 'lots'" in refused.stderr
