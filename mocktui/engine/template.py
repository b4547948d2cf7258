"""Response templates: ``{{...}}`` in example bodies and header values, compiled once.

At load time the collection's variables are already substituted (see the loader); what is left
for each response is per request:

- ``{{name}}`` where ``name`` is one of the example's wildcard captures;
- ``{{$dynamic}}`` variables (fresh fake data, see ``dynamic.py``);
- request helpers: ``{{$body}}``, ``{{$body 'a.b.0' 'fallback'}}``, ``{{$headers 'name'}}``,
  ``{{$queryParams 'name'}}``, ``{{$pathSegments 'N'}}``.

Anything else stays as written, as Postman does with unknown variables.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mocktui import rules
from mocktui.engine.dynamic import DynamicVariables

PLACEHOLDER = re.compile(r"\{\{([^{}]+?)\}\}")
HELPERS = frozenset({"$body", "$headers", "$queryParams", "$pathSegments"})


@dataclass(slots=True)
class RenderContext:
    """What one response's placeholders may draw on."""

    captures: Mapping[str, str]
    body: bytes
    headers: Sequence[tuple[str, str]]
    query: Sequence[tuple[str, str]]
    path: str
    dynamic: DynamicVariables
    _json: Any = None
    _json_parsed: bool = False

    def json_body(self) -> Any:
        if not self._json_parsed:
            self._json_parsed = True
            try:
                self._json = json.loads(self.body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                self._json = None
        return self._json


Part = str | Callable[[RenderContext], str]


def _as_text(value: Any) -> str | None:
    """A found value as the text put in the answer (None: it cannot be written as JSON)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):  # what json.loads took in, json.dumps may not give out
        return None


def _object_path(spec: str) -> list[str]:
    """``a.b\\.c.0`` -> ["a", "b.c", "0"]."""
    keys, current, escaped = [], [], False
    for char in spec:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            keys.append("".join(current))
            current = []
        else:
            current.append(char)
    keys.append("".join(current))
    return keys


def _lookup(data: Any, keys: list[str]) -> tuple[bool, Any]:
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
            continue
        index = rules.list_index(key) if isinstance(data, list) else None
        if index is not None and -len(data) <= index < len(data):
            data = data[index]
        else:
            return False, None
    return True, data


def _helper(name: str, args: list[str], raw: str) -> Part:
    if name == "$body":
        if not args:
            return lambda ctx: ctx.body.decode("utf-8", "replace")
        keys = _object_path(args[0])
        fallback = args[1] if len(args) > 1 else ""

        def body_value(ctx: RenderContext) -> str:
            found, value = _lookup(ctx.json_body(), keys)
            text = _as_text(value) if found else None
            return fallback if text is None else text

        return body_value
    if not args:
        return raw
    wanted = args[0]
    fallback = args[1] if len(args) > 1 else ""
    if name == "$headers":
        lower = wanted.lower()
        return lambda ctx: next((v for k, v in ctx.headers if k.lower() == lower), fallback)
    if name == "$queryParams":
        return lambda ctx: next((v for k, v in ctx.query if k == wanted), fallback)
    index = rules.index_number(wanted)  # $pathSegments
    if index is None:
        return raw

    def segment(ctx: RenderContext) -> str:
        parts = [p for p in ctx.path.split("/") if p]
        return parts[index] if index < len(parts) else fallback

    return segment


def _compile_placeholder(
    inner: str, raw: str, captures: frozenset[str], dynamic: frozenset[str]
) -> Part:
    text = inner.strip()
    if text.startswith("$"):
        head, _, rest = text.partition(" ")
        if head in HELPERS:
            try:
                args = shlex.split(rest) if rest.strip() else []
            except ValueError:
                return raw
            return _helper(head, args, raw)
        name = head[1:]
        if rest.strip() or name not in dynamic:
            return raw

        def fake(ctx: RenderContext) -> str:
            return ctx.dynamic.generate(name) or raw

        return fake
    if text in captures:
        return lambda ctx: ctx.captures.get(text, raw)
    return raw


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled text: literal parts and per-request parts."""

    parts: tuple[Part, ...]
    static: str | None  # the whole text when nothing in it varies per request

    def render(self, ctx: RenderContext) -> str:
        if self.static is not None:
            return self.static
        return "".join(p if isinstance(p, str) else p(ctx) for p in self.parts)


def compile_template(
    text: str, captures: frozenset[str] = frozenset(), dynamic: frozenset[str] = frozenset()
) -> Template:
    """Never raises, and takes time and memory linear in the text: literal runs (text between
    placeholders, and placeholders that stay as written) are collected and joined once."""
    if "{{" not in text:
        return Template((text,), text)
    parts: list[Part] = []
    literal_from = 0  # where the literal run that is being collected starts
    for match in PLACEHOLDER.finditer(text):
        part = _compile_placeholder(match.group(1), match.group(0), captures, dynamic)
        if isinstance(part, str):  # the placeholder as written (the only text it gives back)
            continue
        if match.start() > literal_from:
            parts.append(text[literal_from : match.start()])
        parts.append(part)
        literal_from = match.end()
    if not parts:
        return Template((text,), text)
    if literal_from < len(text):
        parts.append(text[literal_from:])
    return Template(tuple(parts), None)
