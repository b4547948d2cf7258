"""Raw HTTP/1.1 for the hostile-input tests: bytes on a socket, answers parsed by hand (an HTTP
client library would refuse to send most of what these tests send)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def host_port(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


async def exchange(
    url: str, data: bytes, *, timeout: float = 5.0, half_close: bool = False
) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it (or ``timeout``
    seconds pass without a byte: the bytes so far, then)."""
    reader, writer = await asyncio.open_connection(*host_port(url))
    try:
        writer.write(data)
        await writer.drain()
        if half_close:
            writer.write_eof()
        return await read_all(reader, timeout)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_all(reader: asyncio.StreamReader, timeout: float) -> bytes:
    out = bytearray()
    with contextlib.suppress(TimeoutError, ConnectionError):
        while chunk := await asyncio.wait_for(reader.read(65536), timeout):
            out += chunk
    return bytes(out)


def parse(data: bytes, head_only: frozenset[int] = frozenset()) -> list[Answer]:
    """Every answer in ``data``, in order (Content-Length framing; 1xx answers are kept too).

    ``head_only`` lists the indexes of answers to HEAD requests (their Content-Length has no
    body)."""
    answers: list[Answer] = []
    rest = data
    while rest:
        head, sep, rest = rest.partition(b"\r\n\r\n")
        if not sep:
            raise AssertionError(f"an incomplete answer: {head[:200]!r}")
        lines = head.decode("latin-1").split("\r\n")
        version, _, status_reason = lines[0].partition(" ")
        assert version.startswith("HTTP/1."), lines[0]
        status, _, reason = status_reason.partition(" ")
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
        answer = Answer(int(status), reason, headers)  # type: ignore[arg-type]
        length = answer.header("content-length")
        if length is not None and len(answers) not in head_only and answer.status >= 200:
            answer.body, rest = rest[: int(length)], rest[int(length) :]
        answers.append(answer)
    return answers


async def request(url: str, data: bytes, **options: object) -> Answer:
    """The one answer to one request (the request should say ``Connection: close``)."""
    raw = await exchange(url, data, **options)  # type: ignore[arg-type]
    answers = parse(raw)
    assert len(answers) == 1, raw[:500]
    return answers[0]


def req(line: bytes, *headers: bytes, body: bytes = b"") -> bytes:
    """A request as bytes: the request line, the header lines, an empty line, the body."""
    return line + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body
