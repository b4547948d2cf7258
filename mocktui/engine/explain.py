"""Why a request got the answer it got: every candidate, its score and the step that decided."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from mocktui.engine.steps import CONTROLS


@dataclass(frozen=True, slots=True)
class Candidate:
    """One example as the matcher saw it for one request."""

    example_id: str
    example_name: str
    endpoint_key: str
    code: int
    method: str
    path: str  # the example's path as a client calls it ({name} for wildcards)
    kept: bool  # still in the running after every step
    step: str  # the step that admitted (kept) or dropped it, e.g. "5 path: exact" (engine.steps)
    score: float | None = None  # None when dropped before scoring
    detail: str = ""  # extra words: query counts, header that differed ...


class Explanation:
    """The matcher's account of one request.

    Nothing of it is built on the hot path that a request's answer does not need: the
    candidates may be given as a function, called the first time someone reads them (the
    dashboard's detail view, the event stream, HAR); ``more`` lists, only when asked, the
    candidates that are cheap to leave out altogether (examples of a large collection that no
    path step could match). Both are called at most once.
    """

    __slots__ = ("_build", "_candidates", "_more", "decided_by", "notes")

    def __init__(
        self,
        decided_by: str,
        candidates: tuple[Candidate, ...] | Callable[[], Iterable[Candidate]] = (),
        notes: tuple[str, ...] = (),
        more: Callable[[], Iterable[Candidate]] | None = None,
    ) -> None:
        self.decided_by = decided_by  # "score", "x-mock-response-id", "pin", "miss", ...
        self.notes = notes
        if callable(candidates):
            self._build: Callable[[], Iterable[Candidate]] | None = candidates
            self._candidates: tuple[Candidate, ...] = ()
        else:
            self._build = None
            self._candidates = candidates
        self._more = more

    def _primary(self) -> tuple[Candidate, ...]:
        """The candidates without the ``more`` part."""
        if self._build is not None:
            build, self._build = self._build, None
            self._candidates = tuple(build())
        return self._candidates

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        primary = self._primary()
        if self._more is not None:
            more, self._more = self._more, None
            self._candidates = (*primary, *more())
        return self._candidates

    def __repr__(self) -> str:
        return f"Explanation({self.decided_by!r}, {len(self.candidates)} candidates)"

    def steered(self, decided_by: str, chosen: Candidate, note: str, instead: str) -> Explanation:
        """This explanation with a mocktui control's choice on top: ``chosen`` is kept (with
        its score when the matcher scored it), Postman's pick is shown with ``instead``."""
        label = f"{CONTROLS} pin" if decided_by == "pin" else f"{CONTROLS} mocktui: {decided_by}"

        def build() -> tuple[Candidate, ...]:
            first = replace(chosen, kept=True, step=label)
            rest: list[Candidate] = []
            for c in self._primary():
                if (c.endpoint_key, c.example_id) == (chosen.endpoint_key, chosen.example_id):
                    first = replace(c, kept=True, step=label)
                elif c.kept:
                    rest.append(replace(c, kept=False, step=f"{c.step}; {instead}"))
                else:
                    rest.append(c)
            return (first, *rest)

        return Explanation(decided_by, build, (*self.notes, note), self._more)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the event codec): the lazy part is listed now."""
        return {
            "decided_by": self.decided_by,
            "notes": list(self.notes),
            "candidates": [asdict(c) for c in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        names = {f.name for f in fields(Candidate)}
        return cls(
            str(data.get("decided_by", "")),
            tuple(
                Candidate(**{k: v for k, v in c.items() if k in names})
                for c in data.get("candidates", ())
            ),
            tuple(str(n) for n in data.get("notes", ())),
        )

    def lines(self) -> list[str]:
        """Plain-text rendering (headless logs, tests); the dashboard draws its own table."""
        out = [f"decided by: {self.decided_by}", *self.notes]
        for c in self.candidates:
            score = "-" if c.score is None else f"{c.score:g}"
            mark = "kept" if c.kept else "dropped"
            extra = f" ({c.detail})" if c.detail else ""
            out.append(
                f"{mark:7} {score:>6}  {c.method} {c.path} -> {c.code} {c.example_name!r}"
                f" [{c.step}]{extra}"
            )
        return out
