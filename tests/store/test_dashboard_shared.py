"""The dashboard of one replica (``mocktui --store redis://... coll.json``) shows the traffic
that other processes serve, and says so when the store goes away."""

from __future__ import annotations

import asyncio

from mocktui.config import build_engine
from mocktui.store import open_store
from mocktui.tui.app import MockTUI
from mocktui.tui.header import StatusHeader
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import TrafficView
from tests.server.live import running
from tests.store.conftest import RedisServer
from tests.tui.conftest import FAST_POLL, screen_text, wait_for


async def test_the_dashboard_shows_requests_served_by_another_process(
    redis_server: RedisServer,
) -> None:
    mine = build_engine([], seed=1)
    backend = open_store(mine, redis_server.url)
    await backend.start()
    other = build_engine([], seed=1)
    other_backend = open_store(other, redis_server.url)
    await other_backend.start()
    app = MockTUI(mine, url=URL, tz=TZ, poll_interval=FAST_POLL)
    try:
        async with running(other) as elsewhere, app.run_test(size=(120, 36)) as pilot:
            assert (await elsewhere.client.get("/users/7")).status_code == 200
            assert (await elsewhere.client.get("/nowhere")).status_code == 404
            view = app.query_one(TrafficView)
            await wait_for(pilot, lambda: len(view.rows) == 2, timeout=10)
            text = screen_text(app)
            assert "/users/7" in text
            assert "User found" in text
            assert "/nowhere" in text
            header = app.query_one(StatusHeader)
            await wait_for(pilot, lambda: header.counts.requests == 2, timeout=10)
            assert header.counts.misses == 1
            assert mine.bus.since(0)[0] == []  # none of them was served here

            redis_server.kill()
            await wait_for(pilot, lambda: header.store_away is not None, timeout=10)
            await pilot.pause(0.05)
            assert "store away: serving the local copy" in screen_text(app)  # at 120 columns
            redis_server.start()
            await wait_for(pilot, lambda: header.store_away is None, timeout=10)
            await pilot.pause(0.05)
            assert "store away" not in screen_text(app)
    finally:
        await other_backend.stop()
        await backend.stop()
        await asyncio.sleep(0)
