"""The dashboard's one seam to the mock: a small ``Backend`` protocol.

Widgets read endpoints, their controls and counts, pull request events, and call actions only
through it. ``LocalBackend`` wraps the engine running in this process; ``tui.remote``'s
``RemoteBackend`` (``mocktui attach``) is the same protocol over the control API
(``/__mocktui/collections``, ``/snapshot``, ``/traffic``, ``/events``, the POST routes): every
value here is the plain data those routes return (the endpoint view is
``engine.views.endpoint_view``, events decode with ``RequestEvent.from_dict``; the problems are
``mocktui check``'s findings, ``Finding(**item)`` of its ``--format json``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from mocktui.check import Finding, check_collections
from mocktui.engine.actions import Actions
from mocktui.engine.engine import MockEngine
from mocktui.engine.events import InFlight, RequestEvent
from mocktui.engine.exports import export_har
from mocktui.engine.store import Change
from mocktui.engine.views import endpoint_view
from mocktui.postman.model import Collection, Endpoint
from mocktui.postman.writer import Exchange, example_from
from mocktui.rules import absolute_target
from mocktui.server.proxy import origin_of
from mocktui.server.record import Recorder, RecordError

ChangeListener = Callable[[Change], None]


class EventFeed(Protocol):
    """A reader's cursor into the request events."""

    dropped: int

    def drain(self, limit: int | None = None) -> list[RequestEvent]: ...
    def close(self) -> None: ...


class Backend(Protocol):
    """What the dashboard needs of a running mock, local or remote."""

    private: bool
    remote: bool  # a mocktui running elsewhere (``mocktui attach``): quitting stops nothing
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
    def export_har(self, folder: str | Path) -> Path | Awaitable[Path]: ...
    def problems(self) -> list[Finding]: ...
    def connection(self) -> str | None: ...  # None: connected; else what the header says
    # Optional (read with getattr, so a backend may leave them out): ``delay_ms`` (--delay)
    # and ``in_flight()`` (the requests waiting out a delay, for pending rows).
    def save_refused(self) -> str | None: ...
    def draft_example(self, event: RequestEvent) -> dict[str, Any]: ...
    async def save_example(
        self, event: RequestEvent, example: dict[str, Any] | None = None
    ) -> str: ...


class LocalBackend:
    """The engine of this process, behind the ``Backend`` protocol."""

    remote = False

    def __init__(
        self, engine: MockEngine, url: str | None = None, recorder: Recorder | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.recorder = recorder  # saves examples into the collection files (``s``)
        self.private = engine.settings.api_key is not None
        self.delay_ms = engine.settings.delay_ms  # --delay, shown in the header
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

    def in_flight(self) -> list[InFlight]:
        """The requests waiting out a delay now, oldest first."""
        return list(self.engine.bus.in_flight.values())

    def connection(self) -> str | None:
        return None  # the engine is in this process: always there
    def store_status(self) -> str | None:
        """Why the shared store (``--store``) cannot be reached now; None when it can (or when
        there is none)."""
        backend = self.engine.store.backend
        return backend.away if backend is not None else None

    def problems(self) -> list[Finding]:
        """What ``mocktui check`` finds in the collections served now (it runs the matcher for
        every example: call it off the event loop for large collections)."""
        return check_collections(self.engine.collections)

    # -- saving examples (``s`` in the traffic) ------------------------------------------------

    def _exchange(self, event: RequestEvent) -> Exchange:
        """The event as an exchange to save: a proxied one with its answer, any other with a
        new answer (200, an empty JSON body) for the user to edit."""
        path = event.raw_path or event.path
        absolute = absolute_target(path)
        if absolute is not None:
            path = absolute[1]
        answered = event.proxied is not None and event.upstream_status is not None
        if answered:
            body = event.response_body
            return Exchange(
                method=event.method,
                raw_path=path,
                query=event.query,
                request_headers=event.request_headers,
                request_body=event.request_body.data,
                status=event.status,
                response_headers=event.response_headers,
                response_body=None if body.truncated else body.data,
                response_size=body.size,
                origin=origin_of(event.proxied or ""),
            )
        return Exchange(
            method=event.method,
            raw_path=path,
            query=event.query,
            request_headers=event.request_headers,
            request_body=event.request_body.data,
            status=200,
            response_headers=(("Content-Type", "application/json"),),
            response_body=b"{}",
            response_size=2,
            origin=f"{event.scheme}://{event.host or 'localhost'}",
        )

    def save_refused(self) -> str | None:
        """Why no example can be saved here at all (before anything is edited); None if it can."""
        if self.recorder is None:
            return (
                "no collection file to save into: the demo is served (give a COLLECTION, "
                "or --record-to FILE)"
            )
        return None

    def draft_example(self, event: RequestEvent) -> dict[str, Any]:
        """The example ``s`` would save for this event (to edit before saving a miss's)."""
        all_headers = self.recorder.all_headers if self.recorder is not None else False
        return example_from(self._exchange(event), all_headers)

    async def save_example(
        self, event: RequestEvent, example: dict[str, Any] | None = None
    ) -> str:
        """Save the event as an example (``example``: this one instead); its name once written
        and loaded. SaveError when it cannot be saved, with why."""
        refused = self.save_refused()
        if refused:
            raise SaveError(refused)
        if event.matched:
            raise SaveError(f"answered by the example {event.example_name!r} already")
        try:
            name = self.recorder.save(self._exchange(event), example or self.draft_example(event))
        except RecordError as exc:
            raise SaveError(str(exc)) from None
        await self.recorder.flush()
        return name


class SaveError(Exception):
    """An example the dashboard cannot save; the message says why."""
