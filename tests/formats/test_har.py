"""har_document against a validator of the HAR 1.2 spec's required fields, and its details."""

from __future__ import annotations

import base64
import copy
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mocktui.formats.har import har_document, har_filename, write_har

# --- a HAR 1.2 validator, written from http://www.softwareishard.com/blog/har-12-spec/ -----------
#
# Each object: field -> (type, required). "number" is int or float (never bool); "integer" an
# int. Fields that are not in the spec must start with "_" (the spec's custom fields).

STR, NUM, INT, BOOL, OBJ, LIST = "string", "number", "integer", "boolean", "object", "array"

SPEC: dict[str, dict[str, tuple[str, bool]]] = {
    "log": {
        "version": (STR, True),
        "creator": (OBJ, True),
        "browser": (OBJ, False),
        "pages": (LIST, False),
        "entries": (LIST, True),
        "comment": (STR, False),
    },
    "creator": {"name": (STR, True), "version": (STR, True), "comment": (STR, False)},
    "page": {
        "startedDateTime": (STR, True),
        "id": (STR, True),
        "title": (STR, True),
        "pageTimings": (OBJ, True),
        "comment": (STR, False),
    },
    "entry": {
        "pageref": (STR, False),
        "startedDateTime": (STR, True),
        "time": (NUM, True),
        "request": (OBJ, True),
        "response": (OBJ, True),
        "cache": (OBJ, True),
        "timings": (OBJ, True),
        "serverIPAddress": (STR, False),
        "connection": (STR, False),
        "comment": (STR, False),
    },
    "request": {
        "method": (STR, True),
        "url": (STR, True),
        "httpVersion": (STR, True),
        "cookies": (LIST, True),
        "headers": (LIST, True),
        "queryString": (LIST, True),
        "postData": (OBJ, False),
        "headersSize": (INT, True),
        "bodySize": (INT, True),
        "comment": (STR, False),
    },
    "response": {
        "status": (INT, True),
        "statusText": (STR, True),
        "httpVersion": (STR, True),
        "cookies": (LIST, True),
        "headers": (LIST, True),
        "content": (OBJ, True),
        "redirectURL": (STR, True),
        "headersSize": (INT, True),
        "bodySize": (INT, True),
        "comment": (STR, False),
    },
    "cookie": {
        "name": (STR, True),
        "value": (STR, True),
        "path": (STR, False),
        "domain": (STR, False),
        "expires": (STR, False),
        "httpOnly": (BOOL, False),
        "secure": (BOOL, False),
        "comment": (STR, False),
    },
    "pair": {"name": (STR, True), "value": (STR, True), "comment": (STR, False)},
    # The spec lists params and text without "optional" but calls them mutually exclusive:
    # at least one of them must be there (checked below).
    "postData": {
        "mimeType": (STR, True),
        "params": (LIST, False),
        "text": (STR, False),
        "comment": (STR, False),
    },
    "param": {
        "name": (STR, True),
        "value": (STR, False),
        "fileName": (STR, False),
        "contentType": (STR, False),
        "comment": (STR, False),
    },
    "content": {
        "size": (INT, True),
        "compression": (INT, False),
        "mimeType": (STR, True),
        "text": (STR, False),
        "encoding": (STR, False),
        "comment": (STR, False),
    },
    "cache": {"beforeRequest": (OBJ, False), "afterRequest": (OBJ, False), "comment": (STR, False)},
    "timings": {
        "blocked": (NUM, False),
        "dns": (NUM, False),
        "connect": (NUM, False),
        "send": (NUM, True),
        "wait": (NUM, True),
        "receive": (NUM, True),
        "ssl": (NUM, False),
        "comment": (STR, False),
    },
}
# ISO 8601 (YYYY-MM-DDThh:mm:ss.sTZD) with fractional seconds and a zone, as the spec shows.
ISO_8601 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d)")


def _type_ok(value: Any, kind: str) -> bool:
    if kind == STR:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == NUM:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == OBJ:
        return isinstance(value, dict)
    return isinstance(value, list)


