"""Broken collections, made from the real ones: every outcome is a loaded collection (that an
engine can index and answer from) or a CollectionError, one line; never another exception.

The mutations: keys dropped, values of the wrong type (NaN and Infinity among them), huge
strings, nesting 10,000 levels deep (and just under what json.loads takes), duplicate keys,
invalid UTF-8, byte order marks, truncation. Run on the small shared collections (tarot,
bench, PayPal); the variants marked slow use bigger strings and more examples.
"""

from __future__ import annotations

import json
import math
import sys
import tracemalloc
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.postman.loader import CollectionError, load_collection, load_environment
from mocktui.postman.model import Collection

Tree = Any
NodePath = tuple[str | int, ...]
SharedFile = Callable[[str], Path]

COLLECTIONS = {
    "bench": "bench.postman_collection.json",
    "tarot": "roxyapi-tarot.postman_collection.json",
    "paypal": "paypal-partner-apis.postman_collection.json",
}
MARKER = "\x00mocktui-fuzz\x00"  # stands for text spliced in after json.dumps
WRONG_VALUES = [
    None, True, False, 0, -1, 1.5, 10**30, math.nan, math.inf, -math.inf, "", "x", "{{x}}",
    "²", "\u0000", "9" * 5000, [], {}, [None], {"": None}, {"item": []}, {"request": None},
]  # fmt: skip
DEEP_TEXT = "[" * 10_000 + "]" * 10_000  # as a string: JSON inside JSON
ODD_TEXT = [DEEP_TEXT, "9" * 5000, "NaN", "{", "a: b\nc", "\ufeff{}", "{{$body 'a.--1'}}", ":x"]
# Postman-shaped pieces the three collections lack (graphql and urlencoded bodies, v2.0
# header text, URL objects, variables), with odd leaves, by the key they are grafted at.
GRAFTS: dict[str, list[Any]] = {
    "body": [
        {"mode": "graphql", "graphql": {"query": "q", "variables": DEEP_TEXT}},
        {"mode": "graphql", "graphql": {"query": "q", "variables": "9" * 5000}},
        {"mode": "graphql", "graphql": {"query": "9" * 5000, "variables": {"a": [1]}}},
        {"mode": "graphql", "graphql": {"query": [[[]]], "variables": "NaN"}},
        {"mode": "graphql", "graphql": None},
        {"mode": "urlencoded", "urlencoded": [{"key": "a", "value": "{{a}}"}, "x", None, {}]},
        {"mode": "raw", "raw": "{{$body 'a.--1'}}"},
        {"mode": "raw", "raw": 5},
        "raw text body",
        {"a": [DEEP_TEXT]},
    ],
    "header": [
        "X-A: 1\nBad Key: 2\n: 3\nx-mocktui-delay: ²",
        ["X-A: 1", {"key": "x-mocktui-delay", "value": "9" * 5000}, {"key": None}, None],
        [{"key": "Content-Type", "value": None}, {"key": "x-mocktui-delay", "value": " 007 "}],
    ],
    "url": [
        {"host": ["h", 1, None], "path": ["a", {"value": ":id"}, 2, None], "variable": [7]},
        {"raw": "http://h/a?b=%%&c&=&d=%ZZ", "query": [{"key": None}, {"disabled": True}, 3]},
        {"path": "/a/:id", "variable": [{"key": "id", "value": "{{id}}"}, {"key": "id"}]},
        {"path": [{"value": None}, {"type": "x"}]},
        "http://h/" + ":a/" * 50 + "?" + "&" * 50,
        "{{baseUrl}}/{{baseUrl}}/:x",
    ],
    "variable": [
        [{"key": "v", "value": "{{v}}{{v}}"}, {"key": "w", "value": "{{v}}"}, {"key": "x"}],
        [{"key": "baseUrl", "value": "{{baseUrl}}/x"}, {"key": "baseUrl", "disabled": True}],
        {"key": "v"},
    ],
    "item": [
        [{"name": "r", "request": "http://h/a"}, {"name": "f", "item": []}],
        [{"name": "f", "item": [{"name": "g", "item": [{"request": {"url": "/a"}}]}]}],
        [{"request": None}],
        {"name": "f", "item": "x"},
    ],
    "request": ["http://h/a", {"url": None}, {"method": 5, "url": "/a", "header": "X: 1"}],
    "response": [{"code": " 200 "}, [{"code": "2²0"}, {"id": 5, "body": {"a": 1}}], [None]],
    "": [{"info": {"schema": "v1"}}, {"requests": [], "order": []}, {"values": []}, []],
}
GRAFTS["request"] += [{"method": "POST", "url": "/g", "body": body} for body in GRAFTS["body"]]
GRAFT_KEYS = {"originalRequest": "request", "code": "response", "query": "url", "path": "url"}
HUGE_UNITS = ["a", "{{x}}", "{{", "%", "%2F", "/", ":a/", "é", "\\", "{{$body 'a.--1'}}"]
BAD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\xef\xbb\xbf"]


