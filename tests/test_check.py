"""mocktui check (issue 8, part 2): every kind of finding on a small collection written here,
with its exact message, path, endpoint and example; the output formats; the shared collections.

The command line (exit codes, ``./check``) is tested in tests/test_cli_check.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mocktui.check import (
    ERROR,
    KINDS,
    WARNING,
    Finding,
    check_collections,
    format_json,
    format_text,
    summarize,
)
from mocktui.config import load_collections
from mocktui.postman.model import Collection

TIE = "ties go to the lowest ID with code 200, else the lowest"
JSON = {"Content-Type": "application/json"}


def check(pm: Any, *items: dict[str, Any], **options: Any) -> list[Finding]:
    return check_collections([pm.load(pm.collection(*items, **options))])


def of(findings: list[Finding], code: str) -> list[tuple[str, str | None, str | None, str]]:
    """(path, endpoint key, example id, message) of the findings of one kind."""
    assert {f.severity for f in findings if f.code == code} <= {KINDS[code][0]}
    return [(f.path, f.endpoint, f.example, f.message) for f in findings if f.code == code]


# -- errors ------------------------------------------------------------------------------------


def test_never_served_names_the_example_that_shadows_it_and_the_header_that_reaches_it(
    pm: Any,
) -> None:
    findings = check(
        pm,
        pm.item(
            "Get user",
            "/users/:id",
            pm.example("OK", "/users/:id", id="1"),
            pm.example("Not found", "/users/:id", code=404, id="2"),
            pm.example("Also OK", "/users/:id", id="3"),
            pm.example("Gone too", "/users/:id", code=404, id="4"),
            id="get-user",
        ),
    )
    # x-mock-response-code: 404 gets 'Not found': the usual way to offer an error response.
    assert of(findings, "reachable-by-code-only") == [
        (
            "$.item[0].response[1]",
            "get-user",
            "2",
            "'Not found' (404) is only served with x-mock-response-code: 404 (or a pin): 'OK' "
            f"(200) wins its saved request GET /users/{{id}} otherwise (tied at 80; {TIE})",
        ),
    ]
    # Not even its code gets these two: only their name (or ID) or a pin does.
    assert of(findings, "never-served") == [
        (
            "$.item[0].response[2]",
            "get-user",
            "3",
            "'Also OK' (200) can never be served, by automatic matching nor with "
            "x-mock-response-code: 200: 'OK' (200) wins its saved request GET /users/{id} "
            f"(tied at 80; {TIE}); only a header such as x-mock-response-name: Also OK, or a "
            "pin, reaches it",
        ),
        (
            "$.item[0].response[3]",
            "get-user",
            "4",
            "'Gone too' (404) can never be served, by automatic matching nor with "
            "x-mock-response-code: 404: 'OK' (200) wins its saved request GET /users/{id} "
            f"(tied at 80; {TIE}), and 'Not found' (404) with x-mock-response-code: 404; only "
            "a header such as x-mock-response-name: Gone too, or a pin, reaches it",
        ),
    ]
    assert [f.code for f in findings] == [
        "reachable-by-code-only",
        "never-served",
        "never-served",
    ]


def test_reachable_by_code_with_a_variant_of_its_saved_request(pm: Any) -> None:
    """Its code gets it once the request drops the query the 200 also has: still a warning."""
    findings = check(
        pm,
        pm.item(
            "Search",
            "/search?q=x",
            pm.example("Results", "/search?q=x", id="1"),
            pm.example("Bad query", "/search?q=x", code=400, id="2"),
            id="s",
        ),
    )
    assert [(f.code, f.example) for f in findings] == [("reachable-by-code-only", "2")]


def test_only_a_pin_reaches_an_example_whose_name_and_id_are_taken(pm: Any) -> None:
    first = pm.collection(pm.item("a", "/a", pm.example("OK", "/a", id="1"), id="a"))
    copy = pm.collection(
        pm.item("b", "/a", pm.example("OK", "/a", id="1"), id="b"),
        name="copy",
    )
    findings = check_collections(load_collections([str(pm.write(first)), str(pm.write(copy))]))
    assert [f.message for f in findings if f.code == "never-served"] == [
        "'OK' (200) can never be served, by automatic matching nor with x-mock-response-code: "
        f"200: 'OK' (200) of 'a' wins its saved request GET /a (tied at 100; {TIE}); only a "
        "pin reaches it"
    ]


def test_never_served_across_endpoints_and_files(pm: Any) -> None:
    first = pm.collection(pm.item("Get user", "/users/:id", pm.example("OK", "/users/:id")))
    copy = pm.collection(
        pm.item(
            "Get user (copy)",
            "/users/:id?expand=1",
            pm.example("OK too", "/users/:id?expand=1"),
            pm.example("Same", "/users/:id"),
            pm.example("Gone", "/users/:id", code=410),
        )
    )
    findings = check_collections(load_collections([str(pm.write(first)), str(pm.write(copy))]))
    # With its own query the copy wins; without, the first file's example does.
    assert [
        (f.file.endswith("c2.postman_collection.json"), f.code, f.example, f.message)
        for f in findings
    ] == [
        (
            True,
            "never-served",
            "2.2",
            "'Same' (200) can never be served, by automatic matching nor with "
            "x-mock-response-code: 200: 'OK' (200) of 'Get user' wins its saved request "
            f"GET /users/{{id}} (tied at 80; {TIE}); only a header such as "
            "x-mock-response-name: Same, or a pin, reaches it",
        ),
        (
            True,
            "reachable-by-code-only",
            "2.3",
            "'Gone' (410) is only served with x-mock-response-code: 410 (or a pin): 'OK' (200) "
            f"of 'Get user' wins its saved request GET /users/{{id}} otherwise (tied at 80; {TIE})",
        ),
    ]


@pytest.mark.parametrize(
    "examples",
    [
        pytest.param(
            [("wild", "/users/{{id}}"), ("me", "/users/me"), ("number", "/users/42")],
            id="wildcard-literal-and-id-like-each-have-their-requests",
        ),
        pytest.param([("a", "/s?x=1"), ("b", "/s?x=2"), ("none", "/s")], id="queries"),
        pytest.param([("x", "/Users/List"), ("y", "/users/list")], id="case"),
        pytest.param([("x", "/a/"), ("y", "/a")], id="trailing-slash"),
        pytest.param(
            [("wild", "/users/{{id}}"), ("lit", "/users/mocktui-check")],
            id="a-literal-that-equals-the-fill-value",
        ),
    ],
)
def test_examples_their_own_requests_reach_are_served(
    pm: Any, examples: list[tuple[str, str]]
) -> None:
    items = [pm.item(name, url, pm.example(name, url)) for name, url in examples]
    findings = check(pm, *items)
    assert [f for f in findings if f.code == "never-served"] == []


def test_bodies_tell_examples_apart(pm: Any) -> None:
    post = {"method": "POST", "headers": JSON}
    findings = check(
        pm,
        pm.item(
            "Create",
            "/orders",
            pm.example("small", "/orders", **post, req_body='{"n": 1}'),
            pm.example("big", "/orders", **post, req_body='{"n": 99}', code=201),
            pm.example("same as small", "/orders", **post, req_body='{"n": 1}', code=202),
            method="POST",
        ),
    )
    assert [(f.code, f.example, f.message.split(":")[0]) for f in findings] == [
        (
            "reachable-by-code-only",
            "3",
            "'same as small' (202) is only served with x-mock-response-code",
        )
    ]


def test_duplicate_names(pm: Any) -> None:
    findings = check(
        pm,
        pm.item(
            "a",
            "/a",
            pm.example("OK", "/a", id="1"),
            pm.example("Other", "/a?x=1", id="2"),
            pm.example("OK", "/a?y=1", code=201, id="3"),
            id="a",
        ),
        pm.item("b", "/b", pm.example("Other", "/b")),  # another endpoint's: not a duplicate
    )
    assert of(findings, "duplicate-name") == [
        (
            "$.item[0].response[2]",
            "a",
            "3",
            "'OK' (201) has the same name as example 1 (200) of this endpoint: "
            "x-mock-response-name cannot tell them apart (it answers 'OK' (200))",
        )
    ]


def test_invalid_json_bodies(pm: Any) -> None:
    def example(name: str, body: str, **options: Any) -> dict[str, Any]:
        return pm.example(name, "/a/{{id}}", body=body, **options)

    findings = check(
        pm,
        pm.item(
            "a",
            "/a/{{id}}",
            example("broken", '{"a": 1,}', response_headers=JSON),
            example(
                "vendor type", "{", response_headers={"Content-Type": "application/vnd.x+json"}
            ),
            example("placeholders", '{"n": {{$randomInt}}, "id": "{{id}}"}', response_headers=JSON),
            example("empty", "", response_headers=JSON),
            example("text", "not json", response_headers={"Content-Type": "text/plain"}),
            example("no type", "not json"),
            id="a",
        ),
    )
    findings += check(
        pm,
        {
            "name": "b",
            "request": {"method": "GET", "url": "/b"},
            "response": [{"name": "preview", "body": "<x/>", "_postman_previewlanguage": "json"}],
        },
    )
    assert of(findings, "invalid-json") == [
        (
            "$.item[0].response[0].body",
            "a",
            "1",
            "the body of 'broken' (200) is not valid JSON (Expecting property name enclosed in "
            "double quotes at line 1, column 9) but its Content-Type is application/json",
        ),
        (
            "$.item[0].response[1].body",
            "a",
            "2",
            "the body of 'vendor type' (200) is not valid JSON (Expecting property name enclosed "
            "in double quotes at line 1, column 2) but its Content-Type is "
            "application/vnd.x+json",
        ),
        (
            "$.item[0].response[0].body",
            "0/b",
            "1",
            "the body of 'preview' (200) is not valid JSON (Expecting value at line 1, column 1) "
            "but its Content-Type is application/json",
        ),
    ]


def test_invalid_header_names(pm: Any) -> None:
    example = pm.example("e", "/a", id="ex1")
    example["header"] = [{"key": "X-Fine", "value": "1"}, {"key": "Bad Key", "value": "2"}]
    findings = check(pm, pm.item("r", "/a", example, id="ep"))
    assert of(findings, "invalid-header-name") == [
        (
            "$.item[0].response[0].header[1]",
            "ep",
            "ex1",
            "header 'Bad Key' of 'e' (200) is not a valid HTTP header name: left out of the answer",
        )
    ]


def test_examples_and_requests_left_out(pm: Any) -> None:
    findings = check(
        pm,
        pm.item("r", "/a", pm.example("fine", "/a"), pm.example("no method", "/a", method=None)),
        {
            "name": "bad endpoint",
            "request": {"url": "/b"},
            "response": [pm.example("own", "/b"), pm.example("inherits", "/b", original=False)],
            "id": "bad",
        },
    )
    assert of(findings, "example-left-out") == [
        (
            "$.item[0].response[1]",
            "0/r",
            "2",
            "'no method' (200) is left out of matching: its saved request cannot be matched "
            "(no method)",
        ),
        (
            "$.item[1].response[1]",
            "bad",
            "4",
            "'inherits' (200) is left out of matching: its saved request cannot be matched "
            "(no method)",
        ),
    ]
    assert of(findings, "request-left-out") == [
        (
            "$.item[1].request",
            "bad",
            None,
            "the request of 'bad endpoint' cannot be matched (no method): only its examples "
            "with their own saved request can answer",
        )
    ]


# -- warnings ----------------------------------------------------------------------------------


def test_endpoints_without_examples(pm: Any) -> None:
    findings = check(
        pm,
        pm.folder("ops", pm.item("Health", "/health", id="h")),
        pm.item("r", "/a", pm.example("e", "/a")),
    )
    assert of(findings, "no-examples") == [
        (
            "$.item[0].item[0]",
            "h",
            None,
            "GET /health ('Health') has no examples: a request for it is a miss (404)",
        )
    ]


def test_examples_without_a_code(pm: Any) -> None:
    findings = check(pm, pm.item("r", "/a", pm.example("e", "/a", code=None), id="r"))
    assert of(findings, "no-code") == [
        ("$.item[0].response[0]", "r", "1", "'e' has no code: it answers 200")
    ]


def test_url_variables_defined_nowhere_once_per_variable_and_role(pm: Any) -> None:
    url = "{{baseUrl}}/v{{version}}/users/{{userId}}?token={{token}}&t={{$timestamp}}"
    findings = check(
        pm,
        pm.item("one", url, pm.example("e", url), id="one"),
        pm.item("two", "{{baseUrl}}/v{{version}}/users/{{userId}}/:postId", id="two"),
        pm.item("defined", "{{host}}/ok/{{empty}}", id="defined"),
        variables={"host": "https://api.example.com", "empty": ""},
    )
    nowhere = "is defined nowhere (collection, --env, --var)"
    assert of(findings, "undefined-variable") == [
        (
            "$.item[0].request.url",
            "one",
            None,
            f"{{{{baseUrl}}}} {nowhere}: read as the host, so it adds nothing to the path, "
            "in 2 endpoints",
        ),
        (
            "$.item[0].request.url",
            "one",
            None,
            f"{{{{version}}}} {nowhere}: kept as written inside a path segment (only a whole "
            "segment is a wildcard), in 2 endpoints",
        ),
        (
            "$.item[0].request.url",
            "one",
            None,
            f"{{{{userId}}}} {nowhere}: a wildcard path segment (it matches any one segment), "
            "in 2 endpoints",
        ),
        (
            "$.item[0].request.url",
            "one",
            None,
            f"{{{{token}}}} {nowhere}: compared as written in the query, in 1 endpoint",
        ),
    ]


def test_url_variables_from_env_and_var_are_defined(pm: Any, tmp_path: Path) -> None:
    path = pm.write(pm.collection(pm.item("r", "{{host}}/users/{{id}}")))
    env = tmp_path / "env.json"
    env.write_text(json.dumps({"values": [{"key": "host", "value": "https://x", "enabled": True}]}))
    findings = check_collections(load_collections([str(path)], str(env), {"id": "7"}))
    assert of(findings, "undefined-variable") == []


def test_body_variables_that_resolve_to_nothing(pm: Any) -> None:
    body = (
        "{{greeting}} {{user}} {{id}} {{$randomFirstName}} {{$nope}} {{$body 'a'}} "
        "{{$pathSegments '1'}} {{greeting}}"
    )
    findings = check(
        pm,
        pm.item("r", "/users/{{id}}", pm.example("e", "/users/{{id}}", body=body), id="r"),
        variables={"user": "ada"},
    )
    assert of(findings, "body-variable") == [
        (
            "$.item[0].response[0].body",
            "r",
            "1",
            "the body of 'e' (200) uses {{greeting}}, which resolves to nothing: it is sent "
            "as written",
        ),
        (
            "$.item[0].response[0].body",
            "r",
            "1",
            "the body of 'e' (200) uses {{$nope}}, which is not a dynamic variable: it is sent "
            "as written",
        ),
    ]


def test_saved_requests_with_a_body_and_no_content_type(pm: Any) -> None:
    post = {"method": "POST", "req_body": '{"n": 1}'}
    item = pm.item(
        "r",
        "/a",
        pm.example("typed", "/a", **post, headers=JSON),
        pm.example("untyped", "/a", **post, code=201),
        pm.example("no body", "/a", method="POST", code=202),
        method="POST",
        id="r",
    )
    # An example without its own saved request answers the endpoint's request.
    inherited = pm.item("s", "/s", pm.example("inherits", None, original=False), method="POST")
    inherited["request"]["body"] = {"mode": "raw", "raw": "x"}
    findings = check(pm, item, inherited)
    assert of(findings, "no-content-type") == [
        (
            "$.item[0].response[1].originalRequest",
            "r",
            "2",
            "the saved request of 'untyped' (201) has a body but no Content-Type: with body "
            "matching on (x-mock-match-request-body, --match-body) it is dropped",
        ),
        (
            "$.item[1].request",
            "0/s",
            "4",
            "the saved request of 'inherits' (200) has a body but no Content-Type: with body "
            "matching on (x-mock-match-request-body, --match-body) it is dropped",
        ),
    ]


def test_saved_requests_that_differ_from_the_endpoints(pm: Any) -> None:
    url = {"raw": "/users/:id", "variable": [{"key": "id", "value": "1"}]}
    findings = check(
        pm,
        pm.item(
            "Get user",
            url,
            pm.example("other id", "/users/42"),
            pm.example("wildcard", "/users/{{who}}"),
            pm.example("case and slash", "/Users/7/"),
            pm.example("copied", "/orders/42"),
            pm.example("posted", "/users/1", method="POST"),
            pm.example("endpoint's own", None, original=False),
            id="u",
        ),
    )
    assert of(findings, "request-differs") == [
        (
            "$.item[0].response[3].originalRequest",
            "u",
            "4",
            "the saved request of 'copied' (200) is GET /orders/42, the endpoint's request is "
            "GET /users/1",
        ),
        (
            "$.item[0].response[4].originalRequest",
            "u",
            "5",
            "the saved request of 'posted' (200) is POST /users/1, the endpoint's request is "
            "GET /users/1",
        ),
    ]


def test_one_example_given_as_an_object(pm: Any) -> None:
    item = pm.item("r", "/a", id="r")
    item["response"] = pm.example("only", "/a")
    findings = check(pm, item)
    assert of(findings, "response-object") == [
        ("$.item[0].response", "r", None, "one example given as an object, not a list: used")
    ]


def test_a_clean_collection_has_no_findings(pm: Any) -> None:
    findings = check(
        pm,
        pm.item(
            "Get user",
            "/users/:id",
            pm.example("found", "/users/:id", body='{"id": "{{id}}"}', response_headers=JSON),
            pm.example("missing", "/users/0", code=404),
        ),
    )
    assert findings == []


def test_every_kind_is_tested_here() -> None:
    source = Path(__file__).read_text()
    untested = [code for code in KINDS if f'of(findings, "{code}")' not in source]
    assert untested == []
    assert {severity for severity, _ in KINDS.values()} == {ERROR, WARNING}


# -- formats -----------------------------------------------------------------------------------


@pytest.fixture
def two_findings(pm: Any) -> tuple[list[Collection], list[Finding]]:
    collections = [
        pm.load(
            pm.collection(
                pm.item(
                    "r", "/a", pm.example("e", "/a", code=None), pm.example("e2", "/a", code=404)
                ),
                pm.item("empty", "/b"),
            )
        )
    ]
    return collections, check_collections(collections)


def test_text_format(two_findings: tuple[list[Collection], list[Finding]]) -> None:
    collections, findings = two_findings
    file = collections[0].source
    assert format_text(collections, findings).splitlines() == [
        f"{file}: $.item[0].response[0]: warning: 'e' has no code: it answers 200 [no-code]",
        f"{file}: $.item[0].response[1]: warning: 'e2' (404) is only served with "
        "x-mock-response-code: 404 (or a pin): 'e' (200) wins its saved request GET /a "
        f"otherwise (tied at 100; {TIE}) [reachable-by-code-only]",
        f"{file}: $.item[1]: warning: GET /b ('empty') has no examples: a request for it is a "
        "miss (404) [no-examples]",
        f"{file}: 2 endpoints, 2 examples: 0 errors, 3 warnings",
    ]


def test_json_format(two_findings: tuple[list[Collection], list[Finding]]) -> None:
    collections, findings = two_findings
    document = json.loads(format_json(collections, findings))
    file = collections[0].source
    assert document["files"] == [
        {"file": file, "endpoints": 2, "examples": 2, "errors": 0, "warnings": 3}
    ]
    assert document["findings"][0] == {
        "severity": "warning",
        "code": "no-code",
        "message": "'e' has no code: it answers 200",
        "file": file,
        "path": "$.item[0].response[0]",
        "endpoint": "0/r",
        "example": "1",
    }
    assert [f["code"] for f in document["findings"]] == [
        "no-code",
        "reachable-by-code-only",
        "no-examples",
    ]


def test_summary_counts_each_file(pm: Any) -> None:
    a = pm.load(pm.collection(pm.item("r", "/a", pm.example("e", "/a"))))
    b = pm.load(pm.collection(pm.item("r", "/b")))
    (clean, empty) = summarize([a, b], check_collections([a, b]))
    assert clean.line() == f"{a.source}: 1 endpoint, 1 example: 0 errors, 0 warnings"
    assert empty.line() == f"{b.source}: 1 endpoint, 0 examples: 0 errors, 1 warning"


def test_findings_are_in_document_order(pm: Any) -> None:
    items = [pm.item(f"r{i}", f"/r{i}") for i in range(12)]
    findings = check(pm, *items)
    assert [f.path for f in findings] == [f"$.item[{i}]" for i in range(12)]


# -- the shared collections --------------------------------------------------------------------

SHARED_COUNTS = {
    # file stem: Counter of finding codes
    "bench": {"reachable-by-code-only": 1},
    "commercetools-api": {"no-examples": 1997, "undefined-variable": 139},
    "paypal-partner-apis": {
        "never-served": 57,
        "reachable-by-code-only": 44,
        "request-differs": 13,
        "no-content-type": 10,
        "no-code": 3,
        "body-variable": 1,
        "undefined-variable": 1,
    },
    "roxyapi-tarot": {"reachable-by-code-only": 51, "no-content-type": 48},
    "wise-api": {"no-examples": 66, "undefined-variable": 1},
}


@pytest.mark.parametrize("stem", sorted(SHARED_COUNTS))
def test_shared_collection_counts(shared: Path, stem: str) -> None:
    collections = load_collections([str(shared / f"{stem}.postman_collection.json")])
    findings = check_collections(collections)
    assert Counter(f.code for f in findings) == SHARED_COUNTS[stem]
    assert all(f.path.startswith("$") for f in findings)


def test_shared_wise_with_its_environment(shared: Path) -> None:
    collections = load_collections(
        [str(shared / "wise-api.postman_collection.json")],
        str(shared / "wise-api.postman_environment.json"),
    )
    assert Counter(f.code for f in check_collections(collections)) == {"no-examples": 66}


def test_shared_findings_looked_at(shared: Path) -> None:
    """A few real findings, read once by hand: each says something true about its file."""
    paths = {
        stem: str(shared / f"{stem}.postman_collection.json")
        for stem in ("roxyapi-tarot", "paypal-partner-apis", "bench", "wise-api")
    }
    messages = {
        (stem, f.path): f.message
        for stem, path in paths.items()
        for f in check_collections(load_collections([path]))
    }
    # tarot: every error example shares its 200's saved request; x-mock-response-code gets it.
    assert messages["roxyapi-tarot", "$.item[0].item[1].response[3]"] == (
        "'Card not found' (404) is only served with x-mock-response-code: 404 (or a pin): "
        "'Card details' (200) wins its saved request GET /api/v2/tarot/cards/fool?lang=en "
        f"otherwise (tied at 110; {TIE})"
    )
    # tarot: the requests carry Content-Type, the examples' saved requests do not.
    assert messages["roxyapi-tarot", "$.item[0].item[2].response[0].originalRequest"] == (
        "the saved request of 'Drawn cards' (200) has a body but no Content-Type: with body "
        "matching on (x-mock-match-request-body, --match-body) it is dropped"
    )
    # paypal: "Create Webhook" examples saved under the "Create Product" request's item.
    assert messages["paypal-partner-apis", "$.item[9].item[1].response[0].originalRequest"] == (
        "the saved request of '201 - Create Webhook' (201) is POST /v1/notifications/webhooks, "
        "the endpoint's request is POST /v1/catalogs/products"
    )
    assert messages["paypal-partner-apis", "$.item[1].item[0].item[0].response[1].body"] == (
        "the body of '201 -  [US] Create Account for Individual' (201) uses {{currentTime}}, "
        "which resolves to nothing: it is sent as written"
    )
    assert messages["bench", "$.item[1].response[1]"].startswith(
        "'Not found' (404) is only served with x-mock-response-code: 404 (or a pin): "
        "'One user' (200)"
    )
    assert messages["wise-api", "$.item[0].item[0].request.url"] == (
        "{{host}} is defined nowhere (collection, --env, --var): read as the host, so it adds "
        "nothing to the path, in 65 endpoints"
    )
