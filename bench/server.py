"""One benchmark server in its own process: ``python bench/server.py KIND [COLLECTION]``.

KIND is ``bare`` (a hand-written ASGI app), ``quart`` (a plain Quart app with one route) or
``mocktui`` (``create_app(engine=...)`` for COLLECTION). All three run under the same Hypercorn
configuration (``mocktui.server.serve``) on 127.0.0.1 with an ephemeral port.

Protocol on stdin/stdout, one line each way:
    server -> "READY <port>" once listening
    "cpu"  -> "CPU <seconds>" (this process's user + system CPU time so far)
    "quit" or end of input -> the server shuts down
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from typing import Any

from mocktui.server.serve import bind_socket, serve

# The same body mocktui answers GET /users/2 with in the bench collection, so every server
# sends a response of about the same size.
BODY = (
    b'{"id":2,"name":"Alan Turing","email":"alan@example.com","role":"user","team":"codes",'
    b'"active":true,"created":"2024-01-02T10:00:00Z","bio":"Mathematician, computer scientist, '
    b"logician, cryptanalyst, philosopher and theoretical biologist; he formalised computation "
    b'with the Turing machine."}'
)


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The floor: read the scope, answer a fixed JSON body; nothing else."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


def quart_app() -> Any:
    from quart import Quart, Response

    app = Quart("bench")

    @app.route("/users/<user_id>")
    async def user(user_id: str) -> Response:
        return Response(BODY, status=200, content_type="application/json")

    return app


def mocktui_app(collection: str) -> Any:
    from mocktui.config import build_engine
    from mocktui.server.app import create_app

    return create_app(engine=build_engine([collection]))


def _control(loop: asyncio.AbstractEventLoop, shutdown: asyncio.Event) -> None:
    """Answer the parent's commands from a thread (it sleeps in readline between them)."""
    for line in sys.stdin:
        command = line.strip()
        if command == "cpu":
            times = time.process_time()
            sys.stdout.write(f"CPU {times:.6f}\n")
            sys.stdout.flush()
        elif command == "quit":
            break
    loop.call_soon_threadsafe(shutdown.set)


async def main(kind: str, collection: str | None) -> None:
    if kind == "bare":
        app: Any = bare_app
    elif kind == "quart":
        app = quart_app()
    elif kind == "mocktui":
        if not collection:
            raise SystemExit("mocktui needs a collection path")
        app = mocktui_app(collection)
    else:
        raise SystemExit(f"unknown server kind {kind!r}")
    sock = bind_socket("127.0.0.1", 0)
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(serve(app, sock, shutdown))
    await asyncio.sleep(0.05)  # let Hypercorn take the socket
    sys.stdout.write(f"READY {sock.getsockname()[1]}\n")
    sys.stdout.flush()
    threading.Thread(target=_control, args=(loop, shutdown), daemon=True).start()
    await task
    with contextlib.suppress(OSError):  # Hypercorn closes the fd it was given
        sock.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