@cache
def _tree(path: Path) -> Tree:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _node_paths(path: Path) -> tuple[NodePath, ...]:
    """Every node of the document, parents before children."""
    found: list[NodePath] = []

    def walk(node: Tree, at: NodePath) -> None:
        found.append(at)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, (*at, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, (*at, i))

    walk(_tree(path), ())
    return tuple(found)


def _get(tree: Tree, at: NodePath) -> Tree:
    for step in at:
        tree = tree[step]  # type: ignore[index]
    return tree


def _replace(tree: Tree, at: NodePath, change: Callable[[Tree], Tree]) -> Tree:
    """A copy of ``tree`` with the node at ``at`` changed (only the nodes above it are copied,
    the rest is shared). ``change`` returning DROP removes the node."""
    if not at:
        return change(tree)
    head, rest = at[0], at[1:]
    if isinstance(tree, dict):
        copy: Any = dict(tree)
    elif isinstance(tree, list):
        copy = list(tree)
    else:  # an earlier mutation changed what was here: nothing left to change
        return tree
    if (isinstance(copy, dict) and head not in copy) or (
        isinstance(copy, list) and not (isinstance(head, int) and head < len(copy))
    ):
        return tree
    value = _replace(copy[head], rest, change) if rest else change(copy[head])
    if value is DROP:
        del copy[head]
    else:
        copy[head] = value
    return copy


DROP = object()


# Where the grafts go: the nodes of these keys (and the root), so that a graphql body lands
# on a body often, not once in thousands of nodes.
POSTMAN_KEYS = frozenset(
    {"item", "request", "response", "originalRequest", "url", "body", "header", "variable",
     "query", "path", "code"}
)  # fmt: skip


@cache
def _postman_paths(path: Path) -> tuple[NodePath, ...]:
    return tuple(p for p in _node_paths(path) if not p or p[-1] in POSTMAN_KEYS)


@st.composite
def structural(draw: st.DrawFn, source: Path) -> tuple[str, NodePath, Any]:
    kind = draw(st.sampled_from(["drop", "type", "text", "graft", "huge", "deep", "duplicate"]))
    paths = _postman_paths(source) if kind in ("graft", "text") else _node_paths(source)
    at = paths[draw(st.integers(0, len(paths) - 1))]
    if kind == "type":
        arg: Any = draw(st.sampled_from(WRONG_VALUES))
    elif kind == "text":
        arg = draw(st.sampled_from(ODD_TEXT))
    elif kind == "graft":
        arg = draw(st.sampled_from(_grafts_for(at) or GRAFTS[""]))
    elif kind == "huge":
        arg = draw(st.sampled_from(HUGE_UNITS)) * draw(st.integers(1, HUGE))
    elif kind == "deep":
        arg = (draw(st.sampled_from("[{")), draw(st.sampled_from([10_000, 990, 900, 500])))
    elif kind == "duplicate":
        arg = (draw(st.sampled_from(WRONG_VALUES)), draw(st.booleans()))
    else:
        arg = None
    return kind, at, arg


HUGE = 20_000  # repetitions of a unit; the slow variant uses more


