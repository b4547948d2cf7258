"""Postman fidelity over real HTTP (issue 8): each case a unit test already covers, once more
through a real server on an ephemeral port, as a client sends it."""

from __future__ import annotations

from typing import Any

from mocktui.engine.engine import MockEngine
from tests.server.live import running

TEXT = {"Content-Type": "text/plain"}
JSON = {"Content-Type": "application/json"}


async def test_match_request_body_header_reads_on_like_the_environment_variable(pm: Any) -> None:
    # MOCKTUI_MATCH_BODY=on worked while x-mock-match-request-body: on was ignored.
    engine = pm.engine(
        pm.item(
            "r",
            "/b",
            pm.example(
                "one", "/b", method="POST", id="1", req_body="one", headers=TEXT, body="one"
            ),
            pm.example(
                "two", "/b", method="POST", id="2", req_body="two", headers=TEXT, body="two"
            ),
            method="POST",
        )
    )
    async with running(engine) as server:
        on = {"x-mock-match-request-body": "on", **TEXT}
        assert (await server.client.post("/b", content=b"two", headers=on)).text == "two"
        assert (await server.client.post("/b", content=b"zzz", headers=on)).status_code == 404
        off = {"x-mock-match-request-body": "off", **TEXT}
        assert (await server.client.post("/b", content=b"zzz", headers=off)).status_code == 200


async def test_repeated_query_keys_are_pairs(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/s",
            pm.example("one tag", "/s?tag=b", id="1", body="one"),
            pm.example("two tags", "/s?tag=a&tag=b", id="2", body="two"),
        )
    )
    async with running(engine) as server:
        assert (await server.client.get("/s?tag=a&tag=b")).text == "two"
        assert (await server.client.get("/s?tag=b")).text == "one"


async def test_body_matching_needs_the_saved_content_type(pm: Any) -> None:
    engine = pm.engine(
        pm.item(
            "r",
            "/orders",
            pm.example("typed", "/orders", method="POST", req_body='{"n": 1}', headers=JSON),
            pm.example("untyped", "/orders", method="POST", req_body='{"n": 2}', code=201),
            method="POST",
        )
    )
    on = {"x-mock-match-request-body": "true"}
    async with running(engine) as server:
        typed = await server.client.post("/orders", json={"n": 1}, headers=on)
        assert typed.status_code == 200
        charset = {**on, "Content-Type": "application/json; charset=utf-8"}
        assert (await server.client.post("/orders", content=b'{"n":1}', headers=charset)).is_success
        as_text = {**on, **TEXT}
        assert (
            await server.client.post("/orders", content=b'{"n": 1}', headers=as_text)
        ).status_code == 404
        # Equal body, but the saved request has no Content-Type: Postman drops it, so do we.
        untyped = await server.client.post("/orders", json={"n": 2}, headers=on)
        assert untyped.status_code == 404
    miss = engine.bus.since(0)[0][-1]
    assert miss.miss_reason == "examples match the path but their headers or body differ"
    steps = {c.example_name: c.step for c in miss.explanation.candidates}
    assert steps["untyped"] == "7 body matching: the saved request has no Content-Type"


async def test_response_id_accepts_the_uid_postman_shows(pm: Any) -> None:
    uuid_id = "3f2b8c1e-0d5a-4c1b-9f8e-6a7b8c9d0e1f"
    engine = pm.engine(
        pm.item(
            "r",
            "/a",
            pm.example("ok", "/a", body="ok"),
            pm.example("saved", "/a", id=uuid_id, code=418, body="saved"),
        )
    )
    async with running(engine) as server:
        uid = {"x-mock-response-id": f"12345678-{uuid_id}"}
        response = await server.client.get("/a", headers=uid)
        assert (response.status_code, response.text) == (418, "saved")
        unknown = await server.client.get("/a", headers={"x-mock-response-id": "12345678-nope"})
        assert unknown.status_code == 404
        assert "x-mock-response-id: 12345678-nope" in unknown.json()["error"]["message"]


async def test_one_example_given_as_an_object_answers(pm: Any) -> None:
    item = pm.item("r", "/a")
    item["response"] = pm.example("only", "/a", code=201, body="made")
    engine = MockEngine([pm.load(pm.collection(item))])
    async with running(engine) as server:
        response = await server.client.get("/a")
        assert (response.status_code, response.text) == (201, "made")


async def test_docusign_account_id_and_workflow_wildcard_in_one_path(pm: Any) -> None:
    account = "3f2b8c1e-0d5a-4c1b-9f8e-6a7b8c9d0e1f"
    url = "{{baseUrl}}/workflows/:workflowId/trigger-requirements"
    engine = pm.engine(
        pm.item("r", url, pm.example("e", url, body="{{workflowId}}")),
        variables={
            "baseUrl": "https://api.docusign.com/v1/accounts/{{accountId}}",
            "accountId": account,
        },
    )
    mine = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    async with running(engine) as server:
        response = await server.client.get(
            f"/v1/accounts/{mine}/workflows/7f3e9a1c/trigger-requirements"
        )
        assert (response.status_code, response.text) == (200, "7f3e9a1c")
