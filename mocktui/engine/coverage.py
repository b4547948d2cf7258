"""Coverage: which examples a run served, which it never did, which endpoints it never hit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine


def coverage(engine: MockEngine) -> dict[str, Any]:
    store = engine.store
    examples: list[dict[str, Any]] = []
    never_served: list[dict[str, Any]] = []
    never_hit: list[dict[str, Any]] = []
    for endpoint in engine.endpoints:
        hits = store.hits.get(endpoint.key, 0)
        if hits == 0:
            never_hit.append(
                {
                    "key": endpoint.key,
                    "method": endpoint.method,
                    "path": endpoint.display_path,
                    "name": endpoint.name,
                }
            )
        for example in endpoint.examples:
            row = {
                "endpoint": endpoint.key,
                "endpoint_name": endpoint.name,
                "method": endpoint.method,
                "path": endpoint.display_path,
                "id": example.id,
                "number": example.position,
                "name": example.name,
                "code": example.code,
                "served": store.served.get((endpoint.key, example.id), 0),
            }
            examples.append(row)
            if row["served"] == 0:
                never_served.append(row)
    served = len(examples) - len(never_served)
    return {
        "summary": {
            "examples": len(examples),
            "examples_served": served,
            "endpoints": len(engine.endpoints),
            "endpoints_never_hit": len(never_hit),
            "requests": store.requests,
            "misses": store.misses,
        },
        "examples": examples,
        "never_served": never_served,
        "never_hit": never_hit,
    }


def summary_line(report: dict[str, Any]) -> str:
    s = report["summary"]
    never = s["endpoints_never_hit"]
    return (
        f"coverage: {s['examples_served']}/{s['examples']} examples served, "
        f"{never} endpoint{'s' if never != 1 else ''} never hit"
    )
