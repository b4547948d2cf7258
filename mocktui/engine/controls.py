"""mocktui's own controls on top of Postman matching: pins, disabled endpoints and examples,
per-endpoint delays.

Kept in one place, keyed by the stable endpoint key and example id, so a reload of the collection
keeps them and the dashboard and the control API share them. Changes take effect for the very
next request: the matcher reads these dicts on every request, nothing is cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Listener = Callable[[str], None]


@dataclass(slots=True)
class Controls:
    pins: dict[str, str] = field(default_factory=dict)  # endpoint key -> example id
    disabled_endpoints: set[str] = field(default_factory=set)
    # (endpoint key, example id): collections served together may share example ids.
    disabled_examples: set[tuple[str, str]] = field(default_factory=set)
    delays: dict[str, int] = field(default_factory=dict)  # endpoint key -> milliseconds
    listeners: list[Listener] = field(default_factory=list)

    def _changed(self, endpoint_key: str) -> None:
        for listener in list(self.listeners):
            listener(endpoint_key)

    def pin(self, endpoint_key: str, example_id: str | None) -> None:
        """Pin an endpoint to one example; None returns it to automatic matching."""
        if example_id is None:
            self.pins.pop(endpoint_key, None)
        else:
            self.pins[endpoint_key] = example_id
        self._changed(endpoint_key)

    def set_endpoint_enabled(self, endpoint_key: str, enabled: bool) -> None:
        if enabled:
            self.disabled_endpoints.discard(endpoint_key)
        else:
            self.disabled_endpoints.add(endpoint_key)
        self._changed(endpoint_key)

    def set_example_enabled(self, endpoint_key: str, example_id: str, enabled: bool) -> None:
        if enabled:
            self.disabled_examples.discard((endpoint_key, example_id))
        else:
            self.disabled_examples.add((endpoint_key, example_id))
        self._changed(endpoint_key)

    def set_delay(self, endpoint_key: str, delay_ms: int) -> None:
        if delay_ms < 0:
            raise ValueError("a delay cannot be negative")
        if delay_ms:
            self.delays[endpoint_key] = delay_ms
        else:
            self.delays.pop(endpoint_key, None)
        self._changed(endpoint_key)

    def endpoint_enabled(self, endpoint_key: str) -> bool:
        return endpoint_key not in self.disabled_endpoints

    def example_enabled(self, endpoint_key: str, example_id: str) -> bool:
        return (
            endpoint_key not in self.disabled_endpoints
            and (endpoint_key, example_id) not in self.disabled_examples
        )
