"""The steps of answering a request, numbered once: explanations and the README share them.

Every candidate of an explanation names the step that kept or dropped it (``5 path: exact``,
``3 method: POST, not GET``); the README's "How a request is answered" lists the same steps
with the same numbers and titles (``tests/engine/test_steps.py`` compares them).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    name: str  # the word explanations use after the number
    title: str  # the README's bold title of the step

    @property
    def label(self) -> str:
        """``5 path``: how an explanation names this step."""
        return f"{self.number} {self.name}"


STEPS: tuple[Step, ...] = (
    Step(1, "private", "Private mode"),
    Step(2, "cors", "CORS preflights"),
    Step(3, "method", "Candidates"),
    Step(4, "x-mock", "`x-mock-response-code: N`"),
    Step(5, "path", "Path score"),
    Step(6, "query", "Query"),
    Step(7, "match", "Headers and body"),
    Step(8, "pick", "Pick"),
    Step(9, "mocktui", "mocktui's controls"),
)
_BY_NAME = {step.name: step for step in STEPS}


def step(name: str) -> Step:
    """The step of this name (``step("path").number == 5``)."""
    return _BY_NAME[name]


def number(name: str) -> int:
    return _BY_NAME[name].number


PRIVATE = number("private")
CORS = number("cors")
METHOD = number("method")
XMOCK = number("x-mock")
PATH = number("path")
QUERY = number("query")
MATCH = number("match")
PICK = number("pick")
CONTROLS = number("mocktui")
