"""Postman's matching algorithm (spec section 3), with an explanation of every decision.

Everything that depends only on the collection is computed once, in ``Index``: normalized path
forms in dicts keyed by (method, form), wildcard examples and all examples bucketed by
(method, segment count). A request then touches the examples its path can reach, not all of them:
the document-distance step, the only one that needs a scan, runs only when nothing cheaper found
a candidate that it could not beat.
"""

from __future__ import annotations

import json
import re
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Protocol

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from mocktui import rules
from mocktui.engine.explain import Candidate, Explanation
from mocktui.engine.steps import CONTROLS, MATCH, METHOD, PATH, PICK, XMOCK
from mocktui.postman.model import Endpoint, Example

ID_PLACEHOLDER = "\0id"
DISTANCE_THRESHOLD = 0.8
DISTANCE_SCORE = -30
BODY_BONUS = 5
QUERY_BONUS = 10
_NATURAL = re.compile(r"([0-9]+)")


def strip_slashes(path: str) -> str:
    return path.rstrip("/") or "/"


def split_path(path: str) -> list[str]:
    """Segments of a path (trailing slashes removed first): "/" has none."""
    stripped = strip_slashes(path)
    return [] if stripped == "/" else stripped.split("/")[1:]


def without_ids(path: str) -> str:
    """Replace each ID-like segment (one holding a digit) with one placeholder."""
    return "/".join(ID_PLACEHOLDER if rules.has_digit(s) else s for s in path.split("/"))


