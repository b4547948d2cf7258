"""The loader: real collections, every URL form, variables, v2.0 quirks, IDs and errors."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from mocktui.config import load_collections
from mocktui.postman.loader import CollectionError, load_collection, load_environment
from mocktui.postman.model import Collection, LoadWarning, Segment, Skipped

V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
V20 = "https://schema.getpostman.com/json/collection/v2.0.0/collection.json"

# -- the public collections (README table) -----------------------------------------------------

REAL = [
    # file, schema, endpoints, examples
    ("roxyapi-tarot.postman_collection.json", "v2.1.0", 10, 61),
    ("paypal-partner-apis.postman_collection.json", "v2.0.0", 45, 230),
    ("wise-api.postman_collection.json", "v2.1.0", 66, 0),
    ("commercetools-api.postman_collection.json", "v2.0.0", 1997, 0),
    ("bench.postman_collection.json", "v2.1.0", 3, 4),
]


@pytest.fixture(scope="session")
def real(shared: Path) -> dict[str, Collection]:
    """Every shared collection, loaded once per session (commercetools is 3.6 MB)."""
    return {name: load_collection(shared / name) for name, *_ in REAL}


@pytest.mark.parametrize(("name", "schema", "endpoints", "examples"), REAL)
def test_real_collection_counts(
    real: dict[str, Collection], name: str, schema: str, endpoints: int, examples: int
) -> None:
    collection = real[name]
    assert collection.schema == schema
    assert len(collection.endpoints) == endpoints
    assert len(collection.examples) == examples
    assert collection.skipped == ()
    # Endpoint keys are unique: controls are keyed by them.
    assert len({ep.key for ep in collection.endpoints}) == endpoints


def test_roxyapi_base_url_with_path_prefix_and_path_variable(real: dict[str, Collection]) -> None:
    collection = real["roxyapi-tarot.postman_collection.json"]
    assert collection.variables["baseUrl"] == "https://roxyapi.com/api/v2/tarot"
    fool = [ep for ep in collection.endpoints if ep.request.path == "/api/v2/tarot/cards/fool"]
    assert len(fool) == 1
    endpoint = fool[0]
    assert endpoint.method == "GET"
    assert all(not s.wildcard for s in endpoint.request.segments)
    assert sorted(ex.code for ex in endpoint.examples) == [200, 400, 401, 404, 405, 429, 500]
    assert {ex.request.query for ex in endpoint.examples} == {(("lang", "en"),)}


def test_bench_path_variable_without_value_is_a_wildcard(real: dict[str, Collection]) -> None:
    collection = real["bench.postman_collection.json"]
    get_user = next(ep for ep in collection.endpoints if ep.name == "Get user")
    assert get_user.request.path == "/users/:id"
    assert get_user.request.segments == (Segment("users"), Segment(":id", wildcard="id"))
    assert get_user.display_path == "/users/{id}"
    # baseUrl is defined as "": it resolves to nothing, it is not a wildcard host.
    assert [ep.request.path for ep in collection.endpoints] == ["/users", "/users/:id", "/users"]


def test_wise_environment_loads_enabled_entries(shared: Path) -> None:
    env = load_environment(shared / "wise-api.postman_environment.json")
    assert env == {
        "host": "https://api.sandbox.transferwise.tech",
        "TOKEN": "",
        "REFRESH": "",
        "clientId": "",
        "secret": "",
        "clientRedirectUri": "",
        "client_credentials_token\n": "",
    }
    with_env = load_collection(shared / "wise-api.postman_collection.json", environment=env)
    without = load_collection(shared / "wise-api.postman_collection.json")
    paths = [ep.request.path for ep in with_env.endpoints]
    # {{host}} resolves to a URL without a path: it contributes nothing to the paths, resolved
    # or not.
    assert paths == [ep.request.path for ep in without.endpoints]
    assert "/v1/borderless-accounts/balance-currencies" in paths
    assert not any("transferwise" in p or "{{" in p for p in paths)


def test_environment_only_enabled_entries(fixtures: Path) -> None:
    env = load_environment(fixtures / "env-with-disabled.postman_environment.json")
    # "enabled" absent counts as enabled; enabled false is left out; values become text.
    assert env == {"host": "https://env.example.com/prefix", "token": "from-env", "count": "3"}


def test_collection_given_as_environment(shared: Path) -> None:
    path = shared / "bench.postman_collection.json"
    with pytest.raises(CollectionError) as info:
        load_environment(path)
    assert str(info.value) == (
        f"{path}: $.values: this is a collection, not an environment file (give it without --env)"
    )


# -- URL forms ---------------------------------------------------------------------------------

URL_FORMS = [
    pytest.param(
        "https://api.example.com/users?active=true&page=2",
        {},
        "/users",
        (("active", "true"), ("page", "2")),
        "/users",
        id="string",
    ),
    pytest.param(
        {"raw": "https://api.example.com/users/7?x=1"},
        {},
        "/users/7",
        (("x", "1"),),
        "/users/7",
        id="object-raw-only",
    ),
    pytest.param(
        {"raw": "ignored", "host": ["api", "example", "com"], "path": ["users", "7"]},
        {},
        "/users/7",
        (),
        "/users/7",
        id="host-list-path-list",
    ),
    pytest.param(
        {"raw": "ignored", "protocol": "https", "host": "api.example.com", "path": "/users/7"},
        {},
        "/users/7",
        (),
        "/users/7",
        id="host-string-path-string",
    ),
    pytest.param(
        {"path": ["users", "7"]},
        {},
        "/users/7",
        (),
        "/users/7",
        id="path-without-host",
    ),
    pytest.param(
        {
            "host": ["example", "com"],
            "path": [{"type": "string", "value": "users"}, {"type": "string", "value": "7"}],
        },
        {},
        "/users/7",
        (),
        "/users/7",
        id="v2.0-path-elements-as-objects",
    ),
    pytest.param(
        {
            "raw": "https://x.com/s?a=1&b=2&c=",
            "host": ["x", "com"],
            "path": ["s"],
            "query": [
                {"key": "a", "value": "1"},
                {"key": "b", "value": "2", "disabled": True},
                {"key": "c", "value": None},
                {"key": "d", "value": "{{q}}"},
            ],
        },
        {"q": "resolved"},
        "/s",
        (("a", "1"), ("c", ""), ("d", "resolved")),
        "/s",
        id="query-list-with-disabled",
    ),
    pytest.param(
        {
            "raw": "https://x.com/s?q=a%20b&t=1+2&p=100%25",
            "host": ["x", "com"],
            "path": ["s"],
            "query": [
                {"key": "q", "value": "a%20b"},
                {"key": "t", "value": "1+2"},
                {"key": "p", "value": "100%25"},
            ],
        },
        {},
        "/s",
        (("q", "a b"), ("t", "1 2"), ("p", "100%")),
        "/s",
        id="query-list-decoded-like-the-raw-form",
    ),
    pytest.param(
        "https://x.com/s?q=a%20b&t=1+2&p=100%25",
        {},
        "/s",
        (("q", "a b"), ("t", "1 2"), ("p", "100%")),
        "/s",
        id="raw-query-decoded",
    ),
    pytest.param(
        {"host": ["x"], "path": ["users", ":id"], "variable": [{"key": "id", "value": "42"}]},
        {},
        "/users/42",
        (),
        "/users/42",
        id="path-variable-with-value",
    ),
    pytest.param(
        {"host": ["x"], "path": ["users", ":id"], "variable": [{"key": "id", "value": "{{uid}}"}]},
        {"uid": "u-9"},
        "/users/u-9",
        (),
        "/users/u-9",
        id="path-variable-value-is-a-variable",
    ),
    pytest.param(
        {"host": ["x"], "path": ["users", ":id"], "variable": [{"key": "id", "value": ""}]},
        {},
        "/users/:id",
        (),
        "/users/{id}",
        id="path-variable-empty-value",
    ),
    pytest.param(
        {"host": ["x"], "path": ["users", ":id"], "variable": [{"key": "id"}]},
        {},
        "/users/:id",
        (),
        "/users/{id}",
        id="path-variable-without-value",
    ),
    pytest.param(
        {"host": ["x"], "path": ["users", ":id"]},
        {},
        "/users/:id",
        (),
        "/users/{id}",
        id="path-variable-not-listed",
    ),
    pytest.param(
        {
            "raw": "{{baseUrl}}/cards/:id?lang=en",
            "host": ["{{baseUrl}}"],
            "path": ["cards", ":id"],
            "query": [{"key": "lang", "value": "en"}],
            "variable": [{"key": "id", "value": "fool"}],
        },
        {"baseUrl": "https://roxyapi.com/api/v2/tarot"},
        "/api/v2/tarot/cards/fool",
        (("lang", "en"),),
        "/api/v2/tarot/cards/fool",
        id="base-url-with-path-prefix",
    ),
    pytest.param(
        {"raw": "{{host}}/v1/profiles", "host": ["{{host}}"], "path": ["v1", "profiles"]},
        {},
        "/v1/profiles",
        (),
        "/v1/profiles",
        id="unresolved-host-variable",
    ),
    pytest.param(
        "{{host}}/v1/profiles/{{profileId}}",
        {},
        "/v1/profiles/{{profileId}}",
        (),
        "/v1/profiles/{profileId}",
        id="unresolved-host-in-string-and-wildcard",
    ),
    pytest.param(
        "https://x.com/files/my%20doc%2Etxt/caf%C3%A9",
        {},
        "/files/my doc.txt/café",
        (),
        "/files/my doc.txt/café",
        id="percent-encoded",
    ),
    pytest.param("https://x.com", {}, "/", (), "/", id="empty-path"),
    pytest.param("https://x.com/a#fragment", {}, "/a", (), "/a", id="fragment-dropped"),
]


@pytest.mark.parametrize(("url", "variables", "path", "query", "display"), URL_FORMS)
def test_url_forms(
    pm: Any,
    url: Any,
    variables: dict[str, str],
    path: str,
    query: tuple[tuple[str, str], ...],
    display: str,
) -> None:
    collection = pm.load(pm.collection(pm.item("r", url), variables=variables))
    (endpoint,) = collection.endpoints
    assert endpoint.request.problem is None
    assert endpoint.request.path == path
    assert endpoint.request.query == query
    assert endpoint.display_path == display


def test_path_variable_segments(pm: Any) -> None:
    url = {
        "host": ["x"],
        "path": ["a", ":known", ":unknown"],
        "variable": [{"key": "known", "value": "1"}],
    }
    (endpoint,) = pm.load(pm.collection(pm.item("r", url))).endpoints
    assert endpoint.request.segments == (
        Segment("a"),
        Segment("1"),
        Segment(":unknown", wildcard="unknown"),
    )


# -- variables ---------------------------------------------------------------------------------

PRECEDENCE = [
    # which layers define {{v}} -> the value that wins
    pytest.param(("collection",), "collection", id="collection"),
    pytest.param(("collection", "folder"), "folder", id="folder>collection"),
    pytest.param(("collection", "folder", "environment"), "environment", id="env>folder"),
    pytest.param(("collection", "environment"), "environment", id="env>collection"),
    pytest.param(("collection", "folder", "environment", "override"), "override", id="var>env"),
    pytest.param(("override", "collection"), "override", id="var>collection"),
    pytest.param((), "{v}", id="undefined-is-wildcard"),
]


@pytest.mark.parametrize(("layers", "expected"), PRECEDENCE)
def test_variable_precedence(pm: Any, layers: tuple[str, ...], expected: str) -> None:
    item = pm.item("r", "https://x.com/{{v}}")
    folder = pm.folder("f", item, variables={"v": "folder"} if "folder" in layers else None)
    data = pm.collection(folder, variables={"v": "collection"} if "collection" in layers else None)
    collection = pm.load(
        data,
        overrides={"v": "override"} if "override" in layers else None,
        environment={"v": "environment"} if "environment" in layers else None,
    )
    (endpoint,) = collection.endpoints
    assert endpoint.display_path == f"/{expected}"


def test_folder_variables_apply_to_that_folder_only(pm: Any) -> None:
    data = pm.collection(
        pm.folder(
            "outer",
            pm.folder("inner", pm.item("deep", "/{{v}}"), variables={"v": "inner"}),
            pm.item("mid", "/{{v}}"),
            variables={"v": "outer"},
        ),
        pm.item("top", "/{{v}}"),
        variables={"v": "collection"},
    )
    paths = {ep.name: ep.request.path for ep in pm.load(data).endpoints}
    # The nearest folder's variable wins over an enclosing folder's.
    assert paths == {"deep": "/inner", "mid": "/outer", "top": "/collection"}


def test_disabled_collection_variable_is_ignored(pm: Any) -> None:
    data = pm.collection(pm.item("r", "/users/{{id}}"))
    data["variable"] = [
        {"key": "id", "value": "7", "disabled": True},
        {"key": "other", "value": "x"},
    ]
    collection = pm.load(data)
    assert collection.variables == {"other": "x"}
    (endpoint,) = collection.endpoints
    assert endpoint.request.segments[-1] == Segment("{{id}}", wildcard="id")


def test_disabled_environment_entry_is_ignored(pm: Any, fixtures: Path) -> None:
    env = load_environment(fixtures / "env-with-disabled.postman_environment.json")
    data = pm.collection(pm.item("r", "{{host}}/{{region}}/{{token}}"), variables={"region": "us"})
    (endpoint,) = pm.load(data, environment=env).endpoints
    # host brings a path prefix; region comes from the collection: the env entry is disabled.
    assert endpoint.request.path == "/prefix/us/from-env"


@pytest.mark.parametrize(
    ("variables", "path", "last"),
    [
        pytest.param({"userId": ""}, "/notaries/", Segment(""), id="defined-empty"),
        pytest.param({}, "/notaries/{{userId}}", Segment("{{userId}}", "userId"), id="undefined"),
        pytest.param({"userId": "u1"}, "/notaries/u1", Segment("u1"), id="defined"),
    ],
)
def test_empty_variable_is_not_a_wildcard(
    pm: Any, variables: dict[str, str], path: str, last: Segment
) -> None:
    data = pm.collection(pm.item("r", "{{baseUrl}}/notaries/{{userId}}"), variables=variables)
    (endpoint,) = pm.load(data).endpoints
    assert endpoint.request.path == path
    assert endpoint.request.segments[-1] == last


def test_variables_resolved_in_bodies_and_headers_but_not_captures(pm: Any) -> None:
    example = pm.example(
        "e",
        "/users/:id",
        body='{"id": "{{id}}", "who": "{{name}}", "x": "{{nope}}"}',
        response_headers={"X-Who": "{{name}}", "X-Id": "{{id}}"},
    )
    data = pm.collection(pm.item("r", "/users/:id", example), variables={"name": "ada", "id": "v"})
    (ex,) = pm.load(data).examples
    # {{id}} is the example's wildcard capture: it outranks the variable and is filled per
    # request; {{name}} is a variable; {{nope}} is unknown and stays as written.
    assert ex.request.segments[-1].wildcard == "id"
    assert ex.body == '{"id": "{{id}}", "who": "ada", "x": "{{nope}}"}'
    assert ex.headers == (("X-Who", "ada"), ("X-Id", "{{id}}"))


# -- v2.0 forms, examples, ids -----------------------------------------------------------------


def test_v20_string_headers_and_string_request(fixtures: Path) -> None:
    collection = load_collection(fixtures / "v20-forms.postman_collection.json")
    assert collection.schema == "v2.0.0"
    ping, order = collection.endpoints
    # A request given as a plain string is a GET of that URL.
    assert (ping.method, ping.request.path) == ("GET", "/ping")
    (pong,) = ping.examples
    # "K: V\n" header text: lines without a colon are ignored, values trimmed.
    assert pong.headers == (("Content-Type", "text/plain"), ("X-Trace", "abc"))
    assert pong.content_type == "text/plain"
    assert order.request.headers == (("Accept", "application/json"),)
    assert order.request.path == "/v2/orders/A-1"


def test_example_without_code_and_without_original_request(fixtures: Path) -> None:
    collection = load_collection(fixtures / "v20-forms.postman_collection.json")
    order = collection.endpoints[1]
    (example,) = order.examples
    assert (example.code, example.status) == (200, "OK")
    assert example.request == order.request
    assert example.content_type == "application/json"


@pytest.mark.parametrize(
    ("code", "expected"),
    [(None, 200), ("", 200), (201, 201), ("404", 404), (" 503 ", 503)],
)
def test_example_code(pm: Any, code: Any, expected: int) -> None:
    data = pm.collection(pm.item("r", "/a", pm.example("e", "/a", code=code)))
    (example,) = pm.load(data).examples
    assert example.code == expected


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, ["1", "abc", "3", "4", "5"]),
        (1, ["2.1", "abc", "2.3", "2.4", "2.5"]),
        (2, ["3.1", "abc", "3.3", "3.4", "3.5"]),
    ],
)
def test_example_ids(pm: Any, index: int, expected: list[str]) -> None:
    data = pm.collection(
        pm.item("a", "/a", pm.example("a1", "/a"), pm.example("a2", "/a", id="abc")),
        pm.folder("f", pm.item("b", "/b", pm.example("b1", "/b"), pm.example("b2", "/b"))),
        pm.item("c", "/c", pm.example("c1", "/c")),
    )
    collection = pm.load(data, index=index)
    assert [ex.id for ex in collection.examples] == expected
    assert [ex.explicit_id for ex in collection.examples] == [False, True, False, False, False]
    # Position within its endpoint, for the dashboard's "example N".
    assert [ex.position for ex in collection.examples] == [1, 2, 1, 2, 1]


def test_ids_are_stable_across_reloads(pm: Any) -> None:
    data = pm.collection(pm.item("a", "/a", pm.example("a1", "/a"), pm.example("a2", "/a")))
    first, second = pm.load(data), pm.load(data)
    assert [e.id for e in first.examples] == [e.id for e in second.examples] == ["1", "2"]
    assert [e.key for e in first.endpoints] == [e.key for e in second.endpoints]


def test_skipped_examples_and_requests(pm: Any) -> None:
    data = pm.collection(
        pm.item(
            "r",
            "/a",
            pm.example("fine", "/a"),
            pm.example("no method", "/a", method=None),
            pm.example("no url", None),
        ),
        {"name": "bad endpoint", "request": {"url": "/b"}, "response": [pm.example("x", "/b")]},
    )
    collection = pm.load(data)
    first, second = collection.endpoints
    assert collection.skipped == (
        Skipped(first.key, "2", "no method", "no method", "$.item[0].response[1]"),
        Skipped(first.key, "3", "no url", "no URL", "$.item[0].response[2]"),
        Skipped(second.key, None, "bad endpoint", "no method", "$.item[1].request"),
    )
    assert [ex.request.problem for ex in first.examples] == [None, "no method", "no URL"]


def test_response_headers_filtered_and_content_type_guessed(pm: Any) -> None:
    example = pm.example("e", "/a", body="<a/>")
    example["header"] = [
        {"key": "X-Keep", "value": "1"},
        {"key": "X-Off", "value": "2", "disabled": True},
        {"key": "Content-Length", "value": "99"},
        {"key": "Transfer-Encoding", "value": "chunked"},
        {"key": "Connection", "value": "keep-alive"},
    ]
    example["_postman_previewlanguage"] = "xml"
    (ex,) = pm.load(pm.collection(pm.item("r", "/a", example))).examples
    assert ex.headers == (("X-Keep", "1"),)
    assert ex.content_type == "application/xml"


# -- errors ------------------------------------------------------------------------------------


def _item(**fields: Any) -> dict[str, Any]:
    return {"name": "r", "request": {"method": "GET", "url": "/a"}, **fields}


ERRORS = [
    pytest.param(
        '{"info": {"name": "x",\n  "schema": }',
        "line 2, column 13: invalid JSON: Expecting value",
        id="broken-json",
    ),
    pytest.param(
        [1, 2], "$: expected a Postman collection (a JSON object), got a list", id="top-level-list"
    ),
    pytest.param(
        {"id": "x", "name": "old", "order": [], "requests": []},
        "$.requests: a Postman v1 collection; mocktui reads v2.0 and v2.1: "
        "re-export it from Postman",
        id="v1-collection",
    ),
    pytest.param(
        {"hello": "world"}, "$.info: missing: not a Postman collection", id="not-a-collection"
    ),
    pytest.param(
        {"name": "env", "values": [{"key": "a", "value": "1"}]},
        "$.values: an environment file, not a collection (pass it with --env)",
        id="environment-as-collection",
    ),
    pytest.param(
        {"info": {"name": "x"}, "item": []},
        "$.info.schema: missing: cannot tell the collection format (v2.0 or v2.1)",
        id="missing-schema",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": "https://example.com/v3.0/collection.json"}, "item": []},
        "$.info.schema: unsupported collection format "
        "'https://example.com/v3.0/collection.json' (mocktui reads v2.0 and v2.1)",
        id="unsupported-schema",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": {}},
        "$.item: expected a list of items, got an object",
        id="item-not-a-list",
    ),
    pytest.param(
        {
            "info": {"name": "x", "schema": V21},
            "item": [{"name": "f", "item": [_item(), _item(), {"name": "neither"}]}],
        },
        '$.item[0].item[2]: neither a request ("request") nor a folder ("item")',
        id="neither-request-nor-folder",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V20}, "item": [_item(response="200 OK")]},
        "$.item[0].response: expected a list of examples, got a string",
        id="response-not-a-list",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": [_item(response=[{"code": "abc"}])]},
        '$.item[0].response[0].code: expected an HTTP status code from 100 to 599, got "abc"',
        id="code-abc",
    ),
]


ERRORS += [
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": [_item(response=[5])]},
        "$.item[0].response[0]: expected an example object, got the number 5",
        id="example-not-an-object",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": [{"name": "r", "request": 5}]},
        "$.item[0].request: expected a request object or URL, got the number 5",
        id="request-not-an-object",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": [_item(response=[{"code": 999}])]},
        "$.item[0].response[0].code: expected an HTTP status code from 100 to 599, got 999",
        id="code-out-of-range",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": [_item(response=[{"header": {}}])]},
        "$.item[0].response[0].header: expected a list of headers, got an object",
        id="header-not-a-list",
    ),
    pytest.param(
        {"info": {"name": "x", "schema": V21}, "item": ["oops"]},
        "$.item[0]: expected an item object, got a string",
        id="item-not-an-object",
    ),
]


@pytest.mark.parametrize(("content", "message"), ERRORS)
def test_collection_errors(pm: Any, content: Any, message: str) -> None:
    path = pm.write(content)
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert str(info.value) == f"{path}: {message}"
    assert info.value.file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.postman_collection.json"
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert str(info.value) == f"{path}: file: no such file"


# -- review fixes: variables that blow up, odd digits, header names, keys across files ----------


def test_self_referring_variable_keeps_the_inner_reference(pm: Any) -> None:
    # 385 bytes that once ate 790 MB: {{a}} x 25, resolved five passes deep.
    loop = "{{a}}" * 25
    example = pm.example("e", "/a", body="{{a}}", response_headers={"X-A": "<{{a}}>"})
    data = pm.collection(pm.item("r", "/a", example), variables={"a": loop})
    (ex,) = pm.load(data).examples
    assert ex.body == loop
    assert ex.headers == (("X-A", f"<{loop}>"),)


def test_variables_referring_to_each_other_keep_the_inner_reference(pm: Any) -> None:
    example = pm.example("e", "/a", body="{{a}} {{b}} {{c}}")
    data = pm.collection(
        pm.item("r", "/a", example), variables={"a": "A{{b}}", "b": "B{{a}}", "c": "C{{b}}"}
    )
    (ex,) = pm.load(data).examples
    # Each variable refers to itself through the other: that inner reference stays as written.
    assert ex.body == "AB{{a}} BA{{b}} CBA{{b}}"


def test_nested_variables_resolve_at_any_depth_in_one_pass(pm: Any) -> None:
    chain = {f"v{i}": f"{{{{v{i + 1}}}}}" for i in range(40)} | {"v40": "end"}
    example = pm.example("e", "/a", body="{{v0}}")
    data = pm.collection(pm.item("r", "/a", example), variables=chain)
    (ex,) = pm.load(data).examples
    assert ex.body == "end"
    # A value is not read again for placeholders: "{" + "{x}}" never becomes {{x}}.
    data = pm.collection(
        pm.item("r", "/a", pm.example("e", "/a", body="{{o}}{x}}")),
        variables={"o": "{", "x": "no"},
    )
    (ex,) = pm.load(data).examples
    assert ex.body == "{{x}}"


def _doubling(depth: int) -> dict[str, str]:
    """v0 = {{v1}}{{v1}}, v1 = {{v2}}{{v2}} ...: v0 would be 2**depth characters long."""
    chain = {f"v{i}": f"{{{{v{i + 1}}}}}{{{{v{i + 1}}}}}" for i in range(depth)}
    return chain | {f"v{depth}": "x"}


def test_variable_that_expands_beyond_1_mib_is_refused(pm: Any) -> None:
    data = pm.collection(
        pm.item("r", "/a", pm.example("e", "/a", body="{{v0}}")), variables=_doubling(30)
    )
    path = pm.write(data)
    tracemalloc.start()
    try:
        with pytest.raises(CollectionError) as info:
            load_collection(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # v10 is 2**20 characters (1 MiB exactly, allowed); v9 would be 2 MiB.
    assert str(info.value) == (
        f"{path}: variable {{{{v9}}}}: expands to more than 1 MiB "
        "(check the {{...}} inside it: variables that repeat other variables multiply in size)"
    )
    assert peak < 32 * 1024 * 1024


def test_variables_may_not_grow_the_collection_beyond_64_mib(pm: Any) -> None:
    # v0 is 1 MiB (allowed); 100 bodies using it twice would add 200 MiB.
    items = [
        pm.item(f"r{i}", f"/a{i}", pm.example("e", f"/a{i}", body="{{v0}}!{{v0}}"))
        for i in range(100)
    ]
    path = pm.write(pm.collection(*items, variables=_doubling(20)))
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert str(info.value) == (
        f"{path}: variable {{{{v0}}}}: with the other variables, adds more than 64 MiB "
        "to the collection (check where it is used)"
    )


def test_copies_of_large_values_count_towards_the_64_mib(pm: Any) -> None:
    # c0 = {{c1}}. = {{c2}}.. ... each a new copy of v0 (512 KiB): 200 copies are 100 MiB,
    # though the one body that uses c0 grows by 512 KiB only.
    chain = {f"c{i}": f"{{{{c{i + 1}}}}}." for i in range(200)} | {"c200": "{{v0}}"}
    data = pm.collection(
        pm.item("r", "/a", pm.example("e", "/a", body="{{c0}}")),
        variables=chain | _doubling(19),
    )
    path = pm.write(data)
    tracemalloc.start()
    try:
        with pytest.raises(CollectionError) as info:
            load_collection(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.where.startswith("variable {{c")
    assert info.value.problem == (
        "with the other variables, adds more than 64 MiB to the collection (check where it is used)"
    )
    assert peak < 100 * 1024 * 1024


def test_variable_that_blows_up_is_one_line_on_the_command_line(
    pm: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mocktui.cli

    def serve(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the collection loaded: the command line would serve it")

    monkeypatch.setattr(mocktui.cli, "MockEngine", serve)

    data = pm.collection(
        pm.item("r", "/a", pm.example("e", "/a", body="{{v0}}")), variables=_doubling(24)
    )
    path = pm.write(data)
    assert mocktui.cli.main([str(path), "--headless"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mocktui: error: {path}: variable {{{{v3}}}}: expands to more than 1 MiB "
        "(check the {{...}} inside it: variables that repeat other variables multiply in size)\n"
    )
    # The same through --var (overrides): the variable is named wherever it was defined.
    with pytest.raises(CollectionError, match=r"variable \{\{v3\}\}"):
        load_collection(pm.write(pm.collection(pm.item("r", "/{{v0}}"))), overrides=_doubling(24))


@pytest.mark.parametrize("code", ["²00", "\uff12\uff10\uff10", "2_00", "+200"])
def test_example_code_must_be_ascii_digits(pm: Any, code: str) -> None:
    path = pm.write(pm.collection(pm.item("r", "/a", pm.example("e", "/a", code=code))))
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert str(info.value) == (
        f"{path}: $.item[0].response[0].code: expected an HTTP status code from 100 to 599, "
        f"got {json.dumps(code)}"
    )


@pytest.mark.parametrize(
    ("value", "delay"),
    [("250", 250), (" 40 ", 40), ("²", 0), ("٣", 0), ("-5", 0), ("abc", 0), ("999999", 180000)],
)
def test_example_delay_header_ascii_digits_and_clamped(pm: Any, value: str, delay: int) -> None:
    example = pm.example("e", "/a", response_headers={"x-mocktui-delay": value, "X-Keep": "1"})
    (ex,) = pm.load(pm.collection(pm.item("r", "/a", example))).examples
    assert ex.delay_ms == delay
    assert ex.headers == (("X-Keep", "1"),)


def test_invalid_response_header_names_are_left_out_and_listed(pm: Any) -> None:
    example = pm.example("e", "/a", id="ex1")
    example["header"] = [
        {"key": "Bad Key", "value": "1"},
        {"key": "X-Ä", "value": "2"},
        {"key": "X-Fine_1.~!#$%&'*+^`|", "value": "3"},
        "X:Y: 4",  # v2.0 string entry: the name is "X", fine
        ": 5",  # an empty name
        {"key": "X\u0000Nul", "value": "6"},
    ]
    example["header"].insert(3, {"key": "X:Y", "value": "7"})
    collection = pm.load(pm.collection(pm.item("r", "/a", example, id="ep")))
    (ex,) = collection.examples
    assert ex.headers == (("X-Fine_1.~!#$%&'*+^`|", "3"), ("X", "Y: 4"))
    reason = "header {!r} is not a valid HTTP header name: left out of the answer"
    where = "$.item[0].response[0].header"
    assert collection.skipped_headers == tuple(
        Skipped("ep", "ex1", name, reason.format(name), f"{where}[{i}]")
        for name, i in (("Bad Key", 0), ("X-Ä", 1), ("X:Y", 3), ("", 5), ("X\u0000Nul", 6))
    )
    # The example itself still answers: it is not skipped.
    assert collection.skipped == ()


def test_where_things_are_and_what_the_file_left_out(pm: Any) -> None:
    """JSON paths, and whether a code or a saved request was given: what `mocktui check`
    reports with."""
    data = pm.collection(
        pm.folder(
            "f",
            pm.item(
                "r",
                "https://{{host}}/a",
                pm.example("coded", "/a"),
                pm.example("no code", "/a", code=None),
                pm.example("no request", "/a", original=False),
            ),
        ),
        variables={"host": "api.example.com"},
    )
    (endpoint,) = pm.load(data).endpoints
    assert endpoint.json_path == "$.item[0].item[0]"
    assert endpoint.request.host == "api.example.com"
    assert [(e.json_path, e.has_code, e.has_original_request) for e in endpoint.examples] == [
        ("$.item[0].item[0].response[0]", True, True),
        ("$.item[0].item[0].response[1]", False, True),
        ("$.item[0].item[0].response[2]", True, False),
    ]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("{{baseUrl}}/cards", "{{baseUrl}}"),
        ("https://api.x.com:8443/v1/cards?q=1", "api.x.com:8443"),
        ("/cards", ""),
        ({"host": ["api", "x", "com"], "path": ["cards"]}, "api.x.com"),
        ({"path": ["cards"]}, ""),
    ],
)
def test_request_host(pm: Any, url: Any, host: str) -> None:
    (endpoint,) = pm.load(pm.collection(pm.item("r", url))).endpoints
    assert endpoint.request.host == host


def test_one_example_given_as_an_object_is_a_list_of_one(pm: Any) -> None:
    # Spec 1: real exported files do this; the whole file used to be refused.
    item = pm.item("r", "/a", id="ep")
    item["response"] = pm.example("only", "/a", code=201, body="made")
    collection = pm.load(pm.collection(pm.item("first", "/z"), item))
    (example,) = collection.examples
    assert (example.name, example.code, example.body, example.position) == ("only", 201, "made", 1)
    assert collection.warnings == (
        LoadWarning("ep", "$.item[1].response", "one example given as an object, not a list: used"),
    )
    # An error inside it names the object's path, without an index.
    item["response"]["code"] = "abc"
    with pytest.raises(CollectionError) as info:
        pm.load(pm.collection(item))
    assert info.value.where == "$.item[0].response.code"


def test_endpoint_keys_unique_across_files(pm: Any) -> None:
    def data(base: str) -> dict[str, Any]:
        return pm.collection(
            pm.item("u", f"{base}/u", pm.example("e", f"{base}/u"), id="ep"),
            pm.folder("f", pm.item("v", f"{base}/v", pm.example("e", f"{base}/v"))),
        )

    taken: set[str] = set()
    first = pm.load(data("/one"), taken_keys=taken)
    second = pm.load(data("/two"), index=1, taken_keys=taken)
    third = pm.load(data("/three"), index=2, taken_keys=taken)
    keys = [ep.key for c in (first, second, third) for ep in c.endpoints]
    assert keys == ["ep", "0/f/v", "ep~2", "1/f/v", "ep~3", "2/f/v"]
    # Loading the same files again (with a fresh set) gives the same keys: controls survive.
    again: set[str] = set()
    reloaded = [pm.load(data(b), index=i, taken_keys=again) for i, b in enumerate(("/1", "/2"))]
    assert [ep.key for c in reloaded for ep in c.endpoints] == keys[:4]
    # Without a shared set each file is on its own (as before).
    assert [ep.key for ep in pm.load(data("/x"), index=1).endpoints] == ["ep", "1/f/v"]


def test_real_collection_twice_has_unique_keys(tarot_and_copy: list[str]) -> None:
    both = load_collections(tarot_and_copy)  # one set of taken keys for all the files
    keys = [ep.key for c in both for ep in c.endpoints]
    assert len(keys) == len(set(keys)) == 20


def test_numbers_with_thousands_of_digits_are_refused_or_clamped(pm: Any) -> None:
    huge = "9" * 5000  # int() refuses more than 4300 digits
    item = {"name": "r", "request": {"method": "GET", "url": "/a"}, "response": [{"code": 1}]}
    text = pm.collection(item) | {}
    path = pm.write(json.dumps(text).replace('"code": 1', f'"code": {huge}'))
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert str(info.value) == f"{path}: $: a number in it has too many digits"

    path = pm.write(pm.collection(pm.item("r", "/a", pm.example("e", "/a", code=huge))))
    with pytest.raises(CollectionError) as info:
        load_collection(path)
    assert info.value.where == "$.item[0].response[0].code"
    assert info.value.problem.startswith("expected an HTTP status code from 100 to 599, got")

    example = pm.example("e", "/a", code="0200", response_headers={"x-mocktui-delay": huge})
    (ex,) = pm.load(pm.collection(pm.item("r", "/a", example))).examples
    assert (ex.code, ex.delay_ms) == (200, 180000)


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param("[" * 10_000 + "]" * 10_000, id="deeper-than-json-loads"),
        pytest.param("9" * 5000, id="5000-digits"),
        pytest.param("{not json", id="not-json"),
    ],
)
def test_graphql_variables_json_cannot_read_stay_text(pm: Any, variables: str) -> None:
    # json.loads raised RecursionError and ValueError here, and only JSONDecodeError was caught.
    graphql = {"mode": "graphql", "graphql": {"query": "{ a }", "variables": variables}}
    item = pm.item("r", "/a", method="POST")
    item["request"]["body"] = graphql
    (endpoint,) = pm.load(pm.collection(item)).endpoints
    assert json.loads(endpoint.request.body or "") == {"query": "{ a }", "variables": variables}


def test_json_as_deep_as_json_loads_goes_is_loaded_or_refused(pm: Any) -> None:
    # graphql variables that json.loads just takes are one level deeper once wrapped in the
    # body: json.dumps raised RecursionError at one depth of these (which depends on the stack).
    outcomes = set()
    for depth in range(950, 1001):
        graphql = {"query": "q", "variables": "[" * depth + "]" * depth}
        item = pm.item("r", "/a", method="POST")
        item["request"]["body"] = {"mode": "graphql", "graphql": graphql}
        try:
            pm.load(pm.collection(item))
            outcomes.add("loaded")
        except CollectionError as exc:
            assert (exc.where, exc.problem) == ("$", "JSON nested too deeply")
            outcomes.add("refused")
    assert "loaded" in outcomes
