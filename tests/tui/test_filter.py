"""The traffic filter's words (the dashboard's `/`)."""

from __future__ import annotations

import pytest

from mocktui.tui.traffic import TrafficFilter


@pytest.mark.parametrize(
    ("text", "statuses", "words"),
    [
        ("404", {404}, ()),
        # Not ASCII digits: plain words to look for in the path, not a status (int() of "1²³"
        # used to raise in the dashboard).
        ("1²³", set(), ("1²³",)),
        ("٢٠٠", set(), ("٢٠٠",)),
    ],
)
def test_status_words_are_ascii_digits(text: str, statuses: set[int], words: tuple[str]) -> None:
    parsed = TrafficFilter.parse(text)
    assert (set(parsed.statuses), parsed.words) == (statuses, words)
