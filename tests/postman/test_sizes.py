"""Hostile sizes: loading takes time linear in the file.

No timed assertions: a quadratic step shows as a test that does not finish (200,000
placeholders took minutes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine, MockRequest

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
