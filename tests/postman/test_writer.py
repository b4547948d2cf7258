"""The Postman writer: a collection read and written without changes is the same file; one
with new examples keeps everything else and is a valid Postman collection (checked against
Postman's published v2.0.0 / v2.1.0 JSON schemas, shipped in tests/fixtures/schema: the copy
the postman-collection-rs project keeps as test data, draft-07)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import jsonschema
import pytest

from mocktui.postman.loader import CollectionError, load_collection
from mocktui.postman.writer import (
    Document,
    Exchange,
    Style,
    draft_text,
    example_from,
    parse_draft,
    unique_name,
    url_object,
)
from tests.conftest import need_shared

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schema"
COLLECTIONS = [
    "bench",
    "commercetools-api",
    "paypal-partner-apis",
    "roxyapi-tarot",
    "wise-api",
]


def validator(schema: str) -> jsonschema.Draft7Validator:
    version = "v2.1.0" if "v2.1" in schema else "v2.0.0"
    data = json.loads((SCHEMAS / f"postman-collection-{version}.json").read_text())
    return jsonschema.Draft7Validator(data)


def exchange(**changes: object) -> Exchange:
    values: dict[str, object] = {
        "method": "GET",
        "raw_path": "/cards/fool",
        "query": "lang=en&x=%20y",
        "request_headers": (
            ("Host", "mock:3000"),
            ("Accept", "application/json"),
            ("Authorization", "Bearer secret"),
            ("X-Api-Key", "k"),
            ("Connection", "keep-alive, x-hop"),
            ("X-Hop", "1"),
        ),
        "request_body": b"",
        "status": 200,
        "response_headers": (
            ("Content-Type", "application/json"),
            ("Date", "Tue, 01 Dec 2026 10:00:00 GMT"),
            ("Content-Length", "12"),
            ("Transfer-Encoding", "chunked"),
            ("X-Request-Id", "r1"),
        ),
        "response_body": b'{"id":"fool"}',
        "response_size": 13,
        "origin": "https://api.example.com:8443",
    }
    values.update(changes)
    return Exchange(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", COLLECTIONS)
def test_read_and_written_without_changes_is_the_same_file(name: str) -> None:
    path = need_shared(f"{name}.postman_collection.json")
    raw = path.read_bytes()
    document = Document.read(path)
    assert json.loads(document.to_bytes()) == json.loads(raw)
    assert document.to_bytes() == raw  # byte for byte: indentation, key order, escapes


def test_styles_of_the_shared_files() -> None:
    styles = {
        name: Document.read(need_shared(f"{name}.postman_collection.json")).style
        for name in COLLECTIONS
    }
    assert styles["paypal-partner-apis"] == Style(indent="\t", final_newline=False)
    assert styles["roxyapi-tarot"] == Style(indent="\t", final_newline=True)
    assert styles["commercetools-api"] == Style(indent=None, final_newline=True)
    assert styles["bench"] == Style(indent=" ", final_newline=True)


def test_escaped_non_ascii_and_a_bom_are_written_as_they_were(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    text = '\ufeff{\n    "info": {"name": "caf\\u00e9"},\n    "item": []\n}'
    path.write_text(text, encoding="utf-8")
    document = Document.read(path)
    assert document.style == Style(indent="    ", ensure_ascii=True, bom=True)
    assert document.to_bytes().decode("utf-8") == (
        '\ufeff{\n    "info": {\n        "name": "caf\\u00e9"\n    },\n    "item": []\n}'
    )


@pytest.mark.parametrize("name", ["roxyapi-tarot", "paypal-partner-apis", "wise-api"])
def test_new_examples_keep_everything_else_and_pass_the_schema(name: str, tmp_path: Path) -> None:
    source = need_shared(f"{name}.postman_collection.json")
    before = json.loads(source.read_bytes())
    document = Document.read(source)
    collection = load_collection(source)
    endpoint = collection.endpoints[0]
    item = document.node(endpoint.json_path)
    kept = len(item.get("response", []))
    first = document.add_example(item, example_from(exchange()))
    second = document.add_example(item, example_from(exchange()))
    orphan = document.recorded_item("DELETE", "/nowhere/1", "http://127.0.0.1:9")
    document.add_example(orphan, example_from(exchange(method="DELETE", raw_path="/nowhere/1")))
    out = tmp_path / "out.json"
    out.write_bytes(document.to_bytes())
    after = json.loads(out.read_bytes())
    assert (first, second) == ("GET /cards/fool 200", "GET /cards/fool 200 #2")
    # Everything but the one item's examples and the new folder is as it was.
    assert {k: v for k, v in after.items() if k != "item"} == {
        k: v for k, v in before.items() if k != "item"
    }
    assert after["item"][:-1] != [] and len(after["item"]) == len(before["item"]) + 1
    responses = document.node(endpoint.json_path)["response"]
    assert len(responses) == kept + 2
    for example in responses[-2:]:
        assert uuid.UUID(example["id"]).version == 4
    assert out.read_bytes()[:3] == source.read_bytes()[:3]  # "{\n\t": tabs kept
    # Valid where the file was: the PayPal export has two errors of its own (formdata "src"
    # lists, which the v2.0.0 schema wants as strings); nothing mocktui wrote adds one.
    check = validator(collection.schema)
    found_before = sorted(list(e.absolute_path) for e in check.iter_errors(before))
    found_after = sorted(list(e.absolute_path) for e in check.iter_errors(after))
    assert found_after == found_before
    assert len(found_before) == (2 if name == "paypal-partner-apis" else 0)
    # The loader reads the new examples back, under their names.
    reloaded = load_collection(out)
    names = [e.name for e in reloaded.endpoints[0].examples]
    assert names[-2:] == ["GET /cards/fool 200", "GET /cards/fool 200 #2"]
    recorded = [e for e in reloaded.endpoints if e.folder == ("Recorded",)]
    assert [e.name for e in recorded] == ["DELETE /nowhere/1"]
    assert recorded[0].examples[0].request.path == "/nowhere/1"


def test_an_example_from_an_exchange() -> None:
    example = example_from(exchange())
    assert example["name"] == "GET /cards/fool 200"
    assert (example["code"], example["status"]) == (200, "OK")
    assert example["_postman_previewlanguage"] == "json"
    assert example["body"] == '{"id":"fool"}'
    assert example["header"] == [
        {"key": "Content-Type", "value": "application/json"},
        {"key": "X-Request-Id", "value": "r1"},
    ]
    request = example["originalRequest"]
    assert request["header"] == [{"key": "Accept", "value": "application/json"}]
    assert request["url"] == {
        "raw": "https://api.example.com:8443/cards/fool?lang=en&x=%20y",
        "protocol": "https",
        "host": ["api", "example", "com"],
        "port": "8443",
        "path": ["cards", "fool"],
        "query": [{"key": "lang", "value": "en"}, {"key": "x", "value": "%20y"}],
    }
    assert "body" not in request
    everything = example_from(exchange(), all_headers=True)
    assert {"key": "Date", "value": "Tue, 01 Dec 2026 10:00:00 GMT"} in everything["header"]


def test_a_binary_or_unkept_body_is_left_out_and_said_so() -> None:
    binary = example_from(
        exchange(
            response_headers=(("Content-Type", "image/png"),),
            response_body=b"\x89PNG\r\n\x00\x00",
            response_size=8,
        )
    )
    assert binary["body"] == ""
    assert binary["description"] == (
        "Recorded by mocktui without its body: 8 bytes of image/png (binary; only text "
        "bodies are stored)."
    )
    large = example_from(exchange(response_body=None, response_size=20_000_000))
    assert large["body"] == ""
    assert large["description"] == (
        "Recorded by mocktui without its body: 20000000 bytes of application/json (larger "
        "than mocktui records; only text bodies are stored)."
    )
    posted = example_from(exchange(method="POST", request_body=b'{"a": 1}'))
    assert posted["originalRequest"]["body"] == {"mode": "raw", "raw": '{"a": 1}'}


def test_fingerprints_tell_identical_exchanges() -> None:
    assert exchange().fingerprint() == exchange(request_headers=()).fingerprint()
    assert exchange().fingerprint() != exchange(query="lang=de").fingerprint()
    assert exchange().fingerprint() != exchange(response_body=b"{}").fingerprint()
    assert exchange().fingerprint() != exchange(status=201).fingerprint()


def test_unique_names() -> None:
    assert unique_name("GET / 200", []) == "GET / 200"
    assert unique_name("GET / 200", ["GET / 200"]) == "GET / 200 #2"
    assert unique_name("GET / 200", ["GET / 200", "GET / 200 #2"]) == "GET / 200 #3"


def test_url_objects() -> None:
    assert url_object("http://127.0.0.1:3000", "/", "") == {
        "raw": "http://127.0.0.1:3000/",
        "protocol": "http",
        "host": ["127", "0", "0", "1"],
        "port": "3000",
        "path": [],
    }
    assert url_object("https://[::1]", "/a%2Fb", "")["host"] == ["[::1]"]


def test_a_file_that_is_not_a_collection_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "env.json"
    path.write_text('{"values": []}')
    with pytest.raises(CollectionError) as raised:
        Document.read(path)
    assert str(raised.value) == f"{path}: $: not a Postman collection"


def test_a_draft_round_trip_and_its_errors() -> None:
    made = example_from(exchange())
    text = draft_text(made, "New example for GET /cards/fool")
    assert text.splitlines()[3:] == [
        "200 OK",
        "Content-Type: application/json",
        "X-Request-Id: r1",
        "",
        '{"id":"fool"}',
    ]
    edited = parse_draft(text.replace("200 OK", "404").replace('{"id":"fool"}', "{}"), made)
    assert edited is not None
    assert (edited["name"], edited["code"], edited["status"], edited["body"]) == (
        "GET /cards/fool 404",
        404,
        "Not Found",
        "{}",
    )
    assert edited["id"] == made["id"]
    assert parse_draft("# only comments\n\n  \n", made) is None
    with pytest.raises(ValueError) as raised:
        parse_draft("# help\nOK 200\n", made)
    assert str(raised.value) == "line 2: expected a status code from 100 to 599 first, got 'OK 200'"
    with pytest.raises(ValueError) as raised:
        parse_draft("201\nBad Header: x\n\n{}", made)
    assert str(raised.value) == (
        "line 2: expected a header (Name: value) or an empty line before the body, "
        "got 'Bad Header: x'"
    )
