"""HAR 1.2 export of request events (http://www.softwareishard.com/blog/har-12-spec/).

``har_document`` turns request event dicts into one HAR log, one entry per event, oldest first,
with every field HAR 1.2 requires. What the events cannot tell is given the values the spec sets
aside for "not known": ``headersSize`` is -1, and so are the ``blocked``, ``dns``, ``connect`` and
``ssl`` timings; the whole ``duration_ms`` is counted as ``wait`` (``send`` and ``receive`` are 0),
so ``time`` is the sum of the timings, as the spec wants.

Bodies:

- A response body that is not UTF-8 is in ``content.text`` as base64, with
  ``content.encoding = "base64"`` (HAR 1.2 has that field).
- HAR 1.2 ``postData`` has no ``encoding`` field: a request body that is not UTF-8 is put in
  ``postData.text`` as base64 all the same, with a ``comment`` saying so and the custom field
  ``_encoding: "base64"`` for tools that want to decode it (tools that don't know it, such as
  mitmproxy's importer, take the base64 text as the body).
- A body the event kept only the start of (``truncated``: 64 KiB kept) has the kept part as its
  text, the real size as ``bodySize`` / ``content.size``, and a ``comment`` saying it is cut.
- Bodies are as they were sent: one with a ``Content-Encoding`` (e.g. gzip) is still encoded, so it
  is base64 (HAR producers such as browsers would store it decoded).

Masked header values (``•••``) stay masked, with a ``comment``. mocktui's own view of the request
(endpoint, example, miss, decided_by, ...) is in the custom entry field ``_mocktui``: HAR allows
custom fields whose names start with an underscore.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mocktui.files import write_atomically

HAR_VERSION = "1.2"
MASK = "•••"
_HOSTLESS = "localhost"


def har_document(
    events: Iterable[Mapping[str, Any]], *, creator_version: str, base_url: str | None = None
) -> dict[str, Any]:
    """A HAR 1.2 document (``{"log": {...}}``) with one entry per event, oldest first.

    ``base_url`` (e.g. ``http://127.0.0.1:3000``) gives the authority of requests that came
    without a Host header; with none, ``localhost`` is used.
    """
    fallback = (urlsplit(base_url).netloc if base_url else "") or _HOSTLESS
    ordered = sorted(events, key=lambda e: (float(e.get("time") or 0), int(e.get("id") or 0)))
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "mocktui", "version": str(creator_version)},
            "pages": [],
            "entries": [_entry(event, fallback) for event in ordered],
        }
    }


def har_filename(now: datetime) -> str:
    """``mocktui-YYYYMMDD-HHMMSS.har`` for the given time (as it is: no zone conversion)."""
    return f"mocktui-{now:%Y%m%d-%H%M%S}.har"


def write_har(path: str | os.PathLike[str], document: Mapping[str, Any]) -> Path:
    """Write ``document`` as UTF-8 JSON to ``path`` atomically; return the path.

    The JSON goes to a new temporary file in the same folder, which is flushed, fsynced and then
    renamed over ``path`` (``os.replace``): a reader sees the old file or the whole new one, never
    a part. The temporary file is removed if anything fails.
    """
    target = Path(path)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere: JSON's \\u escapes can carry it
        data = (json.dumps(document, ensure_ascii=True, indent=2) + "\n").encode("ascii")
    return write_atomically(target, data)


# --- one entry ---------------------------------------------------------------------------------


def _entry(event: Mapping[str, Any], fallback_authority: str) -> dict[str, Any]:
    started = float(event.get("time") or 0)
    duration = max(0.0, float(event.get("duration_ms") or 0))
    version = _http_version(event.get("http_version"))
    request = event.get("request") or {}
    response = event.get("response") or {}
    return {
        "startedDateTime": _iso(started),
        "time": duration,
        "request": _request(event, request, version, fallback_authority),
        "response": _response(event, response, version, started),
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "ssl": -1,
            "send": 0,
            "wait": duration,
            "receive": 0,
        },
        "_mocktui": {
            "id": event.get("id"),
            "client": event.get("client") or "",
            "endpoint": _plain(event.get("endpoint")),
            "example": _plain(event.get("example")),
            "miss": event.get("miss"),
            "decided_by": event.get("decided_by"),
            "proxied": _plain(event.get("proxied")),
        },
    }


def _request(
    event: Mapping[str, Any], request: Mapping[str, Any], version: str, fallback: str
) -> dict[str, Any]:
    headers = _pairs(request.get("headers"))
    body = request.get("body") or {}
    size = _size(body)
    out: dict[str, Any] = {
        "method": str(event.get("method") or "GET"),
        "url": _url(event, fallback),
        "httpVersion": version,
        "cookies": [c for v in _values(headers, "cookie") for c in _cookies(v)],
        "headers": _har_headers(headers),
        "queryString": _name_values(parse_qsl(str(event.get("query") or ""), True)),
        "headersSize": -1,
        "bodySize": size,
    }
    if size or body.get("text") or body.get("base64"):
        out["postData"] = _post_data(body, _first(headers, "content-type") or "")
    return out


def _post_data(body: Mapping[str, Any], mime: str) -> dict[str, Any]:
    text, binary = _body_text(body)
    params: list[dict[str, str]] = []
    if not binary and mime.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded":
        params = _name_values(parse_qsl(text, True))
    out: dict[str, Any] = {"mimeType": mime, "params": params, "text": text}
    notes = []
    if binary:
        out["_encoding"] = "base64"
        notes.append(
            "binary body (not UTF-8): text is its base64 (HAR 1.2 postData has no encoding field)"
        )
    if body.get("truncated"):
        notes.append(_truncation_note(body))
    if notes:
        out["comment"] = "; ".join(notes)
    return out


def _response(
    event: Mapping[str, Any], response: Mapping[str, Any], version: str, started: float
) -> dict[str, Any]:
    headers = _pairs(response.get("headers"))
    body = response.get("body") or {}
    size = _size(body)
    text, binary = _body_text(body)
    content: dict[str, Any] = {
        "size": size,
        "mimeType": _first(headers, "content-type") or "",
        "text": text,
    }
    if binary:
        content["encoding"] = "base64"
    if body.get("truncated"):
        content["comment"] = _truncation_note(body)
    status = int(event.get("status") or 0)
    return {
        "status": status,
        "statusText": _status_text(status),
        "httpVersion": version,
        "cookies": [
            c for v in _values(headers, "set-cookie") if (c := _set_cookie(v, started)) is not None
        ],
        "headers": _har_headers(headers),
        "content": content,
        "redirectURL": _first(headers, "location") or "",
        "headersSize": -1,
        "bodySize": size,
    }


# --- pieces ------------------------------------------------------------------------------------


def _iso(timestamp: float) -> str:
    """ISO 8601 with milliseconds and the zone, e.g. ``2025-12-01T21:44:13.156+00:00``."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def _http_version(version: Any) -> str:
    text = str(version or "1.1").strip()
    if text.upper().startswith("HTTP/"):
        text = text[5:]
    return f"HTTP/{text or '1.1'}"


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _url(event: Mapping[str, Any], fallback: str) -> str:
    """scheme://authority + raw_path + ?query, as sent, made a valid (ASCII) URL.

    Only what cannot be in a URL is percent-encoded (as UTF-8): controls, spaces, non-ASCII
    characters and delimiters out of place (``#``, a ``?`` in the path); escapes already there are
    kept as they are. A non-ASCII host name is given in IDNA (``xn--``) form.
    """
    raw_path = str(event.get("raw_path") or event.get("path") or "/")
    query = str(event.get("query") or "")
    tail = f"?{_escape(query, '#')}" if query else ""
    if raw_path.lower().startswith(("http://", "https://")):  # absolute-form request target
        return _escape(raw_path, "#") + tail
    scheme = str(event.get("scheme") or "http").lower()
    authority = _authority(str(event.get("host") or "")) or fallback
    if not raw_path.startswith("/"):
        raw_path = "/" + raw_path  # e.g. OPTIONS *
    return f"{scheme}://{authority}{_escape(raw_path, '?#')}{tail}"


def _authority(host: str) -> str:
    if not host.isascii():
        name, colon, port = host.rpartition(":")
        if not (colon and port.isdigit()):
            name, colon, port = host, "", ""
        with contextlib.suppress(UnicodeError):
            host = name.encode("idna").decode("ascii") + colon + port
    return _escape(host, "/?#@\\")


def _escape(text: str, reserved: str) -> str:
    """Percent-encode (UTF-8) controls, spaces, non-ASCII and the given delimiters."""
    out = []
    for ch in text:
        if ch in reserved or not ("!" <= ch <= "~"):
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in headers or ()]


