"""serve.Hold: the dashboard's moment of the loop for a key (issue 7). While held, the server
takes in no new request; a hold ends when released, or by itself after its time."""

from __future__ import annotations

import asyncio
import time

import httpx

from mocktui.config import build_engine
from mocktui.server.app import create_app
from mocktui.server.serve import Hold, base_url, bind_socket, serve


async def test_a_held_server_answers_new_requests_once_the_hold_ends() -> None:
    hold = Hold()
    sock = bind_socket("127.0.0.1", 0)
    shutdown = asyncio.Event()
    task = asyncio.create_task(
        serve(create_app(engine=build_engine([], seed=7)), sock, shutdown, hold=hold)
    )
    try:
        async with httpx.AsyncClient(base_url=base_url(sock), timeout=10) as client:
            assert (await client.get("/health")).status_code == 200  # the connection is open
            hold.hold(30)
            assert hold.held
            waiting = asyncio.ensure_future(client.get("/health"))
            await asyncio.sleep(0.3)
            assert not waiting.done()  # held: the request waits
            hold.release()
            assert not hold.held
            assert (await asyncio.wait_for(waiting, 10)).status_code == 200
            # A hold ends by itself after its time, and holding again restarts it.
            hold.hold(0.2)
            hold.hold(0.3)
            began = time.monotonic()
            assert (await client.get("/health")).status_code == 200
            assert time.monotonic() - began >= 0.25
            assert not hold.held
    finally:
        shutdown.set()
        await asyncio.wait_for(task, 10)
        sock.close()
