"""One runtime for every way mocktui runs: headless, the dashboard, and the tests.

It owns what happens between "the socket is bound" and "the process exits": signal handlers
(installed first, before anything is announced, so a SIGTERM right after the ready line is never
lost), Hypercorn serving the app, the collection watcher, the state file, and on the way out the
HAR and coverage files. A front end (the headless printer, the Textual app) runs inside it and
returns when the user is done; whichever ends first (front, server, a signal), everything stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from mocktui.config import Settings
from mocktui.engine.coverage import coverage, summary_line
from mocktui.engine.engine import MockEngine
from mocktui.engine.exports import har_bytes, json_bytes
from mocktui.engine.state import StateFile, write_atomically
from mocktui.server import memory
from mocktui.server.app import MockASGI, create_app
from mocktui.server.proxy import Upstream
from mocktui.server.record import Recorder
from mocktui.server.serve import SHUTDOWN_GRACE, Hold, base_url, serve
from mocktui.watch import Report, start_watching, stop_watching

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_TIMEOUT = SHUTDOWN_GRACE + 2.0  # seconds to wait for the server to stop
log = logging.getLogger("mocktui.server")


@dataclass
class Outputs:
    """Files written on the way out (``--har``, ``--coverage``) and what was said about them."""

    har: str | None = None
    coverage: str | None = None
    lines: list[str] = field(default_factory=list)


class Runtime:
    def __init__(
        self,
        engine: MockEngine,
        sock: socket.socket,
        settings: Settings | None = None,
        *,
        state: StateFile | None = None,
        logger: logging.Logger | None = None,
        report: Report | None = None,
    ) -> None:
        self.engine = engine
        self.sock = sock
        self.settings = settings or Settings()
        self.state = state
        self.logger = logger or log
        self.report = report or (lambda ok, message: None)
        self.url = base_url(sock)
        self.app: MockASGI = create_app(engine=engine, max_body=self.settings.max_body)
        self.recorder = recorder_for(engine, self.settings, self._report)
        if self.settings.upstream:
            self.app.upstream = Upstream(
                self.settings.upstream,
                self.settings.upstream_timeout,
                self.recorder,
                record=self.settings.record,
            )
        self.shutdown = asyncio.Event()
        self.server: asyncio.Task[None] | None = None
        self.hold = Hold()  # the dashboard's moment of the loop for a key (serve.Hold)

    def stop(self) -> None:
        self.shutdown.set()

    def _report(self, ok: bool, message: str) -> None:
        self.report(ok, message)  # looked up late: front ends set ``report`` after start

    async def run(
        self,
        front: Callable[[], Awaitable[object]],
        on_signal: Callable[[int], None] | None = None,
    ) -> None:
        """Serve while ``front()`` runs; a signal calls ``on_signal(signal number)`` (default:
        stop)."""
        loop = asyncio.get_running_loop()
        handler = on_signal or (lambda _sig: self.stop())
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, handler, sig)
        watcher = None
        backend = self.engine.store.backend  # a shared store (--store): in step before serving
        if backend is not None:
            await backend.start()
        memory.settle(collect=False)  # the load is in place: frozen, never walked again
        self.engine.installed.append(memory.settle)
        self.server = asyncio.create_task(
            serve(self.app, self.sock, self.shutdown, self.logger, hold=self.hold),
            name="mocktui server",
        )
        front_task = asyncio.ensure_future(front())
        stopper = asyncio.ensure_future(self.shutdown.wait())
        try:
            if self.settings.watched:
                watcher = start_watching(
                    self.engine,
                    self.settings.collection_paths,
                    self.settings.env_file,
                    dict(self.settings.variables),
                    self.report,
                    own=self.recorder.is_own if self.recorder is not None else None,
                )
            await asyncio.wait(
                {front_task, self.server, stopper}, return_when=asyncio.FIRST_COMPLETED
            )
            if self.server.done() and not self.server.cancelled() and self.server.exception():
                self.logger.error("the server stopped: %s", self.server.exception())
        finally:
            self.shutdown.set()
            stopper.cancel()
            if watcher is not None:
                await stop_watching(*watcher)
            await self._stop_server()
            if self.recorder is not None:
                await self.recorder.flush()  # examples saved in the last moments are written
            if self.app.upstream is not None:
                await self.app.upstream.aclose()
            if backend is not None:
                await backend.stop()  # the last counts and events go out
            if not front_task.done():
                # The front end is told to finish by the shutdown event (headless) or exits by
                # itself (the dashboard); give it a moment, then cancel.
                done, _ = await asyncio.wait({front_task}, timeout=STOP_TIMEOUT)
                if not done:
                    front_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await front_task
            if self.state is not None:
                self.state.close()
            for sig in SIGNALS:
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)
        if front_task.done() and not front_task.cancelled() and front_task.exception():
            raise front_task.exception()  # type: ignore[misc]

    async def _stop_server(self) -> None:
        task = self.server
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        except Exception:  # the server's own failure was logged when it happened
            pass

    # -- files written on exit ----------------------------------------------------------------

    def write_outputs(self, har: str | None, coverage_file: str | None) -> Outputs:
        """Write the HAR and the coverage files asked for; lines to say about them."""
        out = Outputs(har, coverage_file)
        if har:
            out.lines.append(self._write(har, har_bytes(self.engine, self.url), "HAR"))
        if coverage_file:
            report = coverage(self.engine)
            out.lines.append(self._write(coverage_file, json_bytes(report), "coverage"))
            out.lines.append(summary_line(report))
        return out

    @staticmethod
    def _write(path: str, data: bytes, what: str) -> str:
        try:
            write_atomically(path, data)
        except OSError as exc:
            return f"error: cannot write the {what} file {path}: {exc.strerror or exc}"
        return f"{what} written to {path}"


def recorder_for(engine: MockEngine, settings: Settings, report: Report) -> Recorder | None:
    """The recorder saving examples (``--record``, the dashboard's ``s``): None when there is
    no file of the user's to write (the demo, without ``--record-to``)."""
    if not settings.collections and not settings.record_to:
        return None
    return Recorder(
        engine,
        settings.collection_paths,
        settings.env_file,
        dict(settings.variables),
        record_to=settings.record_to,
        all_headers=settings.record_all_headers,
        report=report,
    )


@contextlib.asynccontextmanager
async def serving(
    engine: MockEngine, sock: socket.socket, logger: logging.Logger | None = None
) -> AsyncIterator[asyncio.Task[None]]:
    """Serve ``engine`` on ``sock`` in this loop for the duration of the block (tests, and
    front ends that run their own loop), then stop with a bounded wait."""
    shutdown = asyncio.Event()
    task = asyncio.create_task(
        serve(create_app(engine=engine), sock, shutdown, logger or log), name="mocktui server"
    )
    try:
        yield task
    finally:
        shutdown.set()
        if not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
