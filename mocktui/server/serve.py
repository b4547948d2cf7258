"""Running the ASGI app under Hypercorn inside an existing event loop.

The limits a client meets (README, Security) are set here: Hypercorn's own settings, and a
connection class of ours (``_Connection``, a subclass of Hypercorn's) for what Hypercorn does
not bound by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import time
from dataclasses import dataclass
from ssl import SSLError
from typing import Any
from wsgiref.handlers import format_date_time

import hypercorn.asyncio.run as hypercorn_run
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.asyncio.tcp_server import MAX_RECV, TCPServer
from hypercorn.config import Config
from hypercorn.events import Closed, Event, RawData, Updated

from mocktui.server.app import ASGIApp

SHUTDOWN_GRACE = 2.0  # seconds in-flight requests get before they are cancelled
READ_TIMEOUT = 60  # seconds a connection may go without sending anything mid-request
KEEP_ALIVE_TIMEOUT = 75  # seconds an idle keep-alive connection is kept open
BACKLOG = 1024  # connections the kernel queues before they are accepted
INF = float("inf")
log = logging.getLogger("mocktui.server")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one client may hold of the server (README, Security, has the values)."""

    head_timeout: float = 30.0  # seconds from the first byte of a request to its last header
    send_timeout: float = 30.0  # seconds an answer may wait for a client that does not read
    max_connections: int = 1000  # open at once; past that a new one gets 503 and is closed
    max_requests: int = 1000  # per connection (keep-alive or pipelined), then it is closed


LIMITS = Limits()
_BUSY_TEXT = b"mocktui: too many open connections, try again\n"
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
    b"content-length: %d\r\nretry-after: 1\r\nconnection: close\r\n\r\n%s"
    % (len(_BUSY_TEXT), _BUSY_TEXT)
)


