"""``mocktui check``: what is wrong with a collection, said before a client finds out.

Pure: loaded collections in, findings out (no printing, no exit codes; ``cli.py`` does those,
and the dashboard can call ``check_collections`` on the collections it serves).

Whether an example can ever be served is asked of the real matcher, not of a copy of its
rules: for each example, the request its saved ``originalRequest`` describes is sent through
``Matcher.match`` (wildcard segments filled in, ``x-mock-*`` headers left out), and then a few
variants of it (another wildcard value, without the query, without the body). An example that
none of them gets is shadowed by the example that wins its own saved request. When the same
requests with ``x-mock-response-code: <its code>`` get it, that is the usual Postman way of
offering an error response (a 404 saved with the 200's request): a warning. When not even that
reaches it (only ``x-mock-response-name`` / ``-id`` or a pin do), an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from mocktui import rules
from mocktui.engine.dynamic import DynamicVariables
from mocktui.engine.matcher import (
    Entry,
    Index,
    Matcher,
    MatchRequest,
    MatchResult,
    MatchSettings,
    natural_key,
)
from mocktui.engine.store import ControlStore
from mocktui.engine.template import HELPERS, PLACEHOLDER
from mocktui.postman.model import Collection, Endpoint, Example, RequestSpec
from mocktui.postman.variables import VARIABLE

ERROR, WARNING = "error", "warning"

# Every kind of finding: code -> (severity, what it means). The README lists the same.
KINDS: dict[str, tuple[str, str]] = {
    "never-served": (
        ERROR,
        "no request gets this example, not even with x-mock-response-code: another always "
        "outscores it",
    ),
    "duplicate-name": (ERROR, "two examples of one endpoint have the same name"),
    "invalid-json": (ERROR, "the body is not JSON while its Content-Type says JSON"),
    "invalid-header-name": (ERROR, "a response header name that is not valid HTTP"),
    "example-left-out": (ERROR, "the example's saved request has no method or URL"),
    "reachable-by-code-only": (
        WARNING,
        "only x-mock-response-code (or a pin) gets this example: another wins otherwise",
    ),
    "no-examples": (WARNING, "an endpoint without examples: a request for it is a miss"),
    "no-code": (WARNING, "an example without a code: it answers 200"),
    "undefined-variable": (WARNING, "a URL variable defined nowhere"),
    "body-variable": (WARNING, "a {{variable}} in a body that resolves to nothing"),
    "no-content-type": (WARNING, "a saved request with a body but no Content-Type"),
    "request-differs": (WARNING, "a saved request with another method or path"),
    "request-left-out": (WARNING, "the endpoint's own request has no method or URL"),
    "response-object": (WARNING, "one example given as an object instead of a list"),
}

# A wildcard's value in the built requests: one not ID-like, one ID-like; neither is the text
# of a literal segment of the collections (a suffix is added until so).
FILL = "mocktui-check"
FILL_ID = "mocktui-check-1"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one collection file.

    ``path`` is the JSON path in ``file`` (``$.item[2].response[0]``); ``endpoint`` is the
    endpoint's key (as in the control API and the dashboard) and ``example`` the example's ID,
    when the finding is about one.
    """

    severity: str  # "error" or "warning"
    code: str  # one of KINDS
    message: str
    file: str
    path: str
    endpoint: str | None = None
    example: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Summary:
    """The counts of one file: ``tarot.json: 10 endpoints, 61 examples: 0 errors, 3 warnings``."""

    file: str
    endpoints: int
    examples: int
    errors: int
    warnings: int

    def line(self) -> str:
        return (
            f"{self.file}: {_count(self.endpoints, 'endpoint')}, "
            f"{_count(self.examples, 'example')}: "
            f"{_count(self.errors, 'error')}, {_count(self.warnings, 'warning')}"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_collections(collections: Sequence[Collection]) -> list[Finding]:
    """Every finding for collections served together, file by file, in document order.

    They are matched together, as the server pools them: an example of one file can shadow
    an example of another.
    """
    endpoints = [ep for c in collections for ep in c.endpoints]
    index = Index.build(endpoints)
    matcher = Matcher(index, ControlStore(), MatchSettings())
    literals = {t for e in index.entries for t in e.lower_segments}
    fills = (_unused(FILL, literals), _unused(FILL_ID, literals))
    findings: list[Finding] = []
    for collection in collections:
        found = _Checker(collection, index, matcher, fills).run()
        found.sort(key=lambda f: natural_key(f.path))  # stable: same place, order found
        findings.extend(found)
    return findings


def summarize(collections: Sequence[Collection], findings: Iterable[Finding]) -> list[Summary]:
    findings = list(findings)
    out = []
    for collection in collections:
        mine = [f for f in findings if f.file == collection.source]
        out.append(
            Summary(
                collection.source,
                len(collection.endpoints),
                len(collection.examples),
                sum(f.severity == ERROR for f in mine),
                sum(f.severity == WARNING for f in mine),
            )
        )
    return out


def format_text(collections: Sequence[Collection], findings: Sequence[Finding]) -> str:
    """One line per finding, then each file's summary line."""
    lines = [f"{f.file}: {f.path}: {f.severity}: {f.message} [{f.code}]" for f in findings]
    lines.extend(s.line() for s in summarize(collections, findings))
    return "\n".join(lines) + "\n"


def format_json(collections: Sequence[Collection], findings: Sequence[Finding]) -> str:
    """One JSON document: the files' counts and every finding (for CI annotations)."""
    document = {
        "files": [s.to_dict() for s in summarize(collections, findings)],
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- the checks -------------------------------------------------------------------------------


class _Checker:
    """The findings of one collection (matched against all the collections' examples)."""

    def __init__(
        self, collection: Collection, index: Index, matcher: Matcher, fills: tuple[str, str]
    ) -> None:
        self.collection = collection
        self.index = index
        self.matcher = matcher
        self.fill, self.fill_id = fills
        self.findings: list[Finding] = []
        self.endpoints = collection.endpoints
        self.by_key = {ep.key: ep for ep in self.endpoints}

    def add(
        self,
        code: str,
        message: str,
        path: str,
        endpoint: Endpoint | str | None = None,
        example: Example | None = None,
    ) -> None:
        key = endpoint.key if isinstance(endpoint, Endpoint) else endpoint
        self.findings.append(
            Finding(
                KINDS[code][0],
                code,
                message,
                self.collection.source,
                path,
                key,
                example.id if example else None,
            )
        )

    def run(self) -> list[Finding]:
        self.loader_notes()
        for endpoint in self.endpoints:
            self.endpoint(endpoint)
        self.undefined_variables()
        self.never_served()
        return self.findings

    # What the loader set aside ------------------------------------------------------------

    def loader_notes(self) -> None:
        for warning in self.collection.warnings:
            self.add("response-object", warning.message, warning.path, warning.endpoint_key)
        for item in self.collection.skipped:
            endpoint = self.by_key.get(item.endpoint_key)
            if item.example_id is None:
                message = (
                    f"the request of {item.name!r} cannot be matched ({item.reason}): only its "
                    "examples with their own saved request can answer"
                )
                self.add("request-left-out", message, item.path, item.endpoint_key)
                continue
            example = _example(endpoint, item.example_id)
            what = _describe(example) if example else repr(item.name)
            message = (
                f"{what} is left out of matching: its saved request cannot be matched "
                f"({item.reason})"
            )
            self.add("example-left-out", message, item.path, item.endpoint_key, example)
        for item in self.collection.skipped_headers:
            example = _example(self.by_key.get(item.endpoint_key), item.example_id)
            what = _describe(example) if example else f"example {item.example_id}"
            message = (
                f"header {item.name!r} of {what} is not a valid HTTP header name: "
                "left out of the answer"
            )
            self.add("invalid-header-name", message, item.path, item.endpoint_key, example)

    # One endpoint and its examples ----------------------------------------------------------

    def endpoint(self, endpoint: Endpoint) -> None:
        if not endpoint.examples:
            message = (
                f"{_request(endpoint.request)} ({endpoint.name!r}) has no examples: "
                "a request for it is a miss (404)"
            )
            self.add("no-examples", message, endpoint.json_path, endpoint)
        first: dict[str, Example] = {}
        for example in endpoint.examples:
            if example.name in first:
                self.duplicate_name(endpoint, first[example.name], example)
            else:
                first[example.name] = example
            if not example.has_code:
                message = f"{example.name!r} has no code: it answers 200"
                self.add("no-code", message, example.json_path, endpoint, example)
            self.body(endpoint, example)
            if not example.request.problem:
                self.saved_request(endpoint, example)

    def duplicate_name(self, endpoint: Endpoint, first: Example, again: Example) -> None:
        picked = self.matcher.match(
            MatchRequest(
                first.request.method or endpoint.method,
                first.request.path or "/",
                headers=(("x-mock-response-name", first.name),),
            )
        ).entry
        answers = ""
        if picked is not None:
            answers = f" (it answers {_relative(picked.example, picked.endpoint, endpoint)})"
        message = (
            f"{_describe(again)} has the same name as example {first.position} "
            f"({first.code}) of this endpoint: x-mock-response-name cannot tell them apart"
            f"{answers}"
        )
        self.add("duplicate-name", message, again.json_path, endpoint, again)

    def body(self, endpoint: Endpoint, example: Example) -> None:
        if rules.is_json_type(example.content_type):
            problem = _json_problem(example.body)
            if problem:
                message = (
                    f"the body of {_describe(example)} is not valid JSON ({problem}) but its "
                    f"Content-Type is {example.content_type}"
                )
                self.add("invalid-json", message, f"{example.json_path}.body", endpoint, example)
        if "{{" not in example.body:
            return
        captures = {s.wildcard for s in example.request.segments if s.wildcard}
        reported: set[str] = set()
        for match in PLACEHOLDER.finditer(example.body):
            inner = match.group(1).strip()
            if inner in reported:
                continue
            if inner.startswith("$"):
                head = inner.partition(" ")[0]
                if head in HELPERS or head[1:] in DynamicVariables.names:
                    continue
                why = "which is not a dynamic variable"
            elif inner in captures:
                continue
            else:
                why = "which resolves to nothing"
            reported.add(inner)
            message = (
                f"the body of {_describe(example)} uses {{{{{inner}}}}}, {why}: "
                "it is sent as written"
            )
            self.add("body-variable", message, f"{example.json_path}.body", endpoint, example)

    def saved_request(self, endpoint: Endpoint, example: Example) -> None:
        saved = example.request
        where = (
            f"{example.json_path}.originalRequest"
            if example.has_original_request
            else f"{endpoint.json_path}.request"
        )
        has_type = any(k.lower() == "content-type" for k, _ in saved.headers)
        if (saved.body or "").strip() and not has_type:
            message = (
                f"the saved request of {_describe(example)} has a body but no Content-Type: "
                "with body matching on (x-mock-match-request-body, --match-body) it is dropped"
            )
            self.add("no-content-type", message, where, endpoint, example)
        own = endpoint.request
        if not example.has_original_request or own.problem:
            return
        if saved.method != own.method or not _paths_agree(saved, own):
            message = (
                f"the saved request of {_describe(example)} is {_request(saved)}, "
                f"the endpoint's request is {_request(own)}"
            )
            self.add("request-differs", message, where, endpoint, example)

    # Across the file ------------------------------------------------------------------------

    def undefined_variables(self) -> None:
        """URL variables defined nowhere, once per variable and role, with the first place."""
        seen: dict[tuple[str, str], tuple[str, str, set[str]]] = {}
        for endpoint in self.endpoints:
            requests = [(f"{endpoint.json_path}.request.url", endpoint.request)]
            requests += [
                (f"{ex.json_path}.originalRequest.url", ex.request)
                for ex in endpoint.examples
                if ex.has_original_request
            ]
            for where, request in requests:
                if request.problem:
                    continue
                for name, role in _unresolved(request):
                    first = seen.setdefault((name, role), (where, endpoint.key, set()))
                    first[2].add(endpoint.key)
        for (name, role), (where, key, endpoints) in seen.items():
            message = (
                f"{{{{{name}}}}} is defined nowhere (collection, --env, --var): {ROLES[role]}, "
                f"in {_count(len(endpoints), 'endpoint')}"
            )
            self.add("undefined-variable", message, where, key)

    def never_served(self) -> None:
        mine = {id(ep) for ep in self.endpoints}
        for entry in self.index.entries:
            if id(entry.endpoint) not in mine:
                continue
            own = _probe(entry, self.fill)
            requests = [own, *_variants(entry, self.fill, self.fill_id)]
            result = self.matcher.match(own)
            if result.entry is entry or any(
                self.matcher.match(r).entry is entry for r in requests[1:]
            ):
                continue
            winner = result.entry
            if winner is None:  # cannot happen: its own saved request reaches it
                continue
            example = entry.example
            shadow = _relative(winner.example, winner.endpoint, entry.endpoint)
            why = _why(result, entry, winner)
            code = ("x-mock-response-code", str(example.code))
            by_code = [self.matcher.match(_with(r, *code)) for r in requests]
            if any(r.entry is entry for r in by_code):
                message = (
                    f"{_describe(example)} is only served with x-mock-response-code: "
                    f"{example.code} (or a pin): {shadow} wins its saved request "
                    f"{_target(entry, own)} otherwise{why}"
                )
                self.add(
                    "reachable-by-code-only", message, example.json_path, entry.endpoint, example
                )
                continue
            also = ""
            other = by_code[0].entry
            if other is not None and other is not winner:
                also = (
                    f", and {_relative(other.example, other.endpoint, entry.endpoint)} with "
                    f"x-mock-response-code: {example.code}"
                )
            message = (
                f"{_describe(example)} can never be served, by automatic matching nor with "
                f"x-mock-response-code: {example.code}: {shadow} wins its saved request "
                f"{_target(entry, own)}{why}{also}; {self.reached_by(entry, own)}"
            )
            self.add("never-served", message, example.json_path, entry.endpoint, example)

    def reached_by(self, entry: Entry, own: MatchRequest) -> str:
        """Which x-mock-response-name / -id header gets this example (asked of the matcher)."""
        example = entry.example
        for header, value in (
            ("x-mock-response-name", example.name),
            ("x-mock-response-id", example.id),
        ):
            if self.matcher.match(_with(own, header, value)).entry is entry:
                return f"only a header such as {header}: {value}, or a pin, reaches it"
        return "only a pin reaches it"


def _why(result: MatchResult, entry: Entry, winner: Entry) -> str:
    """Why ``winner`` beats ``entry`` for the request of ``result``: the two scores."""
    scores = {(c.endpoint_key, c.example_id): c.score for c in result.explanation.candidates}
    mine = scores.get((entry.endpoint.key, entry.example.id))
    best = scores.get((winner.endpoint.key, winner.example.id))
    if best is None or mine is None:
        return ""
    if best == mine:
        return f" (tied at {best:g}; ties go to the lowest ID with code 200, else the lowest)"
    return f" ({best:g} to {mine:g})"


def _with(request: MatchRequest, header: str, value: str) -> MatchRequest:
    """``request`` with one more header."""
    return MatchRequest(
        request.method,
        request.path,
        request.query,
        (*request.headers, (header, value)),
        request.body,
    )


# -- helpers ----------------------------------------------------------------------------------

ROLES = {
    "wildcard": "a wildcard path segment (it matches any one segment)",
    "host": "read as the host, so it adds nothing to the path",
    "literal": "kept as written inside a path segment (only a whole segment is a wildcard)",
    "query": "compared as written in the query",
}


def _unresolved(request: RequestSpec) -> Iterable[tuple[str, str]]:
    """(name, role) of each {{variable}} left in a request's URL ({{$dynamic}} ones aside)."""
    found: list[tuple[str, str]] = []
    for match in VARIABLE.finditer(request.host):
        found.append((match.group(1).strip(), "host"))
    for segment in request.segments:
        if segment.wildcard and segment.text.startswith("{{"):
            found.append((segment.wildcard, "wildcard"))
        elif "{{" in segment.text:
            found.extend((m.group(1).strip(), "literal") for m in VARIABLE.finditer(segment.text))
    for key, value in request.query:
        found.extend((m.group(1).strip(), "query") for m in VARIABLE.finditer(f"{key}={value}"))
    return [(name, role) for name, role in found if not name.startswith("$")]


def _unused(fill: str, literals: set[str]) -> str:
    while fill in literals:
        fill += "-x"
    return fill


def _probe(entry: Entry, fill: str, query: bool = True, body: bool = True) -> MatchRequest:
    """The request an example's saved request describes, wildcards filled with ``fill``."""
    saved = entry.example.request
    path = saved.path or "/"
    if any(s.wildcard for s in saved.segments):
        path = "/" + "/".join(fill if s.wildcard else s.text for s in saved.segments)
    headers = tuple((k, v) for k, v in saved.headers if not k.lower().startswith("x-mock-"))
    return MatchRequest(
        entry.method,
        path,
        saved.query if query else (),
        headers,
        (saved.body or "").encode() if body else b"",
    )


def _variants(entry: Entry, fill: str, fill_id: str) -> Iterable[MatchRequest]:
    """Other requests a client might send for this example (tried only when its own fails):
    an ID-like wildcard value, no query, no body."""
    saved = entry.example.request
    if any(s.wildcard for s in saved.segments):
        yield _probe(entry, fill_id)
    if saved.query:
        yield _probe(entry, fill, query=False)
    if (saved.body or "").strip():
        yield _probe(entry, fill, body=False)


def _paths_agree(a: RequestSpec, b: RequestSpec) -> bool:
    """Whether two saved paths are the same path as a client calls it: segment by segment,
    a wildcard on either side, equal ignoring case, or both ID-like (the endpoint's request
    often has :id = 1 where the example saved 42)."""
    left, right = _segments(a), _segments(b)
    if len(left) != len(right):
        return False
    for (text_a, wild_a), (text_b, wild_b) in zip(left, right, strict=True):
        if wild_a or wild_b or text_a.lower() == text_b.lower():
            continue
        if rules.has_digit(text_a) and rules.has_digit(text_b):
            continue
        return False
    return True


def _segments(request: RequestSpec) -> list[tuple[str, bool]]:
    segments = [(s.text, bool(s.wildcard)) for s in request.segments]
    while segments and not segments[-1][0] and not segments[-1][1]:
        segments.pop()  # trailing slashes
    return segments


def _json_problem(body: str) -> str | None:
    """Why a body is not JSON, or None when it is (or is empty).

    Placeholders left for each response (``{{$randomInt}}``, a capture) are replaced by a
    JSON value of the same length first: ``{"n": {{$randomInt}}}`` is JSON once rendered.
    """
    if not body.strip():
        return None
    texts = [body]
    if "{{" in body:
        texts.append(PLACEHOLDER.sub(lambda m: "0" + " " * (len(m.group(0)) - 1), body))
    error: json.JSONDecodeError | None = None
    for text in texts:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            error = exc
        except (ValueError, RecursionError):  # too deep or too long a number: not our business
            return None
        else:
            return None
    assert error is not None
    return f"{error.msg} at line {error.lineno}, column {error.colno}"


def _example(endpoint: Endpoint | None, example_id: str | None) -> Example | None:
    if endpoint is None:
        return None
    return next((ex for ex in endpoint.examples if ex.id == example_id), None)


def _describe(example: Example) -> str:
    return f"{example.name!r} ({example.code})"


def _relative(example: Example, endpoint: Endpoint, here: Endpoint) -> str:
    """An example as seen from ``here``: its endpoint is named when it is another one."""
    if endpoint is here:
        return _describe(example)
    return f"{_describe(example)} of {endpoint.name!r}"


def _request(request: RequestSpec) -> str:
    return f"{request.method or '(no method)'} {request.display_path}"


def _target(entry: Entry, request: MatchRequest) -> str:
    query = "&".join(f"{k}={v}" for k, v in request.query)
    path = entry.example.request.display_path
    return f"{request.method} {path}" + (f"?{query}" if query else "")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
