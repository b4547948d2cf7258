"""Response templates (spec sections 4 and 5): captures, dynamic variables, request helpers."""

from __future__ import annotations

import json
import re
import shlex
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mocktui.engine.dynamic import DynamicVariables
from mocktui.engine.engine import EngineSettings, MockRequest
from mocktui.engine.template import RenderContext, compile_template

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
NAMES = DynamicVariables.names


def render(
    text: str,
    *,
    captures: dict[str, str] | None = None,
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    query: Sequence[tuple[str, str]] = (),
    path: str = "/",
    seed: int | None = 1,
) -> str:
    template = compile_template(text, frozenset(captures or {}), NAMES)
    ctx = RenderContext(
        captures=captures or {},
        body=body,
        headers=headers,
        query=query,
        path=path,
        dynamic=DynamicVariables(seed),
    )
    return template.render(ctx)


# -- captures and unknown placeholders -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "captures", "expected"),
    [
        ("user {{id}}", {"id": "carol"}, "user carol"),
        ("{{ id }}/{{id}}", {"id": "7"}, "7/7"),
        ("{{a}}-{{b}}", {"a": "x", "b": "y"}, "x-y"),
        ("{{unknown}}", {"id": "7"}, "{{unknown}}"),
        ("{{$nope}}", {}, "{{$nope}}"),
        ("{{$guid extra}}", {}, "{{$guid extra}}"),
        ("{{$headers}}", {}, "{{$headers}}"),
        ("{{$pathSegments 'x'}}", {}, "{{$pathSegments 'x'}}"),
        ("{{$body 'unterminated}}", {}, "{{$body 'unterminated}}"),
        ("no placeholders {", {}, "no placeholders {"),
        ("{{}} {{ }}", {}, "{{}} {{ }}"),
    ],
)
def test_captures_and_unknown_placeholders(
    text: str, captures: dict[str, str], expected: str
) -> None:
    assert render(text, captures=captures) == expected


def test_static_text_is_compiled_once() -> None:
    template = compile_template("plain {{unknown}} text", frozenset(), NAMES)
    assert template.static == "plain {{unknown}} text"
    assert compile_template("{{$guid}}", frozenset(), NAMES).static is None


# -- dynamic variables -----------------------------------------------------------------------


def test_guid_is_a_fresh_uuid() -> None:
    text = '{"id": "{{$guid}}", "other": "{{$randomUUID}}"}'
    template = compile_template(text, frozenset(), NAMES)
    ctx = RenderContext({}, b"", (), (), "/", DynamicVariables())
    first, second = json.loads(template.render(ctx)), json.loads(template.render(ctx))
    for value in (*first.values(), *second.values()):
        assert UUID4.fullmatch(value), value
        assert uuid.UUID(value).version == 4
    assert first["id"] != second["id"]
    assert first["id"] != first["other"]


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("$timestamp", r"\d{10}"),
        ("$randomInt", r"\d{1,4}"),
        ("$randomBoolean", r"true|false"),
        ("$randomEmail", r"[^@\s]+@[^@\s]+\.[a-z]+"),
        ("$isoTimestamp", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"),
    ],
)
def test_dynamic_variables_in_templates(name: str, shape: str) -> None:
    value = render("{{" + name + "}}")
    assert re.fullmatch(shape, value), value
    if name == "$randomInt":
        assert 0 <= int(value) <= 1000


# -- request helpers -------------------------------------------------------------------------

BODY = json.dumps(
    {
        "a": {"b": [{"c": "deep"}, {"c": 2}]},
        "n": 5,
        "flag": False,
        "nothing": None,
        "obj": {"x": 1},
        "dotted.key": {"in": "escaped"},
        "quote": 'say "hi"',
    }
).encode()

