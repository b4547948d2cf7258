"""The collections as plain data (GET /__mocktui/collections) and back, for mocktui attach."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from mocktui.config import build_engine, load_collections
from mocktui.postman.codec import collection_from_dict, collection_to_dict


def roundtrip(collections: list) -> list:
    wire = json.loads(json.dumps([collection_to_dict(c) for c in collections], ensure_ascii=True))
    return [collection_from_dict(c) for c in wire]


def test_the_demo_comes_back_equal() -> None:
    collections = build_engine([]).collections
    assert collections
    assert roundtrip(collections) == collections


@pytest.mark.parametrize(
    "name", ["commercetools-api", "paypal-partner-apis", "wise-api", "roxyapi-tarot"]
)
def test_shared_collections_come_back_equal(
    shared_file: Callable[[str], Path], name: str
) -> None:
    collections = load_collections([str(shared_file(f"{name}.postman_collection.json"))])
    back = roundtrip(collections)
    assert back == collections
    assert [e.key for c in back for e in c.endpoints] == [
        e.key for c in collections for e in c.endpoints
    ]


def test_lone_surrogates_and_controls_survive() -> None:
    collection = build_engine([]).collections[0]
    data = collection_to_dict(collection)
    data["name"] = "bad \udc80 \x1b[31m name"
    assert collection_from_dict(json.loads(json.dumps(data))).name == "bad \udc80 \x1b[31m name"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(root=[]), "collection.root: expected an object"),
        (lambda d: d.update(name=3), "collection.name: unexpected value 3"),
        (
            lambda d: d["root"]["children"][0].update(type="file"),
            "collection.root.children[0].type: expected 'folder' or 'endpoint'",
        ),
        (
            lambda d: d["root"]["children"][0]["children"][0]["examples"][0].update(code="200"),
            "collection.root.children[0].children[0].examples[0].code: unexpected value '200'",
        ),
        (
            lambda d: d["root"]["children"][0]["children"][0]["request"].update(headers=[["a"]]),
            "collection.root.children[0].children[0].request.headers: expected [name, value] "
            "pairs",
        ),
        (lambda d: d.update(variables={"a": 1}), "collection.variables: expected names and text"),
    ],
)
def test_bad_data_is_refused_with_where(change: Callable[[dict], None], message: str) -> None:
    data = collection_to_dict(build_engine([]).collections[0])
    change(data)
    with pytest.raises(ValueError) as caught:
        collection_from_dict(data)
    assert str(caught.value).startswith(message)
