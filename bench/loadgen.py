"""A small HTTP/1.1 keep-alive load generator on raw asyncio sockets (the fallback for wrk).

    python bench/loadgen.py HOST PORT PATH CONNECTIONS REQUESTS TIMEOUT

Opens CONNECTIONS keep-alive connections, sends REQUESTS ``GET PATH`` requests in total (each
connection sends its next request when the previous answer is complete; no pipelining) and
prints one JSON line: {"requests", "seconds", "non_200", "errors"}. Answers must carry a
Content-Length (every server in this benchmark sends one). Stops at TIMEOUT seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


class _Client(asyncio.Protocol):
    def __init__(self, run: _Run) -> None:
        self.run = run
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.need = -1  # bytes of the current answer (head + body) once the head is in
        self.status = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send_next(self) -> None:
        if self.transport is not None and self.run.take():
            self.transport.write(self.run.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.need < 0:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end]).lower()
                self.status = int(head[9:12])
                marker = head.find(b"\r\ncontent-length:")
                if marker < 0:
                    self.run.fail("answer without Content-Length")
                    return
                value_end = head.find(b"\r\n", marker + 2)
                length = int(head[marker + 17 : value_end if value_end > 0 else None])
                self.need = end + 4 + length
            if len(self.buffer) < self.need:
                return
            del self.buffer[: self.need]
            self.need = -1
            self.run.done_one(self.status)
            self.send_next()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.run.finished.done():
            self.run.fail(f"connection lost: {exc}")


class _Run:
    def __init__(self, host: str, path: str, total: int) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: mocktui-bench\r\n"
            "Accept: */*\r\n\r\n"
        ).encode()
        self.total = total
        self.sent = 0
        self.completed = 0
        self.non_200 = 0
        self.errors: list[str] = []
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def take(self) -> bool:
        if self.sent >= self.total:
            return False
        self.sent += 1
        return True

    def done_one(self, status: int) -> None:
        self.completed += 1
        if status != 200:
            self.non_200 += 1
        if self.completed >= self.total and not self.finished.done():
            self.finished.set_result(None)

    def fail(self, why: str) -> None:
        self.errors.append(why)
        if not self.finished.done():
            self.finished.set_result(None)


async def drive(
    host: str, port: int, path: str, connections: int, total: int, timeout: float
) -> dict[str, object]:
    loop = asyncio.get_running_loop()
    run = _Run(host, path, total)
    clients: list[_Client] = []
    for _ in range(connections):
        _transport, client = await loop.create_connection(lambda: _Client(run), host, port)
        clients.append(client)
    started = time.perf_counter()
    for client in clients:
        client.send_next()
    try:
        await asyncio.wait_for(asyncio.shield(run.finished), timeout)
    except TimeoutError:
        run.errors.append(f"timed out after {timeout:g} s")
    seconds = time.perf_counter() - started
    for client in clients:
        if client.transport is not None:
            client.transport.close()
    return {
        "requests": run.completed,
        "seconds": seconds,
        "non_200": run.non_200,
        "errors": run.errors[:5],
    }


def main(argv: list[str]) -> None:
    host, port, path, connections, total, timeout = argv
    result = asyncio.run(
        drive(host, int(port), path, int(connections), int(total), float(timeout))
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
