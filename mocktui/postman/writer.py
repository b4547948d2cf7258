"""Write Postman collections: the loader's counterpart, for record mode and saved examples.

Pure: no HTTP, no engine. A ``Document`` is a collection file as JSON data plus the way the
file was written (indentation, a final newline, non-ASCII as is or as ``\\u`` escapes), so that
``Document.read(path).to_bytes()`` gives the file back as it was: everything mocktui does not
change (unknown fields, key order, IDs, descriptions, scripts, auth) stays as it was, and the
indentation too (Postman exports use tabs). New examples get fresh UUID ``id``\\ s.

What goes into an example is decided here as well (``example_from``): the answer's status,
headers (less the hop-by-hop ones, and the moment ones unless asked), body (text as is; a
binary body is left out and the example says so) and an ``originalRequest`` built from the
request, which a fresh mock then matches.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from mocktui.postman.loader import CollectionError, _read_bytes
from mocktui.rules import (
    HOP_BY_HOP,
    MOMENT_HEADERS,
    connection_tokens,
    is_header_name,
    is_json_type,
    is_secret_name,
    is_status,
    media_type,
    status_code,
)

RECORDED_FOLDER = "Recorded"  # where a request no endpoint covers gets an item of its own
# Request headers never written into a file: credentials, and what the client's connection
# or the mock's address decided.
UNSAVED_REQUEST_HEADERS = frozenset(
    {"host", "authorization", "cookie", "content-length", "accept-encoding"}
)
# The body is stored decoded: its length and encoding headers would lie about it.
BODY_HEADERS = frozenset({"content-length", "content-encoding"})


@dataclass(frozen=True, slots=True)
class Style:
    """How a JSON file was written, as far as ``json.dumps`` can write it again."""

    indent: str | None = "\t"  # None: all on one line
    final_newline: bool = False
    ensure_ascii: bool = False
    bom: bool = False

    @classmethod
    def of(cls, text: str) -> Style:
        bom = text.startswith("\ufeff")
        if bom:
            text = text[1:]
        stripped = text.lstrip()
        indent: str | None = None
        head = stripped[1:]
        if head[:1] in ("\n", "\r"):
            line = head.lstrip("\r\n")
            indent = line[: len(line) - len(line.lstrip(" \t"))] or None
        ascii_only = text.isascii()
        return cls(
            indent=indent,
            final_newline=text.endswith("\n"),
            # A file with no character beyond ASCII may have written them as \u escapes:
            # keep doing so (json.dumps's default); one with UTF-8 in it keeps UTF-8.
            ensure_ascii=ascii_only and "\\u" in text,
            bom=bom,
        )

    def dumps(self, data: Any) -> bytes:
        if self.indent is None:
            text = json.dumps(data, ensure_ascii=self.ensure_ascii, separators=(",", ":"))
        else:
            text = json.dumps(data, ensure_ascii=self.ensure_ascii, indent=self.indent)
        if self.final_newline:
            text += "\n"
        if self.bom:
            text = "\ufeff" + text
        return text.encode("utf-8", "surrogatepass")


class Document:
    """One collection file, to change and write back."""

    def __init__(self, path: str, data: dict[str, Any], style: Style) -> None:
        self.path = path
        self.data = data
        self.style = style

    @classmethod
    def read(cls, path: str | Path) -> Document:
        name = str(path)
        raw = _read_bytes(path)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CollectionError(name, f"byte {exc.start}", "not UTF-8 text") from None
        try:
            data = json.loads(text.removeprefix("\ufeff"))
        except (ValueError, RecursionError) as exc:
            raise CollectionError(name, "$", f"invalid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("item"), list):
            raise CollectionError(name, "$", "not a Postman collection")
        return cls(name, data, Style.of(text))

    def to_bytes(self) -> bytes:
        return self.style.dumps(self.data)

    def node(self, json_path: str) -> dict[str, Any]:
        """The object at a loader's JSON path (``$.item[2].item[0]``); KeyError if none."""
        node: Any = self.data
        for part in json_path.removeprefix("$").split("."):
            if not part:
                continue
            name, _, index = part.partition("[")
            node = node[name]
            if index:
                node = node[int(index.rstrip("]"))]
        if not isinstance(node, dict):
            raise KeyError(json_path)
        return node

    def add_example(self, item: dict[str, Any], example: dict[str, Any]) -> str:
        """Append ``example`` to the item's examples under a name no other of them has;
        returns that name."""
        responses = item.get("response")
        if isinstance(responses, dict):  # one example given as an object (the loader reads it)
            responses = [responses]
        elif not isinstance(responses, list):
            responses = []
        item["response"] = responses
        taken = {r.get("name") for r in responses if isinstance(r, dict)}
        example["name"] = unique_name(str(example.get("name") or "Example"), taken)
        responses.append(example)
        return example["name"]

    def recorded_item(self, method: str, path: str, origin: str) -> dict[str, Any]:
        """The item of folder ``Recorded`` for requests ``METHOD path`` that no endpoint
        covers, made (with the folder) when there is none yet."""
        folder = next(
            (
                i
                for i in self.data["item"]
                if isinstance(i, dict)
                and i.get("name") == RECORDED_FOLDER
                and isinstance(i.get("item"), list)
            ),
            None,
        )
        if folder is None:
            folder = {
                "name": RECORDED_FOLDER,
                "description": "Requests recorded by mocktui that no request of the collection "
                "covered.",
                "item": [],
            }
            self.data["item"].append(folder)
        for item in folder["item"]:
            request = item.get("request") if isinstance(item, dict) else None
            if isinstance(request, dict) and request.get("method") == method:
                url = request.get("url")
                if isinstance(url, dict) and url.get("path") == _segments(path):
                    return item
        item = {
            "id": new_id(),
            "name": f"{method} {path}",
            "request": {"method": method, "header": [], "url": url_object(origin, path, "")},
            "response": [],
        }
        folder["item"].append(item)
        return item


