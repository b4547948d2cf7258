"""The control API: every dashboard control over HTTP, for scripts and CI (README, Control API).

Routes live under /__mocktui/. Each one is a one-liner over the engine's ``Actions`` (the same
vocabulary the keys and the palette use) or a read of the engine's views, so a pin set by curl
shows in the dashboard and the other way round. Every bad call gets a 4xx with a JSON error
naming what was wrong; nothing a control client sends reaches the engine unvalidated.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from quart import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from mocktui import __version__
from mocktui.engine.actions import Actions, ControlError
from mocktui.engine.coverage import coverage
from mocktui.engine.engine import MockEngine
from mocktui.engine.store import Change
from mocktui.engine.views import endpoint_view, health_view
from mocktui.formats.har import har_document
from mocktui.postman.codec import FORMAT, collection_to_dict
from mocktui.rules import whole_number

TRAFFIC_LIMIT = 1_000  # events one /traffic call returns at most
SSE_BATCH = 256  # events written per wake-up of an event stream
SSE_HEARTBEAT = 15.0  # seconds between keep-alive comments on an idle stream
CONTROL_BACKLOG = 1_000  # control changes an event stream keeps for a slow reader


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw.strip(), signed=False)
    if value is None:
        raise ControlError(f"?{name}= must be a whole number from {low} to {high}, got {raw!r}")
    if not low <= value <= high:
        raise ControlError(f"?{name}= must be from {low} to {high}, got {value}")
    return value


def control_blueprint(engine: MockEngine, closing: asyncio.Event | None = None) -> Blueprint:
    bp = Blueprint("mocktui_control", __name__)
    actions = Actions(engine)
    closing = closing or asyncio.Event()
    # For dashboards attached from elsewhere (``mocktui attach``): which process this is (a
    # restart starts the event ids again), and how many times its collections were loaded.
    instance = uuid.uuid4().hex
    loads = 0

    def count_loads(change: Change) -> None:
        nonlocal loads
        if change.kind == "reload":
            loads += 1

    engine.store.listeners.append(count_loads)

    def view(key: str) -> Any:
        return jsonify(endpoint_view(engine, engine.store.endpoint(key)))

    def changed(key: str) -> Any:
        """A write's answer: the endpoint, and the store's ``generation`` right after the write
        (a remote dashboard orders it against the event stream's control changes by it)."""
        shown = endpoint_view(engine, engine.store.endpoint(key))
        return jsonify({**shown, "generation": engine.store.generation})

    async def body() -> dict[str, Any]:
        raw = await request.get_data()
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise ControlError("the body is not JSON") from None
        if not isinstance(data, dict):
            raise ControlError("the body must be a JSON object")
        return data

    @bp.errorhandler(ControlError)
    async def refused(exc: ControlError) -> Any:
        return jsonify({"error": {"name": "controlError", "message": exc.message}}), exc.status

    # App-wide, not only the blueprint's: a path under /__mocktui/ that matches no route (404)
    # or a route called with the wrong method (405) fails in routing, before any blueprint is
    # chosen, so a blueprint handler never sees it (Quart answered with an HTML page). Only the
    # control API reaches Quart (mock traffic never does), so app-wide is the control API.
    @bp.app_errorhandler(HTTPException)
    async def http_error(exc: HTTPException) -> Any:
        message = exc.description or exc.name
        if exc.code == 404:
            message = f"no control route {request.method} {request.path} (see README)"
        elif exc.code == 405:
            message = f"{request.path} does not take {request.method}"
        return jsonify({"error": {"name": "controlError", "message": message}}), exc.code

    # -- reading ----------------------------------------------------------------------------

    @bp.get("/health")
    async def health() -> Any:
        return jsonify(health_view(engine))

    @bp.get("/snapshot")
    async def snapshot() -> Any:
        """Everything a remote dashboard mirrors, read at one instant: the controls and counts
        of every endpoint, the counters, the scenarios, and ``next_event``, the id the next
        request event will get (the counts include every event before it)."""
        store = engine.store
        return jsonify(
            {
                **health_view(engine),
                "private": engine.settings.api_key is not None,
                "instance": instance,
                "collections_version": f"{instance}.{loads}",
                "next_event": engine.bus.next_id,
                "endpoints": [endpoint_view(engine, ep) for ep in engine.endpoints],
                "scenarios": sorted(store.scenarios),
            }
        )

    @bp.get("/collections")
    async def collections() -> Any:
        """The loaded collections as model data (``mocktui.postman.codec``), for a dashboard
        attached from elsewhere. Encoded in a thread: large collections take a while, and the
        model is immutable."""
        loaded, version = engine.collections, f"{instance}.{loads}"

        def encode() -> str:
            return json.dumps(
                {
                    "format": FORMAT,
                    "version": version,
                    "collections": [collection_to_dict(c) for c in loaded],
                },
                ensure_ascii=True,
            )

        return Response(await asyncio.to_thread(encode), mimetype="application/json")

    @bp.get("/endpoints")
    async def endpoints() -> Any:
        return jsonify([endpoint_view(engine, ep) for ep in engine.endpoints])

    @bp.get("/endpoints/<path:key>")
    async def one(key: str) -> Any:
        return view(key)

    @bp.get("/coverage")
    async def covered() -> Any:
        return jsonify(coverage(engine))

    @bp.get("/traffic")
    async def traffic() -> Any:
        since = _int_arg("since", 0, 0, 2**62)
        limit = _int_arg("limit", 100, 1, TRAFFIC_LIMIT)
        await _shared_ready(engine)
        events, cursor, lost = engine.traffic.since(since, limit)
        return jsonify(
            {
                "events": [e.to_dict() for e in events],
                "next": cursor,
                "dropped": lost,
            }
        )

    @bp.get("/har")
    async def har() -> Any:
        await _shared_ready(engine)
        events = [e.to_dict(explanation=False) for e in engine.traffic.since(0)[0]]
        document = har_document(events, creator_version=__version__, base_url=request.host_url)
        return jsonify(document)

    @bp.get("/scenarios")
    async def scenarios() -> Any:
        return jsonify(
            {
                "scenarios": [
                    {"name": name, "controls": len(items)}
                    for name, items in engine.store.scenarios.items()
                ]
            }
        )

    # -- changing ---------------------------------------------------------------------------

    @bp.post("/endpoints/<path:key>/pin")
    async def pin(key: str) -> Any:
        data = await body()
        if "example" not in data:
            raise ControlError('give "example": an example ID, its 1-based number, or null')
        actions.pin(key, data["example"], "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/mode")
    async def mode(key: str) -> Any:
        wanted = (await body()).get("mode")
        if not isinstance(wanted, str):
            raise ControlError('give "mode": "auto", "sequential" or "random"')
        actions.set_mode(key, wanted, "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/enable")
    async def enable(key: str) -> Any:
        actions.set_endpoint_enabled(key, True, "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/disable")
    async def disable(key: str) -> Any:
        actions.set_endpoint_enabled(key, False, "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/examples/<example>/enable")
    async def enable_example(key: str, example: str) -> Any:
        actions.set_example_enabled(key, example, True, "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/examples/<example>/disable")
    async def disable_example(key: str, example: str) -> Any:
        actions.set_example_enabled(key, example, False, "api")
        return changed(key)

    @bp.post("/endpoints/<path:key>/delay")
    async def delay(key: str) -> Any:
        data = await body()
        if "ms" not in data:
            raise ControlError('give "ms": a whole number of milliseconds from 0 to 180000')
        actions.set_delay(key, data["ms"], "api")
        return changed(key)

    @bp.post("/reset")
    async def reset() -> Any:
        actions.reset("api")
        return jsonify({"reset": True, "generation": engine.store.generation})

    @bp.post("/scenarios")
    async def save_scenario() -> Any:
        name = (await body()).get("name")
        message = actions.save_scenario(name, "api")
        return jsonify({"saved": str(name).strip(), "message": message}), 201

    @bp.post("/scenarios/<path:name>/apply")
    async def apply_scenario(name: str) -> Any:
        message, unattached = actions.apply_scenario(name, "api")
        return jsonify({"applied": name, "message": message, "unattached": unattached})

    # -- the event stream -------------------------------------------------------------------

    @bp.get("/events")
    async def events() -> Any:
        return Response(
            _stream(engine, closing),
            mimetype="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return bp


async def _shared_ready(engine: MockEngine) -> None:
    """With a shared store, the traffic is every replica's, read from the shared stream: wait
    (briefly) for its recent history before the first answer."""
    ready = getattr(engine.traffic, "ready", None)
    if ready is not None:
        await ready()


def _sse(kind: str, data: Any, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, ensure_ascii=True)}\n\n".encode()


async def _wake_or_close(wake: asyncio.Event, closing: asyncio.Event) -> None:
    """Wait for events to send, for shutdown, or SSE_HEARTBEAT seconds, whichever is first.

    Waiting on ``wake`` alone let a stream with nothing to send sleep through shutdown: the
    server then waited out its whole grace period and cut the stream mid-body."""
    waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(closing.wait())}
    try:
        await asyncio.wait(waiters, timeout=SSE_HEARTBEAT, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _stream(engine: MockEngine, closing: asyncio.Event) -> AsyncIterator[bytes]:
    """Server-Sent Events: ``request`` per request event, ``control`` per control change,
    ``dropped`` when this reader fell behind the ring (it never slows the mock: the ring moves
    on and the reader is told how many it missed)."""
    bus = engine.traffic  # every replica's events when the store is shared
    subscription = bus.subscribe()
    changes: deque[dict[str, Any]] = deque()
    lost_changes = 0
    wake = subscription.wakeup

    def on_change(change: Change) -> None:
        nonlocal lost_changes
        if len(changes) >= CONTROL_BACKLOG:
            changes.popleft()
            lost_changes += 1
        changes.append(change.to_dict())
        wake.set()

    engine.store.listeners.append(on_change)
    reported = 0
    try:
        yield b": mocktui event stream\n\n"
        while not closing.is_set():
            if not wake.is_set():
                await _wake_or_close(wake, closing)
                if closing.is_set():
                    break
                if not wake.is_set():
                    yield b": keep-alive\n\n"
                    continue
            wake.clear()
            while changes:
                yield _sse("control", changes.popleft())
            batch = subscription.drain(SSE_BATCH)
            if subscription.dropped + lost_changes > reported:
                reported = subscription.dropped + lost_changes
                counts = {"requests": subscription.dropped, "controls": lost_changes}
                yield _sse("dropped", {"dropped": reported, **counts})
            if batch:
                yield b"".join(_sse("request", e.to_dict(), e.id) for e in batch)
            if subscription.cursor < bus.next_id or changes:
                wake.set()  # more waiting: go round again without sleeping
    finally:
        with contextlib.suppress(ValueError):
            engine.store.listeners.remove(on_change)
        subscription.close()
