"""A module-level ASGI app configured by environment variables, for any ASGI server.

    MOCKTUI_COLLECTIONS=api.json hypercorn mocktui.server.asgi:app --workers 4
    MOCKTUI_COLLECTIONS=api.json uvicorn mocktui.server.asgi:app

Variables (all optional; no collection means the bundled demo):
    MOCKTUI_COLLECTIONS   collection files, separated by the OS path separator (":" on Unix)
    MOCKTUI_ENV           a Postman environment file
    MOCKTUI_VARS          NAME=VALUE pairs separated by newlines or ";"
    MOCKTUI_API_KEY       private mode key (x-api-key)
    MOCKTUI_DELAY         global delay in milliseconds
    MOCKTUI_MATCH_BODY    1/true to match request bodies
    MOCKTUI_MATCH_HEADERS comma-separated header names to match ("true" for all)
    MOCKTUI_NO_CORS       1/true to turn CORS off
    MOCKTUI_SEED          seed for dynamic variables

Each worker process has its own engine: pins and other controls set through one worker's
control API apply to that worker only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from mocktui.server.app import MockASGI, create_app

TRUE = {"1", "true", "yes", "on"}


class ConfigError(ValueError):
    """An environment variable with a value mocktui cannot use."""


def _int(env: Mapping[str, str], name: str) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None


def _variables(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in raw.replace(";", "\n").splitlines():
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"MOCKTUI_VARS: expected NAME=VALUE, got {part!r}")
        out[name.strip()] = value
    return out


def app_from_env(env: Mapping[str, str] | None = None) -> MockASGI:
    env = os.environ if env is None else env
    collections = [p for p in env.get("MOCKTUI_COLLECTIONS", "").split(os.pathsep) if p.strip()]
    headers = env.get("MOCKTUI_MATCH_HEADERS", "").strip()
    match_headers: tuple[str, ...] = ()
    if headers:
        match_headers = (
            ("*",)
            if headers.lower() in TRUE | {"*"}
            else tuple(h.strip().lower() for h in headers.split(",") if h.strip())
        )
    return create_app(
        *collections,
        env=env.get("MOCKTUI_ENV") or None,
        variables=_variables(env.get("MOCKTUI_VARS", "")),
        api_key=env.get("MOCKTUI_API_KEY") or None,
        delay_ms=_int(env, "MOCKTUI_DELAY") or 0,
        match_body=env.get("MOCKTUI_MATCH_BODY", "").strip().lower() in TRUE,
        match_headers=match_headers,
        cors=env.get("MOCKTUI_NO_CORS", "").strip().lower() not in TRUE,
        seed=_int(env, "MOCKTUI_SEED"),
    )


app = app_from_env()
