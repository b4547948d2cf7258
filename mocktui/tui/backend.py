"""The dashboard's one seam to the mock: a small ``Backend`` protocol.

Widgets read endpoints, their controls and counts, pull request events, and call actions only
through it. ``LocalBackend`` wraps the engine running in this process; a remote implementation
over the control API (``GET /__mocktui/endpoints``, ``/traffic``, ``/events``, the POST routes)
fits the same protocol: every value here is the plain data those routes return (the endpoint
view is ``engine.views.endpoint_view``, events decode with ``RequestEvent.from_dict``; the
problems are ``mocktui check``'s findings, ``Finding(**item)`` of its ``--format json``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from mocktui.check import Finding, check_collections
from mocktui.engine.actions import Actions
from mocktui.engine.engine import MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.engine.exports import export_har
from mocktui.engine.store import Change
from mocktui.engine.views import endpoint_view
from mocktui.postman.model import Collection, Endpoint

ChangeListener = Callable[[Change], None]


class EventFeed(Protocol):
    """A reader's cursor into the request events."""

    dropped: int

    def drain(self, limit: int | None = None) -> list[RequestEvent]: ...
    def close(self) -> None: ...


class Backend(Protocol):
    """What the dashboard needs of a running mock, local or remote."""

    private: bool
    actions: Actions

    @property
    def collections(self) -> Sequence[Collection]: ...
    @property
    def endpoints(self) -> Sequence[Endpoint]: ...
    def endpoint(self, key: str) -> Endpoint | None: ...
    def view(self, key: str) -> dict[str, Any]: ...
    def counts(self) -> tuple[int, int, int, int]: ...
    def scenarios(self) -> list[str]: ...
    def skipped_report(self) -> list[str]: ...
    def subscribe(self) -> EventFeed: ...
    def listen(self, listener: ChangeListener) -> None: ...
    def unlisten(self, listener: ChangeListener) -> None: ...
    def export_har(self, folder: str | Path) -> Path: ...
    def problems(self) -> list[Finding]: ...


class LocalBackend:
    """The engine of this process, behind the ``Backend`` protocol."""

    def __init__(self, engine: MockEngine, url: str | None = None) -> None:
        self.engine = engine
        self.url = url
        self.private = engine.settings.api_key is not None
        self.actions = Actions(engine)

    @classmethod
    def of(cls, source: MockEngine | Backend) -> Backend:
        return cls(source) if isinstance(source, MockEngine) else source

    @property
    def collections(self) -> Sequence[Collection]:
        return self.engine.collections

    @property
    def endpoints(self) -> Sequence[Endpoint]:
        return self.engine.endpoints

    def endpoint(self, key: str) -> Endpoint | None:
        return self.engine.endpoint_by_key.get(key)

    def view(self, key: str) -> dict[str, Any]:
        return endpoint_view(self.engine, self.engine.endpoint_by_key[key])

    def counts(self) -> tuple[int, int, int, int]:
        """(endpoints, examples, requests, misses)."""
        store = self.engine.store
        return len(self.engine.endpoints), self.engine.example_count, store.requests, store.misses

    def scenarios(self) -> list[str]:
        return list(self.engine.store.scenarios)

    def skipped_report(self) -> list[str]:
        return self.engine.skipped_report()

    def subscribe(self) -> EventFeed:
        return self.engine.traffic.subscribe(from_start=True)

    def listen(self, listener: ChangeListener) -> None:
        self.engine.store.listeners.append(listener)

    def unlisten(self, listener: ChangeListener) -> None:
        if listener in self.engine.store.listeners:
            self.engine.store.listeners.remove(listener)

    def export_har(self, folder: str | Path) -> Path:
        return export_har(self.engine, folder, self.url)

    def store_status(self) -> str | None:
        """Why the shared store (``--store``) cannot be reached now; None when it can (or when
        there is none)."""
        backend = self.engine.store.backend
        return backend.away if backend is not None else None

    def problems(self) -> list[Finding]:
        """What ``mocktui check`` finds in the collections served now (it runs the matcher for
        every example: call it off the event loop for large collections)."""
        return check_collections(self.engine.collections)
