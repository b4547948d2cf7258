"""Running the ASGI app under Hypercorn inside an existing event loop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket

from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config

from mocktui.server.app import ASGIApp

SHUTDOWN_GRACE = 2.0  # seconds in-flight requests get before they are cancelled
READ_TIMEOUT = 60  # seconds a connection may go without sending anything mid-request
log = logging.getLogger("mocktui.server")


class BindError(OSError):
    """The listening socket could not be opened; the message says why in a user's words."""


def bind_socket(host: str, port: int) -> socket.socket:
    """Open the listening socket before any UI starts: clean errors, and port 0 works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
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


def hypercorn_config(fd: int, logger: logging.Logger | None = None) -> Config:
    """Hypercorn's settings for serving on the listening socket ``fd`` (Hypercorn closes it)."""
    config = Config()
    config.bind = [f"fd://{fd}"]
    config.accesslog = None  # every request is an event already; no access log on the terminal
    config.errorlog = logger or log
    config.graceful_timeout = SHUTDOWN_GRACE
    config.keep_alive_timeout = 75
    config.read_timeout = READ_TIMEOUT  # a client that stops sending mid-request is let go
    return config


async def serve(
    app: ASGIApp,
    sock: socket.socket,
    shutdown: asyncio.Event,
    logger: logging.Logger | None = None,
) -> None:
    """Serve until ``shutdown`` is set; in-flight requests get SHUTDOWN_GRACE, then are cancelled.

    Passing a shutdown trigger also keeps Hypercorn from installing signal handlers of its own.
    """
    # Hypercorn takes ownership of the descriptor it is given and closes it when it stops; give
    # it a duplicate, so that ``sock`` stays the caller's to close. (Handing over sock's own
    # descriptor made the caller's later close hit whatever socket reused that number.)
    config = hypercorn_config(os.dup(sock.fileno()), logger)
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
