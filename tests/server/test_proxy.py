"""Proxy and record mode over real HTTP: mocktui on 127.0.0.1 in front of a real upstream (a
small ASGI app under Hypercorn in a thread, tests/server/upstream.py)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine
from mocktui.server.app import create_app
from mocktui.server.proxy import Upstream
from mocktui.server.record import Recorder
from mocktui.server.serve import base_url, bind_socket, serve
from tests.postman.test_writer import validator
from tests.server.upstream import BIG, BINARY, GZIPPED, upstream_server
from tests.server.upstream import Upstream as RealAPI

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


@pytest.fixture(scope="module")
def api() -> Iterator[RealAPI]:
    with upstream_server() as server:
        yield server


def write_collection(folder: Path) -> Path:
    """One endpoint with an example (GET /users/2), one without any (GET /things/:id)."""
    data = {
        "info": {"name": "proxied", "schema": SCHEMA, "x-unknown": {"kept": [1, 2]}},
        "item": [
            {
                "id": "users-get",
                "name": "Get user",
                "request": {"method": "GET", "url": "{{baseUrl}}/users/:id"},
                "response": [
                    {
                        "id": "u2",
                        "name": "User 2",
                        "code": 200,
                        "originalRequest": {"method": "GET", "url": "{{baseUrl}}/users/2"},
                        "body": '{"id": 2}',
                    }
                ],
            },
            {
                "id": "things-get",
                "name": "Get thing",
                "request": {"method": "GET", "url": "{{baseUrl}}/things/:id"},
                "response": [],
            },
        ],
        "variable": [{"key": "baseUrl", "value": "http://api.example.com"}],
    }
    path = folder / "api.postman_collection.json"
    path.write_text(json.dumps(data, indent="\t") + "\n")
    return path


class Proxied:
    def __init__(self, engine: MockEngine, url: str, client: httpx.AsyncClient) -> None:
        self.engine = engine
        self.url = url
        self.client = client
        self.recorder: Recorder | None = None

    def events(self) -> list:
        return list(self.engine.bus._ring)


@contextlib.asynccontextmanager
async def mock(
    paths: list[str],
    upstream: str | None,
    *,
    timeout: float = 10,
    record: bool = False,
    record_to: str | None = None,
) -> AsyncIterator[Proxied]:
    engine = MockEngine(load_collections(paths))
    app = create_app(engine=engine)
    recorder = Recorder(engine, paths, record_to=record_to)
    if upstream is not None:
        app.upstream = Upstream(upstream, timeout, recorder, record=record)
    sock = bind_socket("127.0.0.1", 0)
    url = base_url(sock)
    shutdown = asyncio.Event()
    task = asyncio.create_task(serve(app, sock, shutdown))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=20) as client:
            proxied = Proxied(engine, url, client)
            proxied.recorder = recorder
            yield proxied
    finally:
        await recorder.flush()
        shutdown.set()
        await asyncio.wait_for(task, 10)
        if app.upstream is not None:
            await app.upstream.aclose()
        sock.close()


async def test_a_miss_goes_upstream_with_method_path_query_headers_and_body(
    api: RealAPI, tmp_path: Path
) -> None:
    path = str(write_collection(tmp_path))
    async with mock([path], api.url) as m:
        answer = await m.client.post(
            "/echo/a%2Fb//c?x=1&y=%20z&x=2",
            content=b'{"sent": true}',
            headers={
                "X-Test": "kept",
                "Content-Type": "application/json",
                "Connection": "x-drop",
                "X-Drop": "hop-by-hop: named by Connection",
            },
        )
    assert answer.status_code == 201
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/echo/a%2Fb//c"
    assert seen["query"] == "x=1&y=%20z&x=2"
    assert seen["body"] == '{"sent": true}'
    headers = {k: v for k, v in seen["headers"]}
    assert headers["x-test"] == "kept"
    assert headers["content-type"] == "application/json"
    assert headers["host"] == api.url.removeprefix("http://")  # Host rewritten
    assert "x-drop" not in headers
    assert headers["content-length"] == "14"


async def test_the_answer_reaches_the_client_unchanged(api: RealAPI, tmp_path: Path) -> None:
    path = str(write_collection(tmp_path))
    async with mock([path], api.url) as m:
        echo = await m.client.get("/echo/x?cookie=1")
        assert echo.status_code == 200
        assert echo.headers["x-upstream"] == "yes"
        assert echo.headers["set-cookie"] == "session=abc; Path=/"
        assert echo.headers.get_list("date") and len(echo.headers.get_list("date")) == 1
        text = await m.client.get("/text")
        assert text.content == "plain text, ünïcode\n".encode()
        assert text.headers["content-type"] == "text/plain; charset=utf-8"
        binary = await m.client.get("/binary")
        assert binary.content == BINARY
        async with m.client.stream("GET", "/gzip") as gzipped:
            raw = b"".join([chunk async for chunk in gzipped.aiter_raw()])
            assert gzipped.headers["content-encoding"] == "gzip"
            assert int(gzipped.headers["content-length"]) == len(raw)
        assert json.loads(gzip.decompress(raw)) == GZIPPED
        chunked = await m.client.get("/chunked")
        assert chunked.content == b"one,two,three"
        assert "content-length" not in chunked.headers
        big = await m.client.get("/big")
        assert big.content == BIG
        status = await m.client.get("/status/418")
        assert (status.status_code, status.json()) == (418, {"status": 418})
        events = m.events()
    assert [e.upstream_status for e in events] == [200, 200, 200, 200, 200, 200, 418]
    assert all(e.proxied and e.proxied.startswith(api.url) for e in events)
    assert events[0].proxied == f"{api.url}/echo/x?cookie=1"
    assert all(e.upstream_ms is not None and e.upstream_ms >= 0 for e in events)
    assert events[3].response_body.data == json.dumps(GZIPPED).encode()  # kept decoded
    line = events[0].summary()
    assert (line["proxied"], line["recorded"]) == (True, None)
    assert events[0].to_dict()["proxied"] == f"{api.url}/echo/x?cookie=1"


async def test_a_hit_is_answered_by_its_example_not_the_upstream(
    api: RealAPI, tmp_path: Path
) -> None:
    path = str(write_collection(tmp_path))
    async with mock([path], api.url) as m:
        answer = await m.client.get("/users/2")
        event = m.events()[-1]
    assert (answer.status_code, answer.json()) == (200, {"id": 2})
    assert event.proxied is None and event.summary()["proxied"] is False


@pytest.mark.parametrize(
    ("which", "status", "name", "why"),
    [
        ("refused_url", 502, "upstreamError", "cannot be reached"),
        ("closing_url", 502, "upstreamError", "closed the connection without a whole answer"),
    ],
)
async def test_an_upstream_that_is_down_gives_502(
    api: RealAPI, tmp_path: Path, which: str, status: int, name: str, why: str
) -> None:
    path = str(write_collection(tmp_path))
    base = getattr(api, which)
    async with mock([path], base) as m:
        answer = await m.client.get("/echo/down?q=1")
        event = m.events()[-1]
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["name"] == name
    assert error["header"] == "Bad Gateway"
    assert error["upstream"] == f"{base}/echo/down?q=1"
    assert error["message"].startswith(f"The upstream {base}/echo/down?q=1 {why}")
    assert event.status == 502 and event.proxied == f"{base}/echo/down?q=1"
    assert event.upstream_status is None
    assert event.miss_reason == f"502: {error['message']}"


async def test_an_upstream_that_breaks_off_mid_answer_breaks_the_answer_off(
    api: RealAPI, tmp_path: Path
) -> None:
    path = str(write_collection(tmp_path))
    async with mock([path], api.url, record=True) as m:
        with pytest.raises(httpx.RemoteProtocolError):
            await m.client.get("/cut")
        after = await m.client.get("/text")  # the mock goes on serving
        event = next(e for e in m.events() if e.path == "/cut")
    assert after.status_code == 200
    assert (event.status, event.upstream_status, event.recorded) == (200, 200, None)
    assert event.miss_reason is not None
    assert event.miss_reason.startswith(f"the upstream {api.url}/cut broke off its answer: ")
    assert "GET /cut" not in Path(path).read_text()  # a broken answer is not recorded


async def test_a_slow_upstream_gives_504(api: RealAPI, tmp_path: Path) -> None:
    path = str(write_collection(tmp_path))
    async with mock([path], api.url, timeout=0.3) as m:
        answer = await m.client.get("/slow")
        event = m.events()[-1]
    assert answer.status_code == 504
    assert answer.json()["error"] == {
        "name": "upstreamTimeoutError",
        "header": "Gateway Timeout",
        "message": f"The upstream {api.url}/slow did not answer within 0.3 s.",
        "upstream": f"{api.url}/slow",
    }
    assert event.miss_reason == f"504: The upstream {api.url}/slow did not answer within 0.3 s."


async def test_auto_uses_the_endpoints_base_url(api: RealAPI, tmp_path: Path) -> None:
    data = json.loads(write_collection(tmp_path).read_text())
    data["variable"] = [{"key": "baseUrl", "value": api.url + "/echo"}]
    path = tmp_path / "auto.json"
    path.write_text(json.dumps(data))
    async with mock([str(path)], "auto") as m:
        answer = await m.client.get("/echo/things/7")
    assert answer.status_code == 200
    assert answer.json()["path"] == "/echo/things/7"  # the base URL's host, the request's path


async def test_record_saves_examples_a_fresh_mock_serves(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    before = json.loads(path.read_text())
    async with mock([str(path)], api.url, record=True) as m:
        first = await m.client.get("/echo/rec?a=1")
        await m.client.get("/echo/rec?a=1")  # identical: saved once
        created = await m.client.post("/echo/rec", content=b"new")
        thing = await m.client.get("/things/7")  # the endpoint without examples: its 404
        binary = await m.client.get("/binary")
        gzipped = await m.client.get("/gzip")
        events = m.events()
        assert m.recorder is not None
        await m.recorder.flush()
    assert [e.recorded for e in events] == [
        "GET /echo/rec 200",
        None,
        "POST /echo/rec 201",
        "GET /things/7 404",
        "GET /binary 200",
        "GET /gzip 200",
    ]
    after = json.loads(path.read_text())
    assert list(validator(SCHEMA).iter_errors(after)) == []  # Postman's v2.1.0 schema
    assert path.read_text().startswith('{\n\t"info"')  # tabs kept
    assert after["info"] == before["info"]  # unknown fields kept
    assert after["item"][:2][0] == before["item"][0]
    things = after["item"][1]["response"]
    assert [r["name"] for r in things] == ["GET /things/7 404"]
    recorded = after["item"][2]
    assert recorded["name"] == "Recorded"
    names = [r["name"] for i in recorded["item"] for r in i["response"]]
    assert sorted(names) == sorted(
        ["GET /echo/rec 200", "POST /echo/rec 201", "GET /binary 200", "GET /gzip 200"]
    )
    examples = {r["name"]: r for i in recorded["item"] for r in i["response"]}
    assert examples["GET /binary 200"]["body"] == ""
    assert examples["GET /binary 200"]["description"] == (
        "Recorded by mocktui without its body: 1024 bytes of application/octet-stream "
        "(binary; only text bodies are stored)."
    )
    assert json.loads(examples["GET /gzip 200"]["body"]) == GZIPPED
    gzip_headers = {h["key"].lower() for h in examples["GET /gzip 200"]["header"]}
    assert "content-encoding" not in gzip_headers and "content-length" not in gzip_headers
    echo_headers = {h["key"].lower() for h in examples["GET /echo/rec 200"]["header"]}
    assert "date" not in echo_headers and "x-upstream" in echo_headers
    assert (tmp_path / "api.postman_collection.json.bak").read_text() == json.dumps(
        before, indent="\t"
    ) + "\n"
    # A fresh mock, without the upstream, answers as the upstream did.
    async with mock([str(path)], None) as fresh:
        for answer, target in [
            (first, "/echo/rec?a=1"),
            (thing, "/things/7"),
            (gzipped, "/gzip"),
        ]:
            served = await fresh.client.get(target)
            assert served.status_code == answer.status_code
            assert served.content == answer.content if target != "/gzip" else True
            assert served.json() == answer.json()
        posted = await fresh.client.post("/echo/rec", content=b"new")
        assert (posted.status_code, posted.content) == (201, created.content)
        served_binary = await fresh.client.get("/binary")
        assert (served_binary.status_code, served_binary.content) == (200, b"")
    assert binary.content == BINARY


async def test_record_to_leaves_the_collection_alone(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    original = path.read_bytes()
    out = tmp_path / "out.json"
    async with mock([str(path)], api.url, record=True, record_to=str(out)) as m:
        await m.client.get("/text")
        assert m.recorder is not None
        await m.recorder.flush()
        assert m.recorder.paths == [str(out)]
        served = await m.client.get("/text")  # served by the new example now
        event = m.events()[-1]
    assert path.read_bytes() == original
    assert not (tmp_path / "api.postman_collection.json.bak").exists()
    assert event.proxied is None and event.example_name == "GET /text 200"
    assert served.text == "plain text, ünïcode\n"


async def test_the_watcher_knows_mocktuis_own_write(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    async with mock([str(path)], api.url, record=True) as m:
        await m.client.get("/text")
        assert m.recorder is not None
        await m.recorder.flush()
        assert m.recorder.is_own(str(path))
        data = json.loads(path.read_text())
        data["info"]["name"] = "edited in Postman"
        path.write_text(json.dumps(data, indent="\t"))
        assert not m.recorder.is_own(str(path))
        await m.client.get("/chunked")
        await m.recorder.flush()
    saved = json.loads(path.read_text())
    assert saved["info"]["name"] == "edited in Postman"  # the foreign edit is kept
    names = [r["name"] for i in saved["item"][2]["item"] for r in i["response"]]
    assert names == ["GET /text 200", "GET /chunked 200"]


def test_headless_recorder_lines(api: RealAPI, tmp_path: Path) -> None:
    path = write_collection(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mocktui",
            "--headless",
            "--no-watch",
            "--port",
            "0",
            "--upstream",
            api.url,
            "--record",
            str(path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        ready = proc.stderr.readline().decode()  # type: ignore[union-attr]
        url = ready.split("listening on ")[1].split()[0]
        assert httpx.get(f"{url}/text").status_code == 200
        line = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
    finally:
        proc.terminate()
        proc.wait(10)
    assert (line["proxied"], line["recorded"], line["status"]) == (True, "GET /text 200", 200)
    assert "GET /text 200" in path.read_text()
