"""Postman's matching algorithm (spec section 3) and mocktui's controls (section 7).

Each test drives ``MockEngine.handle`` and checks both the answer and the explanation: the
score of the kept candidate and the step that decided.
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest

from mocktui.config import load_collections
from mocktui.engine.engine import EngineSettings, MockEngine, MockResponse
from mocktui.engine.explain import Candidate
from mocktui.engine.matcher import (
    Index,
    Matcher,
    MatchRequest,
    MatchSettings,
    _pair_counts,
    _pair_counts_small,
    natural_key,
)
from mocktui.engine.store import ControlError, ControlStore
from tests.engine.support import send


def kept(response: MockResponse) -> Candidate:
    assert response.explanation is not None
    winners = [c for c in response.explanation.candidates if c.kept]
    assert len(winners) == 1, response.explanation.lines()
    return winners[0]


def candidate(response: MockResponse, name: str) -> Candidate:
    assert response.explanation is not None
    found = [c for c in response.explanation.candidates if c.example_name == name]
    assert len(found) == 1, response.explanation.lines()
    return found[0]


def chosen(response: MockResponse) -> str | None:
    return response.example.name if response.example else None


def error(response: MockResponse) -> dict[str, str]:
    assert ("Content-Type", "application/json") in response.headers
    data = json.loads(response.body)
    assert set(data) == {"error"}
    assert set(data["error"]) == {"name", "header", "message"}
    return data["error"]


# -- step 1: well-formed only --------------------------------------------------------------------


def test_step1_malformed_examples_are_left_out_and_listed(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/a",
            pm.example("no method", "/a", method=None, code=200),
            pm.example("no url", None, code=200),
            pm.example("fine", "/a", code=201),
        )
    )
    response = send(engine, "/a")
    assert chosen(response) == "fine"
    assert [c.example_name for c in response.explanation.candidates] == ["fine"]
    assert [(s.name, s.reason) for s in engine.collections[0].skipped] == [
        ("no method", "no method"),
        ("no url", "no URL"),
    ]
    assert [e.example.name for e in engine.index.entries] == ["fine"]


# -- step 2: method ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "get", "Get"])
def test_step2_method_is_case_insensitive_on_input(pm: Any, method: str) -> None:
    engine = pm.engine(pm.item("r", "/a", pm.example("g", "/a")))
    assert chosen(send(engine, "/a", method=method)) == "g"


def test_step2_other_methods_are_left_out(pm: Any) -> None:
    engine = pm.engine(
        pm.item("r", "/a", pm.example("post", "/a", method="POST"), method="POST"),
        pm.item("r", "/a", pm.example("put", "/a", method="PUT", code=202), method="PUT"),
    )
    assert chosen(send(engine, "/a", method="put")) == "put"
    response = send(engine, "/a", method="DELETE")
    assert response.status == 404
    assert error(response)["name"] == "mockRequestNotFoundError"
    assert candidate(response, "post").step == "3 method: POST, not DELETE"


def test_matching_uses_the_original_request_not_the_endpoint_request(pm: Any) -> None:
    engine = pm.engine(pm.item("r", "/endpoint", pm.example("e", "/original")))
    assert chosen(send(engine, "/original")) == "e"
    assert send(engine, "/endpoint").status == 404


# -- step 3: custom headers ------------------------------------------------------------------------


@pytest.fixture
def coded(pm: Any) -> MockEngine:
    return pm.engine(
        pm.item(
            "r",
            "/a",
            pm.example("ok", "/a", code=200, body="ok"),
            pm.example("missing", "/a", code=404, body="missing"),
            pm.example("boom", "/a", code=500, id="ex-boom", body="boom"),
            pm.example("twin", "/a", code=404, id="t9"),
            pm.example("twin", "/a", code=200, id="t10"),
            pm.example("twin", "/a", code=500, id="t8"),
            pm.example("triplet", "/a", code=503, id="z"),
            pm.example("triplet", "/a", code=502, id="y"),
        ),
        pm.item("p", "/p", pm.example("post", "/p", method="POST", code=201), method="POST"),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("404", "missing", id="404"),
        pytest.param(" 500 ", "boom", id="padded"),
        pytest.param("abc", "ok", id="non-numeric-ignored"),
        pytest.param("", "ok", id="empty-ignored"),
    ],
)
def test_step3_response_code_filter(coded: MockEngine, value: str, expected: str) -> None:
    response = send(coded, "/a", headers=[("X-Mock-Response-Code", value)])
    assert chosen(response) == expected
    if value.strip() in ("404", "500"):
        scored = [c for c in response.explanation.candidates if c.score is not None]
        assert scored and all(c.code == int(value) for c in scored)


def test_step3_response_code_without_example_is_a_miss(coded: MockEngine) -> None:
    response = send(coded, "/a", headers=[("x-mock-response-code", "418")])
    assert response.status == 404
    assert error(response)["name"] == "mockRequestNotFoundError"
    assert candidate(response, "ok").step == "4 x-mock-response-code: code is not 418"


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        pytest.param("ex-boom", "boom", id="explicit-id"),
        pytest.param("2", "missing", id="position-derived-id"),
        pytest.param("t9", "twin", id="explicit-id-with-digits"),
    ],
)
def test_step3_response_id(coded: MockEngine, wanted: str, expected: str) -> None:
    response = send(coded, "/a", headers=[("x-mock-response-id", wanted)])
    assert chosen(response) == expected
    assert response.example.id == wanted
    assert response.explanation.decided_by == "x-mock-response-id"


@pytest.mark.parametrize(
    ("wanted", "expected_id"),
    [
        # Spec 2: the UID, <ownerId>-<id>, as Postman's API shows it: the part after the first
        # "-" is tried when the whole value names no example.
        pytest.param("12345678-ex-boom", "ex-boom", id="uid-of-explicit-id-with-a-dash"),
        pytest.param("12345678-2", "2", id="uid-of-position-id"),
        pytest.param("ex-boom", "ex-boom", id="whole-value-first"),
    ],
)
def test_step3_response_id_as_a_uid(coded: MockEngine, wanted: str, expected_id: str) -> None:
    response = send(coded, "/a", headers=[("x-mock-response-id", wanted)])
    assert response.example.id == expected_id
    notes = response.explanation.notes
    uid_note = f"x-mock-response-id {wanted!r} is a UID: example ID {expected_id!r}"
    assert (uid_note in notes) is (wanted != expected_id)


def test_step3_uid_of_an_id_that_holds_dashes(pm: Any) -> None:
    uuid_id = "3f2b8c1e-0d5a-4c1b-9f8e-6a7b8c9d0e1f"  # v2.1 example ids are UUIDs
    engine = pm.engine(
        pm.item("r", "/a", pm.example("first", "/a"), pm.example("saved", "/a", id=uuid_id))
    )
    response = send(engine, "/a", headers=[("x-mock-response-id", f"9012345-{uuid_id}")])
    assert chosen(response) == "saved"


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        pytest.param([("x-mock-response-id", "nope")], "no example has this ID", id="unknown"),
        pytest.param(
            [("x-mock-response-id", "1234-nope")], "no example has this ID", id="uid-unknown"
        ),
        pytest.param(
            [("x-mock-response-id", "1234-ex-boom"), ("x-mock-response-code", "200")],
            "example ex-boom has code 500, not 200",
            id="uid-code-disagrees",
        ),
        pytest.param(
            [("x-mock-response-id", "ex-boom"), ("x-mock-response-code", "200")],
            "example ex-boom has code 500, not 200",
            id="code-disagrees",
        ),
    ],
)
def test_step3_response_id_not_found(
    coded: MockEngine, headers: list[tuple[str, str]], problem: str
) -> None:
    response = send(coded, "/a", headers=headers)
    wanted = headers[0][1]
    assert response.status == 404
    body = error(response)
    assert body["name"] == "mockRequestNotFoundError"
    assert body["header"] == "No matching requests"
    assert f"x-mock-response-id: {wanted}" in body["message"]
    assert response.miss_reason == f"x-mock-response-id: {wanted}: {problem}"


def test_step3_response_id_of_another_method(coded: MockEngine) -> None:
    post_id = next(e.example.id for e in coded.index.entries if e.example.name == "post")
    response = send(coded, "/a", headers=[("x-mock-response-id", post_id)])
    assert response.status == 404
    assert response.miss_reason == (
        f"x-mock-response-id: {post_id}: example {post_id} answers POST, not GET"
    )


@pytest.mark.parametrize(
    ("name", "expected_id"),
    [
        # Sorted by ID (t8, t9, t10): the first with code 200 is t10.
        pytest.param("twin", "t10", id="first-200-by-id"),
        # No 200 among them: the first by ID (y before z).
        pytest.param("triplet", "y", id="first-by-id"),
        pytest.param("boom", "ex-boom", id="single"),
    ],
)
def test_step3_response_name(coded: MockEngine, name: str, expected_id: str) -> None:
    response = send(coded, "/a", headers=[("x-mock-response-name", name)])
    assert response.example.id == expected_id
    assert response.explanation.decided_by == "x-mock-response-name"


def test_step3_response_name_not_found(coded: MockEngine) -> None:
    response = send(coded, "/a", headers=[("x-mock-response-name", "Nobody")])
    assert response.status == 404
    assert "x-mock-response-name: Nobody" in error(response)["message"]
    assert error(response)["name"] == "mockRequestNotFoundError"


def test_step3_response_name_respects_code_filter(coded: MockEngine) -> None:
    response = send(
        coded, "/a", headers=[("x-mock-response-name", "twin"), ("x-mock-response-code", "500")]
    )
    assert response.example.id == "t8"


# -- step 4: path score --------------------------------------------------------------------------

UUID_A = "3f2b8c1e-0d5a-4c1b-9f8e-6a7b8c9d0e1f"
UUID_B = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

PATH_ROWS = [
    # example path, request path, score (None: dropped), step shown
    pytest.param("/users/list", "/users/list", 100, "5 path: exact", id="exact"),
    pytest.param("/users/list", "/users/list/", 95, "5 path: trailing slash", id="trailing-req"),
    pytest.param("/users/list/", "/users/list", 95, "5 path: trailing slash", id="trailing-ex"),
    pytest.param("/users/list", "/Users/LIST", 90, "5 path: case", id="case"),
    pytest.param(
        "/users/list", "/USERS/list/", 85, "5 path: trailing slash + case", id="trailing+case"
    ),
    pytest.param("/users/{{name}}", "/users/carol", 80, "5 path: wildcard", id="wildcard"),
    pytest.param("/users/:name", "/users/carol", 80, "5 path: wildcard", id="wildcard-colon"),
    pytest.param(
        "/users/{{name}}/posts", "/users/carol/posts/", 80, "5 path: wildcard", id="wildcard-mid"
    ),
    pytest.param("/users/123", "/users/456", 79, "5 path: ID-like segments", id="id-like"),
    pytest.param(
        "/orders/3f2b8c1e-0d5a-4c1b-9f8e-6a7b8c9d0e1f/items",
        "/orders/abc123/items",
        79,
        "5 path: ID-like segments",
        id="id-like-uuid-vs-alnum",
    ),
    pytest.param(
        "/users/123",
        "/users/456/",
        75,
        "5 path: trailing slash + ID-like segments",
        id="trailing+id-like",
    ),
    pytest.param(
        "/products/list",
        "/products/lists",
        70,
        "5 path: document distance 0.93",
        id="document-distance",
    ),
    pytest.param("/products/list", "/orders/pending", None, None, id="dropped"),
    pytest.param("/users/{{name}}", "/users/a/b", None, None, id="wildcard-not-two-segments"),
    pytest.param("/users/{{name}}", "/users/", None, None, id="wildcard-not-empty"),
    pytest.param("/users/{{name}}/posts", "/users//posts", None, None, id="wildcard-not-empty-mid"),
    pytest.param("/users/{{name}}", "/users/x-carol", 80, "5 path: wildcard", id="wildcard-any"),
    pytest.param("/users/123", "/users/123/456", None, None, id="id-like-count-differs"),
    pytest.param("/items/123", "/Items/456", None, None, id="case+id-like-is-no-step"),
    pytest.param("/products/list", "/products/list/a", None, None, id="distance-count-differs"),
    # Spec 3.4: wildcards and ID-like segments in one path (the DocuSign case): the ID-like
    # rows compare segment by segment, wildcard segments still matching any one segment.
    pytest.param(
        f"/v1/accounts/{UUID_A}/workflows/{{{{wf}}}}/trigger-requirements",
        f"/v1/accounts/{UUID_B}/workflows/7f3e9a1c/trigger-requirements",
        79,
        "5 path: ID-like segments",
        id="wildcard+id-like",
    ),
    pytest.param(
        f"/v1/accounts/{UUID_A}/workflows/{{{{wf}}}}",
        f"/v1/accounts/{UUID_B}/workflows/7f3e9a1c/",
        75,
        "5 path: trailing slash + ID-like segments",
        id="wildcard+id-like+trailing-slash",
    ),
    pytest.param(
        "/accounts/:accountId/items/42",
        "/accounts/carol/items/7",
        79,
        "5 path: ID-like segments",
        id="path-variable+id-like",
    ),
    pytest.param("/a/{{x}}/1", "/a//2", None, None, id="wildcard+id-like-not-empty"),
    pytest.param("/a/{{x}}/1", "/a/b/c", None, None, id="wildcard+id-like-needs-an-id"),
    pytest.param("/A/{{x}}/1", "/a/b/2", None, None, id="wildcard+id-like-case-sensitive"),
    pytest.param("/a/{{x}}/1", "/a/b/2/3", None, None, id="wildcard+id-like-count-differs"),
]


@pytest.mark.parametrize(("example_path", "request_path", "score", "step"), PATH_ROWS)
def test_step4_path_score(
    pm: Any, example_path: str, request_path: str, score: int | None, step: str | None
) -> None:
    engine = pm.engine(pm.item("r", example_path, pm.example("e", example_path)))
    response = send(engine, request_path)
    if score is None:
        assert response.status == 404
        assert response.example is None
        dropped = candidate(response, "e")
        assert (dropped.kept, dropped.score) == (False, None)
        assert dropped.step == "5 path: no step makes the paths equal"
        assert response.miss_reason == "no example matches this method and path"
    else:
        assert chosen(response) == "e"
        winner = kept(response)
        assert (winner.score, winner.step) == (score, step)


def test_step4_first_step_that_applies_decides(pm: Any) -> None:
    # Each example is reachable by a different step; the better step wins.
    engine = pm.engine(
        pm.item(
            "r",
            "/x",
            pm.example("wild", "/users/{{id}}", id="1"),
            pm.example("literal", "/users/me", id="2"),
            pm.example("ids", "/users/42", id="3"),
        )
    )
    response = send(engine, "/users/me")
    assert chosen(response) == "literal"
    assert kept(response).score == 100
    assert candidate(response, "wild").score == 80
    response = send(engine, "/users/7")
    assert chosen(response) == "wild"  # wildcard (-20) before ID-like (-21)
    assert candidate(response, "ids").score == 79


def test_step4_dropped_example_listed_when_another_matches(pm: Any) -> None:
    engine = pm.engine(
        pm.item("r", "/x", pm.example("near", "/products/list"), pm.example("far", "/zz/qq"))
    )
    response = send(engine, "/products/lists")
    assert chosen(response) == "near"
    far = candidate(response, "far")
    assert (far.kept, far.score, far.step) == (False, None, "5 path: no step makes the paths equal")


def test_step4_wildcard_captures_fill_the_body(pm: Any) -> None:
    example = pm.example(
        "e", "/users/{{userId}}/posts/:postId", body='{"user": "{{userId}}", "post": "{{postId}}"}'
    )
    engine = pm.engine(pm.item("r", "/users/{{userId}}/posts/:postId", example))
    response = send(engine, "/users/carol/posts/x7")
    assert json.loads(response.body) == {"user": "carol", "post": "x7"}


def test_step4_defined_empty_variable_is_not_a_wildcard(pm: Any) -> None:
    engine = pm.engine(
        pm.item("r", "/notaries/{{userId}}", pm.example("e", "/notaries/{{userId}}")),
        variables={"userId": ""},
    )
    response = send(engine, "/notaries/")
    assert (chosen(response), kept(response).score) == ("e", 100)
    assert send(engine, "/notaries/someone").status == 404


def test_step4_docusign_base_url_with_an_account_id_before_a_path_variable(pm: Any) -> None:
    # The collection's baseUrl holds a literal account UUID; clients call with their own.
    url = "{{baseUrl}}/workflows/:workflowId/trigger-requirements"
    example = pm.example("requirements", url, body='{"workflow": "{{workflowId}}"}')
    engine = pm.engine(
        pm.item("Get trigger requirements", url, example),
        variables={
            "baseUrl": "https://api.docusign.com/v1/accounts/{{accountId}}",
            "accountId": UUID_A,
        },
    )
    path = f"/v1/accounts/{UUID_B}/workflows/{UUID_A}/trigger-requirements"
    response = send(engine, path)
    assert chosen(response) == "requirements"
    assert (kept(response).score, kept(response).step) == (79, "5 path: ID-like segments")
    assert json.loads(response.body) == {"workflow": UUID_A}
    # The account the collection names still matches better (the wildcard step).
    assert (
        kept(send(engine, f"/v1/accounts/{UUID_A}/workflows/wf/trigger-requirements")).score == 80
    )


def test_step4_wildcard_ids_rank_below_the_wildcard_step(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/x",
            pm.example("ids", "/orders/1/lines/{{line}}", id="1"),
            pm.example("wild", "/orders/{{order}}/lines/{{line}}", id="2"),
        )
    )
    response = send(engine, "/orders/2/lines/9")
    assert chosen(response) == "wild"
    assert candidate(response, "ids").score == 79


def test_step4_percent_decoded_example_path(pm: Any) -> None:
    engine = pm.engine(pm.item("r", "/files/my%20doc", pm.example("e", "/files/my%20doc")))
    response = send(engine, "/files/my doc")
    assert (chosen(response), kept(response).score) == ("e", 100)


# -- step 5: query parameters --------------------------------------------------------------------

QUERY_ROWS = [
    # example query, request query, score
    pytest.param("", [], 100, id="no-params"),
    pytest.param("?a=1&b=2", [("a", "1"), ("b", "2")], 110, id="all-match"),
    pytest.param("?a=1&b=2", [("b", "2"), ("a", "1")], 110, id="all-match-any-order"),
    pytest.param("?a=1&b=2", [("a", "1"), ("b", "3")], 105, id="some-match-partial"),
    pytest.param("?a=1&b=2", [("a", "1")], 105, id="some-match-missing"),
    pytest.param("?a=1", [("a", "1"), ("b", "2"), ("c", "3")], 100 + 10 / 3, id="some-match-extra"),
    pytest.param("?a=1&b=2&c=3&d=4", [("a", "1")], 102.5, id="quarter"),
    pytest.param("?a=1", [("a", "A")], 100, id="none-match-partial-only"),
    pytest.param("?a=1&b=2", [("a", "9")], 99, id="none-match-one-missing"),
    pytest.param("?a=1", [("A", "1")], 98, id="keys-case-sensitive"),
    pytest.param("", [("x", "1"), ("y", "2"), ("z", "3")], 97, id="request-only"),
    pytest.param("?a=1&b=2&c=3&d=4&e=5&f=6", [(k, "1") for k in "uvwxyz"], 90, id="capped-at-10"),
    pytest.param("?a=Hello", [("a", "hello")], 100, id="values-case-sensitive"),
    # A repeated key is several key-value pairs (spec 3.5), on either side.
    pytest.param("?tag=a&tag=b", [("tag", "a"), ("tag", "b")], 110, id="repeated-all-match"),
    pytest.param("?tag=a&tag=b", [("tag", "b"), ("tag", "a")], 110, id="repeated-any-order"),
    pytest.param("?tag=a&tag=b", [("tag", "b")], 105, id="repeated-one-missing"),
    pytest.param("?tag=a", [("tag", "a"), ("tag", "b")], 105, id="request-repeats"),
    pytest.param("?tag=a&tag=b", [("tag", "a"), ("tag", "c")], 105, id="repeated-one-partial"),
    pytest.param("?tag=a&tag=a", [("tag", "a")], 105, id="same-pair-twice-counts-twice"),
    pytest.param("?tag=a&tag=b", [("tag", "c"), ("tag", "d")], 100, id="repeated-partials"),
    pytest.param("?tag=a&tag=b", [("tag", "c")], 99, id="repeated-partial-and-missing"),
    pytest.param(
        "?tag=a&tag=b&x=1", [("tag", "b"), ("x", "1"), ("tag", "z"), ("y", "2")], 105, id="mixed"
    ),
]


@pytest.mark.parametrize(("example_query", "request_query", "score"), QUERY_ROWS)
def test_step5_query_score(
    pm: Any, example_query: str, request_query: list[tuple[str, str]], score: float
) -> None:
    url = f"https://x.com/search{example_query}"
    engine = pm.engine(pm.item("r", url, pm.example("e", url)))
    response = send(engine, "/search", query=request_query)
    assert chosen(response) == "e"
    assert kept(response).score == pytest.approx(score, abs=0.01)


def test_step5_query_decides_between_examples(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/s",
            pm.example("red", "/s?color=red", id="1"),
            pm.example("blue", "/s?color=blue", id="2"),
        )
    )
    assert chosen(send(engine, "/s", query=[("color", "blue")])) == "blue"
    assert chosen(send(engine, "/s", query=[("color", "red")])) == "red"


def test_step5_long_and_short_queries_are_counted_alike() -> None:
    # Requests with more than 16 params are counted with Counters, shorter ones with lists.
    rng = random.Random(8)
    for _ in range(2000):
        expected = [(rng.choice("abc"), rng.choice("xyz")) for _ in range(rng.randrange(6))]
        got = [(rng.choice("abcd"), rng.choice("xyz")) for _ in range(rng.randrange(30))]
        assert _pair_counts(expected, got) == _pair_counts_small(expected, got), (expected, got)


def test_step5_a_request_with_thousands_of_params_is_cheap(pm: Any) -> None:
    url = "/s?" + "&".join(f"k{i}=v" for i in range(50))
    engine = pm.engine(pm.item("r", url, pm.example("e", url)))
    query = [(f"k{i % 100}", "v") for i in range(20_000)]
    started = time.perf_counter()
    response = send(engine, "/s", query=query)
    assert time.perf_counter() - started < 0.5
    assert kept(response).detail.startswith("path +0, query +0.03 (50 match, 0 differ, 19950")


def test_step5_repeated_keys_pick_the_example_with_the_same_pairs(pm: Any) -> None:
    # Collapsed to a dict, ?tag=a&tag=b was {"tag": "b"}: "one tag" tied and won by its ID.
    engine = pm.engine(
        pm.item(
            "r",
            "/s",
            pm.example("one tag", "/s?tag=b", id="1"),
            pm.example("two tags", "/s?tag=a&tag=b", id="2"),
        )
    )
    both = send(engine, "/s", query=[("tag", "a"), ("tag", "b")])
    assert chosen(both) == "two tags"
    assert kept(both).detail == "path +0, query +10 (2 match, 0 differ, 0 missing)"
    assert candidate(both, "one tag").detail == "path +0, query +5 (1 match, 0 differ, 1 missing)"
    assert chosen(send(engine, "/s", query=[("tag", "b")])) == "one tag"
    assert engine.endpoints[0].examples[1].request.query == (("tag", "a"), ("tag", "b"))


def test_step5_disabled_query_params_are_not_compared(pm: Any) -> None:
    url = {
        "host": ["x"],
        "path": ["s"],
        "query": [{"key": "a", "value": "1"}, {"key": "b", "value": "2", "disabled": True}],
    }
    engine = pm.engine(pm.item("r", url, pm.example("e", url)))
    assert kept(send(engine, "/s", query=[("a", "1")])).score == 110


# -- step 6: headers and body --------------------------------------------------------------------


@pytest.fixture
def tenants(pm: Any) -> Any:
    def make(settings: EngineSettings | None = None) -> MockEngine:
        return pm.engine(
            pm.item(
                "r",
                "/t",
                pm.example("alpha", "/t", id="1", headers={"X-Tenant": "a", "X-Role": "admin"}),
                pm.example("beta", "/t", id="2", headers={"X-Tenant": "b", "X-Role": "admin"}),
                pm.example("gamma", "/t", id="3", headers={"X-Tenant": "b", "X-Role": "user"}),
            ),
            settings=settings,
        )

    return make


HEADER_ROWS = [
    # settings.match_headers, request headers, chosen (None: miss)
    pytest.param((), [("x-tenant", "b")], "alpha", id="off-tie-by-id"),
    pytest.param(
        (), [("x-tenant", "b"), ("x-mock-match-request-headers", "X-Tenant")], "beta", id="list"
    ),
    pytest.param(
        (),
        [
            ("X-TENANT", "b"),
            ("x-role", "user"),
            ("x-mock-match-request-headers", "x-tenant, X-Role"),
        ],
        "gamma",
        id="list-of-two-names-case-insensitive",
    ),
    pytest.param(
        (),
        [("x-tenant", "b"), ("x-role", "user"), ("x-mock-match-request-headers", "true")],
        "gamma",
        id="true-all-headers",
    ),
    pytest.param(
        (), [("x-tenant", "b"), ("x-mock-match-request-headers", "true")], None, id="true-miss"
    ),
    pytest.param(
        (), [("x-tenant", "c"), ("x-mock-match-request-headers", "x-tenant")], None, id="list-miss"
    ),
    pytest.param(("x-tenant",), [("x-tenant", "b")], "beta", id="setting"),
    pytest.param(("*",), [("x-tenant", "b"), ("x-role", "user")], "gamma", id="setting-all"),
    pytest.param(
        ("x-tenant",),
        [("x-tenant", "a"), ("x-role", "user"), ("x-mock-match-request-headers", "x-role")],
        "gamma",
        id="request-header-wins-over-setting",
    ),
    pytest.param(
        ("x-tenant",),
        [("x-tenant", "zzz"), ("x-mock-match-request-headers", "false")],
        "alpha",
        id="request-header-false-turns-setting-off",
    ),
    # The words of mocktui.rules.parse_header_names, as for --match-headers.
    pytest.param(
        (),
        [("x-tenant", "b"), ("x-role", "user"), ("x-mock-match-request-headers", "all")],
        "gamma",
        id="all-all-headers",
    ),
    pytest.param(
        (),
        [("x-tenant", "b"), ("x-role", "user"), ("x-mock-match-request-headers", "on")],
        "gamma",
        id="on-all-headers",
    ),
    pytest.param(
        ("x-tenant",),
        [("x-tenant", "zzz"), ("x-mock-match-request-headers", "off")],
        "alpha",
        id="off-turns-setting-off",
    ),
    pytest.param(
        ("x-tenant",),
        [("x-tenant", "b"), ("x-mock-match-request-headers", "Bad Name")],
        "beta",
        id="unreadable-list-ignored-setting-applies",
    ),
]


@pytest.mark.parametrize(("setting", "headers", "expected"), HEADER_ROWS)
def test_step6_header_matching(
    tenants: Any, setting: tuple[str, ...], headers: list[tuple[str, str]], expected: str | None
) -> None:
    engine = tenants(EngineSettings(match_headers=setting))
    response = send(engine, "/t", headers=headers)
    assert chosen(response) == expected
    if expected is None:
        assert response.status == 404
        assert response.miss_reason == "examples match the path but their headers or body differ"
        candidates = response.explanation.candidates
        assert candidates and all(c.step.startswith("7 headers: ") for c in candidates)


def test_step6_header_matching_through_matcher_settings(pm: Any) -> None:
    collection = pm.load(
        pm.collection(
            pm.item(
                "r",
                "/t",
                pm.example("alpha", "/t", id="1", headers={"Accept": "text/plain"}),
                pm.example("beta", "/t", id="2", headers={"Accept": "application/json"}),
            )
        )
    )
    request = MatchRequest("GET", "/t", headers=[("accept", "application/json")])
    index = Index.build(collection.endpoints)
    off = Matcher(index, ControlStore(), MatchSettings()).match(request)
    on = Matcher(index, ControlStore(), MatchSettings(match_headers=("accept",))).match(request)
    assert off.entry.example.name == "alpha"
    assert on.entry.example.name == "beta"
    dropped = next(c for c in on.explanation.candidates if c.example_name == "alpha")
    assert (dropped.kept, dropped.step, dropped.score) == (False, "7 headers: accept differs", 100)


JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}


@pytest.fixture
def bodies(pm: Any) -> Any:
    def make(settings: EngineSettings | None = None) -> MockEngine:
        post = {"method": "POST"}
        return pm.engine(
            pm.item(
                "r",
                "/b",
                pm.example(
                    "json", "/b", **post, id="1", req_body='{"a": 1, "b": [true]}', headers=JSON
                ),
                pm.example("text", "/b", **post, id="2", req_body="  hello world\n", headers=TEXT),
                pm.example("bool", "/b", **post, id="3", req_body='{"a": true}', headers=JSON),
                pm.example("none", "/b", **post, id="4"),
                pm.example("untyped", "/b", **post, id="5", req_body="plain"),
                method="POST",
            ),
            settings=settings,
        )

    return make


ON = ("x-mock-match-request-body", "true")
AS_JSON = ("Content-Type", "application/json")
AS_TEXT = ("content-type", "text/plain")

BODY_ROWS = [
    # match_body setting, extra headers, request body, chosen, score
    pytest.param(False, [], b'{"b":[true],  "a":1}', "json", 105, id="off-json-bonus"),
    pytest.param(False, [], b"hello world", "text", 105, id="off-text-bonus"),
    pytest.param(False, [], b"something else", "json", 100, id="off-no-bonus-tie-by-id"),
    pytest.param(False, [], b"", "json", 100, id="off-empty-no-bonus"),
    pytest.param(False, [], b"plain", "untyped", 105, id="off-content-type-not-needed"),
    pytest.param(
        False, [ON, AS_JSON], b' {"a" : 1, "b": [true]} ', "json", 100, id="header-json-parsed"
    ),
    pytest.param(False, [ON, AS_TEXT], b"\thello world  ", "text", 100, id="header-text-trimmed"),
    # No body and no Content-Type: nothing typed, the bodies alone are compared.
    pytest.param(False, [ON], b"", "none", 100, id="header-empty-body"),
    pytest.param(False, [ON, AS_JSON], b'{"a": 2}', None, None, id="header-miss"),
    pytest.param(False, [ON, AS_TEXT], b"Hello World", None, None, id="header-text-case-sensitive"),
    pytest.param(False, [ON, AS_JSON], b'{"a": 1}', None, None, id="json-true-is-not-1"),
    pytest.param(False, [ON, AS_JSON], b'{"a": true}', "bool", 100, id="json-bool"),
    pytest.param(True, [AS_TEXT], b"hello world", "text", 100, id="setting"),
    pytest.param(True, [AS_TEXT], b"nope", None, None, id="setting-miss"),
    pytest.param(
        True,
        [("x-mock-match-request-body", "false")],
        b"nope",
        "json",
        100,
        id="request-header-wins-over-setting",
    ),
    # Spec 3.6: the saved request must carry the request's Content-Type (media type only).
    pytest.param(
        False,
        [ON, ("Content-Type", "Text/Plain; charset=utf-8")],
        b"hello world",
        "text",
        100,
        id="content-type-parameters-and-case-ignored",
    ),
    pytest.param(False, [ON, AS_JSON], b"hello world", None, None, id="content-type-differs"),
    pytest.param(False, [ON], b"hello world", None, None, id="request-without-content-type"),
    pytest.param(False, [ON, AS_TEXT], b"plain", None, None, id="saved-without-content-type"),
]


@pytest.mark.parametrize(("setting", "headers", "body", "expected", "score"), BODY_ROWS)
def test_step6_body_matching(
    bodies: Any,
    setting: bool,
    headers: list[tuple[str, str]],
    body: bytes,
    expected: str | None,
    score: int | None,
) -> None:
    engine = bodies(EngineSettings(match_body=setting))
    response = send(engine, "/b", method="POST", headers=headers, body=body)
    assert chosen(response) == expected
    if expected is None:
        assert response.status == 404
        assert response.miss_reason == "examples match the path but their headers or body differ"
        assert all(c.step.startswith("7 body") for c in response.explanation.candidates)
    else:
        assert kept(response).score == score


@pytest.mark.parametrize(
    ("headers", "example", "step"),
    [
        (
            [ON, AS_JSON],
            "text",
            "7 body matching: Content-Type text/plain, not the request's application/json",
        ),
        ([ON, AS_JSON], "json", "7 body differs"),
        ([ON, AS_TEXT], "untyped", "7 body matching: the saved request has no Content-Type"),
        ([ON, AS_TEXT], "none", "7 body matching: the saved request has no Content-Type"),
        (
            [ON],
            "text",
            "7 body matching: the request has no Content-Type (the saved request's is text/plain)",
        ),
    ],
)
def test_step6_body_matching_says_why_an_example_was_dropped(
    bodies: Any, headers: list[tuple[str, str]], example: str, step: str
) -> None:
    response = send(bodies(), "/b", method="POST", headers=headers, body=b"hello world")
    dropped = candidate(response, example)
    assert (dropped.kept, dropped.step, dropped.score) == (False, step, 100)


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ('{"a": 1, "b": 2}', '{"b": 2, "a": 1}', True),
        ('{"a": 1}', '{"a": 1.0}', True),
        ('{"a": true}', '{"a": 1}', False),
        ("[false]", "[0]", False),
        ('{"a": {"b": [1, true]}}', '{"a": {"b": [1, 1]}}', False),
        ("  text \n", "text", True),
        ("[1, 2]", "[2, 1]", False),
    ],
)
def test_body_comparison(pm: Any, left: str, right: str, equal: bool) -> None:
    example = pm.example("e", "/b", method="POST", req_body=left, headers=TEXT)
    engine = pm.engine(pm.item("r", "/b", example, method="POST"))
    response = send(engine, "/b", "POST", headers=[ON, AS_TEXT], body=right.encode())
    assert (response.status == 200) is equal


def test_deeply_nested_json_bodies_do_not_crash(pm: Any) -> None:
    deep = "[" * 5000 + "]" * 5000
    nested = "[" * 900 + "1" + "]" * 900
    engine = pm.engine(
        pm.item("r", "/b", pm.example("e", "/b", method="POST", req_body=nested), method="POST")
    )
    for body in (deep, nested, nested.replace("1", "2")):
        for flag in ("true", "false"):
            response = send(
                engine,
                "/b",
                "POST",
                headers=[("x-mock-match-request-body", flag)],
                body=body.encode(),
            )
            assert response.status in (200, 404)


# -- step 7: pick --------------------------------------------------------------------------------

TIE_ROWS = [
    # (id, code) of tied examples -> chosen id
    pytest.param([("10", 200), ("2", 201)], "10", id="first-200"),
    pytest.param([("2", 404), ("10", 500)], "2", id="natural-order-first"),
    pytest.param([("b", 500), ("a", 404)], "a", id="text-ids"),
    pytest.param([("2", 200), ("1", 200)], "1", id="two-200-by-id"),
    pytest.param([("x10", 201), ("x9", 201)], "x9", id="mixed-natural"),
]


@pytest.mark.parametrize(("examples", "expected"), TIE_ROWS)
def test_step7_tie_breaks(pm: Any, examples: list[tuple[str, int]], expected: str) -> None:
    engine = pm.engine(
        pm.item("r", "/t", *(pm.example(f"e{i}", "/t", id=i, code=c) for i, c in examples))
    )
    response = send(engine, "/t")
    assert response.example.id == expected
    assert response.status == dict(examples)[expected]
    assert f"{len(examples)} examples tied at 100" in " ".join(response.explanation.notes)


def test_step7_highest_score_wins_over_code_200(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/t",
            pm.example("ok", "/t/", code=200, id="1"),
            pm.example("created", "/t", code=201, id="2"),
        )
    )
    response = send(engine, "/t")
    assert (chosen(response), kept(response).score) == ("created", 100)
    assert candidate(response, "ok").score == 95


@pytest.mark.parametrize("value", ["1", "²", "٣", "a²b", "x-9", "", "9" * 5000, "x" + "0" * 5000])
def test_natural_key_never_raises(value: str) -> None:
    key = natural_key(value)
    assert isinstance(key, tuple)
    # Keys of different IDs are comparable with each other.
    sorted([key, natural_key("10"), natural_key("abc"), natural_key("2")])


def test_unusual_explicit_ids_do_not_break_the_index(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r", "/t", pm.example("sup", "/t", id="²", code=201), pm.example("one", "/t", id="1")
        )
    )
    assert chosen(send(engine, "/t")) == "one"
    assert chosen(send(engine, "/t", headers=[("x-mock-response-id", "²")])) == "sup"


# -- mocktui controls ----------------------------------------------------------------------------


@pytest.fixture
def pinned(pm: Any) -> MockEngine:
    return pm.engine(
        pm.item(
            "users",
            "/users/{{id}}",
            pm.example("ok", "/users/{{id}}", id="1", code=200, body="ok {{id}}"),
            pm.example("boom", "/users/{{id}}", id="2", code=500, body="boom {{id}}"),
            pm.example("gone", "/users/{{id}}", id="3", code=404),
            id="ep-users",
        ),
        pm.item("other", "/other", pm.example("other", "/other", id="4"), id="ep-other"),
    )


def test_pin_wins_over_scores(pinned: MockEngine) -> None:
    pinned.store.pin("ep-users", "2")
    response = send(pinned, "/users/carol", query=[("x", "1")])
    assert (chosen(response), response.status, response.body) == ("boom", 500, b"boom carol")
    assert response.explanation.decided_by == "pin"
    assert (kept(response).example_id, kept(response).step) == ("2", "9 pin")
    # The example the scores chose is shown, not kept, with the reason.
    assert candidate(response, "ok").step == "5 path: wildcard; the pinned example answers instead"
    assert candidate(response, "ok").score == 79
    assert pinned.answering("ep-users").name == "boom"
    # Other endpoints are not affected.
    assert chosen(send(pinned, "/other")) == "other"
    pinned.store.pin("ep-users", None)
    assert chosen(send(pinned, "/users/carol")) == "ok"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param([("x-mock-response-code", "404")], "gone", id="code"),
        pytest.param([("x-mock-response-code", "200")], "ok", id="code-200"),
        pytest.param([("x-mock-response-code", "abc")], "boom", id="ignored-code-keeps-pin"),
        pytest.param([("x-mock-response-id", "3")], "gone", id="id"),
        pytest.param([("x-mock-response-name", "ok")], "ok", id="name"),
    ],
)
def test_explicit_headers_and_pin(
    pinned: MockEngine, headers: list[tuple[str, str]], expected: str
) -> None:
    pinned.store.pin("ep-users", "2")
    assert chosen(send(pinned, "/users/carol", headers=headers)) == expected


def test_pin_needs_path_and_method(pinned: MockEngine) -> None:
    pinned.store.pin("ep-users", "2")
    assert send(pinned, "/users/a/b").status == 404
    assert send(pinned, "/users/carol", method="POST").status == 404


def test_disabled_example_is_left_out(pinned: MockEngine) -> None:
    pinned.store.set_example_enabled("ep-users", "1", False)
    response = send(pinned, "/users/carol")
    assert chosen(response) == "boom"  # 500 and 404 tie: no 200, so the first by ID
    off = candidate(response, "ok")
    assert (off.kept, off.step) == (False, "9 mocktui: example disabled")
    pinned.store.set_example_enabled("ep-users", "1", True)
    assert chosen(send(pinned, "/users/carol")) == "ok"


def test_disabled_pinned_example_falls_back_to_scores(pinned: MockEngine) -> None:
    pinned.store.pin("ep-users", "2")
    pinned.store.set_example_enabled("ep-users", "2", False)
    assert chosen(send(pinned, "/users/carol")) == "ok"


def test_disabled_endpoint_is_left_out(pinned: MockEngine) -> None:
    pinned.store.set_endpoint_enabled("ep-users", False)
    response = send(pinned, "/users/carol")
    assert response.status == 404
    assert error(response)["name"] == "mockRequestNotFoundError"
    assert "users" in response.miss_reason
    assert "disabled" in response.miss_reason
    assert {c.step for c in response.explanation.candidates if c.endpoint_key == "ep-users"} == {
        "9 mocktui: endpoint disabled"
    }
    # x-mock-response-id cannot reach a disabled endpoint either.
    by_id = send(pinned, "/users/carol", headers=[("x-mock-response-id", "1")])
    assert by_id.status == 404
    assert chosen(send(pinned, "/other")) == "other"
    pinned.store.set_endpoint_enabled("ep-users", True)
    assert chosen(send(pinned, "/users/carol")) == "ok"


# -- collections served together that share item and example ids ------------------------------


@pytest.fixture
def twins(pm: Any) -> MockEngine:
    """The same collection twice (as a copy with another base path): same item and example ids."""

    def collection(base: str) -> dict[str, Any]:
        return pm.collection(
            pm.item(
                "users",
                f"{base}/users",
                pm.example("ok", f"{base}/users", id="ex-ok", body=f"ok {base}"),
                pm.example("boom", f"{base}/users", id="ex-boom", code=500, body=f"boom {base}"),
                id="ep-users",
            )
        )

    taken: set[str] = set()
    first = pm.load(collection("/alpha"), taken_keys=taken)
    second = pm.load(collection("/omega"), index=1, taken_keys=taken)
    return MockEngine([first, second])


def test_twins_have_their_own_endpoint_keys(twins: MockEngine) -> None:
    assert [ep.key for ep in twins.endpoints] == ["ep-users", "ep-users~2"]
    twins.store.set_endpoint_enabled("ep-users~2", False)
    assert send(twins, "/omega/users").status == 404
    assert send(twins, "/alpha/users").body == b"ok /alpha"


def test_pin_uses_the_endpoints_own_example(twins: MockEngine) -> None:
    twins.store.pin("ep-users~2", "ex-boom")
    response = send(twins, "/omega/users")
    assert (response.status, response.body) == (500, b"boom /omega")
    assert response.endpoint.key == "ep-users~2"
    assert kept(response).endpoint_key == "ep-users~2"
    # The original is not pinned.
    assert send(twins, "/alpha/users").body == b"ok /alpha"
    twins.store.pin("ep-users", "ex-boom")
    assert send(twins, "/alpha/users").body == b"boom /alpha"


def test_pin_to_an_id_the_endpoint_does_not_have_is_refused(twins: MockEngine, pm: Any) -> None:
    other = pm.load(
        pm.collection(pm.item("x", "/x", pm.example("x", "/x", id="ex-x"), id="ep-x")), index=2
    )
    engine = MockEngine([*twins.collections, other])
    with pytest.raises(ControlError, match="endpoint 'ep-users' has no example 'ex-x'"):
        engine.store.pin("ep-users", "ex-x")  # another endpoint's example
    assert engine.store.mode("ep-users") == "auto"
    response = send(engine, "/alpha/users")
    assert (response.status, response.body) == (200, b"ok /alpha")
    assert response.explanation.decided_by == "score"


def test_disabled_example_is_disabled_in_its_endpoint_only(twins: MockEngine) -> None:
    twins.store.set_example_enabled("ep-users~2", "ex-ok", False)
    assert send(twins, "/omega/users").body == b"boom /omega"
    assert send(twins, "/alpha/users").body == b"ok /alpha"
    assert not twins.store.example_enabled("ep-users~2", "ex-ok")
    assert twins.store.example_enabled("ep-users", "ex-ok")


def test_shared_explicit_id_answers_from_the_first_collection(twins: MockEngine) -> None:
    response = send(twins, "/anything", headers=[("x-mock-response-id", "ex-boom")])
    assert (response.status, response.body) == (500, b"boom /alpha")


def test_real_collection_and_its_copy_do_not_interfere(tarot_and_copy: list[str]) -> None:
    engine = MockEngine(load_collections(tarot_and_copy))
    assert len({ep.key for ep in engine.endpoints}) == len(engine.endpoints) == 20
    fool, copy_fool = "/api/v2/tarot/cards/fool", "/v9/tarot/cards/fool"
    key = send(engine, copy_fool, query=[("lang", "en")]).endpoint.key
    error_500 = next(ex for ex in engine.endpoint_by_key[key].examples if ex.code == 500)
    engine.store.pin(key, error_500.id)
    assert send(engine, copy_fool, query=[("lang", "en")]).status == 500
    assert send(engine, fool, query=[("lang", "en")]).status == 200
    engine.store.set_endpoint_enabled(key, False)
    assert send(engine, copy_fool, query=[("lang", "en")]).status == 404
    assert send(engine, fool, query=[("lang", "en")]).status == 200


# -- HEAD falls back to GET, also for x-mock-response-id / -name ---------------------------------


@pytest.fixture
def heads(pm: Any) -> MockEngine:
    return pm.engine(
        pm.item(
            "users",
            "/users",
            pm.example("Some users", "/users", id="u1", body="[1]"),
            pm.example("Empty list", "/users", id="u2", body="[]"),
        ),
        pm.item(
            "ping", "/ping", pm.example("Pong", "/ping", method="HEAD", id="p1"), method="HEAD"
        ),
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param([], "Some users", id="plain"),
        pytest.param([("x-mock-response-name", "Empty list")], "Empty list", id="name"),
        pytest.param([("x-mock-response-id", "u2")], "Empty list", id="id"),
    ],
)
def test_head_falls_back_to_get_with_explicit_headers(
    heads: MockEngine, headers: list[tuple[str, str]], expected: str
) -> None:
    get = send(heads, "/users", headers=headers)
    head = send(heads, "/users", method="HEAD", headers=headers)
    assert (chosen(get), get.status) == (expected, 200)
    assert (chosen(head), head.status) == (expected, 200)
    assert "answered as GET" in " ".join(head.explanation.notes)
    result = heads.matcher.match(MatchRequest("HEAD", "/users", headers=headers))
    assert result.head_as_get


def test_head_example_named_is_used_as_head(heads: MockEngine) -> None:
    result = heads.matcher.match(
        MatchRequest("HEAD", "/ping", headers=[("x-mock-response-name", "Pong")])
    )
    assert (result.entry.example.name, result.head_as_get) == ("Pong", False)


@pytest.mark.parametrize(
    "headers",
    [[("x-mock-response-name", "Nobody")], [("x-mock-response-id", "nope")]],
)
def test_head_with_header_naming_nothing_is_still_not_found(
    heads: MockEngine, headers: list[tuple[str, str]]
) -> None:
    response = send(heads, "/users", method="HEAD", headers=headers)
    assert response.status == 404
    result = heads.matcher.match(MatchRequest("HEAD", "/users", headers=headers))
    assert result.not_found_header is not None and "HEAD" not in result.not_found_header
    assert not result.head_as_get


# -- controls ------------------------------------------------------------------------------------


def test_disabled_examples_are_keyed_by_endpoint_and_id(pinned: MockEngine) -> None:
    store = pinned.store
    changed: list[tuple[str, str | None]] = []
    store.listeners.append(lambda change: changed.append((change.kind, change.endpoint_key)))
    store.set_example_enabled("ep-users", "1", False)
    assert not store.example_enabled("ep-users", "1")
    assert store.example_enabled("ep-other", "1")
    assert store.example_enabled("ep-users", "2")
    store.set_example_enabled("ep-users", "1", True)
    assert store.example_enabled("ep-users", "1")
    assert changed == [("example", "ep-users"), ("example", "ep-users")]


@pytest.mark.parametrize("code", ["²00", "\u0662\u0660\u0660", "2_00", "+200", " 200 "])
def test_response_code_header_reads_ascii_digits_only(pinned: MockEngine, code: str) -> None:
    response = send(pinned, "/users/carol", headers=[("x-mock-response-code", code)])
    if code.strip() == "200":
        assert "only examples with code 200" in " ".join(response.explanation.notes)
    else:
        assert f"x-mock-response-code {code!r} is not a number: ignored" in (
            response.explanation.notes
        )
    assert chosen(response) == "ok"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("9" * 5000, None, id="5000-digits"),
        pytest.param("0404", "gone", id="leading-zero"),
        pytest.param("1000", None, id="4-digits"),
    ],
)
def test_response_code_header_with_many_digits(
    pinned: MockEngine, code: str, expected: str | None
) -> None:
    response = send(pinned, "/users/carol", headers=[("x-mock-response-code", code)])
    assert chosen(response) == expected


# -- value rules as the matcher reads its headers (the rules themselves: tests/test_rules.py) --


@pytest.mark.parametrize(
    ("word", "setting", "on"),
    [
        *((w, False, True) for w in ["true", "on", "ON", "yes", "1"]),
        *((w, True, False) for w in ["false", "off", "no", "0"]),
        ("maybe", True, True),  # not a boolean word: ignored, the setting applies
        ("maybe", False, False),
    ],
)
def test_body_matching_header_reads_the_boolean_words(
    bodies: Any, word: str, setting: bool, on: bool
) -> None:
    engine = bodies(EngineSettings(match_body=setting))
    headers = [("x-mock-match-request-body", word), AS_TEXT]
    response = send(engine, "/b", method="POST", headers=headers, body=b"nope")
    assert response.status == (404 if on else 200)
    if word == "maybe":
        assert "x-mock-match-request-body 'maybe' is not true or false: ignored" in (
            response.explanation.notes
        )


def test_unreadable_header_list_is_ignored_with_a_note(tenants: Any) -> None:
    response = send(tenants(), "/t", headers=[("x-mock-match-request-headers", "Bad Name")])
    assert chosen(response) == "alpha"
    assert (
        "x-mock-match-request-headers 'Bad Name': 'bad name' is not a valid HTTP header name: "
        "ignored" in response.explanation.notes
    )


def test_example_ids_with_thousands_of_digits_sort_and_answer(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/t",
            pm.example("long", "/t", id="9" * 5000, code=201),
            pm.example("short", "/t", id="10", code=201),
        )
    )
    assert chosen(send(engine, "/t")) == "short"  # 10 < 99...9
    assert chosen(send(engine, "/t", headers=[("x-mock-response-id", "9" * 5000)])) == "long"


# -- a miss's nearest examples: ranked by segments (issue 10, #5) --------------------------------


def test_nearest_examples_of_a_miss_are_ranked_by_segments(pm: Any) -> None:
    # Before: ranked by the whole path's edit distance, /accounts/{accountId}/rooms was not
    # among them (short paths with other segment counts came first).
    def one(name: str, path: str, method: str = "GET") -> Any:
        return pm.item(name, path, pm.example(name, path, method=method), method=method)

    engine = pm.engine(
        one("Rooms", "/accounts/{{accountId}}/rooms"),
        one("Accounts", "/accounts"),
        one("Account", "/accounts/123"),
        one("Roms", "/roms"),
        one("Users", "/accounts/{{accountId}}/users"),
        one("Room", "/accounts/1/rooms/2"),
        one("New room", "/accounts/{{id}}/rooms", "POST"),
    )
    response = send(engine, "/accounts/123/romos")
    assert response.status == 404
    assert response.explanation is not None
    listed = [(c.example_name, c.step, c.detail) for c in response.explanation.candidates]
    assert listed[0] == (
        "Rooms", "5 path: no step makes the paths equal", "segment 3 'romos' ≠ 'rooms'"
    )
    # Same segment count first (the other method after the same method at equal distance),
    # then the others, with what differs.
    assert [name for name, _s, _d in listed] == [
        "Rooms", "New room", "Users", "Account", "Room", "Accounts", "Roms"
    ]
    assert listed[1][1] == "3 method: POST, not GET"
    assert listed[3][2] == "3 segments, not 2"


def test_nearest_examples_count_id_like_segments_as_equal(pm: Any) -> None:
    engine = pm.engine(
        pm.item("o", "/orders/77/lines", pm.example("Lines", "/orders/77/lines")),
        pm.item("x", "/orders/abc/lines", pm.example("Named", "/orders/abc/lines")),
    )
    response = send(engine, "/orders/9f3/linez")
    listed = [(c.example_name, c.detail) for c in response.explanation.candidates]
    assert listed[0] == ("Lines", "segment 3 'linez' ≠ 'lines'")
    assert listed[1] == ("Named", "segment 2 '9f3' ≠ 'abc'; segment 3 'linez' ≠ 'lines'")


def test_controls_changed_after_a_path_was_matched_apply_to_the_next_request(
    pinned: MockEngine,
) -> None:
    # The path steps' result is kept per method and path (Matcher._path_steps); what the
    # controls decide is not: each request sees the controls as they are.
    assert chosen(send(pinned, "/users/carol")) == "ok"
    pinned.store.set_example_enabled("ep-users", "1", False)
    assert chosen(send(pinned, "/users/carol")) == "boom"
    pinned.store.set_endpoint_enabled("ep-users", False)
    assert send(pinned, "/users/carol").status == 404
    pinned.store.set_endpoint_enabled("ep-users", True)
    pinned.store.set_example_enabled("ep-users", "1", True)
    assert chosen(send(pinned, "/users/carol")) == "ok"


def test_kept_path_results_are_bounded_and_answer_the_same_kept_or_not(pinned: MockEngine) -> None:
    from mocktui.engine import matcher as matcher_module

    paths = [f"/users/u{n}" for n in range(matcher_module.PATH_CACHE + 50)]
    first = [send(pinned, p) for p in paths]
    assert len(pinned.matcher._paths) <= matcher_module.PATH_CACHE
    again = [send(pinned, p) for p in reversed(paths)][::-1]
    for a, b, path in zip(first, again, paths, strict=True):
        assert (a.status, a.body, chosen(a)) == (b.status, b.body, chosen(b)), path
        assert a.explanation.lines() == b.explanation.lines(), path
    # Captures are per path, never shared between two paths kept side by side.
    assert [r.body for r in again] == [f"ok u{n}".encode() for n in range(len(paths))]