HELPERS = [
    # template, expected
    pytest.param("{{$body 'a.b.0.c'}}", "deep", id="object-path"),
    pytest.param('{{$body "a.b.1.c"}}', "2", id="double-quotes-number"),
    pytest.param("{{$body 'a.b.-1.c'}}", "2", id="negative-index"),
    pytest.param("{{$body 'n'}}", "5", id="number"),
    pytest.param("{{$body 'flag'}}", "false", id="boolean"),
    pytest.param("{{$body 'nothing'}}", "null", id="null"),
    pytest.param("{{$body 'obj'}}", '{"x": 1}', id="object-as-json"),
    pytest.param("{{$body 'a.b.0'}}", '{"c": "deep"}', id="list-item-as-json"),
    pytest.param("{{$body 'quote'}}", 'say "hi"', id="no-json-quoting"),
    pytest.param("{{$body 'dotted\\.key.in'}}", "escaped", id="escaped-dot"),
    pytest.param("{{$body 'dotted.key.in'}}", "", id="unescaped-dot-misses"),
    pytest.param("{{$body 'a.b.9.c'}}", "", id="missing-empty"),
    # A list index is an optional "-" and ASCII digits; anything else finds nothing.
    pytest.param("{{$body 'a.b.--1'}}", "", id="double-minus"),
    pytest.param("{{$body 'a.b.-'}}", "", id="minus-alone"),
    pytest.param("{{$body 'a.b.-0.c'}}", "deep", id="minus-zero"),  # rules.list_index: -0 is 0
    pytest.param("{{$body 'a.b.²'}}", "", id="superscript-index"),
    pytest.param("{{$body 'a.b.\u0661.c'}}", "", id="arabic-indic-index"),
    pytest.param("{{$body 'a.b.+1.c'}}", "", id="plus-index"),
    pytest.param("{{$body 'a.b.1_0'}}", "", id="underscore-index"),
    pytest.param("{{$body 'a.b." + "9" * 5000 + "' 'far'}}", "far", id="5000-digit-index"),
    pytest.param("{{$body 'a.b.-" + "9" * 5000 + "' 'far'}}", "far", id="5000-digit-negative"),
    pytest.param("{{$body 'a.b.-3' 'far'}}", "far", id="negative-out-of-range"),
    pytest.param("{{$body 'a.b.9.c' 'fallback'}}", "fallback", id="fallback"),
    pytest.param("{{$body 'n' 'fallback'}}", "5", id="fallback-not-used"),
    pytest.param("{{$body 'n.x' 'two words'}}", "two words", id="fallback-with-space"),
    pytest.param("{{$headers 'X-Name'}}", "Ada", id="header"),
    pytest.param("{{$headers 'x-name'}}", "Ada", id="header-lower"),
    pytest.param("{{$headers 'X-NAME'}}", "Ada", id="header-upper"),
    pytest.param("{{$headers 'X-Missing'}}", "", id="header-missing"),
    pytest.param("{{$headers 'X-Missing' 'anon'}}", "anon", id="header-fallback"),
    pytest.param("{{$queryParams 'q'}}", "tarot cards", id="query"),
    pytest.param("{{$queryParams 'Q'}}", "", id="query-case-sensitive"),
    pytest.param("{{$queryParams 'page' '1'}}", "1", id="query-fallback"),
    pytest.param("{{$pathSegments '0'}}", "product", id="segment-0"),
    pytest.param("{{$pathSegments '1'}}", "12345", id="segment-1"),
    pytest.param("{{$pathSegments '2'}}", "details", id="segment-2"),
    pytest.param("{{$pathSegments '3'}}", "", id="segment-out-of-range"),
    # Positions and indexes are read by mocktui.rules: ASCII digits only, any length.
    pytest.param("{{$pathSegments '²'}}", "{{$pathSegments '²'}}", id="segment-superscript"),
    pytest.param("{{$pathSegments '٣'}}", "{{$pathSegments '٣'}}", id="segment-arabic-digit"),
    pytest.param("{{$pathSegments '" + "9" * 5000 + "'}}", "", id="segment-5000-digits"),
    pytest.param("{{$body 'a.b.²'}}", "", id="index-superscript"),
    pytest.param("{{$body 'a.b.--1.c'}}", "", id="index-double-minus"),
    pytest.param("{{$body 'a.b.+0.c'}}", "", id="index-plus"),
    pytest.param("{{$body 'a.b." + "9" * 5000 + "'}}", "", id="index-5000-digits"),
]


@pytest.mark.parametrize(("text", "expected"), HELPERS)
def test_request_helpers(text: str, expected: str) -> None:
    got = render(
        text,
        body=BODY,
        headers=[("Content-Type", "application/json"), ("x-name", "Ada")],
        query=[("q", "tarot cards"), ("limit", "3")],
        path="/product/12345/details",
    )
    assert got == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a": 1}', '{"a": 1}'),
        (b"plain text, not JSON", "plain text, not JSON"),
        (b"", ""),
        ("café".encode(), "café"),
    ],
)
def test_whole_body(body: bytes, expected: str) -> None:
    assert render("[{{$body}}]", body=body) == f"[{expected}]"


