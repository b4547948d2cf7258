"""Plain-data views of the engine's state: one shape for the control API and every front end.

The dashboard's ``LocalBackend`` and the control API's JSON both come from here, so a remote
dashboard reading the API sees exactly what a local one sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocktui.engine.matcher import MatchRequest
from mocktui.postman.model import Endpoint, RequestSpec

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine


def endpoint_view(engine: MockEngine, endpoint: Endpoint) -> dict[str, Any]:
    """An endpoint with its controls, counts and examples (README: GET /__mocktui/endpoints)."""
    store = engine.store
    key = endpoint.key
    control = store.control(key)
    pinned = store.pinned(key)
    return {
        "key": key,
        "name": endpoint.name,
        "folder": list(endpoint.folder),
        "collection": endpoint.collection,
        "method": endpoint.method,
        "path": endpoint.display_path,
        "example_path": example_path(endpoint),
        "mode": control.mode,
        "pinned": pinned.id if pinned else None,
        "pinned_number": pinned.position if pinned else None,
        "enabled": control.enabled,
        "delay_ms": control.delay_ms,
        "auto_pick": auto_pick(engine, endpoint) if control.enabled else None,
        "hits": store.hits.get(key, 0),
        "examples": [
            {
                "id": ex.id,
                "number": ex.position,
                "name": ex.name,
                "code": ex.code,
                "enabled": ex.id not in control.disabled_examples,
                "served": store.served.get((key, ex.id), 0),
                "saved": saved_request(ex.request),
            }
            for ex in endpoint.examples
        ],
    }


def health_view(engine: MockEngine) -> dict[str, Any]:
    store = engine.store
    return {
        "status": "ok",
        "endpoints": len(engine.endpoints),
        "examples": engine.example_count,
        "requests": store.requests,
        "misses": store.misses,
        "generation": store.generation,
    }


def example_path(endpoint: Endpoint) -> str | None:
    """The path its examples were saved at, when none of them is at the endpoint's own path
    (``POST /v1/orders/view`` with examples at ``/v1/orders/view/1``); None otherwise. A request
    reaches the endpoint by either path; the dashboard shows both."""
    own = endpoint.display_path
    paths = [ex.request.display_path for ex in endpoint.examples if not ex.request.problem]
    if not paths or own in paths:
        return None
    return paths[0]


def auto_pick(engine: MockEngine, endpoint: Endpoint) -> dict[str, Any] | None:
    """What ``auto`` answers now for a request to the endpoint's own method and path (or its
    examples' saved path, when none is at its own): ``{"number", "code", "name", "endpoint"}``,
    None when nothing does. Cached until a control changes or the collections reload."""
    cache = engine.__dict__.setdefault("_auto_picks", {})
    stamp = (id(engine.matcher), engine.store.generation)
    if cache.get("stamp") != stamp:
        cache.clear()
        cache["stamp"] = stamp
    key = endpoint.key
    if key not in cache:
        cache[key] = _auto_pick(engine, endpoint)
    return cache[key]


def _auto_pick(engine: MockEngine, endpoint: Endpoint) -> dict[str, Any] | None:
    request = endpoint.request
    if request.problem or not endpoint.examples:
        return None
    tries = [(request.method, request.path, request.query)]
    saved = next((ex.request for ex in endpoint.examples if not ex.request.problem), None)
    if saved is not None and example_path(endpoint) is not None:
        tries.insert(0, (saved.method, saved.path, saved.query))
    for method, path, query in tries:
        match = engine.matcher.match(MatchRequest(method.upper(), path or "/", query))
        entry = match.entry
        pinned = _pinned_elsewhere(engine, match, method.upper(), path or "/")
        if pinned is not None:
            entry = pinned
        if entry is not None:
            example = entry.example
            return {
                "number": example.position,
                "code": example.code,
                "name": example.name,
                "endpoint": entry.endpoint.key,
            }
    return None


def _pinned_elsewhere(engine: MockEngine, match: Any, method: str, path: str) -> Any:
    """The entry a pin on another endpoint this request reaches would answer with (spec §7:
    the most recently set mode among the reached ones decides), when that mode is a pin; None
    otherwise. A sequential or random mode there is not run here (it would move its cursor)."""
    store = engine.store
    if not store.steering or match.explicit:
        return None
    reached = engine._reached(match, method, path)
    eligible = engine._eligible(match, method)
    ranked = sorted((store.control(k).stamp, k) for k in reached if k in store.steering)
    for _stamp, key in reversed(ranked):
        control = store.control(key)
        examples = eligible(key)
        if not examples:
            continue
        if control.mode != "pinned":
            return None
        chosen = next((ex for ex in examples if ex.id == control.pinned), None)
        if chosen is not None:
            return engine.index.by_endpoint_id[key, chosen.id]
    return None


def saved_request(request: RequestSpec) -> str:
    """An example's saved request as a client would call it: ``/users?role=nobody``."""
    query = "&".join(f"{k}={v}" if v else k for k, v in request.query)
    return request.display_path + (f"?{query}" if query else "")
