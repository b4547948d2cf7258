"""The loaded collections as plain data and back: what ``GET /__mocktui/collections`` sends, so a
dashboard attached to a mocktui running elsewhere (``mocktui attach``) holds the same model
objects as the server (same keys, examples, folders, skipped items and load warnings).

``collection_from_dict(collection_to_dict(c)) == c`` for every collection the loader makes.
Decoding checks the shapes it reads and raises ``ValueError`` (with where) on anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
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

FORMAT = 1  # bumped when the shape changes in a way an older reader cannot read


# -- encoding ---------------------------------------------------------------------------------


def _pairs(pairs: tuple[tuple[str, str], ...]) -> list[list[str]]:
    return [[k, v] for k, v in pairs]


def _request(spec: RequestSpec) -> dict[str, Any]:
    return {
        "method": spec.method,
        "path": spec.path,
        "segments": [[s.text, s.wildcard] for s in spec.segments],
        "query": _pairs(spec.query),
        "headers": _pairs(spec.headers),
        "body": spec.body,
        "problem": spec.problem,
        "host": spec.host,
        "scheme": spec.scheme,
    }


def _example(example: Example) -> dict[str, Any]:
    return {
        "id": example.id,
        "name": example.name,
        "code": example.code,
        "status": example.status,
        "headers": _pairs(example.headers),
        "body": example.body,
        "content_type": example.content_type,
        "request": _request(example.request),
        "endpoint_key": example.endpoint_key,
        "position": example.position,
        "explicit_id": example.explicit_id,
        "delay_ms": example.delay_ms,
        "json_path": example.json_path,
        "has_code": example.has_code,
        "has_original_request": example.has_original_request,
    }


def _endpoint(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "type": "endpoint",
        "key": endpoint.key,
        "name": endpoint.name,
        "folder": list(endpoint.folder),
        "collection": endpoint.collection,
        "request": _request(endpoint.request),
        "examples": [_example(ex) for ex in endpoint.examples],
        "json_path": endpoint.json_path,
    }


def _folder(folder: Folder) -> dict[str, Any]:
    return {
        "type": "folder",
        "name": folder.name,
        "key": folder.key,
        "children": [
            _folder(child) if isinstance(child, Folder) else _endpoint(child)
            for child in folder.children
        ],
    }


def _skipped(item: Skipped) -> dict[str, Any]:
    return {
        "endpoint_key": item.endpoint_key,
        "example_id": item.example_id,
        "name": item.name,
        "reason": item.reason,
        "path": item.path,
    }


def collection_to_dict(collection: Collection) -> dict[str, Any]:
    return {
        "name": collection.name,
        "source": collection.source,
        "schema": collection.schema,
        "root": _folder(collection.root),
        "skipped": [_skipped(s) for s in collection.skipped],
        "skipped_headers": [_skipped(s) for s in collection.skipped_headers],
        "variables": dict(collection.variables),
        "warnings": [
            {"endpoint_key": w.endpoint_key, "path": w.path, "message": w.message}
            for w in collection.warnings
        ],
    }


# -- decoding ---------------------------------------------------------------------------------


class _Reader:
    """Typed reads of one JSON object, naming where a bad value is."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected an object")
        self.data = data
        self.where = where

    def _get(self, name: str, kinds: tuple[type, ...], default: object) -> Any:
        value = self.data.get(name, default)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ValueError(f"{self.where}.{name}: unexpected value {value!r:.40}")
        return value

    def text(self, name: str, default: object = "") -> str:
        return self._get(name, (str,), default)

    def opt_text(self, name: str) -> str | None:
        return self._get(name, (str, type(None)), None)

    def number(self, name: str, default: object = 0) -> int:
        return self._get(name, (int,), default)

    def flag(self, name: str, default: object) -> bool:
        return self._get(name, (bool,), default)

    def items(self, name: str) -> list[Any]:
        return self._get(name, (list,), [])

    def pairs(self, name: str) -> tuple[tuple[str, str], ...]:
        out = []
        for item in self.items(name):
            if (
                not isinstance(item, list)
                or len(item) != 2
                or not all(isinstance(v, str) for v in item)
            ):
                raise ValueError(f"{self.where}.{name}: expected [name, value] pairs")
            out.append((item[0], item[1]))
        return tuple(out)