def check(obj: Any, kind: str, where: str, errors: list[str]) -> None:
    if not isinstance(obj, dict):
        errors.append(f"{where}: not an object")
        return
    fields = SPEC[kind]
    for name, (ftype, required) in fields.items():
        if name not in obj:
            if required:
                errors.append(f"{where}.{name}: missing")
        elif not _type_ok(obj[name], ftype):
            errors.append(f"{where}.{name}: not a {ftype}")
    for name in obj:
        if name not in fields and not name.startswith("_"):
            errors.append(f"{where}.{name}: not in HAR 1.2 (custom fields start with _)")


def check_list(items: Any, kind: str, where: str, errors: list[str]) -> None:
    if isinstance(items, list):
        for i, item in enumerate(items):
            check(item, kind, f"{where}[{i}]", errors)


def har_errors(document: Any) -> list[str]:
    """Everything in ``document`` that HAR 1.2 does not allow; [] for a valid one."""
    errors: list[str] = []
    if not isinstance(document, dict) or set(document) != {"log"}:
        return ["the document must be an object with one field, log"]
    log = document["log"]
    check(log, "log", "log", errors)
    if not isinstance(log, dict):
        return errors
    check(log.get("creator"), "creator", "log.creator", errors)
    if "browser" in log:
        check(log["browser"], "creator", "log.browser", errors)
    check_list(log.get("pages", []), "page", "log.pages", errors)
    for i, entry in enumerate(log.get("entries") or []):
        at = f"log.entries[{i}]"
        check(entry, "entry", at, errors)
        if not isinstance(entry, dict):
            continue
        started = entry.get("startedDateTime")
        if isinstance(started, str) and not ISO_8601.fullmatch(started):
            errors.append(f"{at}.startedDateTime: not ISO 8601 with a zone: {started!r}")
        request, response = entry.get("request"), entry.get("response")
        check(request, "request", f"{at}.request", errors)
        check(response, "response", f"{at}.response", errors)
        for part, value in (("request", request), ("response", response)):
            if isinstance(value, dict):
                check_list(value.get("cookies"), "cookie", f"{at}.{part}.cookies", errors)
                check_list(value.get("headers"), "pair", f"{at}.{part}.headers", errors)
                version = value.get("httpVersion")
                if isinstance(version, str) and not re.fullmatch(r"HTTP/\d(\.\d)?", version):
                    errors.append(f"{at}.{part}.httpVersion: {version!r}")
        if isinstance(request, dict):
            check_list(request.get("queryString"), "pair", f"{at}.request.queryString", errors)
            url = request.get("url")
            if isinstance(url, str) and not re.fullmatch(r"https?://[^/?#]+(/[^#]*)?", url):
                errors.append(f"{at}.request.url: not absolute: {url!r}")
            if isinstance(url, str) and not re.fullmatch(r"[!-~]*", url):
                errors.append(f"{at}.request.url: not a URL (RFC 3986: printable ASCII only)")
            if "postData" in request:
                post = request["postData"]
                check(post, "postData", f"{at}.request.postData", errors)
                if isinstance(post, dict):
                    if "text" not in post and "params" not in post:
                        errors.append(f"{at}.request.postData: neither text nor params")
                    check_list(post.get("params"), "param", f"{at}.request.postData.params", errors)
        if isinstance(response, dict):
            check(response.get("content"), "content", f"{at}.response.content", errors)
        check(entry.get("cache"), "cache", f"{at}.cache", errors)
        timings = entry.get("timings")
        check(timings, "timings", f"{at}.timings", errors)
        if isinstance(timings, dict) and _type_ok(entry.get("time"), NUM):
            for name, value in timings.items():
                if _type_ok(value, NUM) and value < (
                    0 if name in ("send", "wait", "receive") else -1
                ):
                    errors.append(f"{at}.timings.{name}: {value} is out of range")
            total = sum(v for k, v in timings.items() if _type_ok(v, NUM) and v != -1)
            if abs(total - entry["time"]) > 1e-6:
                errors.append(f"{at}.time: {entry['time']} is not the sum of the timings {total}")
    return errors


# --- events ------------------------------------------------------------------------------------


def body(text: str | None = "", data: bytes | None = None, size: int | None = None) -> dict:
    if data is not None:
        raw = data
        kept = {"text": None, "base64": base64.b64encode(data).decode()}
    else:
        raw = (text or "").encode("utf-8")
        kept = {"text": text or "", "base64": None}
    real = len(raw) if size is None else size
    return {"size": real, "truncated": real > len(raw), **kept}