def _values(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for n, v in headers if n.lower() == name]


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    values = _values(headers, name)
    return values[0] if values else None


def _har_headers(headers: list[tuple[str, str]]) -> list[dict[str, str]]:
    out = []
    for name, value in headers:
        header = {"name": name, "value": value}
        if value == MASK:
            header["comment"] = "value masked by mocktui"
        out.append(header)
    return out


def _name_values(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _cookies(header: str) -> list[dict[str, Any]]:
    """The cookies of one Cookie header (``a=1; b=2``); a bare ``name`` has an empty value."""
    out = []
    for part in header.split(";"):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        out.append({"name": name.strip(), "value": _unquote_cookie(value.strip())})
    return out


def _set_cookie(header: str, started: float) -> dict[str, Any] | None:
    first, *attributes = header.split(";")
    name, eq, value = first.partition("=")
    if not eq and not name.strip():
        return None
    cookie: dict[str, Any] = {"name": name.strip(), "value": _unquote_cookie(value.strip())}
    max_age: int | None = None
    for attribute in attributes:
        key, _, val = attribute.strip().partition("=")
        key, val = key.strip().lower(), val.strip()
        if key == "path" and val:
            cookie["path"] = val
        elif key == "domain" and val:
            cookie["domain"] = val
        elif key == "expires" and val:
            with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
                when = email.utils.parsedate_to_datetime(val)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                cookie.setdefault("expires", when.isoformat(timespec="milliseconds"))
        elif key == "max-age":
            with contextlib.suppress(ValueError):
                max_age = int(val)
        elif key == "httponly":
            cookie["httpOnly"] = True
        elif key == "secure":
            cookie["secure"] = True
    if max_age is not None:  # Max-Age wins over Expires (RFC 6265 5.3)
        with contextlib.suppress(OverflowError, ValueError):
            when = datetime.fromtimestamp(started, UTC) + timedelta(seconds=max(max_age, 0))
            cookie["expires"] = when.isoformat(timespec="milliseconds")
    return cookie


def _unquote_cookie(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _size(body: Mapping[str, Any]) -> int:
    try:
        return max(0, int(body.get("size") or 0))
    except (TypeError, ValueError):
        return 0


def _body_text(body: Mapping[str, Any]) -> tuple[str, bool]:
    """The body as HAR text and whether that text is base64."""
    if body.get("text") is not None:
        return str(body["text"]), False
    if body.get("base64") is not None:
        return str(body["base64"]), True
    return "", False


def _truncation_note(body: Mapping[str, Any]) -> str:
    text, binary = _body_text(body)
    kept = (
        (len(text) * 3) // 4 - text[-2:].count("=")
        if binary
        else len(text.encode("utf-8", "surrogatepass"))
    )
    return f"truncated: mocktui kept only the first {kept} of {_size(body)} bytes"


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a custom field (mappings and sequences copied, the rest as is)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
