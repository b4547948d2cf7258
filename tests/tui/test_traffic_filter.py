"""The traffic filter's words: methods, status classes and codes, hit/miss, path text. Whatever
is typed, it parses (a status is three ASCII digits; "4²²", typed on an AZERTY keyboard, is
path text)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocktui.tui.app import MockTUI
from mocktui.tui.traffic import TrafficFilter, TrafficView

from .conftest import screen_text, wait_for

MakeApp = Callable[..., MockTUI]


@pytest.mark.parametrize(
    ("text", "statuses", "classes", "words"),
    [
        ("404", {404}, set(), ()),
        ("4xx 5XX", set(), {4, 5}, ()),
        ("4²²", set(), set(), ("4²²",)),  # "²" passes str.isdigit(), int() raises
        ("²00", set(), set(), ("²00",)),
        ("\u0664\u0660\u0664", set(), set(), ("\u0664\u0660\u0664",)),  # Arabic-Indic 404
        ("+40", set(), set(), ("+40",)),
        ("4_4", set(), set(), ("4_4",)),
        ("600 099", set(), set(), ("600", "099")),
        ("4²x", set(), set(), ("4²x",)),
    ],
)
def test_statuses_are_three_ascii_digits(
    text: str, statuses: set[int], classes: set[int], words: tuple[str, ...]
) -> None:
    parsed = TrafficFilter.parse(text)
    assert (parsed.statuses, parsed.classes, parsed.words) == (statuses, classes, words)


@given(st.text() | st.text(st.sampled_from("12345xX²³٤ ")))
def test_any_text_parses(text: str) -> None:
    parsed = TrafficFilter.parse(text)
    assert parsed.active == bool(text.split())


async def test_typing_4_squared_squared_filters_by_text(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await client.get("/users")
        view = app.query_one(TrafficView)
        await wait_for(pilot, lambda: len(view.rows) == 1)
        await pilot.press("tab", "slash", *"4²²", "enter")
        assert app.is_running
        assert list(view.view) == []  # no path holds "4²²"
        assert "filter 4²²: 0 shown" in screen_text(app)
