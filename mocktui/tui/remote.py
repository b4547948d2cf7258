"""The dashboard on a mocktui running elsewhere (``mocktui attach URL``): a ``Backend`` over the
control API and its event stream.

How it holds together:

- **A mirror.** ``connect()`` reads the remote's collections as model data
  (``GET /__mocktui/collections``, ``postman.codec``) and builds a ``MockEngine`` of them in this
  process that never serves: its store mirrors the remote's controls and counts
  (``GET /__mocktui/snapshot``), its bus holds the remote's request events. So everything the
  widgets read (``endpoint()``, ``view()``, ``counts()``, the problems, the skipped report) is
  ``LocalBackend``'s own code on the mirror, and looks exactly as locally.
- **The stream.** A task follows ``GET /__mocktui/events``: ``request`` events go into the
  mirror's bus (renumbered locally, so a restart of the remote, which starts its ids again,
  keeps the traffic list in order) and its counters; ``control`` events into the mirror's store,
  so a change made by another dashboard or by curl shows here at once. A lost connection shows in
  the header (``disconnected · retrying``) and is retried with backoff; each new session first
  takes a snapshot of the controls, then catches up through ``/traffic?since=`` (no duplicates,
  no gaps: ids are followed, and what the remote's ring dropped meanwhile is counted as dropped).
- **The actions.** ``RemoteActions`` is the ``Actions`` vocabulary run on the mirror (the same
  validation, the same messages and ``ControlError``s, at once, without waiting on the network),
  then sent to the control routes in order by a sender task. The mirror shows the change at
  once; the remote's answer settles it (its ``generation`` orders it against the stream's
  changes). A refusal by the remote is logged as a warning (a toast, and the server log) and the
  controls are read again.

Network I/O runs in tasks on the app's event loop (``httpx.AsyncClient``): nothing blocks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from mocktui.engine.actions import Actions
from mocktui.engine.engine import EngineSettings, MockEngine
from mocktui.engine.events import RequestEvent
from mocktui.engine.store import ControlError
from mocktui.formats.har import har_filename, write_har
from mocktui.postman.codec import FORMAT, collection_from_dict
from mocktui.tui.backend import EventFeed, LocalBackend

log = logging.getLogger("mocktui.remote")

PREFIX = "/__mocktui/"
DISCONNECTED = "disconnected · retrying"
RETRY_FIRST = 0.25  # seconds before the first retry of a lost connection
RETRY_MAX = 5.0  # seconds between retries at most (doubling from RETRY_FIRST)
STREAM_READ_TIMEOUT = 40.0  # seconds of silence on the stream (it sends a comment every 15)
CATCH_UP_PAGE = 200  # events per /traffic call when catching up
YIELD_EVERY = 64  # stream events handled between two yields to the event loop
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
ENDPOINT_KINDS = ("mode", "endpoint", "example", "delay")


class AttachError(Exception):
    """Attaching cannot start: one line for the user (no traceback)."""


class _Lost(Exception):
    """The session ended (the stream closed, was refused, or the remote changed)."""


def base_url(url: str) -> str:
    """``http://host:port`` from what the user typed (``host:port``, a trailing ``/``, or the
    control API's own ``/__mocktui/``); ``AttachError`` for anything else."""
    text = url.strip()
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AttachError(f"{url!r} is not an http:// or https:// URL of a mocktui")
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise AttachError(f"{url!r} has a bad port") from None
    path = parts.path.rstrip("/")
    if path.endswith(PREFIX.rstrip("/")):
        path = path[: -len(PREFIX.rstrip("/"))]
    if parts.query or parts.fragment:
        raise AttachError(f"{url!r}: give the mocktui's address without a query")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _reason(exc: BaseException) -> str:
    """A short reason for a failed request (httpx's messages can be empty)."""
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        while cause is not None:  # the OSError underneath says what happened
            if isinstance(cause, OSError) and (cause.errno or cause.strerror):
                return (os.strerror(cause.errno) if cause.errno else cause.strerror).lower()
            cause = cause.__cause__ or cause.__context__
        text = str(exc)
        if not text or "all connection attempts failed" in text.lower():
            return "connection refused (nothing listens there?)"
        return text
    if isinstance(exc, httpx.TimeoutException):
        return "no answer (timed out)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed"
    return str(exc) or type(exc).__name__


