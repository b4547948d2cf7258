"""Stores shared by several mocktui processes (workers, replicas): a layer between the engine
and the server. The engine's ``ControlStore`` stays the local copy every request reads; a
backend here (``StoreBackend`` in ``mocktui.engine.store``) shares its writes, its counts and
the request events with the other processes.

Only Redis for now (``--store redis://HOST:PORT/DB``, ``MOCKTUI_STORE``). The ``redis``
package is imported only when a store is asked for: the default, in-process path never pays
for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine
    from mocktui.store.redis_store import RedisBackend

__all__ = ["StoreUnavailable", "open_store", "probe"]


class StoreUnavailable(OSError):
    """The shared store cannot be reached; the message says where and why."""


def open_store(engine: MockEngine, url: str) -> RedisBackend:
    """A backend for ``url`` (already checked by ``rules.parse_store``), set on the engine's
    store: it connects when the runtime starts it (``await backend.start()``)."""
    from mocktui.store.redis_store import RedisBackend

    backend = RedisBackend(engine, url)
    engine.store.backend = backend
    return backend


def probe(url: str, timeout: float = 2.0) -> None:
    """Raise StoreUnavailable unless the store at ``url`` answers a PING (for the command
    line: a clear error before anything is served)."""
    from mocktui.store.redis_store import ping

    ping(url, timeout)
