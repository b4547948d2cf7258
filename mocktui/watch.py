"""Reload the collections when their files change (re-exported from Postman, edited by hand).

A file that changes into something unusable is reported and the engine keeps what it had:
bad input never loses state. Controls (pins, disabled, delays) and hit counts survive a reload,
because they are keyed by the endpoints' stable keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from watchfiles import Change, awatch

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine, Prepared
from mocktui.postman.loader import CollectionError

DEBOUNCE_MS = 300  # editors and exports write a file in several steps
Report = Callable[[bool, str], None]  # (ok, message)
KEPT = "; still serving the previous version"
DETAIL_CHARS = 300  # of an unexpected exception's text, in the one-line report


def reload(
    engine: MockEngine,
    paths: Sequence[str],
    env_file: str | None,
    variables: Mapping[str, str],
) -> tuple[bool, str]:
    """Load the files again into ``engine``: (True, what now) or (False, why it kept the old).

    Never raises: whatever loading raises (an unusable file, or a bug that let something through)
    is reported and the engine keeps what it had. An exception here would end the watcher, and
    every later change would go unnoticed.
    """
    try:
        engine.install(_prepare(engine, paths, env_file, variables))
    except Exception as exc:  # see above
        return _failed(exc, paths)
    return _reloaded(engine)


async def reload_off_loop(
    engine: MockEngine,
    paths: Sequence[str],
    env_file: str | None,
    variables: Mapping[str, str],
) -> tuple[bool, str]:
    """``reload``, with the reading and indexing in a worker thread: requests keep being
    answered meanwhile, and the result is swapped in on the loop, between two requests."""
    try:
        prepared = await asyncio.to_thread(_prepare, engine, paths, env_file, variables)
        engine.install(prepared)
    except Exception as exc:  # see reload
        return _failed(exc, paths)
    return _reloaded(engine)


def _prepare(
    engine: MockEngine, paths: Sequence[str], env_file: str | None, variables: Mapping[str, str]
) -> Prepared:
    return engine.prepare(load_collections(paths, env_file, variables))


def _failed(exc: Exception, paths: Sequence[str]) -> tuple[bool, str]:
    if isinstance(exc, CollectionError):
        return False, f"{exc}{KEPT}"
    detail = " ".join(str(exc).split())
    if len(detail) > DETAIL_CHARS:
        detail = detail[:DETAIL_CHARS] + "…"
    return False, f"{', '.join(paths)}: cannot load: {type(exc).__name__}: {detail}{KEPT}"


def _reloaded(engine: MockEngine) -> tuple[bool, str]:
    return True, f"reloaded: {len(engine.endpoints)} endpoints, {engine.example_count} examples"


async def watch_collections(
    engine: MockEngine,
    paths: Sequence[str],
    env_file: str | None,
    variables: Mapping[str, str],
    report: Report,
    stop: asyncio.Event | None = None,
    own: Callable[[str], bool] | None = None,
) -> None:
    """Reload whenever one of the files (collections or environment) changes, until ``stop``.

    The folders are watched rather than the files, so a file replaced by a rename (as editors
    and exports do) is still noticed. ``own(path)`` says a file is as mocktui itself last wrote
    it (a saved example, loaded already): a change made only of those is no reload.
    """
    files = [*paths, *([env_file] if env_file else [])]
    targets = {os.path.realpath(p) for p in files}
    folders = sorted({str(Path(t).parent) for t in targets})

    def relevant(_change: Change, path: str) -> bool:
        return os.path.realpath(path) in targets

    async for _changes in awatch(
        *folders,
        watch_filter=relevant,
        debounce=DEBOUNCE_MS,
        stop_event=stop,
        recursive=False,
    ):
        if not all(os.path.exists(t) for t in targets):
            continue  # mid-replace: wait for the file to be back
        if own is not None and all(own(path) for _change, path in _changes):
            continue  # mocktui's own write (record mode, a saved example)
        ok, message = await reload_off_loop(engine, paths, env_file, variables)
        report(ok, message)


def start_watching(
    engine: MockEngine,
    paths: Sequence[str],
    env_file: str | None,
    variables: Mapping[str, str],
    report: Report,
    own: Callable[[str], bool] | None = None,
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """The watcher as a task, and the event that stops it."""
    stop = asyncio.Event()
    task = asyncio.create_task(
        watch_collections(engine, paths, env_file, variables, report, stop, own),
        name="mocktui collection watcher",
    )
    return task, stop


async def stop_watching(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    try:
        await asyncio.wait_for(task, 2)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