def _error_message(response: httpx.Response) -> str:
    """The control API's JSON error message, else the status line."""
    try:
        data = response.json()
        message = data["error"]["message"]
        if isinstance(message, str) and message:
            return message
    except (ValueError, KeyError, TypeError):
        pass
    return f"{response.status_code} {response.reason_phrase}".strip()


def _saved(view: Mapping[str, Any]) -> dict[str, Any]:
    """An endpoint view (the control API's) as the store's serialized controls."""
    item: dict[str, Any] = {"endpoint": {"key": view["key"]}, "mode": view.get("mode", "auto")}
    if view.get("pinned") is not None:
        item["pinned"] = {"id": view["pinned"]}
    item["enabled"] = view.get("enabled", True) is not False
    item["disabled_examples"] = [
        {"id": ex["id"]} for ex in view.get("examples", ()) if ex.get("enabled") is False
    ]
    item["delay_ms"] = view.get("delay_ms", 0)
    return item


@dataclasses.dataclass
class _Outgoing:
    key: str | None  # the endpoint it changes; None: many at once (reset, scenarios)
    path: str
    body: dict[str, Any] | None
    what: str  # for a refusal's message


class _Feed:
    """The mirror's bus, with what the remote's ring dropped before this dashboard read it."""

    def __init__(self, backend: RemoteBackend) -> None:
        self.backend = backend
        self.sub = backend.engine.bus.subscribe(from_start=True)
        self.base = backend.lost

    @property
    def dropped(self) -> int:
        return self.sub.dropped + self.backend.lost - self.base

    def drain(self, limit: int | None = None) -> list[RequestEvent]:
        return self.sub.drain(limit)

    def close(self) -> None:
        self.sub.close()


