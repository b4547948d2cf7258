"""The state file (``--state FILE``): controls and scenarios that outlive the process.

Read once at start, written after every change, atomically: the new content goes to a temporary
file in the same folder, is flushed and fsync'ed, then renamed over the old one (and the folder
fsync'ed), so a kill at any moment leaves either the old file or the new one, never half of
one. A file that is not a mocktui state file (broken JSON, another program's file) is refused
with the usual one-line error and never overwritten.

    {"mocktui": "state", "version": 1,
     "controls": [{"endpoint": {"key", "method", "path", "name"}, "mode": "pinned",
                   "pinned": {"id", "name", "number"}, "enabled": false,
                   "disabled_examples": [{"id", "name", "number"}], "delay_ms": 250}, ...],
     "scenarios": {"checkout fails": [<controls as above>], ...}}
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from mocktui.engine.store import ControlStore
from mocktui.files import write_atomically

__all__ = ["State", "StateError", "StateFile", "read_state", "write_atomically"]

MARK = "state"
VERSION = 1
MAX_STATE_BYTES = 16 * 1024 * 1024


class StateError(ValueError):
    """A state file mocktui cannot use: ``FILE: where: problem`` in one line."""


@dataclass(slots=True)
class State:
    controls: list[dict[str, Any]] = field(default_factory=list)
    scenarios: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def read_state(path: str | os.PathLike[str]) -> State:
    """The state in ``path``; an empty one when the file does not exist yet."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_STATE_BYTES + 1)
    except FileNotFoundError:
        return State()
    except IsADirectoryError:
        raise StateError(f"{name}: is a folder, not a state file") from None
    except OSError as exc:
        raise StateError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_STATE_BYTES:
        raise StateError(f"{name}: larger than {MAX_STATE_BYTES} bytes: not a mocktui state file")
    if not raw.strip():
        raise StateError(f"{name}: empty: not a mocktui state file (delete it to start afresh)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StateError(f"{name}: byte {exc.start}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise StateError(
            f"{name}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise StateError(f"{name}: nested too deeply: not a mocktui state file") from None
    if not isinstance(data, dict) or data.get("mocktui") != MARK:
        raise StateError(
            f'{name}: $.mocktui: not a mocktui state file (expected "mocktui": "state"); '
            "it is left untouched"
        )
    if data.get("version") != VERSION:
        raise StateError(f"{name}: $.version: expected {VERSION}, got {data.get('version')!r}")
    controls = data.get("controls", [])
    scenarios = data.get("scenarios", {})
    if not isinstance(controls, list) or not all(_is_control(c) for c in controls):
        raise StateError(f"{name}: $.controls: expected a list of controls")
    if not isinstance(scenarios, dict):
        raise StateError(f"{name}: $.scenarios: expected an object of named scenarios")
    for scenario, items in scenarios.items():
        if not isinstance(items, list) or not all(_is_control(c) for c in items):
            raise StateError(f"{name}: $.scenarios[{scenario!r}]: expected a list of controls")
    return State(controls, scenarios)


def _is_control(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("endpoint"), dict)


def state_of(store: ControlStore) -> State:
    return State(store.snapshot(), dict(store.scenarios))


def render(state: State) -> bytes:
    document = {
        "mocktui": MARK,
        "version": VERSION,
        "controls": state.controls,
        "scenarios": state.scenarios,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class StateFile:
    """Keeps ``path`` in step with a store: ``load()`` once, then every change is saved."""

    def __init__(self, path: str | os.PathLike[str], store: ControlStore) -> None:
        self.path = str(path)
        self.store = store
        self.error: str | None = None  # the last save that failed, in words
        self._last: bytes | None = None

    def load(self) -> list[str]:
        """Restore controls and scenarios (StateError for a file mocktui cannot use); lines
        about controls that match no endpoint. Then start saving on every change."""
        state = read_state(self.path)
        self.store.scenarios = dict(state.scenarios)
        lines = self.store.restore(state.controls, source="state")
        self._last = render(state_of(self.store))
        self.store.listeners.append(self._changed)
        return lines

    def _changed(self, _change: object) -> None:
        self.save()

    def save(self) -> bool:
        data = render(state_of(self.store))
        if data == self._last:
            return True
        try:
            write_atomically(self.path, data)
        except OSError as exc:
            self.error = f"{self.path}: cannot save the state: {exc.strerror or exc}"
            return False
        self._last = data
        self.error = None
        return True

    def close(self) -> None:
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._changed)
        self.save()
