"""Hostile sizes: loading takes time linear in the file and memory a small multiple of it.

No timed assertions: a quadratic step shows as a test that does not finish (200,000
placeholders took minutes), memory as a tracemalloc peak compared with the file's size.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.postman.loader import load_collection, percent_decode, query_pairs

MiB = 1024 * 1024
PLACEHOLDERS = 200_000


def _collection(pm: Any, where: str, text: str) -> Path:
    request: dict[str, Any] = {"method": "GET", "url": "/a"}
    example: dict[str, Any] = {"name": "e", "code": 200, "body": "", "originalRequest": request}
    if where == "body":
        example["body"] = text
    elif where == "header":
        example["header"] = [{"key": "X-Many", "value": text}]
    elif where == "path":
        request["url"] = "/a/" + text
    elif where == "query":
        request["url"] = "/a?" + text
    elif where == "request header":
        request["header"] = [{"key": "X-Many", "value": text}]
    item = {"name": "r", "request": request, "response": [example]}
    return pm.write(pm.collection(item))


# -- time: linear in the number of placeholders ------------------------------------------------


@pytest.mark.parametrize("where", ["body", "header", "path", "query", "request header"])
def test_200k_unknown_placeholders_load(pm: Any, where: str) -> None:
    text = "{{x}}" * PLACEHOLDERS  # 1 MB: took ~7 s in a body, minutes in a 4 MB header
    path = _collection(pm, where, text)
    engine = MockEngine(load_collections([str(path)]))  # the engine compiles the templates
    (example,) = engine.collections[0].examples
    if where == "body":
        assert engine.handle(MockRequest("GET", "/a")).body == text.encode()
    elif where == "header":
        assert example.headers == (("X-Many", text),)
    elif where == "path":
        assert len(example.request.segments) == 2  # one segment of 200k placeholders


def test_200k_placeholders_around_dynamic_ones_render_in_full(pm: Any) -> None:
    text = "{{x}}" * PLACEHOLDERS + "{{$randomInt}}" + "{{x}}" * PLACEHOLDERS
    engine = MockEngine(load_collections([str(_collection(pm, "body", text))]))
    body = engine.handle(MockRequest("GET", "/a")).body.decode()
    number = body.removeprefix("{{x}}" * PLACEHOLDERS).removesuffix("{{x}}" * PLACEHOLDERS)
    assert number.isascii() and number.isdigit()


# -- memory: a small multiple of the file ------------------------------------------------------

# Before: "%" took 97 times the file's size, "%41" 40, "%2F" 49, "/" 63 (unquote made an object
# per "%", the path a list and a slice of its parts and a Segment per part).
HOSTILE_PATHS = ["%", "%41", "%%41", "%C3%A9", "%E9", "%2F", "/", "ab/", "%2Fa"]
HOSTILE_QUERIES = ["q=a&", "%%", "%41%41", "a+b=%2B&", "&"]
PEAK_RATIO = 20  # json.loads alone can take 24 times a file's size (a list of empty lists)


def _peak_ratio(path: Path) -> float:
    tracemalloc.start()
    try:
        load_collection(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / path.stat().st_size


@pytest.mark.parametrize("unit", HOSTILE_PATHS)
def test_hostile_paths_take_memory_a_small_multiple_of_the_file(pm: Any, unit: str) -> None:
    path = _collection(pm, "path", unit * (50_000 // len(unit)))
    assert _peak_ratio(path) < PEAK_RATIO


@pytest.mark.parametrize("unit", HOSTILE_QUERIES)
def test_hostile_queries_take_memory_a_small_multiple_of_the_file(pm: Any, unit: str) -> None:
    path = _collection(pm, "query", unit * (50_000 // len(unit)))
    assert _peak_ratio(path) < PEAK_RATIO


URL_TEXT = st.text(st.sampled_from("%+&=/aZ09fF é\u00ff\u0100\ud7ff☃"), max_size=40) | st.text()


@given(URL_TEXT)
def test_percent_decode_is_unquote(text: str) -> None:
    assert percent_decode(text) == unquote(text)
    assert percent_decode(text, plus=True) == unquote_plus(text)


@given(URL_TEXT)
def test_query_pairs_is_parse_qsl(text: str) -> None:
    assert list(query_pairs(text)) == parse_qsl(text, keep_blank_values=True)
