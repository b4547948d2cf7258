"""The vocabulary of actions: every change a user can make, in one place.

Keys, the command palette and the control API are one-liners over ``Actions``: they cannot
disagree on what "pin example 2" or "cycle the mode" means, or on what is valid (the store
validates every write and raises ``ControlError``). Each action returns a short sentence for a
notification or a log line. ``ACTIONS`` names and describes them for the palette and the help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mocktui.engine.store import CYCLED_MODES, ControlError, ControlStore

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine

__all__ = ["ACTIONS", "ActionInfo", "Actions", "ControlError"]


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str
    title: str
    help: str


ACTIONS: dict[str, ActionInfo] = {
    a.name: a
    for a in (
        ActionInfo("pin", "Pin example", "Always answer with this example (mode pinned)"),
        ActionInfo("auto", "Auto", "Answer by Postman's matching (mode auto)"),
        ActionInfo("cycle", "Cycle pin", "auto → example 1 → example 2 → … → auto"),
        ActionInfo("set_mode", "Set mode", "auto, pinned, sequential or random"),
        ActionInfo("cycle_mode", "Cycle mode", "auto → sequential → random → auto"),
        ActionInfo(
            "toggle_endpoint", "Disable/enable endpoint", "A disabled endpoint is left out (404)"
        ),
        ActionInfo("toggle_example", "Disable/enable example", "Leave one example out"),
        ActionInfo("set_delay", "Delay", "Wait before answering (ms, 0 to 180000)"),
        ActionInfo("save_scenario", "Save scenario", "Save every control under a name"),
        ActionInfo("apply_scenario", "Apply scenario", "Replace every control with a saved set"),
        ActionInfo("reset", "Reset controls", "Every endpoint back to auto, enabled, no delay"),
        ActionInfo("clear_traffic", "Clear traffic", "Forget the requests kept so far"),
    )
}


class Actions:
    """Every control change, validated by the store, for every front end."""

    def __init__(self, engine: MockEngine) -> None:
        self.engine = engine

    @property
    def store(self) -> ControlStore:
        return self.engine.store

    def _name(self, key: str) -> str:
        return self.store.endpoint(key).name

    # -- modes ----------------------------------------------------------------------------------

    def pin(self, key: str, example: object, source: str = "api") -> str:
        """Pin to an example (ID or 1-based number); None: back to auto."""
        self.store.pin(key, example, source)
        chosen = self.store.pinned(key)
        if chosen is None:
            return f"{self._name(key)}: auto"
        return f"{self._name(key)}: pinned to #{chosen.position} {chosen.name} ({chosen.code})"

    def auto(self, key: str, source: str = "api") -> str:
        return self.pin(key, None, source)

    def cycle(self, key: str, source: str = "api") -> str:
        """auto → example 1 → example 2 → … → auto (any other mode starts at example 1)."""
        endpoint = self.store.endpoint(key)
        if not endpoint.examples:
            raise ControlError(f"endpoint {key!r} has no examples to answer with")
        pinned = self.store.pinned(key)
        if pinned is None or self.store.mode(key) != "pinned":
            target: int | None = 1
        else:
            target = pinned.position + 1 if pinned.position < len(endpoint.examples) else None
        return self.pin(key, target, source)

    def set_mode(self, key: str, mode: str, source: str = "api") -> str:
        if mode == "pinned":
            raise ControlError('to pin, give the example: POST .../pin {"example": N}')
        self.store.set_mode(key, mode, source=source)
        return f"{self._name(key)}: {mode}"

    def cycle_mode(self, key: str, source: str = "api") -> str:
        """auto → sequential → random → auto; a pinned endpoint goes to sequential."""
        current = self.store.mode(key)
        following = {"auto": 1, "sequential": 2, "random": 0, "pinned": 1}
        return self.set_mode(key, CYCLED_MODES[following[current]], source)

    # -- enabling -------------------------------------------------------------------------------

    def set_endpoint_enabled(self, key: str, enabled: bool, source: str = "api") -> str:
        self.store.set_endpoint_enabled(key, enabled, source)
        return f"{self._name(key)}: {'enabled' if enabled else 'disabled'}"

    def toggle_endpoint(self, key: str, source: str = "api") -> str:
        return self.set_endpoint_enabled(key, not self.store.endpoint_enabled(key), source)

    def set_example_enabled(
        self, key: str, example: object, enabled: bool, source: str = "api"
    ) -> str:
        chosen = self.store.set_example_enabled(key, example, enabled, source)
        state = "enabled" if enabled else "disabled"
        return f"{self._name(key)}: example #{chosen.position} {chosen.name} {state}"

    def toggle_example(self, key: str, example: object, source: str = "api") -> str:
        chosen = self.store.example(key, example)
        enabled = chosen.id in self.store.control(key).disabled_examples
        return self.set_example_enabled(key, chosen.id, enabled, source)

    # -- delays ---------------------------------------------------------------------------------

    def set_delay(self, key: str, delay_ms: object, source: str = "api") -> str:
        self.store.set_delay(key, delay_ms, source)
        delay = self.store.delay(key)
        return f"{self._name(key)}: {f'{delay:,} ms delay' if delay else 'no delay'}"

    # -- all controls at once -------------------------------------------------------------------

    def save_scenario(self, name: object, source: str = "api") -> str:
        saved = self.store.save_scenario(name, source)  # type: ignore[arg-type]
        names = [n for n, s in self.store.scenarios.items() if s is saved]
        return f"scenario {names[0]!r} saved ({len(saved)} controlled endpoints)"

    def apply_scenario(self, name: str, source: str = "api") -> tuple[str, list[str]]:
        """(message, lines about controls that did not attach)."""
        lines = self.store.apply_scenario(name, source)
        return f"scenario {name!r} applied", lines

    def reset(self, source: str = "api") -> str:
        self.store.reset(source)
        return "every control is back to its default"

    def clear_traffic(self, source: str = "api") -> str:
        self.engine.bus.clear()
        if self.engine.traffic is not self.engine.bus:  # every replica's (a shared store)
            self.engine.traffic.clear()
        self.store.announce("clear", None, source, {})
        return "traffic cleared"