def _apply(tree: Tree, mutations: list[tuple[str, NodePath, Any]]) -> tuple[Tree, list[str]]:
    """The mutated tree and the texts its MARKERs stand for, in order."""
    splices: list[str] = []
    for kind, at, arg in mutations:
        if kind == "drop" and at:
            tree = _replace(tree, at, lambda _node: DROP)
        elif kind in ("type", "text", "graft", "huge"):
            tree = _replace(tree, at, lambda _node, v=arg: v)
        elif kind == "deep":
            bracket, depth = arg
            if bracket == "[":
                splices.append("[" * depth + "]" * depth)
            else:
                splices.append('{"a":' * depth + "1" + "}" * depth)
            tree = _replace(tree, at, lambda _node: MARKER)
        elif kind == "duplicate":
            wrong, wrong_last = arg
            node = _get_or_none(tree, at)
            if isinstance(node, dict) and node:
                first = next(iter(node))
                members = json.dumps(node)[1:-1]
                extra = f"{json.dumps(first)}: {json.dumps(wrong)}"
                text = f"{{{members}, {extra}}}" if wrong_last else f"{{{extra}, {members}}}"
                splices.append(text)
                tree = _replace(tree, at, lambda _node: MARKER)
    return tree, splices


def _get_or_none(tree: Tree, at: NodePath) -> Tree:
    try:
        return _get(tree, at)
    except (KeyError, IndexError, TypeError):
        return None


def _serialize(tree: Tree, splices: list[str]) -> bytes:
    text = json.dumps(tree, ensure_ascii=False)
    marker = json.dumps(MARKER)
    for splice in splices:  # the markers appear in document order, as the splices were made
        text = text.replace(marker, splice, 1)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def byte_mutation(draw: st.DrawFn) -> tuple[str, float, bytes]:
    kind = draw(st.sampled_from(["none", "none", "truncate", "bytes", "bom"]))
    return kind, draw(st.floats(0, 1)), draw(st.sampled_from(BAD_BYTES))


def _mutate_bytes(data: bytes, mutation: tuple[str, float, bytes]) -> bytes:
    kind, where, bad = mutation
    at = int(where * len(data))
    if kind == "truncate":
        return data[:at]
    if kind == "bytes":
        return data[:at] + bad + data[at:]
    if kind == "bom":
        return b"\xef\xbb\xbf" + data if where < 0.5 else b"\xff\xfe" + data
    return data


def _outcome(path: Path) -> str:
    """'loaded' or 'refused'; anything else is raised (and fails the test)."""
    try:
        collection = load_collection(path)
    except CollectionError as exc:
        assert "\n" not in str(exc)  # the command line prints it as one line
        return "refused"
    engine = MockEngine([collection])
    for endpoint in collection.endpoints[:5]:
        request = endpoint.request
        engine.handle(MockRequest(request.method or "GET", request.path or "/"))
        if endpoint.examples:
            by_id = [("x-mock-response-id", endpoint.examples[0].id)]
            engine.handle(MockRequest(request.method or "GET", "/", headers=by_id))
    return "loaded"


def _check(source: Path, tmp_path: Path, mutations: Any, raw: Any) -> None:
    tree, splices = _apply(_tree(source), mutations)
    data = _mutate_bytes(_serialize(tree, splices), raw)
    path = tmp_path / "fuzzed.postman_collection.json"
    path.write_bytes(data)
    _outcome(path)


def _fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def _mutation_test(shared_file: SharedFile, tmp_path: Path, name: str, examples: int) -> None:
    source = shared_file(COLLECTIONS[name])  # skipped (failed in CI) without ../shared
    mutations = st.lists(structural(source), min_size=1, max_size=3)

    @_fuzz(examples)
    @given(mutations=mutations, raw=byte_mutation())
    def run(mutations: Any, raw: Any) -> None:
        _check(source, tmp_path, mutations, raw)

    run()


@pytest.mark.parametrize(("name", "examples"), [("bench", 200), ("tarot", 150), ("paypal", 30)])
def test_mutated_collections_load_or_are_refused(
    shared_file: SharedFile, tmp_path: Path, name: str, examples: int
) -> None:
    _mutation_test(shared_file, tmp_path, name, examples)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "examples"), [("bench", 60), ("tarot", 40), ("paypal", 8)])
def test_mutated_collections_load_or_are_refused_at_length(
    shared_file: SharedFile, tmp_path: Path, name: str, examples: int, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "HUGE", 200_000)
    _mutation_test(shared_file, tmp_path, name, examples)


def _grafts_for(at: NodePath) -> list[Any]:
    key = at[-1] if at else ""
    if not isinstance(key, str):
        return []
    return GRAFTS.get(GRAFT_KEYS.get(key, key), [])


