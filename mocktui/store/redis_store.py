"""The Redis backend: controls, scenarios, counts and request events shared by every process.

What lives in Redis (one logical database per mock farm; every key starts with ``mocktui:``):

    mocktui:epoch      a random token set by the first process to find the database empty
    mocktui:controls   hash: endpoint key -> one serialized control (the state file's form)
    mocktui:scenarios  hash: scenario name -> its serialized controls
    mocktui:counts     hash: requests, misses (HINCRBY)
    mocktui:served     hash: ["endpoint key", "example id"] -> times served (HINCRBY)
    mocktui:events     stream: one entry per request (XADD MAXLEN ~ STREAM_LENGTH)
    mocktui:changes    pub/sub channel: one message per control change, with its data

The hot path never waits on Redis: a request reads the local ``ControlStore``, and is counted
and published locally; a background task sends the counts (HINCRBY) and the events (XADD) in
batches every FLUSH_INTERVAL, and reads the totals back. A control change is written (HSET or
HDEL, then PUBLISH, in one MULTI) as soon as it is made, and every process, the writer
included, applies the published changes in the order Redis received them: two operators who
pin the same endpoint at once both end up with the later pin (last write wins).

When Redis goes away, every process keeps serving from its local copy, says so (stderr, the
dashboard's header) and retries; changes made meanwhile are kept and sent on return, then the
shared state is read back. When Redis comes back empty (restarted without persistence), the
first process to notice seeds it again from its local copy, and every process sends its counts
again, so the totals are back too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from mocktui.engine.events import EventBus, RequestEvent, Subscription
from mocktui.engine.store import ControlError, ControlStore, check_name, identity, serialize
from mocktui.rules import store_name
from mocktui.store import StoreUnavailable

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine

PREFIX = "mocktui:"
K_EPOCH = PREFIX + "epoch"
K_CONTROLS = PREFIX + "controls"
K_SCENARIOS = PREFIX + "scenarios"
K_COUNTS = PREFIX + "counts"
K_SERVED = PREFIX + "served"
K_EVENTS = PREFIX + "events"
CHANNEL = PREFIX + "changes"

STREAM_LENGTH = 10_000  # request events the stream keeps (MAXLEN ~: Redis trims near it)
FLUSH_INTERVAL = 0.05  # seconds between two batches of counts and events
REFRESH_INTERVAL = 0.2  # seconds between two reads of the totals when nothing is sent
RETRY_INTERVAL = 0.5  # seconds between two attempts to reach Redis again
EVENT_BATCH = 1_000  # events sent per batch at most
UNSENT_LIMIT = STREAM_LENGTH  # events kept while Redis is away (the oldest go first)
HISTORY_LOAD = 1_000  # events of the stream a new reader (a dashboard) starts with
ENDPOINT_KINDS = frozenset({"mode", "endpoint", "example", "delay"})
LOCAL_KINDS = frozenset({"reload", "clear", "store"})  # never shared
ERRORS = (RedisError, OSError, asyncio.TimeoutError)
log = logging.getLogger("mocktui.store")

# Set the epoch and seed the controls and scenarios, only if no epoch is set: one process
# (the first to find the database empty) seeds it, atomically.
SEED = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  local n = tonumber(ARGV[2])
  redis.call('DEL', KEYS[2], KEYS[3])
  for i = 0, n - 1 do redis.call('HSET', KEYS[2], ARGV[3 + 2 * i], ARGV[4 + 2 * i]) end
  local m = tonumber(ARGV[3 + 2 * n])
  for i = 0, m - 1 do
    redis.call('HSET', KEYS[3], ARGV[4 + 2 * n + 2 * i], ARGV[5 + 2 * n + 2 * i])
  end
  return 1
end
return 0
"""


def client(url: str, timeout: float = 5.0) -> aioredis.Redis:
    """A client that fails fast (no retries of its own: the backend retries, and says so)."""
    return aioredis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=min(timeout, 2.0),
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
        client_name="mocktui",
    )


