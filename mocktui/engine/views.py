"""Plain-data views of the engine's state: one shape for the control API and every front end.

The dashboard's ``LocalBackend`` and the control API's JSON both come from here, so a remote
dashboard reading the API sees exactly what a local one sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mocktui.postman.model import Endpoint

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
        "mode": control.mode,
        "pinned": pinned.id if pinned else None,
        "pinned_number": pinned.position if pinned else None,
        "enabled": control.enabled,
        "delay_ms": control.delay_ms,
        "hits": store.hits.get(key, 0),
        "examples": [
            {
                "id": ex.id,
                "number": ex.position,
                "name": ex.name,
                "code": ex.code,
                "enabled": ex.id not in control.disabled_examples,
                "served": store.served.get((key, ex.id), 0),
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
