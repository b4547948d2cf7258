"""The control store: every piece of mutable per-endpoint state, in one place.

Modes (auto, pinned, sequential, random) with their cursors, disabled endpoints and examples,
per-endpoint delays, served counts, and the scenarios. Every write goes through a method here
that validates it against the loaded endpoints and raises ``ControlError`` (a message a user
can read) when it makes no sense, then tells the listeners what changed. The store knows
nothing of keys, HTTP or files: the actions (``engine.actions``), the state file
(``engine.state``) and the front ends sit on top of it.

Modes act *after* Postman's ranking (spec section 7): the matcher picks as Postman would and
returns the endpoints the request *reached*; ``steer()`` then lets the most recently set mode
among those endpoints choose the example. Disabling is a filter on matching ("left out").

Controls are keyed by the endpoint's stable key. Each one also remembers the endpoint's method,
path and name, so that after a reload that changed a key the control re-attaches to the same
endpoint; a control that matches nothing is kept (and reported), never silently dropped.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mocktui.postman.model import Endpoint, Example
from mocktui.rules import MAX_DELAY_MS, UNSAFE, valid_delay

MODES = ("auto", "pinned", "sequential", "random")
CYCLED_MODES = ("auto", "sequential", "random")  # what `m` walks through
SOURCES = ("keys", "palette", "api", "state", "scenario", "reload", "test", "store")


class ControlError(ValueError):
    """A control write that makes no sense; ``status`` is the HTTP status it deserves."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class Change:
    """What one write changed, for listeners (dashboard rows, event stream, state file)."""

    kind: str  # mode, endpoint, example, delay, reset, scenario, restore, reload
    endpoint_key: str | None  # None: many endpoints at once
    source: str  # who wrote it: keys, palette, api, state, scenario, reload ...
    generation: int
    detail: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""  # the replica that wrote it, when another process did (shared store)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            "endpoint": self.endpoint_key,
            "source": self.source,
            "generation": self.generation,
            **self.detail,
        }
        if self.origin:
            out["replica"] = self.origin
        return out


Listener = Callable[[Change], None]


class StoreBackend(Protocol):
    """Where the controls are shared beyond this process (``mocktui.store``: Redis).

    Without one (the default) the store is the whole truth, in this process. With one, the
    store is the local copy every request reads: the backend hears every change through the
    listeners and shares it, writes the other processes' changes back with ``put_control`` and
    ``restore(..., origin=...)``, and is told of every request counted, to send in batches.
    Nothing here waits on it."""

    name: str  # where, for messages (the URL without its password)
    away: str | None  # why the shared store cannot be reached now; None when it can

    def counted(self, endpoint_key: str | None, example_id: str | None) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass(slots=True)
class EndpointControl:
    """The controls of one endpoint that differ from the defaults."""

    mode: str = "auto"
    pinned: str | None = None  # example id, with mode "pinned"
    enabled: bool = True
    disabled_examples: set[str] = field(default_factory=set)
    delay_ms: int = 0
    stamp: int = 0  # generation at which the mode was set: the most recent one wins

    @property
    def default(self) -> bool:
        return (
            self.mode == "auto"
            and self.enabled
            and not self.disabled_examples
            and self.delay_ms == 0
        )


@dataclass(frozen=True, slots=True)
class Steer:
    """A mode's choice for one request."""

    endpoint_key: str
    example_id: str
    mode: str
    note: str


