"""Synthetic Postman v2.1 collections of any size, shaped like real REST APIs.

Requests are enumerated area by area and resource by resource, five request shapes per
resource, so the first five requests of any collection are the same: a 5-request collection
and a 5,000-request collection both answer the probe requests in ``HITS``, and the bigger
one only adds more (similar-looking) neighbours. Folders nest one level (one per area).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AREAS = (
    "billing", "catalog", "crm", "inventory", "shipping", "identity", "analytics", "support",
    "payments", "orders", "marketing", "search", "media", "reports", "accounts", "pricing",
    "loyalty", "returns", "tax", "fulfilment", "audit", "notifications", "scheduling",
    "documents", "partners", "warehouse", "fleet", "hr", "payroll", "compliance",
)
RESOURCES = (
    "users", "customers", "invoices", "products", "carts", "coupons", "shipments", "parcels",
    "carriers", "tickets", "agents", "refunds", "transactions", "cards", "wallets", "campaigns",
    "segments", "assets", "folders", "files", "reports", "jobs", "schedules", "teams", "roles",
    "permissions", "sessions", "tokens", "webhooks", "events", "subscriptions", "plans",
    "vendors", "contracts", "locations", "devices", "vehicles", "routes", "employees", "claims",
)
SHAPES = 5  # request shapes per resource, see _requests_for
BASE = "{{baseUrl}}"

# Probe requests, (label, method, path, query, body); every "hit" exists in every collection
# of at least 5 requests, every "miss" in none.
Probe = tuple[str, str, str, tuple[tuple[str, str], ...], bytes]
_A, _R = AREAS[0], RESOURCES[0]
HITS: tuple[Probe, ...] = (
    ("exact GET + query", "GET", f"/{_A}/{_R}", (("page", "1"), ("limit", "20")), b""),
    ("exact POST + body", "POST", f"/{_A}/{_R}", (), b'{"name": "Ada", "plan": "pro"}'),
    ("wildcard :id", "GET", f"/{_A}/{_R}/8812", (), b""),
    ("wildcard {{var}}", "PUT", f"/{_A}/{_R}/usr-2f9a", (), b""),
    ("ID-like segment", "GET", f"/{_A}/{_R}/977/events", (("since", "2024-01-01"),), b""),
)
MISSES: tuple[Probe, ...] = (
    ("miss: unknown path", "GET", "/nothing/here", (), b""),
    ("miss: too deep", "GET", f"/{_A}/{_R}/1/events/extra/deep", (), b""),
    ("miss: wrong method", "DELETE", f"/{_A}/{_R}", (), b""),
)


def _url(
    path: str, query: list[tuple[str, str]], variables: list[tuple[str, str]]
) -> dict[str, Any]:
    segments = [p for p in path.split("/") if p]
    raw = BASE + path
    if query:
        raw += "?" + "&".join(f"{k}={v}" for k, v in query)
    url: dict[str, Any] = {"raw": raw, "host": [BASE], "path": segments}
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in query]
    if variables:
        url["variable"] = [{"key": k, "value": v} for k, v in variables]
    return url


def _request(
    method: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    variables: list[tuple[str, str]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": method,
        "header": [{"key": "Accept", "value": "application/json"}],
        "url": _url(path, query or [], variables or []),
    }
    if body is not None:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {"mode": "raw", "raw": body, "options": {"raw": {"language": "json"}}}
    return request


def _example(
    name: str, request: dict[str, Any], code: int, status: str, body: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "originalRequest": request,
        "status": status,
        "code": code,
        "_postman_previewlanguage": "json",
        "header": [
            {"key": "Content-Type", "value": "application/json"},
            {"key": "X-Request-Id", "value": "{{$guid}}"},
        ],
        "cookie": [],
        "body": json.dumps(body) if body is not None else "",
    }


def _requests_for(area: str, res: int) -> list[dict[str, Any]]:
    """The five request shapes of one resource, each with 1-3 saved examples."""
    name = RESOURCES[res]
    base = f"/{area}/{name}"
    one = {"id": 1, "name": f"{name} one", "area": area, "created": "2024-01-02T10:00:00Z"}
    items: list[dict[str, Any]] = []

    listing = _request("GET", base, [("page", "1"), ("limit", "20")])
    bad_page = _request("GET", base, [("page", "-1"), ("limit", "20")])
    items.append({
        "name": f"List {name}",
        "request": listing,
        "response": [
            _example(f"{name}: page 1", listing, 200, "OK", {"items": [one], "page": 1}),
            _example(f"{name}: bad page", bad_page, 400, "Bad Request", {"error": "page"}),
        ],
    })

    created_body = '{"name": "Ada", "plan": "pro"}'
    create = _request("POST", base, body=created_body)
    invalid = _request("POST", base, body='{"name": ""}')
    items.append({
        "name": f"Create {name}",
        "request": create,
        "response": [
            _example("Created", create, 201, "Created", {**one, "name": "Ada"}),
            _example("Invalid", invalid, 422, "Unprocessable Entity", {"error": "name"}),
        ],
    })

    get = _request("GET", f"{base}/:id")  # a path variable without a value: a wildcard
    items.append({
        "name": f"Get {name}",
        "request": get,
        "response": [
            _example("Found", get, 200, "OK", one),
            _example("Not found", get, 404, "Not Found", {"error": "not found"}),
            _example("Gone", get, 410, "Gone", {"error": "gone"}),
        ][: 1 + res % 3],
    })

    method = ("PUT", "PATCH", "DELETE")[(res + AREAS.index(area)) % 3]
    update = _request(method, f"{base}/{{{{itemId}}}}", body=None if method == "DELETE" else "{}")
    items.append({
        "name": f"{method.title()} {name}",
        "request": update,
        "response": [_example("Done", update, 200, "OK", {"ok": True, "id": "{{itemId}}"})],
    })

    events = _request("GET", f"{base}/:id/events", [("since", "2024-01-01")], [("id", "42")])
    items.append({
        "name": f"{name} events",
        "request": events,
        "response": [
            _example("Events", events, 200, "OK", [{"type": "created", "at": "2024-01-02"}]),
            _example("Empty", events, 200, "OK", []),
        ][: 1 + res % 2],
    })
    return items


def collection(requests: int) -> dict[str, Any]:
    """A v2.1 collection of exactly ``requests`` requests (folders: one per area)."""
    limit = len(AREAS) * len(RESOURCES) * SHAPES
    if not 0 < requests <= limit:
        raise ValueError(f"requests must be within 1..{limit}")
    folders: list[dict[str, Any]] = []
    left = requests
    for area_no, area in enumerate(AREAS):
        # Rotate the resources per area so the areas do not all look alike.
        folder: list[dict[str, Any]] = []
        for i in range(len(RESOURCES)):
            if left <= 0:
                break
            res = (i + area_no * 7) % len(RESOURCES)
            batch = _requests_for(area, res)[:left]
            folder.extend(batch)
            left -= len(batch)
        folders.append({"name": area, "item": folder})
        if left <= 0:
            break
    return {
        "info": {
            "name": f"synthetic {requests}",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": folders,
        "variable": [{"key": "baseUrl", "value": "https://api.example.com"}],
    }


def write(directory: Path, requests: int) -> Path:
    path = directory / f"synthetic-{requests}.postman_collection.json"
    path.write_text(json.dumps(collection(requests)), encoding="utf-8")
    return path