def make_event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": 17,
        "time": 1764625453.156,
        "client": "127.0.0.1:50312",
        "scheme": "http",
        "http_version": "1.1",
        "method": "GET",
        "host": "127.0.0.1:3000",
        "raw_path": "/users/42",
        "path": "/users/42",
        "query": "",
        "request": {"headers": [["Host", "127.0.0.1:3000"]], "body": body()},
        "status": 200,
        "response": {
            "headers": [["Content-Type", "application/json"]],
            "body": body('{"id": 42}'),
        },
        "duration_ms": 1.612,
        "endpoint": {"key": "abc", "name": "Get user"},
        "example": {"id": "2", "name": "User found", "code": 200},
        "miss": None,
        "decided_by": "score",
        "proxied": None,
    }
    event.update(changes)
    return event


HOSTILE = "q'\"`$(touch /tmp/pwned)`\x1b[2J\x1b]0;t\x07\nX-Injected: 1\r\n\u202e\0"


def varied_events() -> list[dict[str, Any]]:
    """Events 1..8, one second apart."""
    events = [
        make_event(
            id=1,
            raw_path="/users/42%2Fx",
            path="/users/42/x",
            query="a=1&a=2&b=%20&c=x+y&flag",
            request={
                "headers": [
                    ["Host", "127.0.0.1:3000"],
                    ["Cookie", 'session=abc; theme="dark"; lone'],
                    ["x-api-key", "•••"],
                ],
                "body": body(),
            },
        ),
        make_event(
            id=2,
            method="POST",
            request={
                "headers": [["Host", "h"], ["Content-Type", "application/json"]],
                "body": body('{"name": "Ada"}'),
            },
            status=201,
            response={
                "headers": [
                    ["Set-Cookie", "sid=1; Path=/; Domain=example.com; HttpOnly; Secure"],
                    ["Set-Cookie", "old=x; Expires=Wed, 21 Oct 2015 07:28:00 GMT"],
                    ["Set-Cookie", "short=y; Max-Age=60"],
                    ["Location", "/users/43"],
                ],
                "body": body(""),
            },
        ),
        make_event(
            id=3,
            method="PUT",
            request={
                "headers": [["Content-Type", "application/octet-stream"]],
                "body": body(data=bytes(range(256))),
            },
            response={
                "headers": [["Content-Type", "image/png"]],
                "body": body(data=b"\x89PNG\r\n\x1a\n\0\xff"),
            },
        ),
        make_event(
            id=4,
            method="POST",
            request={"headers": [], "body": body(data=b"\xff" * 1000, size=70000)},
            response={"headers": [], "body": body("x" * 1000, size=70000)},
        ),
        make_event(id=5, host="", status=499, response={"headers": [], "body": body()}),
        make_event(
            id=6,
            method="PURGE",
            raw_path="/p/" + HOSTILE,
            query="v=" + HOSTILE,
            http_version="1.0",
            request={
                "headers": [[f"X-{HOSTILE}", HOSTILE], ["Cookie", HOSTILE]],
                "body": body(HOSTILE),
            },
            response={"headers": [["Set-Cookie", HOSTILE]], "body": body(HOSTILE)},
            miss=HOSTILE,
        ),
        make_event(
            id=7,
            http_version="2",
            scheme="https",
            raw_path="/caf\u00e9/\u4e2d",
            query="name=J%C3%BCrgen&emoji=%F0%9F%98%80&raw=\u00fc",
            request={"headers": [["accept-language", "d\u00e9"]], "body": body()},
            response={
                "headers": [["content-type", "text/plain; charset=utf-8"]],
                "body": body("gr\u00fc\u00df \U0001f600"),
            },
            endpoint=None,
            example=None,
            miss="no example matched",
            decided_by="none",
        ),
        make_event(
            id=8,
            method="POST",
            request={
                "headers": [["Content-Type", "application/x-www-form-urlencoded"]],
                "body": body("a=1&b=two+words&a=3"),
            },
            status=302,
            response={"headers": [["Location", "https://example.com/next"]], "body": body()},
        ),
    ]
    for event in events:
        event["time"] += event["id"] - 1
    return events