def check_delay(value: object, what: str = "delay") -> int:
    """A delay in ms: a whole number from 0 to MAX_DELAY_MS (the one rule for every surface)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ControlError(
            f"{what} must be a whole number of milliseconds from 0 to {MAX_DELAY_MS}"
        )
    if not valid_delay(value):
        raise ControlError(f"{what} must be from 0 to {MAX_DELAY_MS} ms, got {value}")
    return value


class ControlStore:
    """Owns the controls, their cursors, the served counts and the scenarios."""

    def __init__(self, seed: int | None = None) -> None:
        self._controls: dict[str, EndpointControl] = {}
        self._cursors: dict[str, int] = {}  # sequential: position of the last example served
        self._catalog: dict[str, Endpoint] = {}
        self._examples: dict[tuple[str, str], Example] = {}
        self._identity: dict[str, dict[str, Any]] = {}  # key -> method, path, name (for files)
        self.orphans: list[dict[str, Any]] = []  # saved controls that match no endpoint now
        self.scenarios: dict[str, list[dict[str, Any]]] = {}
        self.steering: set[str] = set()  # endpoint keys whose mode is not auto
        self.delayed: set[str] = set()  # endpoint keys with a delay
        self.generation = 0
        self.listeners: list[Listener] = []
        self._random = random.Random(seed)
        # Counters: one place for every surface (header, rows, control API, coverage).
        self.requests = 0
        self.misses = 0
        self.hits: dict[str, int] = {}
        self.served: dict[tuple[str, str], int] = {}
        self.backend: StoreBackend | None = None  # None: in this process only (the default)

    # -- the endpoints the controls refer to ----------------------------------------------------

    def attach(self, endpoints: Sequence[Endpoint], source: str = "reload") -> list[str]:
        """The collections were (re)loaded: validate against these endpoints from now on.

        Controls whose endpoint key is gone re-attach by method, path and name (then by method
        and path when that is unique); those that match nothing become orphans. Returns a line
        for each control that re-attached or was left over.
        """
        previous, old = self._identity, self._catalog
        self._catalog = {ep.key: ep for ep in endpoints}
        self._examples = {(ep.key, ex.id): ex for ep in endpoints for ex in ep.examples}
        self._identity = {ep.key: identity(ep) for ep in endpoints}
        gone = {k: c for k, c in self._controls.items() if k not in self._catalog}
        lines: list[str] = []
        if gone or self.orphans:
            saved = [
                serialize(c, previous.get(k, {"key": k}), old.get(k)) for k, c in gone.items()
            ]
            for key in gone:
                del self._controls[key]
                self._cursors.pop(key, None)
            lines = self._adopt([*saved, *self.orphans], source)
        for key, control in list(self._controls.items()):
            # Examples that left the endpoint: forget what referred to them.
            known = {ex.id for ex in self._catalog[key].examples}
            control.disabled_examples &= known
            if control.pinned is not None and control.pinned not in known:
                control.mode, control.pinned = "auto", None
            self._settle(key, control)
        self.announce("reload", None, source, {})
        return lines

    def endpoint(self, key: str) -> Endpoint:
        endpoint = self._catalog.get(key)
        if endpoint is None:
            raise ControlError(f"no endpoint with key {key!r}", 404)
        return endpoint

    def example(self, key: str, ref: object) -> Example:
        """An example of an endpoint by ID (a string) or 1-based number (an int, or a string of
        ASCII digits that is no example's ID)."""
        endpoint = self.endpoint(key)
        if isinstance(ref, str):
            for example in endpoint.examples:
                if example.id == ref:
                    return example
            if ref.isascii() and ref.isdigit() and len(ref) < 7:
                ref = int(ref)
        count = len(endpoint.examples)
        if isinstance(ref, int) and not isinstance(ref, bool) and 1 <= ref <= count:
            return endpoint.examples[ref - 1]
        raise ControlError(
            f"endpoint {key!r} has no example {ref!r} (give an example ID or a number from 1 to "
            f"{count})"
            if count
            else f"endpoint {key!r} has no examples",
            404,
        )

    @property
    def endpoints(self) -> list[Endpoint]:
        return list(self._catalog.values())

    # -- reading --------------------------------------------------------------------------------

    def control(self, key: str) -> EndpointControl:
        """The controls of an endpoint (a fresh default object when it has none)."""
        return self._controls.get(key) or EndpointControl()

    def mode(self, key: str) -> str:
        control = self._controls.get(key)
        return control.mode if control else "auto"

    def pinned(self, key: str) -> Example | None:
        control = self._controls.get(key)
        if control is None or control.pinned is None:
            return None
        return self._examples.get((key, control.pinned))

    def endpoint_enabled(self, key: str) -> bool:
        control = self._controls.get(key)
        return control is None or control.enabled

    def example_enabled(self, key: str, example_id: str) -> bool:
        control = self._controls.get(key)
        return control is None or (control.enabled and example_id not in control.disabled_examples)

    def delay(self, key: str) -> int:
        control = self._controls.get(key)
        return control.delay_ms if control else 0

    # -- writing (every one validated, every one announced) -------------------------------------

    def set_mode(
        self, key: str, mode: str, example: object = None, source: str = "api"
    ) -> EndpointControl:
        """Set an endpoint's mode; ``pinned`` needs ``example`` (an ID or 1-based number)."""
        endpoint = self.endpoint(key)
        if mode not in MODES:
            raise ControlError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
        pinned: str | None = None
        if mode == "pinned":
            if example is None:
                raise ControlError('mode "pinned" needs an example (its ID or number)')
            pinned = self.example(key, example).id
        elif example is not None:
            raise ControlError(f'mode {mode!r} takes no example (only "pinned" does)')
        if mode != "auto" and not endpoint.examples:
            raise ControlError(f"endpoint {key!r} has no examples to answer with")
        control = self._writable(key)
        if mode in ("auto", "sequential"):
            self._cursors.pop(key, None)
        control.mode, control.pinned = mode, pinned
        self.generation += 1
        control.stamp = self.generation
        self._settle(key, control)
        self.announce("mode", key, source, {"mode": mode, "pinned": control.pinned})
        return control

    def pin(self, key: str, example: object, source: str = "api") -> EndpointControl:
        """Pin to an example (ID or number); None goes back to auto."""
        if example is None:
            return self.set_mode(key, "auto", source=source)
        return self.set_mode(key, "pinned", example, source)

    def set_endpoint_enabled(self, key: str, enabled: bool, source: str = "api") -> None:
        self.endpoint(key)
        control = self._writable(key)
        control.enabled = bool(enabled)
        self._settle(key, control)
        self.announce("endpoint", key, source, {"enabled": control.enabled})

    def set_example_enabled(
        self, key: str, example: object, enabled: bool, source: str = "api"
    ) -> Example:
        chosen = self.example(key, example)
        control = self._writable(key)
        if enabled:
            control.disabled_examples.discard(chosen.id)
        else:
            control.disabled_examples.add(chosen.id)
        self._settle(key, control)
        self.announce("example", key, source, {"example": chosen.id, "enabled": bool(enabled)})
        return chosen

    def set_delay(self, key: str, delay_ms: object, source: str = "api") -> None:
        self.endpoint(key)
        value = check_delay(delay_ms)
        control = self._writable(key)
        control.delay_ms = value
        self._settle(key, control)
        self.announce("delay", key, source, {"delay_ms": value})

    def reset(self, source: str = "api") -> None:
        """Every control back to its default (modes auto, all enabled, no delays, cursors at
        the start). Orphans are dropped too: a reset is a clean slate."""
        self._controls.clear()
        self._cursors.clear()
        self.orphans = []
        self.steering.clear()
        self.delayed.clear()
        self.announce("reset", None, source, {})

    # -- whole sets of controls: state file and scenarios ---------------------------------------

    def snapshot(self) -> list[dict[str, Any]]:
        """Every non-default control, serialized with its endpoint's identity, then orphans."""
        out = [
            serialize(control, self._identity.get(key, {"key": key}), self._catalog.get(key))
            for key, control in self._controls.items()
            if not control.default
        ]
        return [*out, *self.orphans]

    def restore(
        self, controls: Iterable[Mapping[str, Any]], source: str = "state", origin: str = ""
    ) -> list[str]:
        """Replace every control with these (serialized) ones; lines about those that did not
        attach as saved. ``origin``: the replica that made the change (a shared store)."""
        self._controls.clear()
        self._cursors.clear()
        self.steering.clear()
        self.delayed.clear()
        self.orphans = []
        lines = self._adopt(list(controls), source)
        self.announce("restore", None, source, {}, origin)
        return lines

    def overwrite(self, key: str, item: Mapping[str, Any], source: str = "api") -> list[str]:
        """Replace one endpoint's controls with serialized ones (``serialize``'s form), as
        ``restore`` does for all: a mirror of another store (``mocktui attach``) uses it."""
        self.endpoint(key)
        self._controls.pop(key, None)
        self._cursors.pop(key, None)
        self.steering.discard(key)
        self.delayed.discard(key)
        lines: list[str] = []
        self._apply_saved(key, item, lines)
        self.announce("restore", key, source, {})
        return lines
    def put_control(self, item: Mapping[str, Any] | None, ident: Mapping[str, Any]) -> str | None:
        """Set one endpoint's controls to a serialized control (None: the defaults), as another
        process wrote them (a shared store): found by key, else method, path and name, as the
        state file's are. Returns the key it landed on (None when nothing changed); the caller
        announces the change, with its origin."""
        key = self._find(ident)
        if key is None:
            match = [o for o in self.orphans if (o.get("endpoint") or {}) == dict(ident)]
            for orphan in match:
                self.orphans.remove(orphan)
            if item is not None:
                self.orphans.append(dict(item))
            return None
        control = self._controls.get(key)
        now = serialize(control, self._identity[key], self._catalog[key]) if control else None
        if _settings(now) == _settings(item):
            return None
        old = (control.mode, control.pinned, control.stamp) if control else ("auto", None, 0)
        self._controls.pop(key, None)
        self.steering.discard(key)
        self.delayed.discard(key)
        if item is not None:
            self._apply_saved(key, item, [])
        now_control = self._controls.get(key)
        if now_control is not None and (now_control.mode, now_control.pinned) == old[:2]:
            now_control.stamp = old[2]  # the mode is as it was: so is its place among modes
        else:
            self._cursors.pop(key, None)  # another mode: a sequential one starts afresh
        return key

    def save_scenario(self, name: str, source: str = "api") -> list[dict[str, Any]]:
        name = check_name(name)
        self.scenarios[name] = self.snapshot()
        self.announce("scenario", None, source, {"scenario": name, "action": "saved"})
        return self.scenarios[name]

    def apply_scenario(self, name: str, source: str = "api") -> list[str]:
        if name not in self.scenarios:
            known = ", ".join(sorted(self.scenarios)) or "none saved yet"
            raise ControlError(f"no scenario named {name!r} (scenarios: {known})", 404)
        lines = self.restore(self.scenarios[name], source="scenario")
        self.announce("scenario", None, source, {"scenario": name, "action": "applied"})
        return lines

    def delete_scenario(self, name: str, source: str = "api") -> None:
        if self.scenarios.pop(name, None) is None:
            raise ControlError(f"no scenario named {name!r}", 404)
        self.announce("scenario", None, source, {"scenario": name, "action": "deleted"})

    # -- the hot path ---------------------------------------------------------------------------

    def steer(
        self, reached: Iterable[str], eligible: Callable[[str], Sequence[Example]]
    ) -> Steer | None:
        """The mode that decides for a request that reached these endpoints, and its example.

        ``eligible(key)`` lists the endpoint's examples that could answer this request (enabled,
        of the request's method), in document order. The most recently set mode wins; a mode
        that has nothing eligible leaves the choice to the next one, then to Postman's pick.
        """
        ranked = sorted(
            (self._controls[k].stamp, k) for k in set(reached) if k in self.steering
        )
        for _stamp, key in reversed(ranked):
            control = self._controls[key]
            examples = eligible(key)
            if not examples:
                continue
            if control.mode == "pinned":
                chosen = next((ex for ex in examples if ex.id == control.pinned), None)
                if chosen is None:
                    continue
                note = f"endpoint pinned to example {chosen.name!r} ({chosen.code})"
            elif control.mode == "sequential":
                last = self._cursors.get(key, 0)
                chosen = next((ex for ex in examples if ex.position > last), examples[0])
                self._cursors[key] = chosen.position
                note = (
                    f"sequential: example {chosen.position} of {len(examples)} eligible, "
                    f"{chosen.name!r} ({chosen.code})"
                )
            else:
                chosen = self._random.choice(list(examples))
                note = f"random: example {chosen.name!r} ({chosen.code}) of {len(examples)}"
            if len(ranked) > 1:
                note += f"; the most recently set of {len(ranked)} controlled endpoints reached"
            return Steer(key, chosen.id, control.mode, note)
        return None

    def count(self, endpoint_key: str | None, example_id: str | None) -> None:
        """One request answered (by this example) or missed (no example)."""
        self.requests += 1
        if self.backend is not None:  # a shared store: sent in a batch, later
            self.backend.counted(endpoint_key, example_id)
        if endpoint_key is None or example_id is None:
            self.misses += 1
            return
        self.hits[endpoint_key] = self.hits.get(endpoint_key, 0) + 1
        pair = (endpoint_key, example_id)
        self.served[pair] = self.served.get(pair, 0) + 1

    def clear_counts(self) -> None:
        self.requests = self.misses = 0
        self.hits.clear()
        self.served.clear()

    # -- internals ------------------------------------------------------------------------------

    def _writable(self, key: str) -> EndpointControl:
        control = self._controls.get(key)
        if control is None:
            control = self._controls[key] = EndpointControl()
        return control

    def _settle(self, key: str, control: EndpointControl) -> None:
        """Keep the fast-path sets in step with one endpoint's control."""
        if control.mode == "auto":
            self.steering.discard(key)
        else:
            self.steering.add(key)
        if control.delay_ms:
            self.delayed.add(key)
        else:
            self.delayed.discard(key)
        if control.default:
            self._controls.pop(key, None)

    def _adopt(self, saved: list[Mapping[str, Any]], source: str) -> list[str]:
        """Attach serialized controls to the endpoints loaded now; the rest become orphans."""
        lines: list[str] = []
        for item in saved:
            ident = item.get("endpoint") or {}
            key = self._find(ident)
            if key is None:
                self.orphans.append(dict(item))
                lines.append(f"saved controls for {describe(ident)} match no endpoint: kept")
                continue
            if key != ident.get("key"):
                lines.append(f"saved controls for {describe(ident)} re-attached by method and path")
            self._apply_saved(key, item, lines)
        return lines

    def _find(self, ident: Mapping[str, Any]) -> str | None:
        key = ident.get("key")
        if isinstance(key, str) and key in self._catalog:
            return key
        method, path, name = ident.get("method"), ident.get("path"), ident.get("name")
        same = [k for k, i in self._identity.items() if i["method"] == method and i["path"] == path]
        named = [k for k in same if self._identity[k]["name"] == name]
        if len(named) == 1:
            return named[0]
        if len(same) == 1:
            return same[0]
        return None

    def _apply_saved(self, key: str, item: Mapping[str, Any], lines: list[str]) -> None:
        endpoint = self._catalog[key]
        control = self._writable(key)

        def find(ref: Mapping[str, Any] | None) -> Example | None:
            if not isinstance(ref, Mapping):
                return None
            for example in endpoint.examples:
                if example.id == ref.get("id"):
                    return example
            for example in endpoint.examples:
                if example.name == ref.get("name"):
                    return example
            number = ref.get("number")
            if isinstance(number, int) and 1 <= number <= len(endpoint.examples):
                return endpoint.examples[number - 1]
            return None

        mode = item.get("mode", "auto")
        if mode in MODES:
            if mode == "pinned":
                pinned = find(item.get("pinned"))
                if pinned is None:
                    lines.append(f"{endpoint.name}: the pinned example is gone: back to auto")
                    mode = "auto"
                control.pinned = pinned.id if pinned else None
            control.mode = mode
            self.generation += 1
            control.stamp = self.generation
        control.enabled = item.get("enabled", True) is not False
        for ref in item.get("disabled_examples") or ():
            example = find(ref)
            if example is not None:
                control.disabled_examples.add(example.id)
        delay = item.get("delay_ms", 0)
        if valid_delay(delay):
            control.delay_ms = delay
        self._settle(key, control)

    def announce(
        self,
        kind: str,
        key: str | None,
        source: str,
        detail: Mapping[str, Any],
        origin: str = "",
    ) -> None:
        self.generation += 1
        change = Change(kind, key, source, self.generation, detail, origin)
        for listener in list(self.listeners):
            listener(change)


def _settings(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """A serialized control without its endpoint's identity (to compare two of them)."""
    if not item:
        return {"mode": "auto"}
    return {k: v for k, v in item.items() if k != "endpoint"}


def identity(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "key": endpoint.key,
        "method": endpoint.method,
        "path": endpoint.display_path,
        "name": endpoint.name,
    }


def _example_ref(example: Example | None, example_id: str) -> dict[str, Any]:
    if example is None:
        return {"id": example_id}
    return {"id": example.id, "name": example.name, "number": example.position}


def serialize(
    control: EndpointControl, ident: Mapping[str, Any], endpoint: Endpoint | None
) -> dict[str, Any]:
    """One endpoint's controls as plain data (state file, scenarios), with its identity."""
    examples = {ex.id: ex for ex in endpoint.examples} if endpoint else {}
    out: dict[str, Any] = {
        "endpoint": dict(ident),
        "mode": control.mode,
    }
    if control.pinned is not None:
        out["pinned"] = _example_ref(examples.get(control.pinned), control.pinned)
    if not control.enabled:
        out["enabled"] = False
    if control.disabled_examples:
        out["disabled_examples"] = [
            _example_ref(examples.get(i), i) for i in sorted(control.disabled_examples)
        ]
    if control.delay_ms:
        out["delay_ms"] = control.delay_ms
    return out


def describe(ident: Mapping[str, Any]) -> str:
    method, path, name = ident.get("method"), ident.get("path"), ident.get("name")
    if method and path:
        return f"{method} {path}" + (f" ({name})" if name else "")
    return repr(ident.get("key"))


NAME_LIMIT = 200


def check_name(name: object) -> str:
    """A scenario name: non-empty text without control characters, at most 200 characters."""
    if not isinstance(name, str) or not name.strip():
        raise ControlError("a scenario needs a name (non-empty text)")
    name = name.strip()
    if len(name) > NAME_LIMIT:
        raise ControlError(f"a scenario name has at most {NAME_LIMIT} characters")
    if UNSAFE.search(name) or "/" in name:  # controls, bidi, lone surrogates (rules.UNSAFE)
        raise ControlError("a scenario name cannot hold control characters or '/'")
    return name
