"""A module-level ASGI app configured by environment variables, for any ASGI server.

    MOCKTUI_COLLECTIONS=api.json hypercorn mocktui.server.asgi:app --workers 4
    MOCKTUI_COLLECTIONS=api.json uvicorn mocktui.server.asgi:app

Variables (all optional; no collection means the bundled demo):
    MOCKTUI_COLLECTIONS   collection files, separated by the OS path separator (":" on Unix)
    MOCKTUI_ENV           a Postman environment file
    MOCKTUI_VARS          NAME=VALUE pairs separated by newlines or ";"
    MOCKTUI_API_KEY       private mode key (x-api-key)
    MOCKTUI_DELAY         global delay in milliseconds
    MOCKTUI_MATCH_BODY    true/on/yes/1 to match request bodies (false/off/no/0: not)
    MOCKTUI_MATCH_HEADERS comma-separated header names to match ("true", "*" or "all": all)
    MOCKTUI_NO_CORS       true/on/yes/1 to turn CORS off
    MOCKTUI_SEED          seed for dynamic variables
    MOCKTUI_MAX_BODY      bytes of request body accepted (default 10485760, 10 MiB; 413 beyond)
    MOCKTUI_STORE         redis://HOST:PORT/DB: share controls, counts and traffic (below)

Each worker process has its own engine. Without MOCKTUI_STORE, pins and other controls set
through one worker's control API apply to that worker only; with it, every worker (and every
replica on other machines given the same store) shares them, through Redis: the store is
connected at the ASGI lifespan's startup (an ASGI server without lifespan support serves from
the local copy only).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from mocktui.config import parse_variable
from mocktui.rules import (
    DEFAULT_MAX_BODY,
    parse_api_key,
    parse_delay,
    parse_flag,
    parse_header_names,
    parse_max_body,
    parse_seed,
    parse_store,
)
from mocktui.server import memory
from mocktui.server.app import MockASGI, create_app

T = TypeVar("T")


class ConfigError(ValueError):
    """An environment variable with a value mocktui cannot use."""


def _parsed(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T) -> T:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r}: {exc}") from None


def _variables(raw: str) -> dict[str, str]:
    """NAME=VALUE pairs separated by newlines or ";"."""
    return dict(
        parse_variable(part) for part in raw.replace(";", "\n").splitlines() if part.strip()
    )


def _api_key(env: Mapping[str, str]) -> str | None:
    """Set (even to "") means private: an empty or padded key is refused, never public."""
    if "MOCKTUI_API_KEY" not in env:
        return None
    try:
        return parse_api_key(env["MOCKTUI_API_KEY"])
    except ValueError as exc:
        raise ConfigError(f"MOCKTUI_API_KEY: {exc}") from None


def app_from_env(env: Mapping[str, str] | None = None) -> MockASGI:
    """The app for these environment variables (``os.environ`` when None)."""
    env = os.environ if env is None else env
    collections = [p for p in env.get("MOCKTUI_COLLECTIONS", "").split(os.pathsep) if p.strip()]
    store = _parsed(env, "MOCKTUI_STORE", parse_store, None)
    app = create_app(
        *collections,
        env=env.get("MOCKTUI_ENV") or None,
        variables=_parsed(env, "MOCKTUI_VARS", _variables, {}),
        api_key=_api_key(env),
        delay_ms=_parsed(env, "MOCKTUI_DELAY", parse_delay, 0),
        match_body=_parsed(env, "MOCKTUI_MATCH_BODY", parse_flag, False),
        match_headers=_parsed(env, "MOCKTUI_MATCH_HEADERS", parse_header_names, ()),
        cors=not _parsed(env, "MOCKTUI_NO_CORS", parse_flag, False),
        seed=_parsed(env, "MOCKTUI_SEED", parse_seed, None),
        max_body=_parsed(env, "MOCKTUI_MAX_BODY", parse_max_body, DEFAULT_MAX_BODY),
    )
    if store is not None:
        _share(app, store)

    @app.quart.before_serving  # type: ignore[attr-defined]
    async def settle() -> None:
        # This app is its process's whole app: the collector as in mocktui's own processes
        # (server/memory.py; a full collection held every request for 60-90 ms under load).
        memory.settle(collect=False)

    return app


def _share(app: MockASGI, store: str) -> None:
    """Keep the app's controls, counts and traffic in the shared store from the lifespan's
    startup to its shutdown."""
    from mocktui.store import open_store

    backend = open_store(app.engine, store)
    app.quart.before_serving(backend.start)  # type: ignore[attr-defined]
    app.quart.after_serving(backend.stop)  # type: ignore[attr-defined]


app = app_from_env()