def document(**kwargs: Any) -> dict[str, Any]:
    return har_document(varied_events(), creator_version="0.1.0", **kwargs)


# --- the validator -----------------------------------------------------------------------------


def test_document_is_valid_har_1_2() -> None:
    doc = document(base_url="http://127.0.0.1:3000")
    assert har_errors(doc) == []
    assert len(doc["log"]["entries"]) == len(varied_events())
    # Valid JSON, and the same after a round trip.
    assert json.loads(json.dumps(doc)) == doc


def test_document_without_events_is_valid() -> None:
    doc = har_document([], creator_version="1")
    assert har_errors(doc) == []
    assert doc == {
        "log": {
            "version": "1.2",
            "creator": {"name": "mocktui", "version": "1"},
            "pages": [],
            "entries": [],
        }
    }


REQUIRED = [
    ("log", "version"),
    ("log", "creator"),
    ("log", "entries"),
    ("log", "creator", "name"),
    ("log", "creator", "version"),
    *[("log", "entries", 0, f) for f in SPEC["entry"] if SPEC["entry"][f][1]],
    *[("log", "entries", 0, "request", f) for f in SPEC["request"] if SPEC["request"][f][1]],
    *[("log", "entries", 0, "response", f) for f in SPEC["response"] if SPEC["response"][f][1]],
    *[("log", "entries", 0, "response", "content", f) for f in ("size", "mimeType")],
    *[("log", "entries", 0, "timings", f) for f in ("send", "wait", "receive")],
    ("log", "entries", 0, "request", "headers", 0, "name"),
    ("log", "entries", 0, "request", "headers", 0, "value"),
    ("log", "entries", 0, "request", "queryString", 0, "name"),
    ("log", "entries", 0, "request", "cookies", 0, "value"),
    ("log", "entries", 1, "request", "postData", "mimeType"),
    ("log", "entries", 1, "response", "cookies", 0, "name"),
]


@pytest.mark.parametrize("path", REQUIRED, ids=lambda p: ".".join(map(str, p)))
def test_validator_rejects_a_missing_required_field(path: tuple) -> None:
    doc = document()
    assert har_errors(doc) == []
    broken = copy.deepcopy(doc)
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert har_errors(broken)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("log", "entries", 0, "time"), "1.6"),
        (("log", "entries", 0, "response", "status"), True),
        (("log", "entries", 0, "request", "headersSize"), 1.5),
        (("log", "entries", 0, "startedDateTime"), "2025-12-01 21:44:13"),
        (("log", "entries", 0, "request", "url"), "/users/42"),
        (("log", "entries", 0, "request", "url"), "http://h/caf\u00e9"),
        (("log", "entries", 0, "request", "url"), "http://h/a b"),
        (("log", "entries", 0, "request", "httpVersion"), "1.1"),
        (("log", "entries", 0, "timings", "wait"), 99.0),
        (("log", "entries", 0, "request", "headers", 0, "value"), None),
        (("log", "entries", 0, "cache"), []),
        (("log", "entries", 0, "mocktui"), {}),
        (("log", "entries", 1, "request", "postData"), {"mimeType": "a/b"}),
    ],
)
def test_validator_rejects_a_wrong_field(path: tuple, value: Any) -> None:
    broken = document()
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert har_errors(broken)


# --- what the entries say ----------------------------------------------------------------------


def entries(**kwargs: Any) -> dict[int, dict[str, Any]]:
    return {e["_mocktui"]["id"]: e for e in document(**kwargs)["log"]["entries"]}


def test_entries_are_oldest_first() -> None:
    events = varied_events()
    events[0]["time"] = 1764625999.0  # newest, though listed first
    doc = har_document(reversed(events), creator_version="x")
    ids = [e["_mocktui"]["id"] for e in doc["log"]["entries"]]
    assert ids == [2, 3, 4, 5, 6, 7, 8, 1]


