"""Clients that close with requests in flight, as a load generator does at the end of its
run (issue 7: the cheaper connection class once logged an unhandled exception for each)."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

from tests.server.process import Mocktui, collection
from tests.server.wire import req


def test_clients_that_leave_mid_answer_log_nothing(tmp_path: Path) -> None:
    """32 clients pipeline 50 requests each and close at once, 5 times: every request the
    server counts is answered or recorded, and its stderr says nothing but the ready line
    (before the fix: 'Unhandled exception in client_connected_cb', RuntimeError 'TaskGroup
    ... is shutting down', for most of the connections)."""
    served = collection(tmp_path, small="ok")
    pipelined = req(b"GET /small HTTP/1.1", b"Host: x") * 50
    with Mocktui(str(served)) as server:
        for _ in range(5):
            clients = []
            for _ in range(32):
                client = socket.create_connection(("127.0.0.1", server.port))
                client.sendall(pipelined)
                clients.append(client)
            for client in clients:
                with contextlib.suppress(OSError):
                    client.recv(64)  # the first answer has started: the rest is in flight
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                client.close()  # with a reset, as a client that is killed
            time.sleep(0.2)
        assert server.stop() == 0
    assert server.errors == [], "".join(server.errors)[:6000]
