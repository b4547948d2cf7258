"""The module-level ASGI app: settings from environment variables, parsed like the CLI's."""

from __future__ import annotations

import httpx
import pytest

from mocktui.server.asgi import ConfigError, app_from_env


def test_environment_sets_the_engine() -> None:
    app = app_from_env(
        {
            "MOCKTUI_API_KEY": "k",
            "MOCKTUI_DELAY": "250",
            "MOCKTUI_MATCH_HEADERS": "all",
            "MOCKTUI_MATCH_BODY": "yes",
            "MOCKTUI_NO_CORS": "1",
            "MOCKTUI_SEED": "4",
            "MOCKTUI_VARS": "a=1; b=two",
        }
    )
    settings = app.engine.settings
    assert (settings.api_key, settings.delay_ms, settings.seed) == ("k", 250, 4)
    assert settings.match_headers == ("*",)  # "all" means the same as --match-headers all
    assert settings.match_body is True
    assert settings.cors is False
    assert len(app.engine.endpoints) == 8  # no MOCKTUI_COLLECTIONS: the demo


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("MOCKTUI_MATCH_BODY", "on", True),
        ("MOCKTUI_MATCH_BODY", "Off", False),
        ("MOCKTUI_MATCH_HEADERS", "false", ()),  # the words of x-mock-match-request-headers
        ("MOCKTUI_MATCH_HEADERS", "*", ("*",)),
        ("MOCKTUI_MATCH_HEADERS", "X-A, x-b", ("x-a", "x-b")),
    ],
)
def test_values_read_by_the_same_rules_as_everywhere(
    name: str, value: str, expected: object
) -> None:
    settings = app_from_env({name: value}).engine.settings
    attribute = "match_body" if name == "MOCKTUI_MATCH_BODY" else "match_headers"
    assert getattr(settings, attribute) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MOCKTUI_DELAY", "-500", "MOCKTUI_DELAY='-500': must be from 0 to 180000 ms, got -500"),
        (
            "MOCKTUI_DELAY",
            "soon",
            "MOCKTUI_DELAY='soon': expected milliseconds (1500, 1500ms) or seconds (1.5s), "
            "got 'soon'",
        ),
        (
            "MOCKTUI_NO_CORS",
            "maybe",
            "MOCKTUI_NO_CORS='maybe': expected true or false, got 'maybe'",
        ),
        ("MOCKTUI_VARS", "novalue", "MOCKTUI_VARS='novalue': expected NAME=VALUE, got 'novalue'"),
        ("MOCKTUI_SEED", "x", "MOCKTUI_SEED='x': expected a whole number"),
        ("MOCKTUI_SEED", "٣", "MOCKTUI_SEED='٣': expected a whole number"),
        (
            "MOCKTUI_MATCH_HEADERS",
            "Bad Key",
            "MOCKTUI_MATCH_HEADERS='Bad Key': 'bad key' is not a valid HTTP header name",
        ),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        app_from_env({name: value})
    assert str(caught.value) == message


async def test_the_app_answers_through_any_asgi_transport() -> None:
    app = app_from_env({"MOCKTUI_SEED": "1"})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        response = await client.get("/users/ada")
    assert response.status_code == 200
    assert response.json()["id"] == "ada"