def test_times_and_timings() -> None:
    entry = entries()[1]
    assert entry["startedDateTime"] == "2025-12-01T21:44:13.156+00:00"
    assert datetime.fromisoformat(entry["startedDateTime"]).timestamp() == pytest.approx(
        1764625453.156
    )
    assert entry["time"] == 1.612
    assert entry["timings"] == {
        "blocked": -1,
        "dns": -1,
        "connect": -1,
        "ssl": -1,
        "send": 0,
        "wait": 1.612,
        "receive": 0,
    }
    assert entry["cache"] == {}


def test_request_of_a_get() -> None:
    request = entries()[1]["request"]
    assert request["method"] == "GET"
    assert request["url"] == "http://127.0.0.1:3000/users/42%2Fx?a=1&a=2&b=%20&c=x+y&flag"
    assert request["httpVersion"] == "HTTP/1.1"
    assert request["queryString"] == [
        {"name": "a", "value": "1"},
        {"name": "a", "value": "2"},
        {"name": "b", "value": " "},
        {"name": "c", "value": "x y"},
        {"name": "flag", "value": ""},
    ]
    assert request["cookies"] == [
        {"name": "session", "value": "abc"},
        {"name": "theme", "value": "dark"},
        {"name": "lone", "value": ""},
    ]
    assert request["headers"][0] == {"name": "Host", "value": "127.0.0.1:3000"}
    assert request["headers"][2]["value"] == "•••"
    assert "masked" in request["headers"][2]["comment"]
    assert "postData" not in request
    assert (request["headersSize"], request["bodySize"]) == (-1, 0)


def test_post_json_and_response_cookies() -> None:
    entry = entries()[2]
    assert entry["request"]["postData"] == {
        "mimeType": "application/json",
        "params": [],
        "text": '{"name": "Ada"}',
    }
    assert entry["request"]["bodySize"] == 15
    response = entry["response"]
    assert (response["status"], response["statusText"]) == (201, "Created")
    assert response["redirectURL"] == "/users/43"
    assert response["cookies"] == [
        {
            "name": "sid",
            "value": "1",
            "path": "/",
            "domain": "example.com",
            "httpOnly": True,
            "secure": True,
        },
        {"name": "old", "value": "x", "expires": "2015-10-21T07:28:00.000+00:00"},
        {"name": "short", "value": "y", "expires": "2025-12-01T21:45:14.156+00:00"},
    ]
    assert response["content"] == {"size": 0, "mimeType": "", "text": ""}


