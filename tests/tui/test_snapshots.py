"""Snapshots of every screen a user reaches: main (120x36 and 80x24), a miss's details, help.

Deterministic: the sample traffic has fixed times and durations, the engine is seeded, times
are shown in UTC and the header shows a fixed URL (no live port). Update the baselines with
``pytest tests/tui --snapshot-update`` and look at the SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Callable

from mocktui.tui.app import MockTUI
from mocktui.tui.sample import TZ, URL, record_sample_traffic, sample_engine

SnapCompare = Callable[..., bool]
TO_THE_MISS = ["tab", *["up"] * 7, "enter"]  # from the newest row up to GET /orders/42


def sample_app() -> MockTUI:
    engine = sample_engine()
    record_sample_traffic(engine)
    return MockTUI(engine, url=URL, tz=TZ)


def test_main_120x36(snap_compare: SnapCompare) -> None:
    assert snap_compare(sample_app(), terminal_size=(120, 36))


def test_main_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(sample_app(), terminal_size=(80, 24))


def test_detail_of_a_miss(snap_compare: SnapCompare) -> None:
    assert snap_compare(sample_app(), press=TO_THE_MISS, terminal_size=(80, 24))


def test_help(snap_compare: SnapCompare) -> None:
    assert snap_compare(sample_app(), press=["question_mark"], terminal_size=(80, 24))
