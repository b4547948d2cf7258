"""The control API: the dashboard's controls over HTTP, for scripts and CI.

Routes live under /__mocktui/ (see README). They act on the same Controls object as the
dashboard's keys, so a pin set by curl shows in the dashboard and the other way round.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, abort, jsonify, request

from mocktui.engine.engine import MockEngine
from mocktui.postman.model import Endpoint


def endpoint_json(engine: MockEngine, endpoint: Endpoint) -> dict[str, Any]:
    pinned = engine.answering(endpoint.key)
    return {
        "key": endpoint.key,
        "name": endpoint.name,
        "folder": list(endpoint.folder),
        "collection": endpoint.collection,
        "method": endpoint.method,
        "path": endpoint.display_path,
        "enabled": engine.controls.endpoint_enabled(endpoint.key),
        "pinned": pinned.id if pinned else None,
        "delay_ms": engine.controls.delays.get(endpoint.key, 0),
        "hits": engine.hits.get(endpoint.key, 0),
        "examples": [
            {
                "id": ex.id,
                "name": ex.name,
                "code": ex.code,
                "enabled": engine.controls.example_enabled(endpoint.key, ex.id),
            }
            for ex in endpoint.examples
        ],
    }


def control_blueprint(engine: MockEngine) -> Blueprint:
    bp = Blueprint("mocktui_control", __name__)

    def find(key: str) -> Endpoint:
        endpoint = engine.endpoint_by_key.get(key)
        if endpoint is None:
            abort(404, f"no endpoint with key {key!r}")
        return endpoint

    async def body() -> dict[str, Any]:
        data = await request.get_json(force=True, silent=True)
        if data is None and (await request.get_data()):
            abort(400, "the body is not JSON")
        if data is not None and not isinstance(data, dict):
            abort(400, "the body must be a JSON object")
        return data or {}

    @bp.errorhandler(400)
    @bp.errorhandler(404)
    async def error(exc: Any) -> Any:
        return jsonify({"error": {"name": "controlError", "message": exc.description}}), exc.code

    @bp.get("/health")
    async def health() -> Any:
        return jsonify(
            {
                "status": "ok",
                "endpoints": len(engine.endpoints),
                "examples": engine.example_count,
                "requests": engine.requests,
                "misses": engine.misses,
            }
        )

    @bp.get("/endpoints")
    async def endpoints() -> Any:
        return jsonify([endpoint_json(engine, ep) for ep in engine.endpoints])

    @bp.get("/endpoints/<path:key>")
    async def one(key: str) -> Any:
        return jsonify(endpoint_json(engine, find(key)))

    @bp.post("/endpoints/<path:key>/pin")
    async def pin(key: str) -> Any:
        endpoint = find(key)
        data = await body()
        wanted = data.get("example")
        if wanted is None:
            engine.controls.pin(endpoint.key, None)
        else:
            chosen = next(
                (
                    ex
                    for ex in endpoint.examples
                    if ex.id == str(wanted) or (isinstance(wanted, int) and ex.position == wanted)
                ),
                None,
            )
            if chosen is None:
                abort(400, f"endpoint has no example {wanted!r} (give an id or a 1-based number)")
            engine.controls.pin(endpoint.key, chosen.id)
        return jsonify(endpoint_json(engine, endpoint))

    @bp.post("/endpoints/<path:key>/enable")
    async def enable(key: str) -> Any:
        endpoint = find(key)
        engine.controls.set_endpoint_enabled(endpoint.key, True)
        return jsonify(endpoint_json(engine, endpoint))

    @bp.post("/endpoints/<path:key>/disable")
    async def disable(key: str) -> Any:
        endpoint = find(key)
        engine.controls.set_endpoint_enabled(endpoint.key, False)
        return jsonify(endpoint_json(engine, endpoint))

    @bp.post("/endpoints/<path:key>/delay")
    async def delay(key: str) -> Any:
        endpoint = find(key)
        ms = (await body()).get("ms")
        if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= 180_000:
            abort(400, '"ms" must be a whole number of milliseconds from 0 to 180000')
        engine.controls.set_delay(endpoint.key, ms)
        return jsonify(endpoint_json(engine, endpoint))

    return bp