def test_body_path_on_a_non_json_body_uses_the_fallback() -> None:
    assert render("{{$body 'a' 'none'}}", body=b"not json") == "none"


# -- through the engine: bodies and header values --------------------------------------------


def test_templates_in_body_and_header_values(pm: Any) -> None:
    example = pm.example(
        "e",
        "/users/{{userId}}",
        method="POST",
        body=(
            '{"user": "{{userId}}", "name": "{{$body \'name\'}}", '
            '"q": "{{$queryParams \'q\'}}", "seg": "{{$pathSegments \'1\'}}", '
            '"id": "{{$guid}}", "keep": "{{$nope}} {{unknown}}", "var": "{{greeting}}"}'
        ),
        response_headers={
            "X-User": "{{userId}}",
            "X-Echo": "{{$headers 'X-Name'}}",
            "X-Request-Id": "{{$guid}}",
            "X-Greeting": "{{greeting}}",
        },
    )
    engine = pm.engine(
        pm.item("r", "/users/{{userId}}", example, method="POST"), variables={"greeting": "hi"}
    )
    response = engine.handle(
        MockRequest(
            "POST",
            "/users/carol",
            query=[("q", "x")],
            headers=[("x-NAME", "Ada")],
            body=b'{"name": "Ada Lovelace"}',
        )
    )
    data = json.loads(response.body)
    assert data["user"] == "carol"
    assert data["name"] == "Ada Lovelace"
    assert (data["q"], data["seg"]) == ("x", "carol")
    assert UUID4.fullmatch(data["id"])
    assert data["keep"] == "{{$nope}} {{unknown}}"
    assert data["var"] == "hi"
    headers = dict(response.headers)
    assert headers["X-User"] == "carol"
    assert headers["X-Echo"] == "Ada"
    assert UUID4.fullmatch(headers["X-Request-Id"])
    assert headers["X-Request-Id"] != data["id"]
    assert headers["X-Greeting"] == "hi"


def test_body_path_with_an_odd_index_answers(pm: Any) -> None:
    example = pm.example("e", "/a", method="POST", body="[{{$body 'a.--1' 'none'}}]")
    engine = pm.engine(pm.item("r", "/a", example, method="POST"))
    response = engine.handle(MockRequest("POST", "/a", body=b'{"a": [1, 2]}'))
    assert (response.status, response.body) == (200, b"[none]")


SEEDED_BODY = (
    '{"id": "{{$guid}}", "name": "{{$randomFullName}}", "n": {{$randomInt}}, '
    '"email": "{{$randomEmail}}", "city": "{{$randomCity}}", "words": "{{$randomLoremWords}}"}'
)


def _seeded_bodies(pm: Any, seed: int | None, count: int = 3) -> list[bytes]:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a", body=SEEDED_BODY)),
        settings=EngineSettings(seed=seed),
    )
    return [engine.handle(MockRequest("GET", "/a")).body for _ in range(count)]


def test_seed_makes_bodies_reproducible(pm: Any) -> None:
    first, second = _seeded_bodies(pm, 42), _seeded_bodies(pm, 42)
    assert first == second
    assert len(set(first)) == 3  # still fresh data on every response
    for body in first:
        json.loads(body)
    assert _seeded_bodies(pm, 43) != first


def test_without_seed_bodies_differ_between_engines(pm: Any) -> None:
    assert _seeded_bodies(pm, None, 1) != _seeded_bodies(pm, None, 1)


def test_engines_do_not_share_random_state(pm: Any) -> None:
    item = pm.item("r", "/a", pm.example("e", "/a", body=SEEDED_BODY))
    a = pm.engine(item, settings=EngineSettings(seed=5))
    b = pm.engine(item, settings=EngineSettings(seed=5))
    request = MockRequest("GET", "/a")
    # Interleaved, the two engines still produce the same sequence: neither draws from the
    # other's (or a global) random state.
    pairs = [(a.handle(request).body, b.handle(request).body) for _ in range(3)]
    assert all(x == y for x, y in pairs)
    assert len({x for x, _ in pairs}) == 3


# -- no template text is an error, at load or at request time --------------------------------

