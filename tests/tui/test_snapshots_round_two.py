"""Snapshots of the round-two dashboard (issue 10) at 120x36 and 80x24: the endpoints with
their names, the examples view, a flash line, a pending row and the paused mark.

Deterministic as test_snapshots: seeded sample engine, fixed times, a fixed URL; the pending
row is a request put in flight with a fixed arrival time (the server does this for a delayed
request), and the new rows after the pause are sample requests with fixed times.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from mocktui.engine.events import InFlight
from mocktui.tui.app import MockTUI
from mocktui.tui.sample import START, TZ, URL, record_sample_traffic, sample_engine

SnapCompare = Callable[..., bool]
SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


def sample_app(pending: bool = False) -> MockTUI:
    engine = sample_engine()
    record_sample_traffic(engine)
    if pending:  # GET /reports/daily waiting out its 3 s example delay
        bus = engine.bus
        bus.started(
            InFlight(
                bus.new_token(),
                START + 20,
                "GET",
                "/reports/daily",
                "",
                3000,
                "Daily report",
                "Slow report (3 s)",
            )
        )
    return MockTUI(engine, url=URL, tz=TZ)


@pytest.mark.parametrize("size", SIZES)
def test_endpoints_with_names_and_the_tree(
    snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    # At 80 columns the tree is hidden by default: "t" shows it (every state column stays).
    press = ["t", "escape"] if size[0] < 100 else []
    app = sample_app()

    async def focus_table(pilot: Pilot[object]) -> None:
        await pilot.press(*press)
        app.query_one("#endpoints").focus()
        await pilot.pause()

    assert snap_compare(app, run_before=focus_table, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_examples_view(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(sample_app(), press=["enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_flash_line_after_a_pin(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(sample_app(), press=["down", "2"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_pending_row(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(sample_app(pending=True), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_paused_mark(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = sample_app()

    async def pause_then_more(pilot: Pilot[object]) -> None:
        await pilot.press("tab", "up", "up")  # following paused
        record_sample_traffic(app.backend.engine, start=START + 30)  # type: ignore[attr-defined]
        await pilot.pause(0.3)  # drained on the next poll

    assert snap_compare(app, run_before=pause_then_more, terminal_size=size)