def new_id() -> str:
    return str(uuid.uuid4())


def unique_name(base: str, taken: Iterable[object]) -> str:
    """``base``, or ``base #2``, ``#3`` ... when taken."""
    names = set(taken)
    if base not in names:
        return base
    n = 2
    while f"{base} #{n}" in names:
        n += 1
    return f"{base} #{n}"


def _segments(path: str) -> list[str]:
    return path.lstrip("/").split("/") if path.strip("/") else []


def url_object(origin: str, raw_path: str, query: str) -> dict[str, Any]:
    """A Postman URL object for ``origin`` (``scheme://host[:port]``) + path + query, as the
    path and query were sent (percent-encoding kept: the loader decodes it as the server does
    a request's)."""
    scheme, _, authority = origin.partition("://")
    host, colon, port = authority.rpartition(":") if "]" not in authority else (authority, "", "")
    if not colon:
        host, port = authority, ""
    path = raw_path if raw_path.startswith("/") else "/" + raw_path
    url: dict[str, Any] = {"raw": f"{origin}{path}" + (f"?{query}" if query else "")}
    if scheme:
        url["protocol"] = scheme
    url["host"] = host.split(".") if host else []
    if port:
        url["port"] = port
    url["path"] = _segments(path)
    if query:
        pairs = []
        for field in query.split("&"):
            if field:
                key, _, value = field.partition("=")
                pairs.append({"key": key, "value": value})
        url["query"] = pairs
    return url


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request and the answer it got, as record mode saves it.

    ``response_body`` is the body decoded (no Content-Encoding left), or None when it was not
    kept whole (larger than what is recorded); ``response_size`` is its size in bytes."""

    method: str
    raw_path: str  # as sent, percent-encoding kept
    query: str  # the raw query string
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes | None
    response_size: int
    origin: str  # the upstream's scheme://host[:port]

    def fingerprint(self) -> str:
        """Equal for identical exchanges (method, path, query, body, status, body): saved once."""
        digest = hashlib.sha256()
        for part in (
            self.method.upper().encode(),
            self.raw_path.encode("utf-8", "surrogateescape"),
            self.query.encode("utf-8", "surrogateescape"),
            self.request_body,
            str(self.status).encode(),
            b"\x00none" if self.response_body is None else self.response_body,
        ):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    @property
    def path(self) -> str:
        return self.raw_path.partition("?")[0] or "/"

    def name(self) -> str:
        return f"{self.method.upper()} {self.path} {self.status}"


def _text(data: bytes) -> str | None:
    """The body as text, or None when it is binary (not UTF-8, or with NUL bytes in it)."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def saved_response_headers(
    headers: Sequence[tuple[str, str]], all_headers: bool = False
) -> list[dict[str, str]]:
    """An answer's headers as an example keeps them: never the hop-by-hop ones nor those about
    the stored body's bytes; the moment ones (Date ...) only with ``all_headers``."""
    dropped = HOP_BY_HOP | BODY_HEADERS | connection_tokens(_header(headers, "connection"))
    if not all_headers:
        dropped |= MOMENT_HEADERS
    return [{"key": k, "value": v} for k, v in headers if k.lower() not in dropped]