def test_binary_bodies() -> None:
    entry = entries()[3]
    post = entry["request"]["postData"]
    assert base64.b64decode(post["text"]) == bytes(range(256))
    assert post["_encoding"] == "base64"
    assert "base64" in post["comment"]
    assert post["mimeType"] == "application/octet-stream"
    content = entry["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == b"\x89PNG\r\n\x1a\n\0\xff"
    assert (content["size"], entry["response"]["bodySize"]) == (10, 10)
    assert content["mimeType"] == "image/png"


def test_truncated_bodies() -> None:
    entry = entries()[4]
    post = entry["request"]["postData"]
    assert "first 1000 of 70000 bytes" in post["comment"]
    assert entry["request"]["bodySize"] == 70000
    content = entry["response"]["content"]
    assert content["size"] == entry["response"]["bodySize"] == 70000
    assert content["text"] == "x" * 1000
    assert "first 1000 of 70000 bytes" in content["comment"]
    assert "encoding" not in content


def test_empty_host_and_unknown_status() -> None:
    assert entries(base_url="http://127.0.0.1:3000/")[5]["request"]["url"] == (
        "http://127.0.0.1:3000/users/42"
    )
    entry = entries()[5]
    assert entry["request"]["url"] == "http://localhost/users/42"
    assert (entry["response"]["status"], entry["response"]["statusText"]) == (499, "")


def test_hostile_text_is_kept_as_data() -> None:
    entry = entries()[6]
    request = entry["request"]
    assert request["method"] == "PURGE"
    assert request["httpVersion"] == "HTTP/1.0"
    assert request["headers"][0] == {"name": f"X-{HOSTILE}", "value": HOSTILE}
    assert request["postData"]["text"] == HOSTILE
    assert entry["response"]["content"]["text"] == HOSTILE
    assert entry["_mocktui"]["miss"] == HOSTILE
    # The URL is still one URL: what would break it is percent-encoded.
    url = request["url"]
    assert url.startswith("http://127.0.0.1:3000/p/q'\"`$(touch%20/tmp/pwned)`%1B[2J")
    assert not re.search(r"[\x00-\x20\x7f#]", url)
    assert url.count("?") == 1
    assert request["queryString"][0]["value"].startswith("q'\"`$(touch /tmp/pwned)")
    text = json.dumps(entry, ensure_ascii=False)
    assert not re.search(r"[\x00-\x1f]", text)  # JSON escapes every control character


def test_http2_and_non_ascii() -> None:
    entry = entries()[7]
    request = entry["request"]
    assert request["url"] == (
        "https://127.0.0.1:3000/caf%C3%A9/%E4%B8%AD?name=J%C3%BCrgen&emoji=%F0%9F%98%80&raw=%C3%BC"
    )
    assert request["httpVersion"] == entry["response"]["httpVersion"] == "HTTP/2"
    assert request["queryString"] == [
        {"name": "name", "value": "J\u00fcrgen"},
        {"name": "emoji", "value": "\U0001f600"},
        {"name": "raw", "value": "\u00fc"},
    ]
    assert entry["response"]["content"]["text"] == "gr\u00fc\u00df \U0001f600"
    assert entry["_mocktui"] == {
        "id": 7,
        "client": "127.0.0.1:50312",
        "endpoint": None,
        "example": None,
        "miss": "no example matched",
        "decided_by": "none",
        "proxied": None,
    }


def test_non_ascii_host_and_odd_targets() -> None:
    events = [
        make_event(id=1, host="b\u00fccher.example:8080"),
        make_event(id=2, host="evil/host?#@x", raw_path="/a?b#c"),
        make_event(id=3, method="OPTIONS", raw_path="*"),
        make_event(id=4, raw_path="http://other.example/x", query="y=1"),
    ]
    doc = har_document(events, creator_version="x")
    assert har_errors(doc) == []
    assert [e["request"]["url"] for e in doc["log"]["entries"]] == [
        "http://xn--bcher-kva.example:8080/users/42",
        "http://evil%2Fhost%3F%23%40x/a%3Fb%23c",
        "http://127.0.0.1:3000/*",
        "http://other.example/x?y=1",
    ]


def test_mocktui_fields_and_form_params() -> None:
    entry = entries()[8]
    assert entry["_mocktui"]["endpoint"] == {"key": "abc", "name": "Get user"}
    assert entry["_mocktui"]["example"] == {"id": "2", "name": "User found", "code": 200}
    assert entry["_mocktui"]["decided_by"] == "score"
    assert entry["request"]["postData"]["params"] == [
        {"name": "a", "value": "1"},
        {"name": "b", "value": "two words"},
        {"name": "a", "value": "3"},
    ]
    assert entry["response"]["redirectURL"] == "https://example.com/next"
    assert entry["response"]["statusText"] == "Found"


def test_events_are_not_changed() -> None:
    events = varied_events()
    before = copy.deepcopy(events)
    doc = har_document(events, creator_version="x")
    assert events == before
    doc["log"]["entries"][0]["_mocktui"]["endpoint"]["name"] = "changed"
    assert events == before


# --- files -------------------------------------------------------------------------------------


def test_write_har_is_atomic_and_readable(tmp_path: Path) -> None:
    doc = document()
    target = tmp_path / har_filename(datetime(2026, 12, 1, 21, 45, 0))
    assert target.name == "mocktui-20261201-214500.har"
    target.write_text("old")
    assert write_har(target, doc) == target
    assert json.loads(target.read_text(encoding="utf-8")) == doc
    assert har_errors(json.loads(target.read_bytes())) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temp file left
    mode = target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_write_har_accepts_a_str_path_and_lone_surrogates(tmp_path: Path) -> None:
    doc = har_document([make_event(miss="bad \udcff")], creator_version="x")
    path = write_har(str(tmp_path / "x.har"), doc)
    assert path == tmp_path / "x.har"
    assert json.loads(path.read_text(encoding="utf-8")) == doc


def test_write_har_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_har(tmp_path / "x.har", {"log": {"bad": object()}})
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "dir.har").mkdir()
    with pytest.raises(OSError):
        write_har(tmp_path / "dir.har", document())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.har"]