class RemoteActions(Actions):
    """``Actions`` on the mirror, then sent to the remote's control routes (in order)."""

    def __init__(self, backend: RemoteBackend) -> None:
        super().__init__(backend.engine)
        self.backend = backend

    def _path(self, key: str, tail: str) -> str:
        return f"endpoints/{quote(key, safe='')}/{tail}"

    def pin(self, key: str, example: object, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().pin(key, example, source)
        chosen = self.store.pinned(key)
        body = {"example": chosen.id if chosen is not None else None}
        self.backend.send(_Outgoing(key, self._path(key, "pin"), body, "pin"))
        return message

    def set_mode(self, key: str, mode: str, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().set_mode(key, mode, source)
        self.backend.send(_Outgoing(key, self._path(key, "mode"), {"mode": mode}, "mode"))
        return message

    def set_endpoint_enabled(self, key: str, enabled: bool, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().set_endpoint_enabled(key, enabled, source)
        verb = "enable" if enabled else "disable"
        self.backend.send(_Outgoing(key, self._path(key, verb), None, verb))
        return message

    def set_example_enabled(
        self, key: str, example: object, enabled: bool, source: str = "api"
    ) -> str:
        self.backend.require_connection()
        message = super().set_example_enabled(key, example, enabled, source)
        chosen = self.store.example(key, example)
        # By ID, as the remote resolves IDs first; an ID with a '/' cannot be one path
        # segment, so by number then.
        ref = chosen.id if chosen.id and "/" not in chosen.id else str(chosen.position)
        verb = "enable" if enabled else "disable"
        tail = f"examples/{quote(ref, safe='')}/{verb}"
        self.backend.send(_Outgoing(key, self._path(key, tail), None, f"example {verb}"))
        return message

    def set_delay(self, key: str, delay_ms: object, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().set_delay(key, delay_ms, source)
        body = {"ms": self.store.delay(key)}
        self.backend.send(_Outgoing(key, self._path(key, "delay"), body, "delay"))
        return message

    def save_scenario(self, name: object, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().save_scenario(name, source)
        body = {"name": str(name).strip()}
        self.backend.send(_Outgoing(None, "scenarios", body, "save scenario"))
        return message

    def apply_scenario(self, name: str, source: str = "api") -> tuple[str, list[str]]:
        self.backend.require_connection()
        if name not in self.store.scenarios:
            self.store.apply_scenario(name, source)  # raises the store's own ControlError
        path = f"scenarios/{quote(name, safe='')}/apply"
        self.backend.send(_Outgoing(None, path, None, "apply scenario"))
        # The remote applies it; the stream brings the controls back (and the lines about
        # controls that did not attach come as warnings).
        return f"scenario {name!r} applied", []

    def reset(self, source: str = "api") -> str:
        self.backend.require_connection()
        message = super().reset(source)
        self.backend.send(_Outgoing(None, "reset", None, "reset"))
        return message

    def clear_traffic(self, source: str = "api") -> str:
        raise ControlError("the traffic is kept by the remote mocktui: it is not cleared from here")


class RemoteBackend(LocalBackend):
    """The ``Backend`` of a mocktui running elsewhere; make it with ``await connect(...)``."""

    remote = True

    def __init__(
        self,
        url: str,
        client: httpx.AsyncClient,
        engine: MockEngine,
        snapshot: Mapping[str, Any],
        version: str,
    ) -> None:
        super().__init__(engine, url)
        self.url = url
        self.client = client
        self.private = bool(snapshot.get("private"))
        self.actions = RemoteActions(self)
        self.instance = str(snapshot.get("instance", ""))
        self.collections_version = version
        self.lost = 0  # events the remote's ring dropped before they reached us
        self.connected = True
        self.restarts = 0  # times the remote was seen to restart
        self._cursor = 0  # the remote id of the next event wanted
        self._counted_from = 0  # remote events from this id on are not in the counts yet
        self._floor = 0  # remote generation of the last snapshot (or reset) applied
        self._applied: dict[str, int] = {}  # endpoint key -> remote generation applied
        self._pending: dict[str, int] = {}  # endpoint key -> changes sent, not yet answered
        self._held: dict[str, list[dict[str, Any]]] = {}  # stream changes waiting on those
        self._answers: dict[str, dict[str, Any]] = {}  # the latest answer to those, by key
        self._controls_lost = 0  # control changes the stream said it dropped (this session)
        self._outbox: asyncio.Queue[_Outgoing] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._sending = False
        self.sessions = 0  # stream sessions that went live (1 + reconnections)

    # -- starting and stopping ------------------------------------------------------------------

    @classmethod
    async def connect(cls, url: str, api_key: str | None = None) -> RemoteBackend:
        """Reach the remote, read its collections and controls, and start following it.
        ``AttachError`` (one line) when it cannot be reached, is no mocktui, or refuses."""
        root = base_url(url)
        headers = {"x-api-key": api_key} if api_key is not None else {}
        client = httpx.AsyncClient(base_url=root + PREFIX, headers=headers, timeout=TIMEOUT)
        try:
            await cls._first(client, root, "health", api_key)  # there, a mocktui, the key
            loaded = await cls._first(client, root, "collections", api_key)
            collections, version = cls._decode_collections(loaded, root)
            engine = MockEngine(collections, EngineSettings())
            snapshot = await cls._first(client, root, "snapshot", api_key)
            backend = cls(root, client, engine, snapshot, version)
            backend._apply_snapshot(snapshot)
        except BaseException:
            await client.aclose()
            raise
        backend.start()
        return backend

    @staticmethod
    async def _first(
        client: httpx.AsyncClient, root: str, route: str, api_key: str | None
    ) -> dict[str, Any]:
        """One GET at start, every failure said in one line."""
        try:
            response = await client.get(route, timeout=httpx.Timeout(60.0, connect=5.0))
        except httpx.HTTPError as exc:
            raise AttachError(f"cannot reach {root}: {_reason(exc)}") from None
        if response.status_code == 401:
            if api_key is None:
                raise AttachError(f"{root} is a private mocktui: give its key with --api-key")
            raise AttachError(f"{root} refused the api key (401): check --api-key")
        if response.status_code == 404 and route == "health":
            raise AttachError(f"{root} does not look like a mocktui (no {PREFIX}health)")
        if not response.is_success:
            raise AttachError(
                f"{root}{PREFIX}{route} answered {response.status_code}: "
                f"{_error_message(response)}"
                + (" (a mocktui too old to attach to?)" if response.status_code == 404 else "")
            )
        try:
            data = response.json()
        except ValueError:
            raise AttachError(f"{root}{PREFIX}{route} did not answer JSON: no mocktui?") from None
        if not isinstance(data, dict):
            raise AttachError(f"{root}{PREFIX}{route} answered something else than mocktui's")
        return data

    @staticmethod
    def _decode_collections(data: Mapping[str, Any], root: str) -> tuple[list[Any], str]:
        if data.get("format") != FORMAT:
            raise AttachError(
                f"{root} sends its collections in format {data.get('format')!r}; this mocktui "
                f"reads format {FORMAT}: use the same mocktui version on both sides"
            )
        try:
            collections = [
                collection_from_dict(c, f"collections[{i}]")
                for i, c in enumerate(data.get("collections") or [])
            ]
        except ValueError as exc:
            raise AttachError(f"{root}: unreadable collections: {exc}") from None
        return collections, str(data.get("version", ""))

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._follow(), name="mocktui attach: event stream"),
            asyncio.create_task(self._send_loop(), name="mocktui attach: control sender"),
        ]

    async def close(self) -> None:
        self._closing = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.client.aclose()

    # -- the Backend protocol (the rest is LocalBackend's, on the mirror) -----------------------

    def connection(self) -> str | None:
        return None if self.connected else DISCONNECTED

    def save_refused(self) -> str | None:
        """Saving writes the collection file, which is the remote's: not from here."""
        return (
            f"the collection file is on {self.url}'s side: save examples in the dashboard that "
            "runs the mock (or run it with --record)"
        )

    @property
    def idle(self) -> bool:
        """Every change sent was answered (and settled in the mirror)."""
        return not self._pending and self._outbox.empty() and not self._sending

    def subscribe(self) -> EventFeed:
        return _Feed(self)

    async def export_har(self, folder: str | Path) -> Path:  # type: ignore[override]
        """The remote's traffic as HAR (``GET /__mocktui/har``), written here in ``folder``."""
        try:
            response = await self.client.get("har", timeout=httpx.Timeout(60.0, connect=5.0))
        except httpx.HTTPError as exc:
            raise OSError(f"cannot fetch the HAR from {self.url}: {_reason(exc)}") from None
        if not response.is_success:
            raise OSError(f"{self.url}{PREFIX}har answered {_error_message(response)}")
        try:
            document = response.json()
        except ValueError:
            raise OSError(f"{self.url}{PREFIX}har did not answer JSON") from None
        path = Path(folder) / har_filename(datetime.now())
        return await asyncio.to_thread(write_har, path, document)

    # -- sending changes ------------------------------------------------------------------------

    def require_connection(self) -> None:
        if not self.connected:
            raise ControlError(f"not connected to {self.url} (retrying): nothing was changed")

    def send(self, item: _Outgoing) -> None:
        if item.key is not None:
            self._pending[item.key] = self._pending.get(item.key, 0) + 1
        self._outbox.put_nowait(item)

    async def _send_loop(self) -> None:
        while True:
            self._sending = False
            item = await self._outbox.get()
            self._sending = True
            answer: dict[str, Any] | None = None
            try:
                response = await self.client.post(item.path, json=item.body)
                if response.is_success:
                    with contextlib.suppress(ValueError):
                        answer = response.json()
                else:
                    message = _error_message(response)
                    log.warning("%s refused the %s: %s", self.url, item.what, message)
            except httpx.HTTPError as exc:
                log.warning("%s: the %s was not sent: %s", self.url, item.what, _reason(exc))
            try:
                await self._settle(item, answer)
            except (httpx.HTTPError, _Lost, ValueError, KeyError, TypeError) as exc:
                log.info("%s: could not re-read after the %s: %s", self.url, item.what, exc)

    async def _settle(self, item: _Outgoing, answer: dict[str, Any] | None) -> None:
        """One change answered (``answer`` None: refused or not sent)."""
        key = item.key
        if key is None:
            if answer is None:  # the optimistic mirror is wrong now: read it all again
                await self._resync()
                return
            for line in answer.get("unattached") or ():
                log.warning("%s: %s", self.url, line)
            return
        self._pending[key] = self._pending.get(key, 1) - 1
        if answer is not None and isinstance(answer.get("generation"), int):
            best = self._answers.get(key)
            if best is None or answer["generation"] > best["generation"]:
                self._answers[key] = answer
        if self._pending[key] > 0:
            return
        del self._pending[key]
        view = self._answers.pop(key, None)
        held = self._held.pop(key, [])
        if view is not None:
            self._apply_view(view)
        for change in held:
            self._apply_change(change)
        if answer is None:  # refused or not sent: what the mirror shows is not so there
            await self._resync()

    # -- the mirror -----------------------------------------------------------------------------

    def _apply_snapshot(self, snapshot: Mapping[str, Any]) -> None:
        generation = int(snapshot["generation"])
        if generation < self._floor and snapshot.get("instance") == self.instance:
            return  # older than what is shown already
        store = self.engine.store
        views = snapshot["endpoints"]
        known = [v for v in views if v["key"] in self.engine.endpoint_by_key]
        store.restore([_saved(v) for v in known], source="api")
        store.requests = int(snapshot["requests"])
        store.misses = int(snapshot["misses"])
        store.hits = {v["key"]: int(v.get("hits", 0)) for v in known if v.get("hits")}
        store.served = {
            (v["key"], ex["id"]): int(ex["served"])
            for v in known
            for ex in v.get("examples", ())
            if ex.get("served")
        }
        mine = store.scenarios
        store.scenarios = {name: mine.get(name, []) for name in snapshot.get("scenarios", ())}
        self._floor = generation
        self._applied.clear()
        self._counted_from = int(snapshot.get("next_event", 0))
        # Changes sent and not answered yet show as sent until their answer settles them.

    def _apply_view(self, view: Mapping[str, Any]) -> None:
        key = view.get("key")
        generation = view.get("generation")
        if not isinstance(key, str) or key not in self.engine.endpoint_by_key:
            return
        if not isinstance(generation, int):
            return
        if generation <= max(self._floor, self._applied.get(key, 0)):
            return
        self.engine.store.overwrite(key, _saved(view), source="api")
        self._applied[key] = generation

    def _apply_change(self, change: Mapping[str, Any]) -> None:
        """One control change of the remote (the event stream's ``control``)."""
        key, kind = change.get("endpoint"), change.get("kind")
        generation = change.get("generation")
        if not isinstance(key, str) or not isinstance(generation, int):
            return
        if key not in self.engine.endpoint_by_key:
            return
        if self._pending.get(key):
            self._held.setdefault(key, []).append(dict(change))
            return
        if generation <= max(self._floor, self._applied.get(key, 0)):
            return
        store = self.engine.store
        try:
            if kind == "mode":
                if change.get("mode") == "pinned":
                    store.pin(key, change.get("pinned"), "api")
                else:
                    store.set_mode(key, str(change.get("mode")), source="api")
            elif kind == "endpoint":
                store.set_endpoint_enabled(key, change.get("enabled") is not False, "api")
            elif kind == "example":
                store.set_example_enabled(
                    key, change.get("example"), change.get("enabled") is not False, "api"
                )
            elif kind == "delay":
                store.set_delay(key, change.get("delay_ms", 0), "api")
            else:
                return
        except ControlError as exc:  # the mirror's collections lag behind: the next resync
            log.info("%s: a change did not apply here (%s): re-reading", self.url, exc.message)
            self._resync_wanted = True
            return
        self._applied[key] = generation

    _resync_wanted = False

    async def _on_control(self, change: Mapping[str, Any]) -> None:
        kind, key = change.get("kind"), change.get("endpoint")
        generation = change.get("generation")
        if not isinstance(generation, int):
            return
        if key is not None:
            if kind in ENDPOINT_KINDS:
                self._apply_change(change)
            return
        if kind == "reset":
            if generation > self._floor:
                self.engine.store.reset("api")
                self._floor = generation
                self._applied.clear()
        elif kind == "scenario":
            name, action = change.get("scenario"), change.get("action")
            scenarios = self.engine.store.scenarios
            if isinstance(name, str) and action == "saved":
                scenarios.setdefault(name, [])
            elif isinstance(name, str) and action == "deleted":
                scenarios.pop(name, None)
        elif kind == "restore":
            if generation > self._floor:
                await self._resync()
        elif kind == "reload":
            await self._resync(reload=True)
        if self._resync_wanted:
            self._resync_wanted = False
            await self._resync()

    async def _get(self, route: str, **params: object) -> dict[str, Any]:
        response = await self.client.get(route, params=params or None)
        if response.status_code == 401:
            raise _Lost(f"{self.url} refused the api key (401)")
        if not response.is_success:
            raise _Lost(f"{self.url}{PREFIX}{route} answered {_error_message(response)}")
        data = response.json()
        if not isinstance(data, dict):
            raise _Lost(f"{self.url}{PREFIX}{route} did not answer an object")
        return data

    async def _resync(self, reload: bool = False) -> None:
        """Read the remote's controls and counts again (and its collections when they changed
        or ``reload``)."""
        snapshot = await self._get("snapshot")
        restarted = snapshot.get("instance") != self.instance
        if reload or restarted or snapshot.get("collections_version") != self.collections_version:
            loaded = await self._get("collections")
            try:  # decoded and indexed in a thread (large collections take a while)
                collections, version = await asyncio.to_thread(
                    self._decode_collections, loaded, self.url
                )
            except AttachError as exc:
                raise _Lost(str(exc)) from None
            prepared = await asyncio.to_thread(self.engine.prepare, collections)
            self.engine.install(prepared)  # the panels catch up on their next poll
            self.collections_version = version
            if reload or not restarted:
                log.info("%s: collections reloaded there", self.url)
            snapshot = await self._get("snapshot")  # controls re-attached to the new ones
        if restarted:
            self.instance = str(snapshot.get("instance"))
            self._cursor = 0  # its event ids start again
            self._floor = 0
            self.restarts += 1
            log.warning("%s restarted: controls and counts are the new process's", self.url)
        self._apply_snapshot(snapshot)

    # -- the event stream -----------------------------------------------------------------------

    def _take(self, data: Mapping[str, Any]) -> None:
        """One request event of the remote, in id order."""
        remote_id = int(data["id"])
        if remote_id < self._cursor:
            return  # had it already (the catch-up and the stream overlap)
        self._cursor = remote_id + 1
        event = RequestEvent.from_dict(data)
        bus = self.engine.bus  # ids of its own: a restart there starts the remote's again
        bus.publish(dataclasses.replace(event, id=bus.new_id()))
        if remote_id >= self._counted_from:
            example = event.example_id
            self.engine.store.count(event.endpoint_key if example else None, example)

    async def _catch_up(self, first: bool = False) -> None:
        """Every event from the cursor on that the remote still keeps; what it no longer keeps
        is counted as dropped (except, at the first attach, what it dropped before)."""
        while True:
            page = await self._get("traffic", since=self._cursor, limit=CATCH_UP_PAGE)
            events = page.get("events") or []
            lost = int(page.get("dropped") or 0)
            if lost and not first:
                self.lost += lost
                log.warning(
                    "%s: %s requests were dropped by its ring buffer before this dashboard "
                    "read them",
                    self.url,
                    f"{lost:,}",
                )
            first = False
            for data in events:
                self._take(data)
            self._cursor = max(self._cursor, int(page.get("next") or 0))
            if len(events) < CATCH_UP_PAGE:
                return
            await asyncio.sleep(0)

    async def _follow(self) -> None:
        """Follow the event stream for good: reconnect with backoff whenever it is lost."""
        delay = RETRY_FIRST
        while not self._closing:
            reason = "the stream ended"
            try:
                async with self.client.stream(
                    "GET", "events", timeout=httpx.Timeout(10.0, read=STREAM_READ_TIMEOUT)
                ) as response:
                    if response.status_code == 401:
                        raise _Lost(f"{self.url} refused the api key (401)")
                    if response.status_code != 200:
                        raise _Lost(f"{PREFIX}events answered {response.status_code}")
                    lines = response.aiter_lines()
                    await anext(lines)  # the opening comment: the stream's cursor is set
                    fresh = self.sessions == 0
                    await self._resync()
                    await self._catch_up(first=fresh and self._cursor == 0)
                    self._controls_lost = 0
                    self.sessions += 1
                    if not self.connected:
                        log.warning("%s: connected again", self.url)
                    self.connected = True
                    delay = RETRY_FIRST
                    await self._read(lines)
            except asyncio.CancelledError:
                raise
            except (httpx.HTTPError, OSError, _Lost, StopAsyncIteration) as exc:
                reason = str(exc) if isinstance(exc, _Lost) else _reason(exc)
            except (ValueError, KeyError, TypeError) as exc:  # an answer not as expected
                reason = f"unexpected answer: {exc}"
            if self._closing:
                return
            if self.connected:
                log.warning("%s: connection lost (%s): retrying", self.url, reason)
            self.connected = False
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _read(self, lines: AsyncIterator[str]) -> None:
        """Server-Sent Events, one message at a time, until the stream ends."""
        kind, data = "message", []
        handled = 0
        async for line in lines:
            if line:
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "event":
                    kind = value
                elif name == "data":
                    data.append(value)
                continue
            if data:
                await self._dispatch(kind, json.loads("\n".join(data)))
                handled += 1
                if handled % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
            kind, data = "message", []

    async def _dispatch(self, kind: str, data: Any) -> None:
        if not isinstance(data, dict):
            return
        if kind == "request":
            if int(data["id"]) > self._cursor:  # a gap: read what the ring still has of it
                await self._catch_up()
            self._take(data)
        elif kind == "control":
            await self._on_control(data)
        elif kind == "dropped":
            controls = int(data.get("controls") or 0)
            if controls > self._controls_lost:  # control changes missed: read them all again
                self._controls_lost = controls
                await self._resync()


# -- running it: mocktui attach -----------------------------------------------------------------


async def _attach(url: str, api_key: str | None) -> int:
    import signal

    from mocktui.tui.app import MockTUI, _watch_terminal
    from mocktui.tui.logs import DashboardLog, capture_logging

    backend = await connect(url, api_key)  # AttachError before anything is drawn
    handler = DashboardLog()
    app = MockTUI(backend, url=backend.url, log_handler=handler)
    loop = asyncio.get_running_loop()
    signals = {signal.SIGTERM: app.hang_up, signal.SIGHUP: app.terminal_gone}
    for sig, handle in signals.items():
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, handle)
    watchdog = asyncio.create_task(_watch_terminal(app), name="terminal watchdog")
    try:
        with capture_logging(handler):
            await app.run_async()
    finally:
        watchdog.cancel()
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
        await backend.close()
    return app.return_code or 0


async def connect(url: str, api_key: str | None = None) -> RemoteBackend:
    return await RemoteBackend.connect(url, api_key)


def run_attach(url: str, api_key: str | None = None) -> int:
    """``mocktui attach URL``: the dashboard on a mocktui running elsewhere, until the user
    quits (which stops nothing there). ``AttachError`` when it cannot start."""
    return asyncio.run(_attach(url, api_key))
