"""Load Postman collections (v2.0.0 and v2.1.0) and environment files into the model.

Every problem is a CollectionError naming the file, the JSON position or path, and what is wrong,
so the command line can print one clear line and exit 2 instead of a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from mocktui.postman.model import (
    Collection,
    Endpoint,
    Example,
    Folder,
    LoadWarning,
    RequestSpec,
    Segment,
    Skipped,
)
from mocktui.postman.variables import Scope, VariableError, whole_variable
from mocktui.rules import HOP_BY_HOP, example_delay, is_header_name, is_status, status_code

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
PATH_VARIABLE = re.compile(r"^:([A-Za-z0-9_.$-]+)$")
ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})++")  # a run of escapes; possessive: no stack per "%"
# Headers the server sets itself; an example's copies would be wrong for the body we send.
SERVER_HEADERS = HOP_BY_HOP | {
    "content-length",
    "content-encoding",  # examples store decoded bodies; re-sending gzip would lie
}
MAX_FILE_BYTES = 64 * 1024 * 1024  # a collection or environment file larger is refused
NESTED = "JSON nested too deeply"
READ_CHUNK = 1024 * 1024  # from a pipe or a device, whose size is not known before reading
TOO_LARGE = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB, the most mocktui reads"
DELAY_HEADER = "x-mocktui-delay"  # mocktui extension: a slow example, in milliseconds
PREVIEW_TYPES = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "javascript": "application/javascript",
}


class CollectionError(Exception):
    """A collection or environment file that mocktui cannot use."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        super().__init__(f"{file}: {where}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem


def _read_bytes(path: str | Path) -> bytes:
    """The file's bytes, at most MAX_FILE_BYTES: a larger regular file is refused before it is
    read, and anything else (a pipe, a device such as /dev/zero) is read no further than that."""
    name = str(path)
    chunks: list[bytes] = []
    total = 0
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size  # 0 for pipes and devices
            if size > MAX_FILE_BYTES:
                raise CollectionError(name, "file", TOO_LARGE)
            # A regular file in one read of its size (read(n) sets n bytes aside at once), then
            # whatever else comes in chunks, until the end or just past the limit.
            want = size + 1 if size else READ_CHUNK
            while total <= MAX_FILE_BYTES:
                chunk = file.read(min(want, MAX_FILE_BYTES + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if size and len(chunk) < want:
                    break  # the end of the regular file (asking again would set 1 MiB aside)
                want = READ_CHUNK
    except FileNotFoundError:
        raise CollectionError(name, "file", "no such file") from None
    except IsADirectoryError:
        raise CollectionError(name, "file", "is a directory, not a JSON file") from None
    except OSError as exc:
        raise CollectionError(name, "file", exc.strerror or str(exc)) from None
    if total > MAX_FILE_BYTES:
        raise CollectionError(name, "file", TOO_LARGE)
    return b"".join(chunks)  # one chunk (a regular file): that chunk itself, not a copy


def read_json(path: str | Path) -> Any:
    name = str(path)
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CollectionError(
            name, f"byte {exc.start}", "not UTF-8 text (is this a JSON file?)"
        ) from None
    del data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectionError(
            name, f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise CollectionError(name, "$", NESTED) from None
    except ValueError:  # a number longer than int() reads (sys.get_int_max_str_digits())
        raise CollectionError(name, "$", "a number in it has too many digits") from None


def _describe(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value}"
    return kinds.get(type(value), type(value).__name__)


def _text(value: Any) -> str:
    """A JSON scalar as Postman shows it in a variable or header value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def percent_decode(text: str, plus: bool = False) -> str:
    """``urllib.parse.unquote`` (``unquote_plus`` with ``plus``): %XX escapes as UTF-8, invalid
    sequences replaced. Each run of escapes is decoded as one piece, so memory stays a small
    multiple of the text (``unquote`` makes an object per "%": 1 MB of "%%%" took 100 MB)."""
    if plus:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    return ESCAPES.sub(_decode_escapes, text)


def _decode_escapes(match: re.Match[str]) -> str:
    return bytes.fromhex(match.group().replace("%", "")).decode("utf-8", "replace")


def query_pairs(text: str) -> tuple[tuple[str, str], ...]:
    """``parse_qsl(text, keep_blank_values=True)``, decoded with ``percent_decode``; a pair that
    repeats is one object (as _Loader._segment does for path segments)."""
    seen: dict[str, tuple[str, str]] = {}

    def pair(field: str) -> tuple[str, str]:
        known = seen.get(field)
        if known is None:
            name, _, value = field.partition("=")
            known = seen[field] = (percent_decode(name, True), percent_decode(value, True))
        return known

    return tuple(pair(field) for field in _split(text, "&") if field)


def _split(text: str, separator: str, start: int = 0) -> Iterator[str]:
    """``text[start:].split(separator)``, one part at a time: no list of all the parts."""
    while (end := text.find(separator, start)) >= 0:
        yield text[start:end]
        start = end + len(separator)
    yield text[start:]


def _pairs(entries: Any, enabled_key: str = "disabled") -> dict[str, str]:
    """Postman key/value lists (variables, environment values) as a dict of enabled entries."""
    out: dict[str, str] = {}
    if not isinstance(entries, list):
        return out
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            continue
        if enabled_key == "disabled" and entry.get("disabled") is True:
            continue
        if enabled_key == "enabled" and entry.get("enabled") is False:
            continue
        out[entry["key"]] = _text(entry.get("value"))
    return out


def load_environment(path: str | Path) -> dict[str, str]:
    """An environment file's enabled values (``enabled`` not false)."""
    name = str(path)
    data = read_json(path)
    if not isinstance(data, dict):
        raise CollectionError(
            name, "$", f"expected a Postman environment (a JSON object), got {_describe(data)}"
        )
    values = data.get("values")
    if not isinstance(values, list):
        if "item" in data or "info" in data:
            problem = "this is a collection, not an environment file (give it without --env)"
        else:
            problem = 'missing "values": not a Postman environment file'
        raise CollectionError(name, "$.values", problem)
    for index, entry in enumerate(values):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise CollectionError(
                name, f"$.values[{index}]", 'expected an object with a string "key"'
            )
    try:
        return _pairs(values, enabled_key="enabled")
    except RecursionError:  # a value nested nearly as deep as json.loads goes, in json.dumps
        raise CollectionError(name, "$.values", NESTED) from None


class _Loader:
    """One collection file's walk: keeps the file name, scope and counters in one place."""

    def __init__(self, name: str, index: int, taken_keys: set[str] | None = None) -> None:
        self.name = name
        self.index = index
        self.example_count = 0
        self.skipped: list[Skipped] = []
        self.skipped_headers: list[Skipped] = []
        self.warnings: list[LoadWarning] = []
        # Keys already used, by this file and (when the caller shares the set) the files
        # loaded before it: controls are keyed by endpoint key, so keys must never repeat.
        self.keys: set[str] = set() if taken_keys is None else taken_keys
        self.collection_name = ""
        self.segment_cache: dict[str, Segment] = {}

    def _segment(self, text: str) -> Segment:
        """A literal segment, one object for each text: a path of 1M "/" is 1M references to
        one Segment, not 1M Segments."""
        segment = self.segment_cache.get(text)
        if segment is None:
            segment = self.segment_cache[text] = Segment(text)
        return segment

    def fail(self, where: str, problem: str) -> CollectionError:
        return CollectionError(self.name, where, problem)

    # -- structure ---------------------------------------------------------------------------

    def folder(
        self, node: dict[str, Any], where: str, scope: Scope, names: tuple[str, ...], key: str
    ) -> Folder:
        items = node.get("item")
        if not isinstance(items, list):
            raise self.fail(f"{where}.item", f"expected a list of items, got {_describe(items)}")
        children: list[Folder | Endpoint] = []
        for i, item in enumerate(items):
            item_where = f"{where}.item[{i}]"
            if not isinstance(item, dict):
                raise self.fail(item_where, f"expected an item object, got {_describe(item)}")
            name = _text(item.get("name")) or f"item {i + 1}"
            if "item" in item:  # a folder (v2 "item-group")
                sub_scope = scope.with_folder(_pairs(item.get("variable")))
                sub_key = self._key(item, (*names, name))
                children.append(self.folder(item, item_where, sub_scope, (*names, name), sub_key))
            elif "request" in item:
                children.append(self.endpoint(item, item_where, scope, names, name))
            else:
                raise self.fail(item_where, 'neither a request ("request") nor a folder ("item")')
        return Folder(name=names[-1] if names else "", key=key, children=tuple(children))

    def _key(self, item: dict[str, Any], names: tuple[str, ...]) -> str:
        raw = item.get("id") or item.get("_postman_id")
        base = raw if isinstance(raw, str) and raw else f"{self.index}/" + "/".join(names)
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = f"{base}~{n}"
        self.keys.add(key)
        return key

    def endpoint(
        self, item: dict[str, Any], where: str, scope: Scope, folder: tuple[str, ...], name: str
    ) -> Endpoint:
        key = self._key(item, (*folder, name))
        request = self.request(item["request"], f"{where}.request", scope)
        if request.problem:
            self.skipped.append(Skipped(key, None, name, request.problem, f"{where}.request"))
        responses = item.get("response", [])
        if responses is None:
            responses = []
        if isinstance(responses, dict):
            # Real exported files sometimes hold their one example as an object (spec 1).
            responses, places = [responses], [f"{where}.response"]
            self.warnings.append(
                LoadWarning(key, places[0], "one example given as an object, not a list: used")
            )
        elif isinstance(responses, list):
            places = [f"{where}.response[{i}]" for i in range(len(responses))]
        else:
            raise self.fail(
                f"{where}.response", f"expected a list of examples, got {_describe(responses)}"
            )
        examples = []
        for i, (raw, place) in enumerate(zip(responses, places, strict=True)):
            example = self.example(raw, place, scope, key, request, i + 1)
            if example.request.problem:
                reason = example.request.problem
                self.skipped.append(Skipped(key, example.id, example.name, reason, place))
            examples.append(example)
        return Endpoint(
            key=key,
            name=name,
            folder=folder,
            collection=self.collection_name,
            request=request,
            examples=tuple(examples),
            json_path=where,
        )

    def example(
        self,
        raw: Any,
        where: str,
        scope: Scope,
        endpoint_key: str,
        endpoint_request: RequestSpec,
        position: int,
    ) -> Example:
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected an example object, got {_describe(raw)}")
        self.example_count += 1
        raw_id = raw.get("id")
        explicit = isinstance(raw_id, str) and bool(raw_id)
        example_id = raw_id if explicit else self._position_id()
        name = _text(raw.get("name")) or f"Example {position}"
        code = self._code(raw.get("code"), f"{where}.code")
        status = _text(raw.get("status"))
        if not status:
            try:
                status = HTTPStatus(code).phrase
            except ValueError:
                status = ""
        original = raw.get("originalRequest")
        if original is None:
            request = endpoint_request
        else:
            request = self.request(original, f"{where}.originalRequest", scope)
        # Wildcard captures outrank variables: leave their {{name}} for the renderer.
        captures = frozenset(s.wildcard for s in request.segments if s.wildcard)
        headers, delay_ms = self.response_headers(
            raw.get("header"), f"{where}.header", scope, captures
        )
        for key, _value in headers:
            if not is_header_name(key):
                reason = f"header {key!r} is not a valid HTTP header name: left out of the answer"
                place = self._header_place(raw.get("header"), key, f"{where}.header")
                self.skipped_headers.append(Skipped(endpoint_key, example_id, key, reason, place))
        headers = tuple((k, v) for k, v in headers if is_header_name(k))
        body = raw.get("body")
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        body = scope.resolve(body or "", captures)
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        if content_type is None:
            preview = raw.get("_postman_previewlanguage")
            content_type = PREVIEW_TYPES.get(preview) if isinstance(preview, str) else None
        return Example(
            id=example_id,
            name=name,
            code=code,
            status=status,
            headers=headers,
            body=body,
            content_type=content_type,
            request=request,
            endpoint_key=endpoint_key,
            position=position,
            explicit_id=explicit,
            delay_ms=delay_ms,
            json_path=where,
            has_code=raw.get("code") not in (None, ""),
            has_original_request=original is not None,
        )

    @staticmethod
    def _header_place(raw: Any, name: str, where: str) -> str:
        """The JSON path of the first header entry with this name (``where`` for text forms)."""
        if isinstance(raw, list):
            for i, entry in enumerate(raw):
                key = entry.partition(":")[0] if isinstance(entry, str) else None
                if isinstance(entry, dict):
                    key = _text(entry.get("key"))
                if key is not None and key.strip() == name:
                    return f"{where}[{i}]"
        return where

    def _position_id(self) -> str:
        n = str(self.example_count)
        return n if self.index == 0 else f"{self.index + 1}.{n}"

    def _code(self, value: Any, where: str) -> int:
        if value is None or value == "":
            return 200  # mocktui decision: an example without a code answers 200
        if isinstance(value, bool):
            raise self.fail(where, f"expected an HTTP status code, got {_describe(value)}")
        if isinstance(value, str):
            code = status_code(value)  # digits above 999 read as 1000: out of range
            value = value if code is None else code
        if not isinstance(value, int) or not is_status(value):
            raise self.fail(
                where, f"expected an HTTP status code from 100 to 599, got {json.dumps(value)}"
            )
        return value

    def response_headers(
        self, raw: Any, where: str, scope: Scope, keep: frozenset[str]
    ) -> tuple[tuple[tuple[str, str], ...], int]:
        delay = 0
        out = []
        for key, value in self.header_list(raw, where, scope, keep):
            lower = key.lower()
            if lower == DELAY_HEADER:
                delay = example_delay(value)
            elif lower not in SERVER_HEADERS:
                out.append((key, value))
        return tuple(out), delay

    def header_list(
        self, raw: Any, where: str, scope: Scope, keep: frozenset[str] = frozenset()
    ) -> list[tuple[str, str]]:
        if raw is None or raw == "":
            return []
        if isinstance(raw, str):  # v2.0 allows "Name: value\n" text
            pairs = []
            for line in raw.splitlines():
                key, sep, value = line.partition(":")
                if sep and key.strip():
                    pairs.append((key.strip(), scope.resolve(value.strip(), keep)))
            return pairs
        if not isinstance(raw, list):
            raise self.fail(where, f"expected a list of headers, got {_describe(raw)}")
        pairs = []
        for i, entry in enumerate(raw):
            if isinstance(entry, str):
                key, sep, value = entry.partition(":")
                if sep:
                    pairs.append((key.strip(), scope.resolve(value.strip(), keep)))
                continue
            if not isinstance(entry, dict):
                raise self.fail(
                    f"{where}[{i}]", f"expected a header object, got {_describe(entry)}"
                )
            if entry.get("disabled") is True:
                continue
            key = _text(entry.get("key")).strip()
            if key:
                pairs.append((key, scope.resolve(_text(entry.get("value")), keep)))
        return pairs

    # -- requests and URLs -------------------------------------------------------------------

    def request(self, raw: Any, where: str, scope: Scope) -> RequestSpec:
        if isinstance(raw, str):  # v2.0: a request may be just its URL (a GET)
            raw = {"url": raw, "method": "GET"}
        if not isinstance(raw, dict):
            raise self.fail(where, f"expected a request object or URL, got {_describe(raw)}")
        method = raw.get("method")
        problem = None
        if not isinstance(method, str) or not method.strip():
            problem = "no method"
            method = ""
        headers = tuple(self.header_list(raw.get("header"), f"{where}.header", scope))
        body = self.request_body(raw.get("body"), scope)
        url = raw.get("url")
        try:
            host, path, segments, query = self.url(url, scope)
            scheme = self.url_scheme(url, scope)
        except ValueError as exc:
            return RequestSpec(method.strip().upper(), "", (), (), headers, body, str(exc))
        return RequestSpec(
            method=method.strip().upper(),
            path=path,
            segments=segments,
            query=query,
            headers=headers,
            body=body,
            problem=problem,
            host=host,
            scheme=scheme,
        )

    @staticmethod
    def request_body(raw: Any, scope: Scope) -> str | None:
        if not isinstance(raw, dict):
            return None
        mode = raw.get("mode")
        if mode == "raw" and isinstance(raw.get("raw"), str):
            return scope.resolve(raw["raw"])
        if mode == "urlencoded" and isinstance(raw.get("urlencoded"), list):
            pairs = _pairs(raw["urlencoded"])
            return "&".join(f"{k}={scope.resolve(v)}" for k, v in pairs.items())
        if mode == "graphql" and isinstance(raw.get("graphql"), dict):
            graphql = raw["graphql"]
            variables = graphql.get("variables")
            if isinstance(variables, str):
                # Not JSON (or too deep, or a number int() refuses): kept as the text it is.
                with contextlib.suppress(ValueError, RecursionError):
                    variables = json.loads(variables) if variables.strip() else None
            return json.dumps({"query": graphql.get("query", ""), "variables": variables})
        return None

    def url_scheme(self, raw: Any, scope: Scope) -> str:
        """The scheme of a request's URL (``protocol``, else the one the host or the raw form
        starts with once resolved), lower-case; "" when it gives none."""
        if isinstance(raw, dict):
            protocol = raw.get("protocol")
            if isinstance(protocol, str) and protocol:
                return protocol.lower().rstrip(":/")
            raw = self._host_text(raw["host"]) if raw.get("host") else raw.get("raw")
        if not isinstance(raw, str):
            return ""
        found = SCHEME.match(scope.resolve(raw.strip()))
        return found.group()[:-3].lower() if found else ""

    def url(
        self, raw: Any, scope: Scope
    ) -> tuple[str, str, tuple[Segment, ...], tuple[tuple[str, str], ...]]:
        """(host, path, segments, query) of a request's URL, variables resolved."""
        path_vars: dict[str, str] = {}
        query: Sequence[tuple[str, str]] | None = None
        if isinstance(raw, str):
            text = raw
        elif isinstance(raw, dict):
            path_vars = _pairs(raw.get("variable"))
            if isinstance(raw.get("query"), list):
                listed: list[tuple[str, str]] = []
                for entry in raw["query"]:
                    if not isinstance(entry, dict) or entry.get("disabled") is True:
                        continue
                    if entry.get("key") is None:
                        continue
                    # Decoded as query_pairs decodes the raw form (and the server the request's).
                    listed.append(
                        (
                            percent_decode(scope.resolve(_text(entry["key"])), plus=True),
                            percent_decode(scope.resolve(_text(entry.get("value"))), plus=True),
                        )
                    )
                query = listed
            host, path = raw.get("host"), raw.get("path")
            if host is not None or path is not None:
                text = self._host_text(host) + "/" + self._path_text(path)
                if host is None:
                    text = "/" + self._path_text(path)
            elif isinstance(raw.get("raw"), str):
                text = raw["raw"]
            else:
                raise ValueError('URL has neither "raw" nor "host"/"path"')
        elif raw is None:
            raise ValueError("no URL")
        else:
            raise ValueError(f"URL is {_describe(raw)}, not a string or object")

        text = scope.resolve(text.strip())
        text = SCHEME.sub("", text, count=1)
        text = text.partition("#")[0]
        text, qmark, query_text = text.partition("?")
        if query is None:
            query = query_pairs(query_text) if qmark else ()
        host = ""
        if not text.startswith("/"):
            host, _, rest = text.partition("/")  # the host never takes part in matching
            text = "/" + rest
        decoded = percent_decode(text) or "/"
        # Split lazily, straight into a tuple: a path of 1M "/" or "ab/" is mostly segments, and
        # each text is kept once (see _segment), so neither a list of parts nor copies of them.
        segments = tuple(
            self._path_segment(part, path_vars, scope) for part in _split(decoded, "/", 1)
        )
        # Only a :name with a value changes a segment's text; without one the path is as decoded.
        substituted = bool(path_vars) and ":" in decoded
        path = "/" + "/".join(s.text for s in segments) if substituted else decoded
        # A path variable's value may hold slashes; re-split so segments stay one per "/".
        if any("/" in s.text for s in segments if not s.wildcard):
            flat: list[Segment] = []
            for s in segments:
                if s.wildcard:
                    flat.append(s)
                else:
                    flat.extend(self._segment(p) for p in s.text.split("/"))
            segments = tuple(flat)
        return host, path, segments, tuple(query)

    def _path_segment(self, part: str, path_vars: Mapping[str, str], scope: Scope) -> Segment:
        var = PATH_VARIABLE.match(part)
        if var:
            value = path_vars.get(var.group(1), "")
            value = scope.resolve(value) if value else ""
            if not value:
                return Segment(part, wildcard=var.group(1))
            part = value
        wild = whole_variable(part)
        return Segment(part, wildcard=wild) if wild else self._segment(part)

    @staticmethod
    def _host_text(host: Any) -> str:
        if isinstance(host, list):
            return ".".join(_text(h) for h in host)
        return _text(host)

    @staticmethod
    def _path_text(path: Any) -> str:
        if isinstance(path, list):
            parts = []
            for p in path:
                if isinstance(p, dict):  # v2.0 path elements may be {"type", "value"}
                    p = p.get("value")
                parts.append(_text(p))
            return "/".join(parts)
        return _text(path).lstrip("/")


def _schema(data: dict[str, Any], name: str) -> str:
    info = data.get("info")
    if not isinstance(info, dict):
        raise CollectionError(name, "$.info", "missing: not a Postman collection")
    schema = info.get("schema")
    if not isinstance(schema, str):
        raise CollectionError(
            name, "$.info.schema", "missing: cannot tell the collection format (v2.0 or v2.1)"
        )
    if "v2.1" in schema:
        return "v2.1.0"
    if "v2.0" in schema:
        return "v2.0.0"
    if "v1" in schema:
        raise CollectionError(
            name, "$.info.schema", "a Postman v1 collection; re-export it as v2.1 from Postman"
        )
    raise CollectionError(
        name,
        "$.info.schema",
        f"unsupported collection format {schema!r} (mocktui reads v2.0 and v2.1)",
    )


def load_collection(
    path: str | Path,
    overrides: Mapping[str, str] | None = None,
    environment: Mapping[str, str] | None = None,
    index: int = 0,
    taken_keys: set[str] | None = None,
) -> Collection:
    """Load one collection file. ``overrides`` are --var values, ``environment`` the --env file's.

    ``index`` is the file's place on the command line: position-derived example IDs of the
    second and later files are prefixed with it so that IDs stay unique across collections.

    ``taken_keys``: the endpoint and folder keys of the files loaded before this one, in one
    set the caller shares across all the files it serves together (a new set for each load or
    reload of them all). A key already in it gets ``~2``, ``~3`` ... as a clash within one file
    does, and this file's keys are added to it. Without it, keys are unique within the file
    only.
    """
    name = str(path)
    data = read_json(path)
    try:
        return _collection(data, name, overrides, environment, index, taken_keys)
    except VariableError as exc:
        raise CollectionError(name, f"variable {{{{{exc.name}}}}}", exc.problem) from None
    except RecursionError:  # json.loads took it, something later went deeper (json.dumps ...)
        raise CollectionError(name, "$", NESTED) from None


def _collection(
    data: Any,
    name: str,
    overrides: Mapping[str, str] | None,
    environment: Mapping[str, str] | None,
    index: int,
    taken_keys: set[str] | None,
) -> Collection:
    if not isinstance(data, dict):
        raise CollectionError(
            name, "$", f"expected a Postman collection (a JSON object), got {_describe(data)}"
        )
    if "item" not in data and ("requests" in data or "order" in data):
        raise CollectionError(
            name,
            "$.requests",
            "a Postman v1 collection; mocktui reads v2.0 and v2.1: re-export it from Postman",
        )
    if "values" in data and "item" not in data:
        raise CollectionError(
            name, "$.values", "an environment file, not a collection (pass it with --env)"
        )
    schema = _schema(data, name)
    variables = _pairs(data.get("variable"))
    scope = Scope((dict(overrides or {}), dict(environment or {}), variables))
    loader = _Loader(name, index, taken_keys)
    info = data["info"]
    loader.collection_name = _text(info.get("name")) or Path(name).stem
    root = loader.folder(data, "$", scope, (), f"{index}/")
    root = Folder(name=loader.collection_name, key=root.key, children=root.children)
    return Collection(
        name=loader.collection_name,
        source=name,
        schema=schema,
        root=root,
        skipped=tuple(loader.skipped),
        skipped_headers=tuple(loader.skipped_headers),
        variables=variables,
        warnings=tuple(loader.warnings),
    )