class Hold:
    """Gives a front end that shares the loop with the server the loop to itself for a moment.

    While held, connections take in no new request data (what clients send waits in the
    kernel's buffers; requests already being answered go on). The dashboard holds it for each
    key that comes in: under a flood of requests, each of the many steps a key takes in
    Textual (its message, the action, the redraw) waited behind every request ready at that
    moment, and a key took several hundred milliseconds to show (issue 7). A hold ends after
    ``seconds`` (HOLD_SECONDS), whatever the front end does.
    """

    def __init__(self) -> None:
        self._free = asyncio.Event()
        self._free.set()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def held(self) -> bool:
        return not self._free.is_set()

    def hold(self, seconds: float | None = None) -> None:
        """Hold (again) from now for ``seconds``."""
        if self._timer is not None:
            self._timer.cancel()
        self._free.clear()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(HOLD_SECONDS if seconds is None else seconds, self.release)

    def release(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._free.set()

    async def wait(self) -> None:
        await self._free.wait()


HOLD_SECONDS = 0.15  # a key's hold on the server (Hold): enough for Textual to draw most keys


class BindError(OSError):
    """The listening socket could not be opened; the message says why in a user's words."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Open the listening socket before any UI starts: clean errors, and port 0 works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}" if family == socket.AF_INET else f"[{host}]:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise BindError(
                exc.errno,
                f"cannot listen on {where}: the port is in use "
                "(pick another with --port, or --port 0 for a free one)",
            ) from None
        if exc.errno == errno.EACCES:
            raise BindError(
                exc.errno,
                f"cannot listen on {where}: permission denied (ports below 1024 need privileges)",
            ) from None
        raise BindError(exc.errno, f"cannot listen on {where}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def max_connections(wanted: int = LIMITS.max_connections) -> int:
    """``wanted``, lowered to leave room under the process's limit of open files (each
    connection is one): past that limit even the 503 cannot be sent."""
    try:
        import resource
    except ImportError:  # not on Unix
        return wanted
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return wanted
    return min(wanted, max(16, soft - 64))


class _Config(Config):
    """Hypercorn's settings, with the Date header made once a second: Hypercorn formats the
    date for every answer (1.5% of the server's time under load; README, Performance)."""

    _date_second = -1
    _date = b""

    def response_headers(self, protocol: str) -> list[tuple[bytes, bytes]]:
        if self.include_server_header or self.alt_svc_headers or self._quic_addresses:
            return super().response_headers(protocol)
        if not self.include_date_header:
            return []
        second = int(time.time())
        if second != self._date_second:
            self._date = format_date_time(second).encode("ascii")
            self._date_second = second
        return [(b"date", self._date)]


def hypercorn_config(
    fd: int, logger: logging.Logger | None = None, limits: Limits = LIMITS, hold: Hold | None = None
) -> Config:
    """Hypercorn's settings for serving on the listening socket ``fd`` (Hypercorn closes it)."""
    config = _Config()
    config.bind = [f"fd://{fd}"]
    config.accesslog = None  # every request is an event already; no access log on the terminal
    config.errorlog = logger or log
    config.graceful_timeout = SHUTDOWN_GRACE
    config.keep_alive_timeout = KEEP_ALIVE_TIMEOUT
    config.read_timeout = READ_TIMEOUT  # a client that stops sending mid-request is let go
    # asyncio listens again with this backlog on the socket it is given (Hypercorn's default,
    # 100, undid bind_socket's).
    config.backlog = BACKLOG
    config.keep_alive_max_requests = limits.max_requests
    config.include_server_header = False  # an example's Server header is the only one
    # Left as Hypercorn has them: h11_max_incomplete_size (16 KiB: a request head larger than
    # that gets 431), max_app_queue_size (10 body pieces queued per request). Not used:
    # max_requests, which stops the whole server after that many requests.
    config.mocktui_limits = limits  # type: ignore[attr-defined]  # read by _Connection
    config.mocktui_hold = hold  # type: ignore[attr-defined]
    return config


class _KeepAlive:
    """Stands in for Hypercorn's keep-alive task (``TCPServer.idle_task``): Hypercorn stops it
    when a request comes in and starts it again when the answer is out, which cost three tasks
    and a timer per request (measured: 6% of the server's time under load, README,
    Performance). Here it is the connection's keep-alive deadline, on the same watchdog as the
    other time limits; the server stopping closes an idle connection as Hypercorn's did."""

    def __init__(self, connection: _Connection) -> None:
        self.connection = connection

    async def restart(self, _task_group: Any, _action: Any) -> None:
        self.connection.keep_alive()

    async def stop(self) -> None:
        self.connection.busy()


class _Connection(TCPServer):
    """Hypercorn's HTTP connection, made to let go of a client that has gone.

    Measured with Hypercorn 0.17 and 0.18 on asyncio (issue 11: clients that pipeline requests
    for a 200 KB answer, never read and close took the server from 50 MB to 3.4 GB):

    - a connection whose client closed it between requests was kept until its keep-alive
      timer ran out (75 s);
    - after the client has gone, every write fails, and ``StreamWriter.drain()`` raises the
      same stored ``ConnectionResetError`` each time; every raise adds the frames of the failed
      write to that exception's traceback, and those frames hold the bytes written: each answer
      the connection tried to send stayed in memory for as long as the connection lived;
    - Hypercorn goes on answering, one after the other, the requests the client pipelined
      before it left, rendering each one for no one; and a connection whose client left while
      a pipelined request waited could wait for ever.

    So the first write that fails (or times out), or the transport reporting the connection
    lost, marks it gone: nothing more is written, the connection's task is cancelled (with the
    requests it is answering: they record 499), and it ends. It also bounds what Hypercorn
    does not: the time from the first byte of a request to its last header, the time an
    answer may wait for a client that does not read, and the number of open connections.
    """

    open = 0  # connections open now, all servers of this process

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        limits = getattr(self.config, "mocktui_limits", None)
        self.limits: Limits = limits if isinstance(limits, Limits) else LIMITS
        hold = getattr(self.config, "mocktui_hold", None)
        self._hold: Hold | None = hold if isinstance(hold, Hold) else None
        self._gone = False  # the client has gone: write nothing more, end the connection
        self._closing = False  # we are closing it ourselves
        self._idle = True  # between requests (no request head being answered)
        self._task: asyncio.Task[Any] | None = None
        # The four time limits are deadlines (loop.time()), INF when not running, checked by
        # one timer per connection (_watchdog). Arming one costs an attribute set: the timer is
        # only moved when a deadline comes before the time it is set for; when it fires early
        # (the deadline it was set for was moved on), it is set again for the nearest one.
        self._head_deadline = INF  # the request head must be in by then
        self._read_deadline = INF  # the read waiting now must have data by then
        self._send_deadline = INF  # the write waiting now must have drained by then
        self._idle_deadline = INF  # an idle keep-alive connection is closed by then
        self._read_expired = False
        self._terminated = False  # the server is stopping: idle connections close
        self.idle_task = _KeepAlive(self)  # type: ignore[assignment]
        self._closer: asyncio.Future[None] | None = None
        self._pieces = 0  # RawData sent since the last request head came in
        self._watchdog: asyncio.TimerHandle | None = None
        self._watchdog_at = INF

    async def run(self) -> None:
        self._task = asyncio.current_task()
        if _Connection.open >= max_connections(self.limits.max_connections):
            await self._refuse()
            return
        _Connection.open += 1
        watcher = asyncio.ensure_future(self._watch())
        stopping = asyncio.ensure_future(self._until_terminated())
        try:
            await super().run()
        except asyncio.CancelledError:
            # Cancelled by _lost(), and by nothing else: the connection simply ends.
            if not self._gone or (self._task is not None and self._task.uncancel() > 0):
                raise
        finally:
            _Connection.open -= 1
            watcher.cancel()
            stopping.cancel()
            self._stop_watchdog()

    async def _until_terminated(self) -> None:
        await self.context.terminated.wait()
        self._terminated = True
        if self._idle_deadline != INF:
            self._end_idle()

    def keep_alive(self) -> None:
        """Between requests: the keep-alive time starts (or, the server stopping, it ends)."""
        if self._terminated:
            self._end_idle()
        elif self._idle_deadline == INF:
            self._idle_deadline = self._deadline(self.config.keep_alive_timeout)

    def busy(self) -> None:
        """A request is being answered: no keep-alive time runs."""
        self._idle_deadline = INF

    def _end_idle(self) -> None:
        # As Hypercorn's keep-alive task: the connection is closed from the server's side.
        self._idle_deadline = INF
        if not (self._gone or self._closing):
            self._closer = asyncio.ensure_future(self._initiate_server_close())

    async def _refuse(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.write(_BUSY)
            self.writer.close()
            await asyncio.wait_for(self.writer.wait_closed(), 1)

    async def _watch(self) -> None:
        """The transport reports the connection lost (a reset, a broken pipe): it is gone."""
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()
        if not self._closing:
            self._lost()

    def _lost(self) -> None:
        if self._gone or self._closing:
            return
        self._gone = True
        self._stop_watchdog()
        with contextlib.suppress(Exception):
            self.writer.transport.abort()  # drop what is still buffered for it, now
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def protocol_send(self, event: Event) -> None:
        if isinstance(event, RawData):
            self._pieces += 1
            if self._gone or self._closing or self.writer.transport.is_closing():
                if not self._closing:
                    self._lost()
                    # Nothing is written, or buffered, for a client that has gone; the writer
                    # (the request being answered) is let reach its cancellation now, unless
                    # this is the answer's head: Hypercorn marks the head sent only once this
                    # returns, and cancelled before that it tries to send a 500 on a stream
                    # that has its head already (LocalProtocolError, logged as unhandled).
                    if self._pieces > 1:
                        await asyncio.sleep(0)
                return
            data: bytes | None = event.data
            if not self.send_lock.locked():
                # The common case: the kernel takes the bytes at once, nothing is buffered,
                # there is nothing to wait for (and no time limit to set up).
                try:
                    self.writer.write(data)
                except (ConnectionError, RuntimeError, OSError) as exc:
                    exc.__traceback__ = None
                    self._lost()
                    return
                if not self.writer.transport.get_write_buffer_size():
                    return
                data = None  # written: what is left is the wait for the client to read
            async with self.send_lock:
                try:
                    if data is not None:
                        self.writer.write(data)
                    self._send_deadline = self._deadline(self.limits.send_timeout)
                    await self.writer.drain()
                except (ConnectionError, RuntimeError, OSError) as exc:
                    exc.__traceback__ = None  # the frames hold the bytes that were not sent
                    self._lost()
                finally:
                    self._send_deadline = INF
        elif isinstance(event, Updated):
            self._idle = event.idle
            if not event.idle:
                self._head_deadline = INF  # the request head is in
                self._pieces = 0
            if self._gone:
                # Ending: no keep-alive timer to (re)start. Hypercorn would start one in the
                # connection's task group, which is being cancelled: RuntimeError, logged as an
                # unhandled exception for every client that left with a request in flight.
                return
            await super().protocol_send(event)
        else:  # Closed: Hypercorn closes the connection (our _close)
            await super().protocol_send(event)

    async def _read_data(self) -> None:
        # Hypercorn's loop, with the head deadline set by the first byte of a request, and
        # the read timeout as a deadline instead of a wait_for (a task and a timer per read).
        read_timeout = self.config.read_timeout
        reader = self.reader
        while not reader.at_eof():
            if read_timeout is not None:
                self._read_deadline = self._deadline(read_timeout)
            try:
                data = await reader.read(MAX_RECV)
            except (ConnectionError, OSError, TimeoutError, SSLError):
                break
            finally:
                self._read_deadline = INF
            if self._read_expired:
                break
            if data and self._idle and self._head_deadline == INF:
                self._head_deadline = self._deadline(self.limits.head_timeout)
            if self._hold is not None and self._hold.held:
                await self._hold.wait()  # the front end has the loop for a moment
            await self.protocol.handle(RawData(data))
        await self.protocol.handle(Closed())
        if self._idle:
            # The client closed between requests. Hypercorn kept the connection (and its
            # task) until the keep-alive timer ran out, 75 s later: end it now.
            await self.idle_task.stop()

    def _deadline(self, seconds: float) -> float:
        """now + ``seconds``, with the watchdog set to fire by then."""
        at = self.loop.time() + seconds
        if at < self._watchdog_at and not (self._gone or self._closing):
            if self._watchdog is not None:
                self._watchdog.cancel()
            self._watchdog_at = at
            self._watchdog = self.loop.call_at(at, self._watch_deadlines)
        return at

    def _watch_deadlines(self) -> None:
        self._watchdog = None
        self._watchdog_at = INF
        if self._gone or self._closing:
            return
        now = self.loop.time()
        if self._head_deadline <= now and self._idle:
            log.debug("closing a connection: no request head within %s s", self.limits.head_timeout)
            self._lost()
            return
        if self._send_deadline <= now:
            log.debug(
                "closing a connection: the client read nothing for %s s", self.limits.send_timeout
            )
            self._lost()
            return
        if self._idle_deadline <= now:
            log.debug("closing a connection idle for %s s", self.config.keep_alive_timeout)
            self._end_idle()
            return
        if self._read_deadline <= now:
            # As Hypercorn's wait_for timing out: the read loop ends, the connection closes.
            self._read_expired = True
            self._read_deadline = INF
            self.reader.feed_eof()
            return
        nearest = min(
            self._head_deadline, self._send_deadline, self._read_deadline, self._idle_deadline
        )
        if nearest != INF:
            self._watchdog_at = nearest
            self._watchdog = self.loop.call_at(nearest, self._watch_deadlines)

    def _stop_watchdog(self) -> None:
        self._head_deadline = self._send_deadline = self._read_deadline = INF
        self._idle_deadline = INF
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        self._watchdog_at = INF

    async def _close(self) -> None:
        self._closing = True
        self._stop_watchdog()
        await super()._close()

    async def _initiate_server_close(self) -> None:
        self._closing = True
        await super()._initiate_server_close()


def _install_connection_class() -> None:
    """Have Hypercorn's asyncio worker make our connections (it looks the class up in
    ``hypercorn.asyncio.run`` for each new connection)."""
    if hypercorn_run.TCPServer is TCPServer:
        hypercorn_run.TCPServer = _Connection  # type: ignore[misc]


async def serve(
    app: ASGIApp,
    sock: socket.socket,
    shutdown: asyncio.Event,
    logger: logging.Logger | None = None,
    limits: Limits = LIMITS,
    hold: Hold | None = None,
) -> None:
    """Serve until ``shutdown`` is set; in-flight requests get SHUTDOWN_GRACE, then are cancelled.
    ``hold``: a front end's way to pause reading new requests for a moment (Hold).

    Passing a shutdown trigger also keeps Hypercorn from installing signal handlers of its own.
    """
    _install_connection_class()
    # Hypercorn takes ownership of the descriptor it is given and closes it when it stops; give
    # it a duplicate, so that ``sock`` stays the caller's to close. (Handing over sock's own
    # descriptor made the caller's later close hit whatever socket reused that number.)
    config = hypercorn_config(os.dup(sock.fileno()), logger, limits, hold)
    task = asyncio.ensure_future(hypercorn_serve(app, config, shutdown_trigger=shutdown.wait))
    waiter = asyncio.ensure_future(shutdown.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        begin_shutdown = getattr(app, "begin_shutdown", None)
        if begin_shutdown is not None:
            begin_shutdown()  # delayed answers go out now instead of holding the shutdown
        if task.done():
            task.result()  # the server stopped on its own: surface why
            return
        done, _ = await asyncio.wait({task}, timeout=SHUTDOWN_GRACE + 1)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        waiter.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