def ping(url: str, timeout: float = 2.0) -> None:
    async def check() -> None:
        r = client(url, timeout)
        try:
            await asyncio.wait_for(r.ping(), timeout)
        finally:
            with contextlib.suppress(*ERRORS):
                await r.aclose()

    try:
        asyncio.run(check())
    except ERRORS as exc:
        raise StoreUnavailable(f"{store_name(url)}: cannot connect: {_why(exc)}") from None


def _why(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _pair(field: str) -> tuple[str, str] | None:
    try:
        key, example = json.loads(field)
    except (ValueError, TypeError):
        return None
    return str(key), str(example)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _named(name: str) -> bool:
    try:
        return check_name(name) == name
    except ControlError:
        return False


def _same(a: list[Mapping[str, Any]], b: list[Mapping[str, Any]]) -> bool:
    def norm(items: list[Mapping[str, Any]]) -> list[str]:
        return sorted(json.dumps(i, sort_keys=True) for i in items)

    return norm(a) == norm(b)


class SharedTraffic(EventBus):
    """Every replica's request events, read from the stream (``engine.traffic``), numbered
    here. Reading starts when someone first asks (a dashboard, ``/traffic``, ``/events``):
    a worker that nobody watches does not decode everyone's traffic."""

    def __init__(self, backend: RedisBackend, capacity: int) -> None:
        super().__init__(capacity)
        self._backend = backend
        self.loaded = asyncio.Event()  # the stream's recent history is in

    async def ready(self, timeout: float = 1.0) -> None:
        """Start reading (when not yet) and wait, up to ``timeout`` seconds, for the stream's
        recent history: a first ``/traffic`` call gets what was served before it."""
        self._backend.want_traffic()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.loaded.wait(), timeout)

    def subscribe(self, from_start: bool = False) -> Subscription:
        self._backend.want_traffic()
        return super().subscribe(from_start)

    def since(self, cursor: int, limit: int | None = None) -> tuple[list[RequestEvent], int, int]:
        self._backend.want_traffic()
        return super().since(cursor, limit)


