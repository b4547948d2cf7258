"""MockEngine's answers (spec sections 4 and 6): status, headers, delay, HEAD, CORS, private
mode, error shapes; and the real roxyapi collection end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mocktui.engine.engine import EngineSettings, MockEngine, MockRequest, MockResponse
from mocktui.engine.store import ControlStore
from mocktui.postman.loader import load_collection
from tests.engine.support import send


def header(response: MockResponse, name: str) -> str | None:
    values = [v for k, v in response.headers if k.lower() == name.lower()]
    assert len(values) <= 1, response.headers
    return values[0] if values else None


def error_json(response: MockResponse) -> dict[str, Any]:
    assert header(response, "Content-Type") == "application/json"
    data = json.loads(response.body)
    assert list(data) == ["error"]
    assert set(data["error"]) == {"name", "header", "message"}
    assert all(isinstance(v, str) and v for v in data["error"].values())
    return data["error"]


# -- the real roxyapi collection -------------------------------------------------------------


@pytest.fixture(scope="module")
def roxy(shared: Path) -> MockEngine:
    return MockEngine([load_collection(shared / "roxyapi-tarot.postman_collection.json")])


@pytest.mark.parametrize(
    ("headers", "code", "name"),
    [
        pytest.param([], 200, "Card details", id="no-header"),
        pytest.param([("x-mock-response-code", "404")], 404, "Card not found", id="code-404"),
        pytest.param(
            [("x-mock-response-code", "429")], 429, "Monthly rate limit exceeded", id="429"
        ),
    ],
)
def test_roxyapi_fool(
    roxy: MockEngine, headers: list[tuple[str, str]], code: int, name: str
) -> None:
    response = send(roxy, "/api/v2/tarot/cards/fool", headers=headers)
    assert response.status == code
    assert response.example is not None
    assert response.example.name == name
    assert response.body == response.example.body.encode()
    assert header(response, "Access-Control-Allow-Origin") == "*"


def test_roxyapi_query_and_id_like_paths(roxy: MockEngine) -> None:
    exact = send(roxy, "/api/v2/tarot/cards/fool", query=[("lang", "en")])
    assert exact.example.name == "Card details"
    assert next(c for c in exact.explanation.candidates if c.kept).score == 110
    other = send(roxy, "/api/v2/tarot/cards/fool", method="DELETE")
    assert other.status == 404


# -- the response ----------------------------------------------------------------------------


def test_response_status_headers_and_content_type(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/a",
            pm.example(
                "e",
                "/a",
                code=201,
                body="<ok/>",
                response_headers={"X-Keep": "1", "Content-Length": "999"},
            ),
        )
    )
    example = engine.collections[0].examples[0]
    assert example.content_type is None
    response = send(engine, "/a")
    assert response.status == 201
    assert response.body == b"<ok/>"
    assert header(response, "X-Keep") == "1"
    assert header(response, "Content-Length") is None


def test_an_example_without_templates_answers_bytes_made_once(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/a/:id",
            pm.example("static", "/a/1", id="1", body='{"ok": true}', response_headers={"X": "1"}),
            pm.example("templated", "/a/{{id}}", id="2", body='{"id": "{{id}}"}',
                       response_headers={"X": "{{id}}"}),
        )
    )
    first, second = send(engine, "/a/1"), send(engine, "/a/1")
    assert first.body == b'{"ok": true}' and first.body is second.body  # made at load
    first.headers.append(("Y", "changed"))  # each answer's header list is its own
    assert ("Y", "changed") not in send(engine, "/a/1").headers
    assert header(second, "X") == "1"
    seven = send(engine, "/a/7")
    assert (seven.body, header(seven, "X")) == (b'{"id": "7"}', "7")  # rendered per request


@pytest.mark.parametrize(
    ("preview", "headers", "content_type"),
    [
        ("json", {}, "application/json"),
        ("xml", {}, "application/xml"),
        ("html", {}, "text/html; charset=utf-8"),
        ("text", {}, "text/plain; charset=utf-8"),
        ("json", {"content-type": "application/vnd.api+json"}, "application/vnd.api+json"),
        (None, {}, None),
    ],
)
def test_content_type(
    pm: Any, preview: str | None, headers: dict[str, str], content_type: str | None
) -> None:
    example = pm.example("e", "/a", body="x", response_headers=headers)
    if preview:
        example["_postman_previewlanguage"] = preview
    engine = pm.engine(pm.item("r", "/a", example))
    assert header(send(engine, "/a"), "Content-Type") == content_type


def test_empty_path_is_root(pm: Any) -> None:
    engine = pm.engine(pm.item("r", "https://x.com", pm.example("root", "https://x.com/")))
    assert send(engine, "").example.name == "root"
    assert send(engine, "/").example.name == "root"


# -- delay -----------------------------------------------------------------------------------


@pytest.fixture
def slow(pm: Any) -> MockEngine:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a"), id="ep-a"),
        pm.item("s", "/b", pm.example("f", "/b"), id="ep-b"),
        settings=EngineSettings(delay_ms=100),
    )
    engine.store.set_delay("ep-a", 50)
    return engine


@pytest.mark.parametrize(
    ("path", "value", "delay"),
    [
        pytest.param("/a", None, 150, id="global+endpoint"),
        pytest.param("/b", None, 100, id="global-only"),
        pytest.param("/a", "250", 250, id="override"),
        pytest.param("/a", " 7 ", 7, id="override-padded"),
        pytest.param("/a", "0", 1, id="clamped-low"),
        pytest.param("/a", "-5", 1, id="negative-clamped"),
        pytest.param("/a", "999999", 180_000, id="clamped-high"),
        pytest.param("/a", "180000", 180_000, id="max"),
        pytest.param("/a", "abc", 150, id="non-number-ignored"),
        pytest.param("/a", "1.5", 150, id="not-an-integer-ignored"),
    ],
)
def test_delay(slow: MockEngine, path: str, value: str | None, delay: int) -> None:
    headers = [] if value is None else [("X-Mock-Response-Delay", value)]
    assert send(slow, path, headers=headers).delay_ms == delay


def test_delay_control_changes_take_effect_at_once(slow: MockEngine) -> None:
    slow.store.set_delay("ep-a", 0)
    assert send(slow, "/a").delay_ms == 100
    slow.store.set_delay("ep-b", 20)
    assert send(slow, "/b").delay_ms == 120


# -- HEAD ------------------------------------------------------------------------------------


def test_head_falls_back_to_get_without_body(pm: Any) -> None:
    example = pm.example("get", "/a", body='{"x": 1}', response_headers={"X-A": "1"})
    example["_postman_previewlanguage"] = "json"
    engine = pm.engine(pm.item("r", "/a", example))
    response = send(engine, "/a", method="HEAD")
    assert response.status == 200
    assert response.sent_body == b""  # HEAD: no body on the wire...
    assert response.body == b'{"x": 1}'  # ...but its length is the GET body's (Content-Length)
    assert response.example.name == "get"
    assert header(response, "X-A") == "1"
    assert header(response, "Content-Type") == "application/json"
    assert "answered as GET without a body" in response.explanation.notes[0]


def test_head_example_wins_over_get(pm: Any) -> None:
    engine = pm.engine(
        pm.item("g", "/a", pm.example("get", "/a", body="g")),
        pm.item("h", "/a", pm.example("head", "/a", method="HEAD", code=204), method="HEAD"),
    )
    response = send(engine, "/a", method="head")
    assert (response.example.name, response.status, response.body) == ("head", 204, b"")


def test_head_without_get_is_a_miss(pm: Any) -> None:
    engine = pm.engine(pm.item("p", "/a", pm.example("post", "/a", method="POST"), method="POST"))
    assert send(engine, "/a", method="HEAD").status == 404


# -- CORS ------------------------------------------------------------------------------------

PREFLIGHT = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")]


@pytest.fixture
def cors_items(pm: Any) -> list[dict[str, Any]]:
    return [
        pm.item("g", "/a", pm.example("get", "/a")),
        pm.item("p", "/a", pm.example("post", "/a", method="POST"), method="POST"),
        pm.item(
            "o",
            "/opt",
            pm.example("options", "/opt", method="OPTIONS", code=200, body="o"),
            method="OPTIONS",
        ),
    ]


def test_cors_preflight(pm: Any, cors_items: list[dict[str, Any]]) -> None:
    engine = pm.engine(*cors_items)
    response = send(
        engine,
        "/a",
        method="OPTIONS",
        headers=[*PREFLIGHT, ("Access-Control-Request-Headers", "X-Custom, Content-Type")],
    )
    assert response.status == 204
    assert response.body == b""
    assert response.example is None
    assert header(response, "Access-Control-Allow-Origin") == "*"
    assert header(response, "Access-Control-Allow-Methods") == "GET, POST"
    assert header(response, "Access-Control-Allow-Headers") == "X-Custom, Content-Type"


def test_cors_preflight_for_a_path_without_examples(pm: Any, cors_items: list[Any]) -> None:
    engine = pm.engine(*cors_items)
    response = send(engine, "/nothing", method="OPTIONS", headers=PREFLIGHT)
    assert response.status == 404
    assert error_json(response)["name"] == "mockRequestNotFoundError"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([], id="no-headers"),
        pytest.param([("Origin", "https://app.example")], id="origin-only"),
    ],
)
def test_plain_options_is_matched_like_any_method(
    pm: Any, cors_items: list[Any], headers: list[tuple[str, str]]
) -> None:
    engine = pm.engine(*cors_items)
    response = send(engine, "/opt", method="OPTIONS", headers=headers)
    assert (response.status, response.body, response.example.name) == (200, b"o", "options")
    # /a has no OPTIONS example: a plain OPTIONS there is a miss.
    assert send(engine, "/a", method="OPTIONS", headers=headers).status == 404


@pytest.mark.parametrize("cors", [True, False])
def test_cors_switch(pm: Any, cors_items: list[Any], cors: bool) -> None:
    engine = pm.engine(*cors_items, settings=EngineSettings(cors=cors))
    allow = "*" if cors else None
    assert header(send(engine, "/a"), "Access-Control-Allow-Origin") == allow
    assert header(send(engine, "/missing"), "Access-Control-Allow-Origin") == allow
    preflight = send(engine, "/a", method="OPTIONS", headers=PREFLIGHT)
    if cors:
        assert preflight.status == 204
    else:
        # No preflight answers: an OPTIONS without an OPTIONS example is a plain miss.
        assert preflight.status == 404
        assert header(preflight, "Access-Control-Allow-Methods") is None
    assert header(preflight, "Access-Control-Allow-Origin") == allow


def test_example_own_allow_origin_is_kept(pm: Any) -> None:
    example = pm.example("e", "/a", response_headers={"Access-Control-Allow-Origin": "https://x"})
    engine = pm.engine(pm.item("r", "/a", example))
    assert header(send(engine, "/a"), "Access-Control-Allow-Origin") == "https://x"


# -- private mode ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param([], 401, id="no-key"),
        pytest.param([("x-api-key", "wrong")], 401, id="wrong-key"),
        pytest.param([("x-api-key", "s3cret ")], 401, id="key-with-space"),
        pytest.param([("x-api-key", "")], 401, id="empty-key"),
        pytest.param([("X-Api-Key", "s3cret")], 200, id="right-key"),
    ],
)
def test_private_mode(pm: Any, headers: list[tuple[str, str]], status: int) -> None:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a", body="secret data")),
        settings=EngineSettings(api_key="s3cret"),
    )
    response = send(engine, "/a", headers=headers)
    assert response.status == status
    if status == 401:
        body = error_json(response)
        assert body["name"] == "unauthorizedError"
        assert "x-api-key" in body["message"]
        assert "s3cret" not in response.body.decode()
        assert response.example is None
    else:
        assert response.body == b"secret data"


def test_private_mode_checks_before_matching(pm: Any) -> None:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a")), settings=EngineSettings(api_key="k")
    )
    # Even a request that would be a 404 (or names an example) gets the 401 first.
    for path, headers in [("/missing", []), ("/a", [("x-mock-response-id", "1")])]:
        response = send(engine, path, headers=headers)
        assert response.status == 401
        assert response.explanation is None


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "status", "name", "title", "in_message"),
    [
        pytest.param(
            "/missing",
            [],
            404,
            "mockRequestNotFoundError",
            "No matching requests",
            "GET /missing",
            id="no-match",
        ),
        pytest.param(
            "/a",
            [("x-mock-response-id", "nope")],
            404,
            "mockRequestNotFoundError",
            "No matching requests",
            "x-mock-response-id: nope",
            id="unknown-id",
        ),
        pytest.param(
            "/a",
            [("x-mock-response-name", "Nope")],
            404,
            "mockRequestNotFoundError",
            "No matching requests",
            "x-mock-response-name: Nope",
            id="unknown-name",
        ),
    ],
)
def test_error_shapes(
    pm: Any,
    path: str,
    headers: list[tuple[str, str]],
    status: int,
    name: str,
    title: str,
    in_message: str,
) -> None:
    engine = pm.engine(pm.item("r", "/a", pm.example("e", "/a")))
    response = send(engine, path, headers=headers)
    assert response.status == status
    body = error_json(response)
    assert (body["name"], body["header"]) == (name, title)
    assert in_message in body["message"]
    assert response.example is None and response.endpoint is None


def test_no_match_message_tells_to_check_method_and_path(pm: Any) -> None:
    engine = pm.engine(pm.item("r", "/a", pm.example("e", "/a")))
    body = error_json(send(engine, "/b", method="patch"))
    assert body["message"] == (
        "Could not find a mocked request for PATCH /b. "
        "Please check the method and path of your request."
    )


@pytest.mark.parametrize(
    ("status", "name"), [(413, "payloadTooLargeError"), (400, "badRequestError")]
)
def test_reject(pm: Any, status: int, name: str) -> None:
    engine = pm.engine(pm.item("r", "/a", pm.example("e", "/a")))
    response = engine.reject(status, "too much", "client error")
    assert response.status == status
    assert error_json(response)["name"] == name
    assert response.miss_reason == "client error"


@pytest.mark.parametrize(
    "request_",
    [
        MockRequest("GET", "/a/" + "x" * 10_000),
        MockRequest("GET", "/%%%/\x00/{{}}"),
        MockRequest("BREW", "/a"),
        MockRequest("POST", "/a", body=b"\xff\xfe{not json"),
        MockRequest("GET", "/a", headers=[("x-mock-response-code", "9" * 5000)]),
        MockRequest("GET", "/a", headers=[("x-mock-response-delay", "9" * 5000)]),
        MockRequest("GET", "/a", headers=[("x-mock-response-id", "")]),
        MockRequest("GET", "/a", headers=[("x-mock-response-name", " ")]),
        MockRequest("GET", "/a", headers=[("x-mock-match-request-headers", ",,, ,")]),
        MockRequest("GET", "/a", headers=[("x-mock-response-delay", "1e309")]),
        MockRequest("GET", "/a", query=[("a", "")] * 1000),
    ],
)
def test_odd_requests_never_raise(pm: Any, request_: MockRequest) -> None:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("e", "/a", body="{{$body 'a'}} {{$pathSegments '9'}}"))
    )
    response = engine.handle(request_)
    assert response.status in (200, 404)


# -- reload ----------------------------------------------------------------------------------


def test_controls_survive_reload(pm: Any) -> None:
    data = pm.collection(
        pm.item("r", "/a", pm.example("ok", "/a"), pm.example("err", "/a", code=500), id="ep")
    )
    controls = ControlStore()
    engine = MockEngine([pm.load(data)], store=controls)
    controls.pin("ep", "2")
    assert send(engine, "/a").example.name == "err"
    engine.load([pm.load(data)])
    assert send(engine, "/a").example.name == "err"
    assert engine.answering("ep").name == "err"


def test_several_collections_are_pooled(pm: Any) -> None:
    first = pm.load(pm.collection(pm.item("a", "/a", pm.example("from-first", "/a"))))
    second = pm.load(pm.collection(pm.item("b", "/b", pm.example("from-second", "/b"))), index=1)
    engine = MockEngine([first, second])
    assert send(engine, "/a").example.name == "from-first"
    b = send(engine, "/b")
    assert (b.example.name, b.example.id) == ("from-second", "2.1")
    # x-mock-response-id picks the example at once (step 3, before the path is looked at).
    assert send(engine, "/x", headers=[("x-mock-response-id", "2.1")]).example.name == "from-second"
    assert send(engine, "/b", headers=[("x-mock-response-id", "1")]).example.name == "from-first"
    assert engine.example_count == 2


@pytest.mark.parametrize(
    ("cors", "path", "headers", "status"),
    [
        pytest.param(True, "/a", PREFLIGHT, 204, id="preflight-answered-without-key"),
        pytest.param(True, "/nothing", PREFLIGHT, 401, id="unanswered-preflight-needs-key"),
        pytest.param(
            True,
            "/nothing",
            [*PREFLIGHT, ("x-mock-response-id", "opt")],
            401,
            id="unanswered-preflight-cannot-name-an-example",
        ),
        pytest.param(False, "/opt", PREFLIGHT, 401, id="no-cors-preflight-needs-key"),
        pytest.param(False, "/opt", [*PREFLIGHT, ("x-api-key", "k")], 200, id="no-cors-with-key"),
        pytest.param(True, "/opt", [("x-api-key", "k")], 200, id="plain-options-with-key"),
        pytest.param(True, "/opt", [], 401, id="plain-options-without-key"),
    ],
)
def test_private_mode_and_preflights(
    pm: Any, cors: bool, path: str, headers: list[tuple[str, str]], status: int
) -> None:
    engine = pm.engine(
        pm.item("g", "/a", pm.example("get", "/a")),
        pm.item(
            "o",
            "/opt",
            pm.example("options", "/opt", method="OPTIONS", id="opt", body="private"),
            method="OPTIONS",
        ),
        settings=EngineSettings(api_key="k", cors=cors),
    )
    response = send(engine, path, method="OPTIONS", headers=headers)
    assert response.status == status
    if status == 401:
        assert error_json(response)["name"] == "unauthorizedError"


def test_a_request_to_an_endpoint_without_examples_says_it_has_none(pm: Any) -> None:
    # Before: "no example matches this method and path", with unrelated nearest examples.
    engine = pm.engine(
        pm.item("Health", "/health"),
        pm.item("Users", "/users", pm.example("All users", "/users")),
        pm.item("User", "/users/{{id}}", pm.example("User", "/users/{{id}}")),
    )
    response = send(engine, "/health")
    assert response.status == 404
    assert response.miss_reason == (
        "this endpoint has no saved example (Postman cannot answer it either)"
    )
    assert response.endpoint is not None and response.endpoint.name == "Health"
    assert response.explanation is not None
    assert response.explanation.candidates == ()
    assert response.explanation.notes[-1].startswith(
        "GET /health reaches 'Health' (GET /health), which has no saved example"
    )
    assert json.loads(response.body)["error"]["name"] == "mockRequestNotFoundError"
    # Any other miss is still "no example matches", with its nearest examples.
    other = send(engine, "/nowhere")
    assert other.miss_reason == "no example matches this method and path"
    assert other.endpoint is None


def test_counts_leave_out_the_examples_left_out(pm: Any) -> None:
    # Before: 3 examples counted, though the two without a method or URL can never answer.
    engine = pm.engine(
        pm.item(
            "r",
            "/a",
            pm.example("no method", "/a", method=None),
            pm.example("no url", None),
            pm.example("fine", "/a"),
        )
    )
    assert engine.example_count == 1
    assert engine.endpoints[0].served_examples == 1
    assert engine.collections[0].root.example_count() == 1