def _read_request(data: object, where: str) -> RequestSpec:
    r = _Reader(data, where)
    segments = []
    for item in r.items("segments"):
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not isinstance(item[0], str)
            or not isinstance(item[1], str | None)
        ):
            raise ValueError(f"{where}.segments: expected [text, wildcard] pairs")
        segments.append(Segment(item[0], item[1]))
    return RequestSpec(
        method=r.text("method"),
        path=r.text("path"),
        segments=tuple(segments),
        query=r.pairs("query"),
        headers=r.pairs("headers"),
        body=r.opt_text("body"),
        problem=r.opt_text("problem"),
        host=r.text("host"),
        scheme=r.text("scheme"),
    )


def _read_example(data: object, where: str) -> Example:
    r = _Reader(data, where)
    return Example(
        id=r.text("id"),
        name=r.text("name"),
        code=r.number("code", 200),
        status=r.text("status"),
        headers=r.pairs("headers"),
        body=r.text("body"),
        content_type=r.opt_text("content_type"),
        request=_read_request(r.data.get("request"), f"{where}.request"),
        endpoint_key=r.text("endpoint_key"),
        position=r.number("position"),
        explicit_id=r.flag("explicit_id", False),
        delay_ms=r.number("delay_ms"),
        json_path=r.text("json_path"),
        has_code=r.flag("has_code", True),
        has_original_request=r.flag("has_original_request", True),
    )


def _read_node(data: object, where: str) -> Folder | Endpoint:
    r = _Reader(data, where)
    if r.text("type") == "folder":
        return Folder(
            name=r.text("name"),
            key=r.text("key"),
            children=tuple(
                _read_node(child, f"{where}.children[{i}]")
                for i, child in enumerate(r.items("children"))
            ),
        )
    if r.text("type") != "endpoint":
        raise ValueError(f"{where}.type: expected 'folder' or 'endpoint'")
    folder = r.items("folder")
    if not all(isinstance(name, str) for name in folder):
        raise ValueError(f"{where}.folder: expected folder names")
    return Endpoint(
        key=r.text("key"),
        name=r.text("name"),
        folder=tuple(folder),
        collection=r.text("collection"),
        request=_read_request(r.data.get("request"), f"{where}.request"),
        examples=tuple(
            _read_example(ex, f"{where}.examples[{i}]") for i, ex in enumerate(r.items("examples"))
        ),
        json_path=r.text("json_path"),
    )


def _read_skipped(data: object, where: str) -> Skipped:
    r = _Reader(data, where)
    return Skipped(
        endpoint_key=r.text("endpoint_key"),
        example_id=r.opt_text("example_id"),
        name=r.text("name"),
        reason=r.text("reason"),
        path=r.text("path"),
    )


def collection_from_dict(data: object, where: str = "collection") -> Collection:
    r = _Reader(data, where)
    root = _read_node(r.data.get("root"), f"{where}.root")
    if not isinstance(root, Folder):
        raise ValueError(f"{where}.root: expected a folder")
    variables = r._get("variables", (dict,), {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in variables.items()):
        raise ValueError(f"{where}.variables: expected names and text values")
    warnings = []
    for i, item in enumerate(r.items("warnings")):
        w = _Reader(item, f"{where}.warnings[{i}]")
        warnings.append(LoadWarning(w.text("endpoint_key"), w.text("path"), w.text("message")))
    return Collection(
        name=r.text("name"),
        source=r.text("source"),
        schema=r.text("schema"),
        root=root,
        skipped=tuple(
            _read_skipped(s, f"{where}.skipped[{i}]") for i, s in enumerate(r.items("skipped"))
        ),
        skipped_headers=tuple(
            _read_skipped(s, f"{where}.skipped_headers[{i}]")
            for i, s in enumerate(r.items("skipped_headers"))
        ),
        variables=dict(variables),
        warnings=tuple(warnings),
    )