def saved_request_headers(headers: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """A request's headers as an ``originalRequest`` keeps them: no credentials or keys, no
    hop-by-hop ones, no Host."""
    dropped = (
        HOP_BY_HOP | UNSAVED_REQUEST_HEADERS | connection_tokens(_header(headers, "connection"))
    )
    return [
        {"key": k, "value": v}
        for k, v in headers
        if k.lower() not in dropped and not is_secret_name(k)
    ]


def _preview(content_type: str | None) -> str:
    media = media_type(content_type) or ""
    if is_json_type(content_type):
        return "json"
    if media.endswith("html"):
        return "html"
    if media.endswith("xml"):
        return "xml"
    if "javascript" in media:
        return "javascript"
    return "text"


def example_from(exchange: Exchange, all_headers: bool = False) -> dict[str, Any]:
    """A Postman example (a ``response`` entry) for an exchange, with a new id; its name is
    ``METHOD path STATUS`` (``Document.add_example`` makes it unique)."""
    content_type = _header(exchange.response_headers, "content-type")
    body = None if exchange.response_body is None else _text(exchange.response_body)
    try:
        phrase = HTTPStatus(exchange.status).phrase
    except ValueError:
        phrase = ""
    request: dict[str, Any] = {
        "method": exchange.method.upper(),
        "header": saved_request_headers(exchange.request_headers),
    }
    request_text = _text(exchange.request_body) if exchange.request_body else None
    if request_text:
        request["body"] = {"mode": "raw", "raw": request_text}
    request["url"] = url_object(exchange.origin, exchange.path, exchange.query)
    example: dict[str, Any] = {
        "id": new_id(),
        "name": exchange.name(),
        "originalRequest": request,
        "status": phrase,
        "code": exchange.status,
        "_postman_previewlanguage": _preview(content_type),
        "header": saved_response_headers(exchange.response_headers, all_headers),
        "cookie": [],
        "body": body or "",
    }
    if body is None and exchange.response_size:
        what = media_type(content_type) or "unknown type"
        why = "binary" if exchange.response_body is not None else "larger than mocktui records"
        example["description"] = (
            f"Recorded by mocktui without its body: {exchange.response_size} bytes of {what} "
            f"({why}; only text bodies are stored)."
        )
    return example


# -- an example to edit by hand (the dashboard's "s" on a miss) ---------------------------------

DRAFT_HELP = (
    "# {what}\n"
    "# The status line, the headers (Name: value), an empty line, then the body. Save and close\n"
    "# to keep it; empty the file to cancel. These lines starting with # are left out.\n"
)


def draft_text(example: dict[str, Any], what: str) -> str:
    """An example as text to edit: a status line, headers, an empty line, the body."""
    status = f"{example.get('code', 200)} {example.get('status', '')}".rstrip()
    headers = "".join(
        f"{h['key']}: {h['value']}\n" for h in example.get("header", []) if isinstance(h, dict)
    )
    body = str(example.get("body") or "")
    return f"{DRAFT_HELP.format(what=what.replace(chr(10), ' '))}{status}\n{headers}\n{body}\n"


def parse_draft(text: str, example: dict[str, Any]) -> dict[str, Any] | None:
    """The example with what the edited text says (``draft_text``'s form); None when the
    text is empty (cancelled). ValueError, with the line, for text that is not that form."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1
    if not "\n".join(lines[start:]).strip():
        return None
    while not lines[start].strip():
        start += 1
    first = lines[start].strip()
    code_text, _, phrase = first.partition(" ")
    code = status_code(code_text)
    if code is None or not is_status(code):
        raise ValueError(
            f"line {start + 1}: expected a status code from 100 to 599 first, got {first!r}"
        )
    headers: list[dict[str, str]] = []
    number = start + 1
    while number < len(lines) and lines[number].strip():
        name, colon, value = lines[number].partition(":")
        if not colon or not is_header_name(name.strip()):
            raise ValueError(
                f"line {number + 1}: expected a header (Name: value) or an empty line before "
                f"the body, got {lines[number]!r}"
            )
        headers.append({"key": name.strip(), "value": value.strip()})
        number += 1
    body = "\n".join(lines[number + 1 :]).rstrip("\n")
    if not phrase:
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
    content_type = next((h["value"] for h in headers if h["key"].lower() == "content-type"), None)
    name = str(example.get("name", ""))
    old_code = f" {example.get('code')}"
    if name.endswith(old_code):  # the name made for it ("GET /x 200") says the new status
        name = name[: -len(old_code)] + f" {code}"
    return {
        **example,
        "name": name,
        "code": code,
        "status": phrase.strip(),
        "_postman_previewlanguage": _preview(content_type),
        "header": headers,
        "body": body,
    }