def test_every_graft_at_every_place_loads_or_is_refused(
    shared_file: SharedFile, tmp_path: Path
) -> None:
    # Not left to chance: each Postman-shaped piece at each place of its kind in the bench
    # collection (a few hundred loads of a 4 KB file).
    source = shared_file(COLLECTIONS["bench"])
    tried = 0
    for at in _postman_paths(source):
        for graft in _grafts_for(at):
            _check(source, tmp_path, [("graft", at, graft)], ("none", 0.0, b""))
            tried += 1
    assert tried > 200


# -- memory: in proportion to the file and what it holds once loaded ---------------------------


def _loaded_size(collection: Collection) -> int:
    """Characters of what the collection holds once loaded (paths, queries, headers, bodies):
    with variables, more than the file (up to the loader's 64 MiB of growth)."""
    total = 0
    for endpoint in collection.endpoints:
        for request in (endpoint.request, *(ex.request for ex in endpoint.examples)):
            pairs = (*request.query, *request.headers)
            total += len(request.path) + len(request.body or "") + sum(map(len, sum(pairs, ())))
            # A path segment is an object and its text, about 100 bytes however short: a path
            # made of thousands of ":a" segments holds more than its characters say.
            total += SEGMENT_CHARS * len(request.segments)
        for example in endpoint.examples:
            total += len(example.body) + sum(len(k) + len(v) for k, v in example.headers)
    return total


SEGMENT_CHARS = 8  # what a loaded path segment weighs, in characters (x PEAK_RATIO: bytes)
PEAK_RATIO = 24  # json.loads alone can take 24 times a text's size (a list of empty lists)
FIXED = 256 * 1024  # what any load costs, however small the file


def _memory_test(shared_file: SharedFile, tmp_path: Path, name: str, examples: int) -> None:
    source = shared_file(COLLECTIONS[name])
    paths = _node_paths(source)

    @_fuzz(examples)
    @given(
        at=st.integers(0, len(paths) - 1),
        unit=st.sampled_from(HUGE_UNITS),
        count=st.integers(1, HUGE),
    )
    def run(at: int, unit: str, count: int) -> None:
        tree, splices = _apply(_tree(source), [("huge", paths[at], unit * count)])
        path = tmp_path / "huge.postman_collection.json"
        path.write_bytes(_serialize(tree, splices))
        tracemalloc.start()
        try:
            try:
                held = _loaded_size(load_collection(path))
            except CollectionError:
                held = 0
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak <= PEAK_RATIO * (path.stat().st_size + held) + FIXED

    run()


@pytest.mark.parametrize(("name", "examples"), [("bench", 40), ("tarot", 40)])
def test_huge_strings_take_memory_in_proportion(
    shared_file: SharedFile, tmp_path: Path, name: str, examples: int
) -> None:
    _memory_test(shared_file, tmp_path, name, examples)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "examples"), [("bench", 30), ("tarot", 30), ("paypal", 5)])
def test_huge_strings_take_memory_in_proportion_at_length(
    shared_file: SharedFile, tmp_path: Path, name: str, examples: int, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "HUGE", 200_000)
    _memory_test(shared_file, tmp_path, name, examples)


# -- environment files ---------------------------------------------------------------------------


@_fuzz(200)
@given(
    mutations=st.lists(
        st.tuples(
            st.sampled_from(["drop", "type", "text"]),
            st.sampled_from([(), ("values",), ("values", 0), ("values", 0, "value"),
                             ("values", 1, "key"), ("values", 2, "enabled"), ("name",)]),
            st.sampled_from([*WRONG_VALUES, *ODD_TEXT]),
        ),
        min_size=1,
        max_size=3,
    ),
    raw=byte_mutation(),
)  # fmt: skip
def test_mutated_environment_loads_or_is_refused(
    shared_file: SharedFile, tmp_path: Path, mutations: Any, raw: Any
) -> None:
    tree, splices = _apply(_tree(shared_file("wise-api.postman_environment.json")), mutations)
    path = tmp_path / "fuzzed.postman_environment.json"
    path.write_bytes(_mutate_bytes(_serialize(tree, splices), raw))
    try:
        values = load_environment(path)
    except CollectionError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