class RedisBackend:
    """A ``StoreBackend`` on Redis for one process (see the module's docstring)."""

    def __init__(self, engine: MockEngine, url: str, stream_length: int = STREAM_LENGTH) -> None:
        self.engine = engine
        self.store: ControlStore = engine.store
        self.url = url
        self.name = store_name(url)
        self.stream_length = stream_length
        self.replica = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.away: str | None = "not connected yet"
        self.traffic = SharedTraffic(self, engine.settings.history)
        self._writes: deque[dict[str, Any]] = deque()  # local changes not yet in Redis
        self._write_ready = asyncio.Event()
        self._requests = 0  # counted, not yet sent
        self._misses = 0
        self._served: dict[tuple[str, str], int] = {}
        self._own: dict[str, Any] = {"requests": 0, "misses": 0, "served": {}}  # ever sent
        self._unsent: deque[RequestEvent] = deque(maxlen=UNSENT_LIMIT)
        self._epoch: str | None = None
        self._connected = asyncio.Event()
        self._ever_connected = False
        self._said_away = False
        self._redis: aioredis.Redis | None = None
        self._outbox: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._last_refresh = 0.0

    # -- StoreBackend ---------------------------------------------------------------------------

    def counted(self, endpoint_key: str | None, example_id: str | None) -> None:
        self._requests += 1
        if endpoint_key is None or example_id is None:
            self._misses += 1
        else:
            pair = (endpoint_key, example_id)
            self._served[pair] = self._served.get(pair, 0) + 1

    async def start(self, wait: float = 2.0) -> None:
        """Connect and sync (waiting up to ``wait`` seconds for it), then keep in step in the
        background; past ``wait``, serving starts from the local copy and the backend goes on
        trying."""
        if self._task is not None:
            return
        self.store.backend = self
        self.store.listeners.append(self._changed)
        self.engine.traffic = self.traffic
        self._outbox = self.engine.bus.subscribe()
        self._redis = client(self.url)
        self._task = asyncio.create_task(self._run(), name="mocktui store")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._connected.wait()), wait)

    async def stop(self, timeout: float = 1.0) -> None:
        """Send what is left (counts, events, changes: within ``timeout``), then let go."""
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._changed)
        tasks = [t for t in (self._task, self._reader) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, *ERRORS):
                await task
        if self._redis is not None:
            if self.away is None:
                with contextlib.suppress(*ERRORS):
                    await asyncio.wait_for(self._last_flush(), timeout)
            with contextlib.suppress(*ERRORS):
                await self._redis.aclose()
        if self._outbox is not None:
            self._outbox.close()
        self._task = self._reader = None

    async def _last_flush(self) -> None:
        while self._writes:
            await self._send(self._writes[0])
            self._writes.popleft()
        await self._flush()

    # -- local changes, shared ------------------------------------------------------------------

    def _changed(self, change: Any) -> None:
        if change.origin or change.kind in LOCAL_KINDS:
            return  # applied from Redis (or not shared): nothing to send
        message: dict[str, Any] = {
            "origin": self.replica,
            "kind": change.kind,
            "endpoint": change.endpoint_key,
            "source": change.source,
            "detail": dict(change.detail),
        }
        store = self.store
        if change.kind in ENDPOINT_KINDS and change.endpoint_key is not None:
            endpoint = store.endpoint(change.endpoint_key)
            control = store.control(change.endpoint_key)
            ident = identity(endpoint)
            message["ident"] = ident
            message["item"] = None if control.default else serialize(control, ident, endpoint)
        elif change.kind in ("reset", "restore"):
            message["controls"] = store.snapshot()
        elif change.kind == "scenario":
            name = change.detail.get("scenario")
            if change.detail.get("action") == "saved" and name in store.scenarios:
                message["controls"] = store.scenarios[name]
        self._writes.append(message)
        self._write_ready.set()

    async def _send(self, message: dict[str, Any]) -> None:
        r = self._redis
        assert r is not None
        pipe = r.pipeline(transaction=True)
        kind = message["kind"]
        if "ident" in message:
            field = message["ident"]["key"]
            if message["item"] is None:
                pipe.hdel(K_CONTROLS, field)
            else:
                pipe.hset(K_CONTROLS, field, json.dumps(message["item"]))
        elif kind in ("reset", "restore"):
            pipe.delete(K_CONTROLS)
            items = {
                str((c.get("endpoint") or {}).get("key")): json.dumps(c)
                for c in message["controls"]
            }
            if items:
                pipe.hset(K_CONTROLS, mapping=items)
        elif kind == "scenario":
            name = str(message["detail"].get("scenario"))
            action = message["detail"].get("action")
            if action == "saved" and "controls" in message:
                pipe.hset(K_SCENARIOS, name, json.dumps(message["controls"]))
            elif action == "deleted":
                pipe.hdel(K_SCENARIOS, name)
        pipe.publish(CHANNEL, json.dumps(message))
        await pipe.execute()

    async def _write_loop(self) -> None:
        while True:
            await self._write_ready.wait()
            while self._writes:
                await self._send(self._writes[0])
                self._writes.popleft()
            self._write_ready.clear()

    # -- other processes' changes, applied ------------------------------------------------------

    async def _listen(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            try:
                data = json.loads(message["data"])
                self._apply(data)
            except (ValueError, KeyError, TypeError, AttributeError):
                log.warning("%s: a change message mocktui cannot read was ignored", self.name)

    def _apply(self, message: Mapping[str, Any]) -> None:
        store = self.store
        origin = str(message["origin"])
        mine = origin == self.replica
        kind, source = str(message["kind"]), str(message["source"])
        detail = dict(message.get("detail") or {})
        if "ident" in message:
            key = store.put_control(message.get("item"), message["ident"])
            if key is not None:  # it changed something here (for the writer: it was overtaken)
                store.announce(kind, key, source, detail, origin)
        elif kind in ("reset", "restore"):
            controls = list(message.get("controls") or [])
            if not (mine and _same(controls, store.snapshot())):
                store.restore(controls, source, origin=origin)
        elif kind == "scenario":
            name = str(detail.get("scenario"))
            action = detail.get("action")
            if not _named(name):
                raise ValueError("not a scenario name")
            if action == "saved" and "controls" in message:
                store.scenarios[name] = list(message["controls"])
            elif action == "deleted":
                store.scenarios.pop(name, None)
            if not mine:
                store.announce(kind, None, source, detail, origin)

    # -- connecting, and coming back ------------------------------------------------------------

    async def _run(self) -> None:
        r = self._redis
        assert r is not None
        while True:
            pubsub = r.pubsub()
            tasks: list[asyncio.Task[Any]] = []
            try:
                await pubsub.subscribe(CHANNEL)  # first: no change is missed while syncing
                await self._sync()
                self._came_back()
                tasks = [
                    asyncio.create_task(self._listen(pubsub)),
                    asyncio.create_task(self._write_loop()),
                    asyncio.create_task(self._flush_loop()),
                ]
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
                for task in done:
                    task.result()
            except ERRORS as exc:
                self._went_away(exc)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError, *ERRORS):
                        await task
                with contextlib.suppress(*ERRORS, RuntimeError):
                    await pubsub.aclose()
            await asyncio.sleep(RETRY_INTERVAL)

    async def _sync(self) -> None:
        r = self._redis
        assert r is not None
        store = self.store
        epoch = await r.get(K_EPOCH)
        if epoch is None:  # a new database, or one that lost its data: seed it if first
            token = secrets.token_hex(8)
            controls = store.snapshot()
            args: list[Any] = [token, len(controls)]
            for item in controls:
                args += [str((item.get("endpoint") or {}).get("key")), json.dumps(item)]
            args.append(len(store.scenarios))
            for name, items in store.scenarios.items():
                args += [name, json.dumps(items)]
            await r.eval(SEED, 3, K_EPOCH, K_CONTROLS, K_SCENARIOS, *args)
            epoch = await r.get(K_EPOCH)
        if self._epoch is not None and epoch != self._epoch:
            # Redis lost what this process had sent: send all of its counts again.
            own = self._own
            self._requests += own["requests"]
            self._misses += own["misses"]
            for pair, n in own["served"].items():
                self._served[pair] = self._served.get(pair, 0) + n
            own.update(requests=0, misses=0, served={})
        self._epoch = epoch
        while self._writes:  # changes made while Redis was away: last write wins
            await self._send(self._writes[0])
            self._writes.popleft()
        raw_controls = await r.hgetall(K_CONTROLS)
        raw_scenarios = await r.hgetall(K_SCENARIOS)
        controls = [c for c in map(_loads, raw_controls.values()) if isinstance(c, dict)]
        scenarios = {
            name: items
            for name, items in ((n, _loads(v)) for n, v in raw_scenarios.items())
            if isinstance(items, list) and _named(name)
        }
        if scenarios != store.scenarios:
            store.scenarios = scenarios
        if not _same(controls, store.snapshot()):
            store.restore(controls, "store", origin="store")
        await self._flush()

    def _went_away(self, exc: BaseException) -> None:
        self._connected.clear()
        if self._said_away:
            return  # said already
        self._said_away = True
        self.away = f"{self.name} unreachable ({_why(exc)}): serving from the local copy"
        log.warning("%s; retrying", self.away)
        self.store.announce("store", None, "store", {"connected": False}, "store")

    def _came_back(self) -> None:
        was_away = self._said_away
        self._said_away = False
        self.away = None
        self._ever_connected = True
        self._connected.set()
        if was_away:
            log.warning("%s is back: controls and counts resynced", self.name)
            self.store.announce("store", None, "store", {"connected": True}, "store")

    # -- counts and events, in batches ----------------------------------------------------------

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            await self._flush()

    async def _flush(self) -> None:
        """Send the counts and events gathered since the last batch; read the totals back."""
        r = self._redis
        assert r is not None
        if self._outbox is not None:
            self._unsent.extend(self._outbox.drain())
        events = [self._unsent.popleft() for _ in range(min(len(self._unsent), EVENT_BATCH))]
        requests, misses, served = self._requests, self._misses, self._served
        now = time.monotonic()
        if not (events or requests) and now - self._last_refresh < REFRESH_INTERVAL:
            return
        self._requests = self._misses = 0
        self._served = {}
        pipe = r.pipeline(transaction=True)
        for event in events:
            data = json.dumps(event.to_dict(), ensure_ascii=False)
            pipe.xadd(
                K_EVENTS,
                {"o": self.replica, "e": data},
                maxlen=self.stream_length,
                approximate=True,
            )
        if requests:
            pipe.hincrby(K_COUNTS, "requests", requests)
        if misses:
            pipe.hincrby(K_COUNTS, "misses", misses)
        for (key, example), n in served.items():
            pipe.hincrby(K_SERVED, json.dumps([key, example]), n)
        pipe.hgetall(K_COUNTS)
        pipe.hgetall(K_SERVED)
        try:
            results = await pipe.execute()
        except BaseException:
            # Not sent (or not known to be): kept for the next batch.
            self._unsent.extendleft(reversed(events))
            self._requests += requests
            self._misses += misses
            for pair, n in served.items():
                self._served[pair] = self._served.get(pair, 0) + n
            raise
        own = self._own
        own["requests"] += requests
        own["misses"] += misses
        for pair, n in served.items():
            own["served"][pair] = own["served"].get(pair, 0) + n
        self._last_refresh = now
        self._totals(results[-2], results[-1])

    def _totals(self, counts: Mapping[str, str], served: Mapping[str, str]) -> None:
        """The shared totals, plus what this process counted since the batch left."""
        store = self.store
        store.requests = int(counts.get("requests", 0)) + self._requests
        store.misses = int(counts.get("misses", 0)) + self._misses
        totals: dict[tuple[str, str], int] = {}
        for field, n in served.items():
            pair = _pair(field)
            if pair is not None:
                totals[pair] = int(n)
        for pair, n in self._served.items():
            totals[pair] = totals.get(pair, 0) + n
        hits: dict[str, int] = {}
        for (key, _example), n in totals.items():
            hits[key] = hits.get(key, 0) + n
        store.served.clear()
        store.served.update(totals)
        store.hits.clear()
        store.hits.update(hits)

    async def refresh(self) -> None:
        """Read the shared totals once (``mocktui --workers``: the coverage file on exit)."""
        r = self._redis or client(self.url)
        self._redis = r
        counts, served = await asyncio.gather(r.hgetall(K_COUNTS), r.hgetall(K_SERVED))
        self._totals(counts, served)

    # -- the shared stream, read ----------------------------------------------------------------

    def want_traffic(self) -> None:
        if self._reader is None and self._task is not None:
            self._reader = asyncio.get_running_loop().create_task(
                self._read_stream(), name="mocktui shared traffic"
            )

    async def _read_stream(self) -> None:
        r = self._redis
        assert r is not None
        last: str | None = None
        while True:
            try:
                if last is None:
                    recent = await r.xrevrange(
                        K_EVENTS, count=min(HISTORY_LOAD, self.traffic.capacity)
                    )
                    for _sid, fields in reversed(recent):
                        self._publish(fields)
                    last = recent[0][0] if recent else "0-0"
                    self.traffic.loaded.set()
                found = await r.xread({K_EVENTS: last}, count=EVENT_BATCH, block=1000)
                for _stream, entries in found or ():
                    for sid, fields in entries:
                        self._publish(fields)
                        last = sid
            except ERRORS:
                await asyncio.sleep(RETRY_INTERVAL)

    def _publish(self, fields: Mapping[str, str]) -> None:
        try:
            event = RequestEvent.from_dict(json.loads(fields["e"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            return  # not an event mocktui wrote: left out
        traffic = self.traffic
        traffic.publish(replace(event, id=traffic.new_id()))