def natural_key(value: str) -> tuple[Any, ...]:
    """Sort key for example IDs: "2" before "10", text compared piecewise."""
    # The odd parts of the split are the runs of ASCII digits, compared as numbers without
    # int() (which refuses thousands of digits): shorter (without leading zeros) is smaller.
    return tuple(
        (len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p
        for i, p in enumerate(_NATURAL.split(value))
    )


def parse_body(text: str | bytes | None) -> tuple[bool, Any]:
    """(True, parsed JSON) when the body is JSON, else (False, trimmed text)."""
    if text is None:
        return False, ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    stripped = text.strip()
    if (
        stripped[:1] in ("{", "[", '"')
        or stripped in ("true", "false", "null")
        or (rules.is_digits(stripped[:1]) or stripped[:1] == "-")
    ):
        try:
            return True, json.loads(stripped)
        except (ValueError, RecursionError):
            pass
    return False, stripped


@dataclass(slots=True)
class Entry:
    """An example with everything matching needs, precomputed."""

    example: Example
    endpoint: Endpoint
    method: str
    path: str
    stripped: str
    segments: tuple[str, ...]  # of the stripped path
    wildcards: tuple[str | None, ...]  # per segment: capture name or None
    lower_segments: tuple[str, ...]
    query: tuple[tuple[str, str], ...]  # key-value pairs: a repeated key is several pairs
    headers: dict[str, str]  # lower-case name -> value
    content_type: str | None  # the saved request's media type (body matching needs it)
    body_text: str | None  # the saved request's body as written (``body`` parses it)
    body_present: bool
    sort_key: tuple[Any, ...]
    _body: tuple[bool, Any] | None = None

    @property
    def body(self) -> tuple[bool, Any]:
        """The saved request's body, parsed (JSON or trimmed text) the first time a request
        with a body is compared with it: a load does not parse every example's body."""
        if self._body is None:
            self._body = parse_body(self.body_text)
        return self._body

    @classmethod
    def build(cls, example: Example, endpoint: Endpoint) -> Entry:
        request = example.request
        path = request.path or "/"
        stripped = strip_slashes(path)
        segments = tuple(split_path(path))
        # Wildcards come from the loader's segments; trailing empty segments are dropped above.
        loader_segments = [s for s in request.segments][: len(segments)]
        wildcards = tuple(s.wildcard for s in loader_segments) + (None,) * (
            len(segments) - len(loader_segments)
        )
        headers = {k.lower(): v.strip() for k, v in request.headers}
        return cls(
            example=example,
            endpoint=endpoint,
            method=request.method,
            path=path,
            stripped=stripped,
            segments=segments,
            wildcards=wildcards,
            lower_segments=tuple(s.lower() for s in segments),
            query=tuple(request.query),
            headers=headers,
            content_type=rules.media_type(headers.get("content-type")),
            body_text=request.body,
            body_present=bool(request.body and request.body.strip()),
            sort_key=natural_key(example.id),
        )

    @property
    def has_wildcard(self) -> bool:
        return any(self.wildcards)


@dataclass(slots=True, weakref_slot=True)
class Index:
    """The collection's examples arranged for matching; rebuilt on reload, never per request."""

    entries: list[Entry] = field(default_factory=list)
    lower_paths: list[str] = field(default_factory=list)  # entries' paths, for miss reports
    # x-mock-response-id: an explicit id that several collections share (a copy of a
    # collection) answers from the first in load order; position-derived ids never clash.
    by_id: dict[str, Entry] = field(default_factory=dict)
    # Pins and controls name an example within its endpoint: (endpoint key, example id).
    by_endpoint_id: dict[tuple[str, str], Entry] = field(default_factory=dict)
    by_name: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    methods: set[str] = field(default_factory=set)
    exact: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    stripped: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    lower: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    stripped_lower: dict[tuple[str, str], list[Entry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    idless: dict[tuple[str, str], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    idless_stripped: dict[tuple[str, str], list[Entry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # Wildcard examples by their shape: (method, segment count, wildcard positions, the
    # literal segments with "" at those positions). A request tries each shape of its length
    # once, so it reaches only the examples whose literal segments it has.
    wild_shapes: dict[tuple[str, int], list[tuple[int, ...]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    wild: dict[tuple[str, int, tuple[int, ...], tuple[str, ...]], list[Entry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # The same examples for the ID-like steps, which compare case-sensitively with ID-like
    # segments replaced: literals as written, ID_PLACEHOLDER for ID-like ones, "" at wildcards.
    wild_ids: dict[tuple[str, int, tuple[int, ...], tuple[str, ...]], list[Entry]] = field(
        default_factory=lambda: defaultdict(list)
    )
    bucket: dict[tuple[str, int], list[Entry]] = field(default_factory=lambda: defaultdict(list))
    bucket_paths: dict[tuple[str, int], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def build(cls, endpoints: Iterable[Endpoint]) -> Index:
        index = cls()
        for endpoint in endpoints:
            for example in endpoint.examples:
                if example.request.problem:
                    continue  # step 1: left out; the collection lists it as skipped
                index.add(Entry.build(example, endpoint))
        for entries in index.by_name.values():
            entries.sort(key=lambda e: e.sort_key)
        return index

    def add(self, entry: Entry) -> None:
        m = entry.method
        self.entries.append(entry)
        self.lower_paths.append(entry.path.lower())
        self.by_id.setdefault(entry.example.id, entry)  # the first in load order wins
        self.by_endpoint_id.setdefault((entry.endpoint.key, entry.example.id), entry)
        self.by_name[entry.example.name].append(entry)
        self.methods.add(m)
        self.exact[m, entry.path].append(entry)
        self.stripped[m, entry.stripped].append(entry)
        self.lower[m, entry.path.lower()].append(entry)
        self.stripped_lower[m, entry.stripped.lower()].append(entry)
        self.idless[m, without_ids(entry.path)].append(entry)
        self.idless_stripped[m, without_ids(entry.stripped)].append(entry)
        n = len(entry.segments)
        if entry.has_wildcard:
            shape = tuple(i for i, w in enumerate(entry.wildcards) if w)
            if shape not in self.wild_shapes[m, n]:
                self.wild_shapes[m, n].append(shape)
            literals = tuple(
                "" if w else t for w, t in zip(entry.wildcards, entry.lower_segments, strict=True)
            )
            self.wild[m, n, shape, literals].append(entry)
            idless = tuple(
                "" if w else (ID_PLACEHOLDER if rules.has_digit(t) else t)
                for w, t in zip(entry.wildcards, entry.segments, strict=True)
            )
            self.wild_ids[m, n, shape, idless].append(entry)
        self.bucket[m, n].append(entry)
        self.bucket_paths[m, n].append(entry.path)

    def wildcard_candidates(self, method: str, lower_segments: Sequence[str]) -> list[Entry]:
        """Wildcard examples whose literal segments equal these (lower-case) segments."""
        n = len(lower_segments)
        found: list[Entry] = []
        for shape in self.wild_shapes.get((method, n), ()):
            literals = tuple("" if i in shape else t for i, t in enumerate(lower_segments))
            found.extend(self.wild.get((method, n, shape, literals), ()))
        return found

    def wildcard_id_candidates(
        self, method: str, segments: Sequence[str]
    ) -> list[tuple[Entry, dict[str, str]]]:
        """Spec 3.4, wildcards and ID-like segments together: wildcard examples whose other
        segments equal these once ID-like segments are replaced on both sides, with captures.
        Each wildcard takes exactly one non-empty segment."""
        n = len(segments)
        idless = tuple(ID_PLACEHOLDER if rules.has_digit(t) else t for t in segments)
        found: list[tuple[Entry, dict[str, str]]] = []
        for shape in self.wild_shapes.get((method, n), ()):
            if not all(segments[i] for i in shape):
                continue
            key = tuple("" if i in shape else t for i, t in enumerate(idless))
            for entry in self.wild_ids.get((method, n, shape, key), ()):
                captures = {w: segments[i] for i in shape if (w := entry.wildcards[i])}
                found.append((entry, captures))
        return found


@dataclass(frozen=True, slots=True)
class MatchRequest:
    """The parts of an HTTP request the matcher reads (method upper-case, path decoded)."""

    method: str
    path: str
    query: Sequence[tuple[str, str]] = ()
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""

    _lower: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for key, value in self.headers:
            self._lower.setdefault(key.lower(), value)

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        return self._lower.get(name.lower())

    @property
    def lower_headers(self) -> dict[str, str]:
        return self._lower


@dataclass(frozen=True, slots=True)
class MatchSettings:
    match_body: bool = False
    match_headers: tuple[str, ...] = ()  # lower-case names; ("*",) for all of the example's


@dataclass(slots=True)
class MatchResult:
    entry: Entry | None
    explanation: Explanation
    captures: dict[str, str] = field(default_factory=dict)
    miss_reason: str | None = None
    not_found_header: str | None = None  # x-mock-response-id/-name that named nothing
    head_as_get: bool = False
    # Every example the method and path steps admitted (scored or dropped later): the
    # endpoints the request *reached*, for mocktui's controls (spec section 7).
    reached: tuple[Entry, ...] = ()
    explicit: bool = False  # an x-mock-response-code/-id/-name header chose (modes step aside)


# -- step 4: the path ------------------------------------------------------------------------


@dataclass(slots=True)
class _PathForms:
    exact: str
    stripped: str
    lower: str
    stripped_lower: str
    idless: str
    idless_stripped: str
    segments: list[str]
    lower_segments: list[str]

    @classmethod
    def of(cls, path: str) -> _PathForms:
        stripped = strip_slashes(path)
        segments = split_path(path)
        return cls(
            exact=path,
            stripped=stripped,
            lower=path.lower(),
            stripped_lower=stripped.lower(),
            idless=without_ids(path),
            idless_stripped=without_ids(stripped),
            segments=segments,
            lower_segments=[s.lower() for s in segments],
        )


PATH_STEPS: tuple[tuple[str, str, int], ...] = (
    # (index and _PathForms attribute, name shown in explanations, score change)
    ("exact", "exact", 0),
    ("stripped", "trailing slash", -5),
    ("lower", "case", -10),
    ("stripped_lower", "trailing slash + case", -15),
)
ID_STEPS: tuple[tuple[str, str, int], ...] = (
    ("idless", "ID-like segments", -21),
    ("idless_stripped", "trailing slash + ID-like segments", -25),
)


def wildcard_captures(entry: Entry, forms: _PathForms) -> dict[str, str] | None:
    """Captures when the example's wildcard segments line up with the request's, else None.

    Literal segments compare ignoring case (trailing slashes already removed); each wildcard
    takes exactly one non-empty segment.
    """
    if len(entry.segments) != len(forms.segments):
        return None
    captures: dict[str, str] = {}
    for wildcard, literal, got, got_lower in zip(
        entry.wildcards, entry.lower_segments, forms.segments, forms.lower_segments, strict=True
    ):
        if wildcard:
            if not got:
                return None
            captures[wildcard] = got
        elif literal != got_lower:
            return None
    return captures


# -- step 5: query ---------------------------------------------------------------------------


def query_score(
    expected: Sequence[tuple[str, str]], got: Sequence[tuple[str, str]]
) -> tuple[float, str]:
    """Spec 3.5: the example's and the request's params as key-value pairs (``?tag=a&tag=b`` is
    two). A pair on both sides matches; per key, the pairs left over pair up as partials (same
    key, other value); what is left after that, on either side, is missing."""
    if not expected and not got:
        return 0.0, ""
    matches, partials = (
        _pair_counts_small(expected, got) if len(got) <= 16 else _pair_counts(expected, got)
    )
    missing = (len(expected) - matches - partials) + (len(got) - matches - partials)
    total = matches + partials + missing
    words = f"{matches} match, {partials} differ, {missing} missing"
    if matches == total:
        return float(QUERY_BONUS), words
    if matches:
        return round(QUERY_BONUS * matches / total, 2), words
    return -float(min(missing, QUERY_BONUS)), words


def _pair_counts_small(
    expected: Sequence[tuple[str, str]], got: Sequence[tuple[str, str]]
) -> tuple[int, int]:
    """(matches, partials) for a short request query: plain lists are faster than Counters."""
    left = list(got)
    matches = 0
    unmatched: list[str] = []
    for pair in expected:
        if pair in left:
            left.remove(pair)
            matches += 1
        else:
            unmatched.append(pair[0])
    partials = 0
    for key in unmatched:
        for i, (other, _value) in enumerate(left):
            if other == key:
                del left[i]
                partials += 1
                break
    return matches, partials


def _pair_counts(
    expected: Sequence[tuple[str, str]], got: Sequence[tuple[str, str]]
) -> tuple[int, int]:
    """(matches, partials) in time linear in both sides, for a request with many params."""
    left = Counter(got)  # the request's pairs not matched yet
    matches = 0
    unmatched: Counter[str] = Counter()  # per key, the example's pairs no request pair matched
    for pair in expected:
        if left[pair]:
            left[pair] -= 1
            matches += 1
        else:
            unmatched[pair[0]] += 1
    if not unmatched:
        return matches, 0
    left_keys: Counter[str] = Counter()
    for (key, _value), count in left.items():
        left_keys[key] += count
    return matches, sum(min(count, left_keys[key]) for key, count in unmatched.items())


# -- step 6: headers and body ----------------------------------------------------------------


def header_mismatch(entry: Entry, names: Sequence[str], request: MatchRequest) -> str | None:
    """The first listed header whose values differ, or None when they all agree."""
    got = request.lower_headers
    wanted = entry.headers.keys() if names == rules.ALL_HEADERS else names
    for name in wanted:
        if name.startswith("x-mock-"):
            continue
        value = got.get(name)
        if entry.headers.get(name) != (None if value is None else value.strip()):
            return name
    return None


@dataclass(slots=True)
class _Scored:
    entry: Entry
    score: float
    step: str
    captures: dict[str, str]
    detail: list[str]


# What the path steps admit for one method and path: (entry, step label, score change, captures,
# the score detail of the path).
_Reachable = tuple[tuple[Entry, str, float, dict[str, str], str], ...]


def _label(step: str) -> str:
    return f"{PATH} path: {step}"


def _path_detail(change: float) -> str:
    return f"path {change:+g}" if change else "path +0"


PATH_CACHE = 4096  # methods and paths whose path-step results a matcher keeps


class Enabled(Protocol):
    """What the matcher asks of mocktui's controls: which examples are left out (disabled)."""

    def endpoint_enabled(self, key: str, /) -> bool: ...
    def example_enabled(self, key: str, example_id: str, /) -> bool: ...


class Matcher:
    """Runs the steps of spec section 3 over an Index: Postman's algorithm, with disabled
    examples left out. mocktui's modes act on the result afterwards (engine.store)."""

    def __init__(self, index: Index, controls: Enabled, settings: MatchSettings) -> None:
        self.index = index
        self.controls = controls
        self.settings = settings
        self._paths: dict[tuple[str, str], tuple[_PathForms, _Reachable]] = {}

    def captures(self, entry: Entry, path: str) -> dict[str, str]:
        """The wildcard captures of ``entry`` for a request path ({} when it has none)."""
        if not entry.has_wildcard:
            return {}
        return wildcard_captures(entry, _PathForms.of(path or "/")) or {}

    # The public entry point --------------------------------------------------------------------

    def match(self, request: MatchRequest) -> MatchResult:
        result = self._match(request, request.method)
        if result.entry is None and request.method == "HEAD":
            # mocktui decision: HEAD with no HEAD example falls back to the GET examples, also
            # when x-mock-response-id/-name found no HEAD example (curl -I with those headers).
            fallback = self._match(request, "GET")
            if fallback.entry is not None:
                fallback.head_as_get = True
                notes = ("no HEAD example matched: answered as GET without a body",)
                fallback.explanation = Explanation(
                    fallback.explanation.decided_by,
                    fallback.explanation.candidates,
                    notes + fallback.explanation.notes,
                )
                return fallback
        return result

    def _enabled(self, entry: Entry) -> bool:
        return self.controls.example_enabled(entry.endpoint.key, entry.example.id)

    def _match(self, request: MatchRequest, method: str) -> MatchResult:
        notes: list[str] = []
        code_filter = self._code_filter(request, notes)

        # 3.2 / 3.3: an example chosen by id or name returns at once.
        wanted_id = request.header("x-mock-response-id")
        if wanted_id is not None and wanted_id.strip():
            found = self._by_id(wanted_id.strip(), method, code_filter, notes)
            found.explicit = True
            return found
        wanted_name = request.header("x-mock-response-name")
        if wanted_name is not None and wanted_name.strip():
            found = self._by_name(wanted_name.strip(), method, code_filter, notes)
            found.explicit = True
            return found

        forms, reachable = self._path_steps(method, request.path or "/")
        query = tuple(request.query)
        header_names = self._header_names(request, notes)
        body_on = self._body_matching(request, notes)
        request_body = parse_body(request.body) if request.body.strip() else None
        request_type = rules.media_type(request.header("content-type"))

        seen: dict[int, Entry] = {}
        scored: list[_Scored] = []
        dropped: list[Candidate] = []

        def consider(
            entry: Entry, label: str, change: float, captures: dict[str, str], path_detail: str
        ) -> None:
            if id(entry) in seen:
                return
            seen[id(entry)] = entry
            if not self._enabled(entry):
                why = (
                    "endpoint disabled"
                    if not self.controls.endpoint_enabled(entry.endpoint.key)
                    else "example disabled"
                )
                dropped.append(_candidate(entry, False, f"{CONTROLS} mocktui: {why}"))
                return
            if code_filter is not None and entry.example.code != code_filter:
                dropped.append(
                    _candidate(
                        entry, False, f"{XMOCK} x-mock-response-code: code is not {code_filter}"
                    )
                )
                return
            score = 100.0 + change
            detail = [path_detail]
            q_change, q_words = query_score(entry.query, query)
            if q_words:
                score += q_change
                detail.append(f"query {q_change:+g} ({q_words})")
            if header_names:
                differs = header_mismatch(entry, header_names, request)
                if differs:
                    dropped.append(
                        _candidate(entry, False, f"{MATCH} headers: {differs} differs", score=score)
                    )
                    return
            if body_on:
                problem = _content_type_problem(entry, request_type, request_body is not None)
                if problem:
                    dropped.append(
                        _candidate(entry, False, f"{MATCH} body matching: {problem}", score=score)
                    )
                    return
                if not _bodies_equal(entry, request_body):
                    dropped.append(_candidate(entry, False, f"{MATCH} body differs", score=score))
                    return
            elif request_body is not None and _bodies_equal(entry, request_body):
                score += BODY_BONUS
                detail.append(f"body +{BODY_BONUS}")
            scored.append(_Scored(entry, score, label, captures, detail))

        for entry, label, change, captures, path_detail in reachable:
            consider(entry, label, change, captures, path_detail)

        index = self.index
        nseg = len(forms.segments)
        best = max((s.score for s in scored), default=None)
        # The best a document-distance match could total: query and body bonuses only count
        # when the request has a query or a body to earn them with.
        ceiling = 100 + DISTANCE_SCORE
        ceiling += QUERY_BONUS if query else 0
        ceiling += BODY_BONUS if request_body is not None and not body_on else 0
        paths = index.bucket_paths.get((method, nseg))
        if paths and (best is None or best <= ceiling):
            entries = index.bucket[method, nseg]
            for _path, similarity, position in process.extract(
                forms.exact,
                paths,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=DISTANCE_THRESHOLD,
                limit=None,
            ):
                label = _label(f"document distance {similarity:.2f}")
                detail = _path_detail(DISTANCE_SCORE)
                consider(entries[position], label, DISTANCE_SCORE, {}, detail)
        elif paths:
            notes.append(
                f"document distance not tried: it scores at most {ceiling} < best {best:g}"
            )
        more = None
        if paths:
            reached = sum(
                1 for e in seen.values() if e.method == method and len(e.segments) == nseg
            )
            if len(paths) > reached:
                notes.append(
                    f"{len(paths) - reached} other {method} example(s) with {nseg} path "
                    "segment(s) left out: no path step makes them equal"
                )
                more = _left_out(index, (method, nseg), set(seen))
        result = self._pick(scored, dropped, notes, request, method, forms, more)
        result.reached = tuple(seen.values())
        result.explicit = code_filter is not None
        return result

    def _path_steps(self, method: str, path: str) -> tuple[_PathForms, _Reachable]:
        """The path's forms, and the examples the path steps admit (spec 3.4: exact, trailing
        slash, case, wildcards, ID-like segments), each once, at its first (best) step, with its
        captures: what depends on the collection and the method and path alone, so it is worked
        out once per method and path and kept (PATH_CACHE of them, for this index; a reload
        builds a new matcher). What depends on the rest of the request and on the controls
        (enabled, codes, query, headers, body) is decided per request."""
        key = (method, path)
        cached = self._paths.get(key)
        if cached is not None:
            return cached
        forms = _PathForms.of(path)
        index = self.index
        found: dict[int, tuple[Entry, str, float, dict[str, str], str]] = {}

        def admit(entry: Entry, step: str, change: float, captures: dict[str, str]) -> None:
            if id(entry) not in found:
                found[id(entry)] = (entry, _label(step), change, captures, _path_detail(change))

        for attr, name, change in PATH_STEPS:
            key_form = getattr(forms, attr)
            for entry in getattr(index, attr).get((method, key_form), ()):
                admit(entry, name, change, {})
        for entry in index.wildcard_candidates(method, forms.lower_segments):
            if id(entry) not in found:
                captures = wildcard_captures(entry, forms)
                if captures is not None:
                    admit(entry, "wildcard", -20, captures)
        for attr, name, change in ID_STEPS:
            key_form = getattr(forms, attr)
            for entry in getattr(index, attr).get((method, key_form), ()):
                admit(entry, name, change, {})
        tail = forms.exact[len(forms.stripped) :]
        for entry, captures in index.wildcard_id_candidates(method, forms.segments):
            # The -21 row keeps trailing slashes as they are; -25 removes them.
            _attr, name, change = ID_STEPS[entry.path[len(entry.stripped) :] != tail]
            admit(entry, name, change, captures)
        if len(self._paths) >= PATH_CACHE:
            self._paths.clear()  # a client walking through ids: start again rather than grow
        result = self._paths[method, path] = (forms, tuple(found.values()))
        return result

    # Step 3 helpers ------------------------------------------------------------------------------

    @staticmethod
    def _code_filter(request: MatchRequest, notes: list[str]) -> int | None:
        raw = request.header("x-mock-response-code")
        if raw is None:
            return None
        code = rules.status_code(raw)  # ASCII digits only: not "٢٠٠", "2_00" or "+200"
        if code is None:
            notes.append(f"x-mock-response-code {raw!r} is not a number: ignored")
            return None
        if code > 999:  # no status code has 4 digits
            notes.append("x-mock-response-code: only examples with a code above 999 (none)")
            return 1000
        notes.append(f"x-mock-response-code: only examples with code {code}")
        return code

    def _by_id(self, wanted: str, method: str, code: int | None, notes: list[str]) -> MatchResult:
        # An explicit id shared by several collections: the first in load order answers.
        entry = self.index.by_id.get(wanted)
        shown = wanted
        owner, dash, uid_id = wanted.partition("-")
        if entry is None and dash and owner and uid_id:
            # Spec 2: Postman's docs have users send the UID, <ownerId>-<id>, as its API shows it.
            entry = self.index.by_id.get(uid_id)
            if entry is not None:
                notes.append(f"x-mock-response-id {wanted!r} is a UID: example ID {uid_id!r}")
                shown = uid_id
        problem = None
        if entry is None:
            problem = "no example has this ID"
        elif entry.method != method:
            problem = f"example {shown} answers {entry.method}, not {method}"
        elif code is not None and entry.example.code != code:
            problem = f"example {shown} has code {entry.example.code}, not {code}"
        elif not self._enabled(entry):
            problem = f"example {shown} is disabled"
        header = f"x-mock-response-id: {wanted}"
        if problem:
            cands = () if entry is None else (_candidate(entry, False, f"{XMOCK} {problem}"),)
            return MatchResult(
                None,
                Explanation("x-mock-response-id", cands, (*notes, f"{header}: {problem}")),
                miss_reason=f"{header}: {problem}",
                not_found_header=header,
            )
        assert entry is not None
        return MatchResult(
            entry,
            Explanation(
                "x-mock-response-id",
                (_candidate(entry, True, f"{XMOCK} x-mock-response-id"),),
                tuple(notes),
            ),
        )

    def _by_name(self, wanted: str, method: str, code: int | None, notes: list[str]) -> MatchResult:
        header = f"x-mock-response-name: {wanted}"
        named = self.index.by_name.get(wanted, [])
        usable = [
            e
            for e in named
            if e.method == method and (code is None or e.example.code == code) and self._enabled(e)
        ]
        if not usable:
            problem = "no enabled example of this method has this name"
            unusable = f"{XMOCK} x-mock-response-name: not usable"
            cands = tuple(_candidate(e, False, unusable) for e in named)
            return MatchResult(
                None,
                Explanation("x-mock-response-name", cands, (*notes, f"{header}: {problem}")),
                miss_reason=f"{header}: {problem}",
                not_found_header=header,
            )
        winner = next((e for e in usable if e.example.code == 200), usable[0])
        cands = tuple(
            _candidate(
                e,
                e is winner,
                f"{XMOCK} x-mock-response-name" + (" (picked)" if e is winner else ""),
            )
            for e in usable
        )
        return MatchResult(winner, Explanation("x-mock-response-name", cands, tuple(notes)))

    # Step 6 settings ------------------------------------------------------------------------------

    def _header_names(self, request: MatchRequest, notes: list[str]) -> tuple[str, ...]:
        raw = request.header("x-mock-match-request-headers")
        if raw is not None:
            try:
                names = rules.parse_header_names(raw)
            except ValueError as exc:
                notes.append(f"x-mock-match-request-headers {raw!r}: {exc}: ignored")
            else:
                if names == rules.ALL_HEADERS:
                    notes.append("x-mock-match-request-headers: all headers of each example")
                elif names:
                    notes.append(f"x-mock-match-request-headers: {', '.join(names)}")
                return names
        if self.settings.match_headers:
            notes.append("--match-headers: " + ", ".join(self.settings.match_headers))
        return self.settings.match_headers

    def _body_matching(self, request: MatchRequest, notes: list[str]) -> bool:
        raw = request.header("x-mock-match-request-body")
        flag = rules.parse_bool(raw)
        if raw is not None and flag is None:
            notes.append(f"x-mock-match-request-body {raw!r} is not true or false: ignored")
        if flag is not None:
            if flag:
                notes.append("x-mock-match-request-body: true")
            return flag
        if self.settings.match_body:
            notes.append("--match-body: bodies must be equal")
        return self.settings.match_body

    # Step 7 and the pin ---------------------------------------------------------------------------

    def _pick(
        self,
        scored: list[_Scored],
        dropped: list[Candidate],
        notes: list[str],
        request: MatchRequest,
        method: str,
        forms: _PathForms,
        more: Callable[[], Iterable[Candidate]] | None = None,
    ) -> MatchResult:
        if not scored:
            explanation = self.explain_miss(request, method, forms, dropped, notes)
            reason = "no example matches this method and path"
            disabled = next(
                (c for c in dropped if c.step.startswith(DISABLED_ENDPOINT)), None
            )
            if disabled is not None:
                endpoint = next(
                    e.endpoint
                    for e in self.index.entries
                    if e.endpoint.key == disabled.endpoint_key
                )
                reason = f"the endpoint that matches ({endpoint.name!r}) is disabled in mocktui"
            elif (
                dropped
                and all(c.step.startswith(f"{MATCH} ") for c in dropped if c.score is not None)
                and any(c.score is not None for c in dropped)
            ):
                reason = "examples match the path but their headers or body differ"
            return MatchResult(None, explanation, miss_reason=reason)
        best = max(s.score for s in scored)
        top = sorted((s for s in scored if s.score == best), key=lambda s: s.entry.sort_key)
        winner = next((s for s in top if s.entry.example.code == 200), top[0])
        if len(top) > 1:
            notes.append(f"{len(top)} examples tied at {best:g}: lowest ID wins, code 200 first")

        return MatchResult(
            winner.entry,
            # Built when someone reads it (explain.py); a partial is lighter to keep with every
            # event than closures.
            Explanation("score", partial(_ranked, scored, winner, dropped), tuple(notes), more),
            captures=winner.captures,
        )

    def explain_miss(
        self,
        request: MatchRequest,
        method: str,
        forms: _PathForms,
        dropped: list[Candidate],
        notes: list[str],
        limit: int = 12,
    ) -> Explanation:
        """For a miss: the examples that reached a step and were dropped there, then (listed
        only when someone reads the explanation) the examples whose paths are nearest to the
        request's, each with the step that left it out.
        """
        if not self.index.entries:
            notes = [*notes, "the loaded collections have no examples to answer with"]
        known = {(c.endpoint_key, c.example_id) for c in dropped}
        # A weak reference: an event kept in the ring must not keep an index alive after a
        # reload; its explanation then lists what it had (see Explanation.candidates).
        ref = weakref.ref(self.index)

        def nearest() -> list[Candidate]:
            index = ref()
            if index is None:
                return []
            out: list[Candidate] = []
            for entry, detail in nearest_entries(index, method, forms, known, limit):
                if entry.method != method:
                    step = f"{METHOD} method: {entry.method}, not {method}"
                    out.append(replace(_candidate(entry, False, step), detail=detail))
                else:
                    out.append(replace(_candidate(entry, False, NO_PATH_STEP), detail=detail))
            return out

        return Explanation("miss", tuple(dropped), tuple(notes), nearest)


NO_PATH_STEP = f"{PATH} path: no step makes the paths equal"
DISABLED_ENDPOINT = f"{CONTROLS} mocktui: endpoint disabled"


def _ranked(
    scored: list[_Scored], winner: _Scored, dropped: list[Candidate]
) -> tuple[Candidate, ...]:
    """The candidates of a hit as the explanation lists them: the winner, then by score."""

    def step(s: _Scored) -> str:
        return s.step if s is winner else f"{s.step}; {PICK} lower score or tie-break"

    ranked = sorted(scored, key=lambda s: (s is not winner, -s.score, s.entry.sort_key))
    return tuple(
        Candidate(
            example_id=s.entry.example.id,
            example_name=s.entry.example.name,
            endpoint_key=s.entry.endpoint.key,
            code=s.entry.example.code,
            method=s.entry.method,
            path=s.entry.example.request.display_path,
            kept=s is winner,
            step=step(s),
            score=s.score,
            detail=", ".join(s.detail),
        )
        for s in ranked
    ) + tuple(dropped)


def segment_distance(entry: Entry, got: str, got_lower: str, position: int) -> float:
    """How far one request segment is from the example's (0 to 1): a wildcard takes any
    non-empty segment, two ID-like segments count as equal, case is ignored."""
    if entry.wildcards[position]:
        return 0.0 if got else 1.0
    literal = entry.lower_segments[position]
    if literal == got_lower or (rules.has_digit(literal) and rules.has_digit(got)):
        return 0.0
    return Levenshtein.normalized_distance(literal, got_lower)


def nearest_entries(
    index: Index,
    method: str,
    forms: _PathForms,
    known: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
    limit: int = 12,
) -> list[tuple[Entry, str]]:
    """The examples nearest to a request that none answers, with which segment differs.

    Ranked by segments (README, a miss's nearest examples): the same segment count first,
    then the sum of per-segment distances (``segment_distance``), the request's method first,
    then the whole path's similarity. The words say what differs:
    ``segment 3 'romos' ≠ 'rooms'``, or ``4 segments, not 3``.
    """
    got, got_lower = forms.segments, forms.lower_segments
    n = len(got)
    ranked: list[tuple[tuple[Any, ...], Entry, list[int]]] = []
    for position, entry in enumerate(index.entries):
        if (entry.endpoint.key, entry.example.id) in known:
            continue
        count = len(entry.segments)
        shared = min(count, n)
        distances = [segment_distance(entry, got[i], got_lower[i], i) for i in range(shared)]
        differ = [i for i, d in enumerate(distances) if d > 0]
        whole = Levenshtein.normalized_distance(index.lower_paths[position], forms.lower)
        key = (abs(count - n), sum(distances), entry.method != method, whole, entry.sort_key)
        ranked.append((key, entry, differ))
    ranked.sort(key=lambda item: item[0])
    out = []
    for _key, entry, differ in ranked[:limit]:
        words = [
            f"segment {i + 1} {forms.segments[i]!r} ≠ {entry.segments[i]!r}" for i in differ
        ]
        if len(entry.segments) != n:
            words.insert(0, f"{n} segment{'s' if n != 1 else ''}, not {len(entry.segments)}")
        out.append((entry, "; ".join(words) or "same segments"))
    return out


def _left_out(
    index: Index, bucket: tuple[str, int], seen: set[int]
) -> Callable[[], Iterable[Candidate]]:
    """The examples of a bucket that no path step reached, listed only when asked for (and
    while the index lives: a weak reference, as in ``explain_miss``)."""
    ref = weakref.ref(index)

    def more() -> list[Candidate]:
        alive = ref()
        if alive is None:
            return []
        return [
            _candidate(e, False, NO_PATH_STEP)
            for e in alive.bucket.get(bucket, ())
            if id(e) not in seen
        ]

    return more


def _content_type_problem(entry: Entry, request_type: str | None, has_body: bool) -> str | None:
    """Spec 3.6: with body matching on, the saved request needs the request's Content-Type
    (media types compared, parameters ignored). A request with neither a body nor a
    Content-Type has nothing typed to compare (mocktui decision): only the bodies are compared."""
    if request_type is None and not has_body:
        return None
    if entry.content_type is None:
        return "the saved request has no Content-Type"
    if request_type is None:
        return f"the request has no Content-Type (the saved request's is {entry.content_type})"
    if entry.content_type != request_type:
        return f"Content-Type {entry.content_type}, not the request's {request_type}"
    return None


def _bodies_equal(entry: Entry, request_body: tuple[bool, Any] | None) -> bool:
    if request_body is None:
        return not entry.body_present
    try:
        return _same_json(entry.body, request_body)
    except RecursionError:  # JSON nested deeper than Python can compare: not the same
        return False


def _same_json(a: Any, b: Any) -> bool:
    """Equality of parsed JSON values: like ``==``, but ``true`` is not ``1`` (Python says so)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_same_json(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list | tuple):
        return (
            isinstance(b, list | tuple)
            and len(a) == len(b)
            and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
        )
    return a == b


def _candidate(entry: Entry, kept: bool, step: str, score: float | None = None) -> Candidate:
    return Candidate(
        example_id=entry.example.id,
        example_name=entry.example.name,
        endpoint_key=entry.endpoint.key,
        code=entry.example.code,
        method=entry.method,
        path=entry.example.request.display_path,
        kept=kept,
        step=step,
        score=score,
    )


def candidate_of(entry: Entry, kept: bool, step: str) -> Candidate:
    """An example as an explanation lists it (for mocktui's controls, in the engine)."""
    return _candidate(entry, kept, step)
