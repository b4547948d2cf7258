"""Postman fidelity over real HTTP (issue 8): each case a unit test already covers, once more
through a real server on an ephemeral port, as a client sends it."""

from __future__ import annotations

from typing import Any

from tests.server.live import running


async def test_match_request_body_header_reads_on_like_the_environment_variable(pm: Any) -> None:
    # MOCKTUI_MATCH_BODY=on worked while x-mock-match-request-body: on was ignored.
    engine = pm.engine(
        pm.item(
            "r",
            "/b",
            pm.example("one", "/b", method="POST", id="1", req_body="one", code=200),
            pm.example("two", "/b", method="POST", id="2", req_body="two", code=201),
            method="POST",
        )
    )
    async with running(engine) as server:
        on = {"x-mock-match-request-body": "on"}
        assert (await server.client.post("/b", content=b"zzz", headers=on)).status_code == 404
        off = {"x-mock-match-request-body": "off"}
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
