"""`mocktui check` as a user runs it: a real process, its output and exit status; and a file
named check is still served."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's mocktui, from any cwd
    return subprocess.run(
        [sys.executable, "-m", "mocktui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=env,
    )


def collection(*items: dict[str, Any]) -> str:
    return json.dumps({"info": {"name": "x", "schema": SCHEMA}, "item": list(items)})


def item(name: str, url: str, *codes: int | None) -> dict[str, Any]:
    examples = []
    for i, code in enumerate(codes):
        example: dict[str, Any] = {
            "name": f"e{i + 1}",
            "originalRequest": {"method": "GET", "url": url},
        }
        if code is not None:
            example["code"] = code
        examples.append(example)
    return {"name": name, "request": {"method": "GET", "url": url}, "response": examples}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "clean": collection(item("c", "/c", 200)),
        "warned": collection(item("a", "/a", None), item("b", "/b")),
        "failing": collection(item("a", "/a", 200, 200)),  # e2: only its name reaches it
        "offered": collection(item("a", "/a", 200, 404)),  # e2: x-mock-response-code reaches it
    }
    out = {}
    for name, text in paths.items():
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        out[name] = str(path)
    return out


def test_exit_status_follows_the_findings(files: dict[str, str]) -> None:
    clean = run("check", files["clean"])
    assert (clean.returncode, clean.stdout, clean.stderr) == (
        0,
        f"{files['clean']}: 1 endpoint, 1 example: 0 errors, 0 warnings\n",
        "",
    )
    warned = run("check", files["warned"])
    assert warned.returncode == 0
    assert warned.stdout.splitlines() == [
        f"{files['warned']}: $.item[0].response[0]: warning: 'e1' has no code: it answers 200 "
        "[no-code]",
        f"{files['warned']}: $.item[1]: warning: GET /b ('b') has no examples: a request for it "
        "is a miss (404) [no-examples]",
        f"{files['warned']}: 2 endpoints, 1 example: 0 errors, 2 warnings",
    ]
    assert run("check", "--strict", files["warned"]).returncode == 1
    offered = run("check", files["offered"])  # an error response offered the Postman way
    assert offered.returncode == 0
    assert offered.stdout.splitlines()[0].endswith("[reachable-by-code-only]")
    failing = run("check", files["failing"], files["clean"])
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[0].startswith(
        f"{files['failing']}: $.item[0].response[1]: error: 'e2' (200) can never be served"
    )
    assert failing.stdout.splitlines()[-2:] == [
        f"{files['failing']}: 1 endpoint, 2 examples: 1 error, 0 warnings",
        f"{files['clean']}: 1 endpoint, 1 example: 0 errors, 0 warnings",
    ]


def test_json_format(files: dict[str, str]) -> None:
    result = run("check", "--format", "json", files["failing"])
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["files"] == [
        {"file": files["failing"], "endpoints": 1, "examples": 2, "errors": 1, "warnings": 0}
    ]
    (finding,) = document["findings"]
    assert set(finding) == {"severity", "code", "message", "file", "path", "endpoint", "example"}
    assert (finding["severity"], finding["code"], finding["path"]) == (
        "error",
        "never-served",
        "$.item[0].response[1]",
    )


def test_env_and_var_resolve_variables(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(collection(item("a", "{{host}}/users/{{id}}", 200)))
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"values": [{"key": "host", "value": "https://x", "enabled": True}]}))
    bare = run("check", str(path))
    assert [line.split(": ", 3)[3] for line in bare.stdout.splitlines()[:-1]] == [
        "{{host}} is defined nowhere (collection, --env, --var): read as the host, so it adds "
        "nothing to the path, in 1 endpoint [undefined-variable]",
        "{{id}} is defined nowhere (collection, --env, --var): a wildcard path segment (it "
        "matches any one segment), in 1 endpoint [undefined-variable]",
    ]
    resolved = run("check", "--env", str(env), "--var", "id=7", str(path))
    assert resolved.stdout == f"{path}: 1 endpoint, 1 example: 0 errors, 0 warnings\n"


def test_a_file_that_does_not_load_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"info": ')
    result = run("check", str(broken))
    assert result.returncode == 2
    assert result.stderr == (
        f"mocktui: error: {broken}: line 1, column 10: invalid JSON: Expecting value\n"
    )
    assert result.stdout == ""
    assert run("check").returncode == 2  # at least one collection
    assert "argument --format: invalid choice" in run("check", "--format", "xml", "x").stderr


def test_help_lists_the_options() -> None:
    result = run("check", "--help")
    assert result.returncode == 0
    for option in ("--env", "--var", "--format", "--strict", "COLLECTION"):
        assert option in result.stdout
    assert "mocktui check" in run("--help").stdout


@pytest.mark.parametrize(
    "args",
    [
        ["./check", "--headless", "--port", "0", "--no-watch"],
        ["--headless", "--port", "0", "--no-watch", "--", "check"],
    ],
    ids=["dot-slash", "dashes"],
)
def test_a_file_named_check_is_still_served(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "check").write_text(collection(item("a", "/a", 201)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mocktui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert proc.stderr is not None
        ready = proc.stderr.readline()
        assert ready.startswith("mocktui listening on http://127.0.0.1:"), ready
        assert ready.rstrip().endswith("(1 endpoints, 1 examples)")
        url = ready.split()[3]
        assert httpx.get(f"{url}/a").status_code == 201
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_check_on_the_largest_shared_collection(shared: Path) -> None:
    result = run("check", str(shared / "commercetools-api.postman_collection.json"))
    assert result.returncode == 0  # warnings only
    assert result.stdout.splitlines()[-1].endswith(
        "1997 endpoints, 0 examples: 0 errors, 2136 warnings"
    )


@pytest.mark.parametrize(
    ("argv", "checks"),
    [
        (["check", "c.json"], True),
        (["--", "check"], False),
        (["./check"], False),
        (["check.json"], False),
        (["--env", "check", "x.json"], False),
    ],
)
def test_only_a_first_argument_check_is_the_subcommand(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], checks: bool
) -> None:
    from mocktui import cli
    from mocktui.postman.loader import CollectionError

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise CollectionError("f", "file", "no such file")  # stop before serving

    monkeypatch.setattr(cli, "check_main", lambda rest: ("check", rest))
    monkeypatch.setattr(cli, "load_collections", refuse)
    result = cli.main(argv)
    assert result == (("check", argv[1:]) if checks else 2)