SEGMENTS_PATH = "/product/12345/details"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Not an index written in ASCII digits: the placeholder stays as written, like 'x'.
        pytest.param("{{$pathSegments '²'}}", "{{$pathSegments '²'}}", id="superscript"),
        pytest.param("{{$pathSegments '٣'}}", "{{$pathSegments '٣'}}", id="arabic-indic"),
        pytest.param("{{$pathSegments '+1'}}", "{{$pathSegments '+1'}}", id="plus"),
        pytest.param("{{$pathSegments '1_0'}}", "{{$pathSegments '1_0'}}", id="underscore"),
        pytest.param("{{$pathSegments ' 1'}}", "{{$pathSegments ' 1'}}", id="space"),
        pytest.param("{{$pathSegments '-1'}}", "{{$pathSegments '-1'}}", id="negative"),
        # An index beyond every path: out of range, so the fallback (or nothing).
        pytest.param("{{$pathSegments '" + "9" * 5000 + "'}}", "", id="5000-digits"),
        pytest.param(
            "{{$pathSegments '" + "9" * 5000 + "' 'none'}}", "none", id="5000-digits-fallback"
        ),
        pytest.param("{{$pathSegments '" + "0" * 5000 + "1'}}", "12345", id="leading-zeros"),
    ],
)
def test_odd_path_segment_indexes(text: str, expected: str) -> None:
    assert render(text, path=SEGMENTS_PATH) == expected


ODD_ARGUMENTS = st.sampled_from(
    ["", "0", "1", "-1", "--1", "²", "٣", "+1", "1_0", " 1", "9" * 5000, "0" * 5000 + "2",
     "a.--1", "1.--1", "a.0.b.²", "a.b.²", "a.b." + "9" * 5000, "a.b.-" + "9" * 5000,
     "\\", ".", "..", "a\\.b"]
)  # fmt: skip
ARGUMENT = st.one_of(ODD_ARGUMENTS, st.text(max_size=12))
HELPER = st.sampled_from(["$body", "$headers", "$queryParams", "$pathSegments", "$guid", "$x"])


@st.composite
def placeholders(draw: st.DrawFn) -> str:
    """``{{$helper 'arg' ...}}`` with odd arguments, quoted or not, sometimes unbalanced."""
    args = draw(st.lists(ARGUMENT, max_size=3))
    quote = draw(st.sampled_from(["'", '"', ""]))
    inner = " ".join(quote + a + quote for a in args)
    return "{{" + draw(HELPER) + (" " + inner if args else "") + "}}"


BRACES = st.sampled_from(["{{", "}}", "{", "}", "{{id}}"])
TEMPLATE_TEXT = st.lists(st.one_of(placeholders(), BRACES, st.text(max_size=8)), max_size=12).map(
    "".join
)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)
REQUEST_BODY = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
    st.just(b"[" * 5000 + b"]" * 5000),  # deeper than json.loads goes
    st.sampled_from([BODY, b'[0, [1, 2], {"a": [3, {"b": [4]}]}]']),  # lists where paths go
)
PAIRS = st.lists(st.tuples(st.text(max_size=6), st.text(max_size=6)), max_size=4)


def _context(body: bytes, headers: Any, query: Any, path: str) -> RenderContext:
    return RenderContext({"id": "7"}, body, headers, query, path, DynamicVariables(1))


@settings(max_examples=300, deadline=None)
@given(text=TEMPLATE_TEXT, body=REQUEST_BODY, headers=PAIRS, query=PAIRS, path=st.text())
def test_any_template_text_compiles_and_renders(
    text: str, body: bytes, headers: Any, query: Any, path: str
) -> None:
    # The engine compiles every example's body and header values when it loads (nothing in
    # them may stop the load, or a reload) and renders them per request (nothing a client
    # sends may make that fail).
    template = compile_template(text, frozenset({"id"}), NAMES)
    # What does not vary per request is the text exactly as written.
    assert template.static is None or template.static == text
    assert isinstance(template.render(_context(body, headers, query, path)), str)


@settings(max_examples=400, deadline=None)
@given(
    helper=st.sampled_from(["$body", "$headers", "$queryParams", "$pathSegments"]),
    args=st.lists(ARGUMENT, min_size=1, max_size=2),
    body=REQUEST_BODY,
    headers=PAIRS,
    query=PAIRS,
    path=st.text(),
)
def test_request_helpers_render_any_argument(
    helper: str, args: list[str], body: bytes, headers: Any, query: Any, path: str
) -> None:
    # Any argument, quoted so that it reaches the helper whole: the helper answers (a value,
    # the fallback, or the placeholder as written), it never raises.
    text = "{{" + helper + " " + " ".join(shlex.quote(a) for a in args) + "}}"
    got = compile_template(text, frozenset(), NAMES).render(_context(body, headers, query, path))
    assert isinstance(got, str)
