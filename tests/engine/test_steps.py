"""One numbering of the steps: the engine's table (engine.steps), explanations, the README."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mocktui.engine.steps import STEPS, step
from tests.engine.support import send

README = Path(__file__).parents[2] / "README.md"


def readme_steps() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## How a request is answered", 1)[1].split("\n## ", 1)[0]
    section = section.split("No example matches", 1)[0]
    return [(int(n), title) for n, title in re.findall(r"^(\d+)\. \*\*(.+?)\*\*", section, re.M)]


def test_the_readme_lists_the_engines_steps_with_their_numbers() -> None:
    assert readme_steps() == [(s.number, s.title) for s in STEPS]


def test_the_readme_says_the_detail_view_uses_these_numbers() -> None:
    assert "the detail view names each step by these numbers" in README.read_text("utf-8")


def test_explanations_number_the_steps_as_the_readme_does(pm: Any) -> None:
    # Before: "2 method" and "4 path" here, while the README's method step is 3 and path 5.
    engine = pm.engine(
        pm.item("get", "/users", pm.example("ok", "/users")),
        pm.item("post", "/users", pm.example("created", "/users", method="POST"), method="POST"),
    )
    hit = send(engine, "/users")
    assert hit.explanation is not None
    assert hit.explanation.candidates[0].step == "5 path: exact"
    miss = send(engine, "/users", method="DELETE")
    assert miss.explanation is not None
    steps = {c.example_name: c.step for c in miss.explanation.candidates}
    assert steps["ok"] == "3 method: GET, not DELETE"
    assert step("path").label == "5 path" and step("method").label == "3 method"
