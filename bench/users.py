"""The benchmark users run: mocktui's processes, started as a user starts them, against a floor.

    python bench/users.py            # 3 rounds x 5 s, 200,000 requests for memory (~10 min)
    python bench/users.py --long     # memory after 1,000,000 requests (the issue's figure)
    python bench/users.py --quick    # a smoke run: 1 round, 1 s runs, no peers (~30 s)

Each server is its own process, started the way its users start it, pinned to CPU 1 (load and
this script on CPU 0) when taskset is there: the floor (a bare ASGI app under the `hypercorn`
command), `mocktui --headless` (watching on, JSON lines to a file), the dashboard (`mocktui` in a
pseudo-terminal this script opens and keeps reading), Prism and Mockoon CLI (installed and
started as ../shared/bench/peers.sh does). Load is wrk (a Python client when wrk is missing).
Rounds alternate the servers; every ratio is the median of same-round ratios. One table is
printed: the servers, then each figure next to its goal from issue 7. See bench/README.md.

Exit status 0 when the benchmark ran (goals missed or not; --strict: 1 on a missed goal), 2 when
it could not measure (a server that does not start or answers the wrong thing).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import http.client
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = Path(os.environ.get("MOCKTUI_SHARED", ROOT.parent / "shared"))
if not SHARED.is_dir():  # CI lays shared/ beside the clone; fall back to the usual place
    SHARED = Path("/work/shared")
SHARED_BENCH = SHARED / "bench"
BENCH_COLLECTION = SHARED_BENCH / "bench.postman_collection.json"  # = collections/bench...
COMMERCETOOLS = SHARED / "collections" / "commercetools-api.postman_collection.json"
COMMERCETOOLS_PATH = "/my-project/products"  # any path: every answer is the collection's
TARGET = "/users/2"
BIN = Path(sys.executable).parent
HZ = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1e6  # memory in MB of 10^6 bytes (the goal says "100 MB")

# Goals of issue 7 (ratios from one run).
GOAL_HEADLESS_X_FLOOR = 0.8
GOAL_P99_X_FLOOR = 2.0
GOAL_DASHBOARD_X_HEADLESS = 0.9
GOAL_KEY_MS = 100.0
GOAL_SIZE_COST = 1.1
GOAL_START_S = 1.0
GOAL_CHECK_S = 2.0  # issue 8 (bench/run.py shows it as information)
GOAL_RSS_MB = 100.0
GOAL_FLAT_MB = 2.0  # "flat": the second half of the requests adds at most this much
GOAL_REQUESTS = 1_000_000
RING = 10_000  # events mocktui keeps (EngineSettings.history)

sys.path.insert(0, str(HERE))
import synth  # noqa: E402  (a sibling module: bench/ is not a package)


@dataclass
class Plan:
    rounds: int
    seconds: int  # per measured load run
    warmup: int  # seconds of load after each start, not measured (0: none)
    requests: int  # memory: RSS after this many requests
    peers: bool
    key_presses: int
    quiet: float  # before a start, wait until others use less than this % of a core (0: never)
    quiet_wait: float  # ... for at most this many seconds


FULL = Plan(rounds=3, seconds=5, warmup=2, requests=200_000, peers=True, key_presses=5,
            quiet=15, quiet_wait=20)
QUICK = Plan(rounds=1, seconds=1, warmup=0, requests=3_000, peers=False, key_presses=1,
             quiet=0, quiet_wait=0)


def median(values: Iterable[float]) -> float | None:
    xs = [v for v in values if v is not None]
    return statistics.median(xs) if xs else None


# -- processes: CPU, memory, the machine -----------------------------------------------------------


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/TID/children)."""
    out, i = [pid], 0
    while i < len(out):
        p = out[i]
        i += 1
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                with contextlib.suppress(OSError), open(f"/proc/{p}/task/{task}/children") as f:
                    out.extend(int(c) for c in f.read().split())
    return out


def ticks(pids: Iterable[int]) -> int:
    """utime + stime of these processes (all their threads), clock ticks."""
    total = 0
    for p in pids:
        with contextlib.suppress(OSError), open(f"/proc/{p}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def rss_mb(pids: Iterable[int]) -> float:
    total = 0
    for p in pids:
        with contextlib.suppress(OSError), open(f"/proc/{p}/statm") as f:
            total += int(f.read().split()[1]) * PAGE
    return total / MB


def machine_ticks() -> int:
    """Busy ticks of the whole machine: user nice system irq softirq steal."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7]


def own_cpu() -> float:
    """CPU seconds of this script (every thread: the pty reader too) and its reaped children
    (wrk, the Python client)."""
    me = os.times()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.user + me.system + kids.ru_utime + kids.ru_stime


@dataclass
class Quiet:
    """Wait for a quiet machine before a start, as peers.sh does (QUIET, QUIET_WAIT)."""

    threshold: float
    limit: float
    waited: float = 0.0
    gave_up: int = 0

    def sample(self, seconds: float = 1.0) -> float:
        """Other processes' CPU over ``seconds``, % of one core (this script and the servers it
        runs left out)."""
        servers = list(Server.live)
        k0, m0, o0, t0 = ticks_of(servers), machine_ticks(), own_cpu(), time.monotonic()
        time.sleep(seconds)
        k1, m1, o1, t1 = ticks_of(servers), machine_ticks(), own_cpu(), time.monotonic()
        return max(0.0, ((m1 - m0 - k1 + k0) / HZ - (o1 - o0)) / (t1 - t0) * 100)

    def wait(self) -> None:
        if self.threshold <= 0:
            return
        started = time.monotonic()
        while (busy := self.sample()) >= self.threshold:
            if time.monotonic() - started >= self.limit:
                self.gave_up += 1
                print(f"  machine still busy (others at {busy:.0f}% of a core): going on",
                      file=sys.stderr)
                break
            if time.monotonic() - started < 1.5:
                print(f"  machine busy (others at {busy:.0f}% of a core), waiting up to "
                      f"{self.limit:.0f} s", file=sys.stderr)
            time.sleep(2)
        self.waited += time.monotonic() - started


def ticks_of(servers: Iterable[Server]) -> int:
    return sum(s.ticks() for s in servers)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 5.0, method: str = "GET",
             body: bytes | None = None, headers: dict[str, str] | None = None
             ) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@dataclass
class Pinning:
    server: list[str]  # prefix of a server's command
    load: list[str]  # prefix of wrk's command
    said: str


def pinning(enabled: bool) -> Pinning:
    if enabled and shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {0})  # this script (pty reader, start-up polls) with the load
        return Pinning(["taskset", "-c", "1"], ["taskset", "-c", "0"],
                       "server on CPU 1, load and this script on CPU 0 (taskset)")
    return Pinning([], [], "not pinned (no taskset or a single CPU)")


# -- the dashboard's terminal ----------------------------------------------------------------------

_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
                      rb"|\x1b[()][A-Za-z0-9]|\x1b[=>78NOMDEHc]")
_TRAFFIC = re.compile(r"(\d[\d,]*) requests(?: · (\d[\d,]*) dropped)?(?: · last (\d[\d,]*) shown)?"
                      r"(?! · \d[\d,]* misses)")


class Screen:
    """The master side of the dashboard's pseudo-terminal: read all the time (a terminal
    would), the latest output kept for reading the traffic panel's counts."""

    KEEP = 1 << 20

    def __init__(self, master: int) -> None:
        self.master = master
        self._buf = bytearray()
        self._base = 0  # bytes read before _buf[0]
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, name="pty reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._buf += data
                if len(self._buf) > self.KEEP:
                    cut = len(self._buf) - self.KEEP // 2
                    del self._buf[:cut]
                    self._base += cut

    @property
    def offset(self) -> int:
        with self._lock:
            return self._base + len(self._buf)

    def text(self, since: int = 0) -> str:
        with self._lock:
            start = max(0, since - self._base)
            raw = bytes(self._buf[start:])
        return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")

    def traffic(self) -> tuple[int, int, int] | None:
        """(requests, dropped, shown) from the traffic panel's title, the latest drawn."""
        found = _TRAFFIC.findall(self.text(max(0, self.offset - 200_000)))
        if not found:
            return None
        total, dropped, shown = found[-1]
        n = int(total.replace(",", ""))
        d = int(dropped.replace(",", "")) if dropped else 0
        s = int(shown.replace(",", "")) if shown else n - d
        return n, d, s

    def wait_for(self, needle: str, since: int, timeout: float) -> float | None:
        """Seconds until ``needle`` is drawn after byte ``since``, None if not within timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if needle in self.text(since):
                return time.monotonic() - started
            time.sleep(0.002)
        return None

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.master)


# -- servers ---------------------------------------------------------------------------------------


@dataclass
class Spec:
    key: str  # floor, headless, dashboard, prism, mockoon, ...
    label: str  # shown in the table
    argv: Callable[[int], list[str]]
    cwd: Path | None = None
    tty: bool = False
    lines: bool = False  # stdout is the JSON lines (to a file)
    mocktui: bool = False  # has the control API (counts)
    unavailable: str | None = None


class Server:
    """A server process started as its users start it, and what it cost."""

    live: set[Server] = set()  # started and not stopped yet (idle ones are not "others")

    def __init__(self, spec: Spec, work: Path, pin: Pinning) -> None:
        self.spec = spec
        self.port = free_port()
        self.screen: Screen | None = None
        self.lines_path = work / f"{spec.key}-{self.port}.jsonl" if spec.lines else None
        self.log_path = work / f"{spec.key}-{self.port}.log"
        log = open(self.log_path, "wb")  # noqa: SIM115 (the child's; closed below)
        argv = pin.server + spec.argv(self.port)
        env = dict(os.environ)
        if spec.mocktui:  # this checkout's mocktui, whichever one the venv has installed
            env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT),
                                                              env.get("PYTHONPATH"))))
        cwd = spec.cwd or work
        cwd.mkdir(parents=True, exist_ok=True)
        self.launched = time.monotonic()
        if spec.tty:
            master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
            env["TERM"] = "xterm-256color"
            self.screen = Screen(master)

            def controlling_terminal() -> None:  # in the child: the pty becomes its terminal
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)

            self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                                         env=env, start_new_session=True,
                                         preexec_fn=controlling_terminal)
            os.close(slave)
        else:
            out = open(self.lines_path, "wb") if self.lines_path else log  # noqa: SIM115
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=log,
                                         cwd=cwd, env=env, start_new_session=True)
            if out is not log:
                out.close()
        log.close()
        self.pids = [self.proc.pid]
        Server.live.add(self)

    def refresh(self) -> list[int]:
        if self.proc.poll() is None:
            self.pids = tree(self.proc.pid)
        return self.pids

    def ticks(self) -> int:
        return ticks(self.refresh())

    def rss(self) -> float:
        return rss_mb(self.refresh())

    def wait_answer(self, path: str, accept: Callable[[int], bool], timeout: float = 60.0
                    ) -> tuple[float, int, bytes]:
        """Poll ``path`` every 10 ms from launch: (seconds to the first accepted answer, its
        status, its body)."""
        while time.monotonic() - self.launched < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.spec.label} exited ({self.proc.returncode}) before "
                                   f"answering; log: {self.tail()}")
            try:
                status, body = http_get(self.port, path, timeout=2)
                if accept(status):
                    return time.monotonic() - self.launched, status, body
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.spec.label}: no answer on {path} within {timeout:.0f} s; "
                           f"log: {self.tail()}")

    def counted(self) -> int | None:
        """Requests mocktui counted (control API; not counted itself)."""
        if not self.spec.mocktui:
            return None
        _, body = http_get(self.port, "/__mocktui/health")
        return int(json.loads(body)["requests"])

    def tail(self) -> str:
        if self.screen is not None:
            return self.screen.text()[-400:]
        try:
            return self.log_path.read_text(errors="replace")[-400:]
        except OSError:
            return ""

    def stop(self) -> None:
        Server.live.discard(self)
        pids = self.refresh()
        if self.screen is not None:
            self.screen.close()  # the terminal goes away: the dashboard gets SIGHUP
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(8)
        for p in pids:  # what is left of this server's own tree (a Node child ...)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if p == self.proc.pid and self.proc.poll() is not None:
                    continue
                os.kill(p, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)

    def json_lines(self) -> int | None:
        if self.lines_path is None:
            return None
        with open(self.lines_path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


# -- load ------------------------------------------------------------------------------------------


@dataclass
class Run:
    connections: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    errors: int  # socket errors / timeouts
    cpu_us: float  # server CPU per request
    other: float  # other processes' CPU, % of one core


@dataclass
class Load:
    kind: str  # "wrk" or "python"
    said: str
    pin: Pinning
    work: Path
    _scripts: dict[tuple[str, bytes], Path] = field(default_factory=dict)

    def _script(self, method: str, body: bytes, vary: str | None = None) -> Path | None:
        if method == "GET" and not body and vary is None:
            return None
        key = (method, body, vary)
        if key not in self._scripts:
            path = self.work / f"request-{len(self._scripts)}.lua"
            text = (f"wrk.method = {json.dumps(method)}\n"
                    f"wrk.body = {json.dumps(body.decode())}\n")
            if body:
                text += 'wrk.headers["Content-Type"] = "application/json"\n'
            if vary is not None:  # a new id in the path for every request (VARIED)
                text += (f"local n = 100000\nrequest = function()\n  n = n + 1\n"
                         f"  return wrk.format(nil, string.format({json.dumps(vary)}, n))\n"
                         "end\n")
            path.write_text(text, encoding="utf-8")
            self._scripts[key] = path
        return self._scripts[key]

    def _command(self, port: int, path: str, connections: int, seconds: int, method: str,
                 body: bytes, vary: str | None = None) -> list[str]:
        if self.kind == "wrk":
            cmd = [*self.pin.load, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                   "--timeout", "10s", "--latency"]
            script = self._script(method, body, vary)
            if script is not None:
                cmd += ["-s", str(script)]
            return [*cmd, f"http://127.0.0.1:{port}{path}"]
        return [*self.pin.load, sys.executable, str(Path(__file__).resolve()), "--client",
                str(port), path, str(connections), str(seconds), method, body.decode()]

    def run(self, server: Server, connections: int, seconds: int, path: str = TARGET,
            method: str = "GET", body: bytes = b"", vary: str | None = None) -> Run:
        """``vary``: a path with ``%d``, a new number for each request (wrk only; the Python
        client sends ``path``)."""
        cmd = self._command(server.port, path, connections, seconds, method, body, vary)
        idle = [s for s in Server.live if s is not server]  # (the size section runs two)
        k0, m0, o0, t0 = server.ticks(), machine_ticks(), own_cpu(), time.monotonic()
        i0 = ticks_of(idle)
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        k1, m1, o1, t1 = server.ticks(), machine_ticks(), own_cpu(), time.monotonic()
        i1 = ticks_of(idle)
        if done.returncode != 0:
            raise RuntimeError(f"load failed ({done.returncode}): {done.stderr[-300:]}")
        r = parse_wrk(done.stdout) if self.kind == "wrk" else json.loads(done.stdout)
        server_s = (k1 - k0) / HZ
        other = max(0.0, ((m1 - m0 - i1 + i0) / HZ - server_s - (o1 - o0)) / (t1 - t0) * 100)
        n = r["requests"]
        return Run(connections, n, r["seconds"], n / r["seconds"] if r["seconds"] else 0.0,
                   r["p50_ms"], r["p99_ms"], r["non2xx"], r["errors"],
                   server_s / n * 1e6 if n else float("nan"), other)


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def parse_wrk(out: str) -> dict[str, Any]:
    got = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", out)
    if not got:
        raise RuntimeError(f"wrk said: {out[-300:]}")
    seconds = _ms(got.group(2) + got.group(3)) / 1e3
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(got.group(1)), "seconds": seconds,
        "p50_ms": _ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": _ms(p99.group(1)) if p99 else float("nan"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(x) for x in sock.groups()) if sock else 0,
    }


def python_client(port: int, path: str, connections: int, seconds: float, method: str,
                  body: bytes) -> dict[str, Any]:
    """The fallback for wrk: keep-alive connections, one request at a time each, for
    ``seconds``; the same figures as parse_wrk."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            + (f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
               if body or method != "GET" else "") + "\r\n").encode()
    request = head + body
    latencies: list[float] = []
    counts = {"non2xx": 0, "errors": 0}

    async def one(deadline: float) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            counts["errors"] += 1
            return
        clock = time.perf_counter
        try:
            while clock() < deadline:
                started = clock()
                writer.write(request)
                answer = await reader.readuntil(b"\r\n\r\n")
                status = int(answer[9:12])
                length = re.search(rb"\r\ncontent-length:\s*(\d+)", answer, re.I)
                if length:
                    await reader.readexactly(int(length.group(1)))
                latencies.append(clock() - started)
                if not 200 <= status < 400:
                    counts["non2xx"] += 1
        except (OSError, asyncio.IncompleteReadError):
            counts["errors"] += 1
        finally:
            writer.close()

    async def main() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(one(started + seconds) for _ in range(connections)))
        return time.perf_counter() - started

    took = asyncio.run(main())
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3 \
            if latencies else float("nan")

    return {"requests": len(latencies), "seconds": took, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            **counts}


def find_load(pin: Pinning, work: Path, force_python: bool) -> Load:
    if force_python:
        return Load("python", "Python client (--loader python), not wrk", pin, work)
    if not shutil.which("wrk") and shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        with open(work / "apt.log", "wb") as log:
            subprocess.run(["apt-get", "update", "-qq"], stdout=log, stderr=log, check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], stdout=log, stderr=log,
                           check=False)
    if shutil.which("wrk"):
        return Load("wrk", "wrk -t1", pin, work)
    return Load("python", "Python client (wrk not installed and apt-get failed): it needs CPU "
                "too, ratios come out closer to 1 than with wrk", pin, work)


# -- peers: installed and started as ../shared/bench/peers.sh does --------------------------------

PEER_DEFAULTS = {
    "prism": "$N/prism mock -h 127.0.0.1 -p 8104 $B/spec.yaml",
    "mockoon-cli": "$N/mockoon-cli start --data $B/spec.yaml --port 8105 --hostname 127.0.0.1 "
                   "--disable-log-to-file",
}
PEER_PORTS = {"prism": "8104", "mockoon-cli": "8105"}
NPM_DEFAULT = "@stoplight/prism-cli@5.14.2 @mockoon/cli@9.9.0 json-server@0.17.4"


def peers_sh() -> tuple[dict[str, tuple[str, str]], str]:
    """The peers' start commands (name -> (port, command)) and npm packages, read from
    peers.sh so both start them alike; the defaults when it cannot be read."""
    commands = {k: (PEER_PORTS[k], v) for k, v in PEER_DEFAULTS.items()}
    packages = NPM_DEFAULT
    with contextlib.suppress(OSError):
        text = (SHARED_BENCH / "peers.sh").read_text()
        for name in commands:
            m = re.search(rf'^"{re.escape(name)}\|(\d+)\|([^|]+)\|http[^"]*"$', text, re.M)
            if m:
                commands[name] = (m.group(1), m.group(2))
        m = re.search(r'NPM_PKGS=\$\{NPM_PKGS:-"([^"]+)"\}', text)
        if m:
            packages = m.group(1)
    return commands, os.environ.get("NPM_PKGS", packages)


def peer_specs(work: Path) -> list[Spec]:
    commands, packages = peers_sh()
    root = Path(os.environ.get("PEERS") or Path(tempfile.gettempdir()) / "peers")
    node_bin = root / "node_modules" / ".bin"
    labels = {"prism": "Prism (prism mock)", "mockoon-cli": "Mockoon CLI"}
    why = None
    if not all((node_bin / n).exists() for n in ("prism", "mockoon-cli")):
        if not shutil.which("npm"):
            why = "npm not found: install Node.js 18+"
        else:
            print(f"installing {packages} into {root}/node_modules (npm)", file=sys.stderr)
            root.mkdir(parents=True, exist_ok=True)
            log = root / "npm.log"
            try:
                with open(log, "wb") as out:
                    if not (root / "package.json").exists():
                        subprocess.run(["npm", "init", "-y"], cwd=root, stdout=out, stderr=out,
                                       check=True, timeout=120)
                    subprocess.run(["npm", "install", "--no-audit", "--no-fund",
                                    "--no-update-notifier", *packages.split()], cwd=root,
                                   stdout=out, stderr=out, check=True, timeout=600)
            except (subprocess.SubprocessError, OSError) as exc:
                why = f"npm install failed ({type(exc).__name__}; see {log})"
    specs = []
    for name, (port, command) in commands.items():
        exe = node_bin / ("prism" if name == "prism" else "mockoon-cli")
        unavailable = why or (None if exe.exists() else f"{exe} missing after npm install")

        def argv(p: int, command: str = command, port: str = port) -> list[str]:
            line = command.replace("$N/", f"{node_bin}/").replace("$B/", f"{SHARED_BENCH}/")
            return [str(p) if word == port else word for word in shlex.split(line)]

        specs.append(Spec(name, labels[name], argv, cwd=work / f"run-{name}",
                          unavailable=unavailable))
    return specs


# -- the servers users start -----------------------------------------------------------------------


def mocktui_command() -> list[str]:
    exe = BIN / "mocktui"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "mocktui"]


def hypercorn_command() -> list[str]:
    exe = BIN / "hypercorn"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "hypercorn"]


def floor_spec() -> Spec:
    return Spec("floor", "floor: bare ASGI app, hypercorn",
                lambda p: [*hypercorn_command(), "--bind", f"127.0.0.1:{p}", "--workers", "0",
                           f"{SHARED_BENCH}/asgi_floor:app"])


def headless_spec(collection: Path = BENCH_COLLECTION, key: str = "headless",
                  label: str = "mocktui --headless") -> Spec:
    return Spec(key, label, lambda p: [*mocktui_command(), "--headless", "--port", str(p),
                                       str(collection)], lines=True, mocktui=True)


def dashboard_spec(collection: Path = BENCH_COLLECTION, key: str = "dashboard",
                   label: str = "mocktui (dashboard, pty)") -> Spec:
    return Spec(key, label, lambda p: [*mocktui_command(), "--port", str(p), str(collection)],
                tty=True, mocktui=True)


# -- the report ------------------------------------------------------------------------------------


@dataclass
class Goal:
    name: str
    value: str
    goal: str
    passed: bool | None  # None: not measured
    note: str = ""


@dataclass
class Report:
    plan: Plan
    load: Load
    quiet: Quiet
    servers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key -> per round
    labels: dict[str, str] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    goals: list[Goal] = field(default_factory=list)
    others: list[float] = field(default_factory=list)  # other CPU % of every measured run
    raw: dict[str, Any] = field(default_factory=dict)

    def note_run(self, run: Run) -> None:
        self.others.append(run.other)


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None or value != value else format(value, spec)


# -- 1. the servers, round by round ----------------------------------------------------------------


def measure_server(spec: Spec, load: Load, plan: Plan, work: Path, report: Report
                   ) -> dict[str, Any]:
    report.quiet.wait()
    server = Server(spec, work, load.pin)
    try:
        start_s, status, body = server.wait_answer(TARGET, lambda s: 200 <= s < 300)
        rss0 = server.rss()
        if plan.warmup:
            load.run(server, 32, plan.warmup)
        c1 = load.run(server, 1, plan.seconds)
        c32 = load.run(server, 32, plan.seconds)
        rss1 = server.rss()
        for run in (c1, c32):
            report.note_run(run)
        out: dict[str, Any] = {"start_s": start_s, "status": status, "bytes": len(body),
                               "rss0": rss0, "rss1": rss1, "c1": c1, "c32": c32}
        if spec.tty:
            out["screen"] = screen_check(server)
            out["keys_ms"] = key_latency(server, load, plan.key_presses)
        if spec.mocktui:
            out["counted"] = server.counted()
    finally:
        server.stop()
    if spec.lines:
        out["lines"] = server.json_lines()
    errors = c1.errors + c32.errors + c1.non2xx + c32.non2xx
    out["errors"] = errors
    print(f"  {spec.label:<32} c1 {c1.rps:7.0f}  c32 {c32.rps:7.0f} req/s  p99 {c32.p99_ms:6.2f}"
          f" ms  {c32.cpu_us:5.0f} µs/req  rss {rss0:.0f}->{rss1:.0f} MB  start {start_s:.2f} s"
          f"  other {c1.other:.0f}/{c32.other:.0f}%", file=sys.stderr)
    return out


def screen_check(server: Server) -> dict[str, Any]:
    """Did the dashboard show every request? Its traffic title says 'N requests · D dropped ·
    last S shown': D beyond what the list's cap keeps out (N - S) were never read (lost)."""
    assert server.screen is not None
    expected = server.counted()
    got = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = server.screen.traffic()
        if got and got[0] == expected:
            break
        time.sleep(0.1)
    if not got:
        return {"expected": expected, "shown_total": None, "lost": None}
    total, dropped, shown = got
    return {"expected": expected, "shown_total": total, "dropped": dropped, "listed": shown,
            "lost": dropped - (total - shown)}


def key_latency(server: Server, load: Load, presses: int
                ) -> dict[str, tuple[list[float], list[float]]]:
    """Keys pressed in the dashboard, ms until their effect is drawn, without load and during a
    flood of wrk at 32 connections: "pin", a control key (``1`` pins the first example of the
    selected endpoint, then ``a`` puts it back to auto; each waits for its flash line), and
    "help", ``?`` (until the help screen is drawn; escape closes it before the next press)."""
    screen = server.screen
    assert screen is not None
    if presses <= 0:
        return {}

    def press(key: bytes, shown: str, then: bytes = b"") -> float:
        since = screen.offset
        screen.press(key)
        latency = screen.wait_for(shown, since, 2.0)
        time.sleep(0.2)
        if then:
            screen.press(then)
        time.sleep(0.5)
        return latency * 1e3 if latency is not None else float("inf")

    def pins() -> list[float]:
        return [press(b"1", "pinned #1"), press(b"a", "auto on")]

    def helps() -> list[float]:
        return [press(b"?", "this help", b"\x1b")]

    idle = {"pin": pins(), "help": helps() + helps()}
    flood = threading.Thread(target=lambda: load.run(server, 32, 1 + 2 * presses), daemon=True)
    flood.start()
    time.sleep(0.3)
    busy: dict[str, list[float]] = {"pin": [], "help": []}
    for _ in range(presses):
        busy["pin"] += pins()
        busy["help"] += helps()
    flood.join()
    return {k: (idle[k], busy[k]) for k in idle}


def bench_servers(specs: list[Spec], load: Load, plan: Plan, work: Path, report: Report) -> None:
    for spec in specs:
        report.labels[spec.key] = spec.label
        report.servers[spec.key] = []
        if spec.unavailable:
            report.unavailable[spec.key] = spec.unavailable
    live = [s for s in specs if not s.unavailable]
    for r in range(plan.rounds):
        print(f"round {r + 1}/{plan.rounds}", file=sys.stderr)
        order = live[r % len(live):] + live[:r % len(live)]
        for spec in order:
            try:
                report.servers[spec.key].append({"round": r, **measure_server(spec, load, plan,
                                                                               work, report)})
            except RuntimeError as exc:
                if spec.key in ("floor", "headless", "dashboard"):
                    raise
                report.unavailable[spec.key] = f"failed: {exc}"[:200]
                live = [s for s in live if s is not spec]


def same_round(report: Report, key: str, ref: str, value: Callable[[dict[str, Any]], float]
               ) -> float | None:
    """Median over rounds of value(key's run) / value(ref's run) in the same round."""
    refs = {row["round"]: row for row in report.servers.get(ref, [])}
    ratios = []
    for row in report.servers.get(key, []):
        other = refs.get(row["round"])
        if other is not None and value(other):
            ratios.append(value(row) / value(other))
    return median(ratios)


def server_table(report: Report) -> list[str]:
    cols = ("server", "req/s c1", "req/s c32", "xfloor c1", "xfloor c32", "p50 c1", "p99 c1",
            "p50 c32", "p99 c32", "µs/req c1", "µs/req c32", "RSS first", "RSS load",
            "start s", "errors", "other%")
    rows = []
    for key, runs in report.servers.items():
        label = report.labels[key]
        if not runs:
            rows.append((label, f"not available: {report.unavailable.get(key, '?')}"))
            continue

        def m(get: Callable[[dict[str, Any]], float], runs: list[dict[str, Any]] = runs
              ) -> float | None:
            return median(get(r) for r in runs)

        def x(get: Callable[[dict[str, Any]], float], key: str = key) -> float | None:
            return same_round(report, key, "floor", get)

        rows.append((
            label, fmt(m(lambda r: r["c1"].rps), ",.0f"), fmt(m(lambda r: r["c32"].rps), ",.0f"),
            fmt(x(lambda r: r["c1"].rps)), fmt(x(lambda r: r["c32"].rps)),
            fmt(m(lambda r: r["c1"].p50_ms)), fmt(m(lambda r: r["c1"].p99_ms)),
            fmt(m(lambda r: r["c32"].p50_ms)), fmt(m(lambda r: r["c32"].p99_ms)),
            fmt(m(lambda r: r["c1"].cpu_us), ".0f"), fmt(m(lambda r: r["c32"].cpu_us), ".0f"),
            fmt(m(lambda r: r["rss0"]), ".1f"), fmt(m(lambda r: r["rss1"]), ".1f"),
            fmt(m(lambda r: r["start_s"])), str(sum(r["errors"] for r in runs)),
            fmt(max(max(r["c1"].other, r["c32"].other) for r in runs), ".0f"),
        ))
        if key in report.unavailable:  # failed in a later round
            rows.append(("", f"({report.unavailable[key]})"))
    widths = [len(c) for c in cols]
    for row in rows:
        if len(row) == len(cols):
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                     enumerate(zip(cols, widths, strict=True)))
    out = [line, "-" * len(line)]
    for row in rows:
        if len(row) == len(cols):
            out.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                                 enumerate(zip(row, widths, strict=True))))
        else:
            out.append(f"{row[0].ljust(widths[0])}  {row[1]}")
    return out


def goals_servers(report: Report) -> None:
    g = report.goals
    x32 = same_round(report, "headless", "floor", lambda r: r["c32"].rps)
    g.append(Goal("1  headless / floor req/s, 32 connections", fmt(x32),
                  f">= {GOAL_HEADLESS_X_FLOOR}",
                  None if x32 is None else x32 >= GOAL_HEADLESS_X_FLOOR))
    xc = same_round(report, "floor", "headless", lambda r: r["c32"].cpu_us)
    g.append(Goal("   headless / floor by CPU per request, 32 conns", fmt(xc), "(info)", None,
                  "floor µs/req / headless µs/req: what the req/s ratio would be on two quiet "
                  "cores (CPU-bound servers); less shaken by other processes"))
    x1 = same_round(report, "headless", "floor", lambda r: r["c1"].rps)
    g.append(Goal("   headless / floor req/s, 1 connection", fmt(x1), "(info)", None))
    p99 = same_round(report, "headless", "floor", lambda r: r["c32"].p99_ms)
    g.append(Goal("1  headless / floor p99, 32 connections", fmt(p99), f"<= {GOAL_P99_X_FLOOR:g}",
                  None if p99 is None else p99 <= GOAL_P99_X_FLOOR))
    rows = report.servers.get("headless", [])
    lines = [(r.get("lines"), r.get("counted")) for r in rows]
    if lines:
        good = sum(1 for a, b in lines if a is not None and a == b)
        g.append(Goal("   headless wrote a JSON line per request", f"{good}/{len(lines)} starts",
                      "lines = requests", good == len(lines), "lines/requests: " + ", ".join(
                          f"{a or 0:,}/{b or 0:,}" for a, b in lines)))
    xd = same_round(report, "dashboard", "headless", lambda r: r["c32"].rps)
    g.append(Goal("2  dashboard / headless req/s, 32 connections", fmt(xd),
                  f">= {GOAL_DASHBOARD_X_HEADLESS}",
                  None if xd is None else xd >= GOAL_DASHBOARD_X_HEADLESS))
    xdc = same_round(report, "headless", "dashboard", lambda r: r["c32"].cpu_us)
    g.append(Goal("   dashboard / headless by CPU per request, 32 conns", fmt(xdc), "(info)",
                  None, "headless µs/req / dashboard µs/req"))
    xd1 = same_round(report, "dashboard", "headless", lambda r: r["c1"].rps)
    g.append(Goal("   dashboard / headless req/s, 1 connection", fmt(xd1), "(info)", None))
    rows = report.servers.get("dashboard", [])
    if rows:
        screens = [r["screen"] for r in rows]
        good = sum(1 for s in screens
                   if s.get("lost") == 0 and s.get("shown_total") == s.get("expected"))
        shown = ", ".join(f"{s.get('shown_total') or 0:,}/{s.get('expected') or 0:,}"
                          + (f" lost {s['lost']:,}" if s.get("lost") else "") for s in screens)
        g.append(Goal("2  dashboard showed every request", f"{good}/{len(screens)} starts",
                      "all, none lost", good == len(screens),
                      f"on the screen/counted: {shown}"))
        for kind, label, goal in (("pin", "a pin key (1, a): flash drawn", True),
                                  ("help", "'?': help screen drawn", False)):
            keys = [v for r in rows for v in r.get("keys_ms", {}).get(kind, ([], []))[1]]
            idle = [v for r in rows for v in r.get("keys_ms", {}).get(kind, ([], []))[0]]
            if keys:
                worst = max(keys)
                g.append(Goal(f"{'2 ' if goal else '  '} key during the flood: {label}, "
                              "median (worst)",
                              f"{fmt(median(keys), '.0f')} ({fmt(worst, '.0f')}) ms",
                              f"<= {GOAL_KEY_MS:g} ms" if goal else "(info)",
                              worst <= GOAL_KEY_MS if goal else None,
                              f"without load: median {fmt(median(idle), '.0f')} ms (worst "
                              f"{fmt(max(idle), '.0f')}); {len(keys)} presses in the flood"))
    for key in ("prism", "mockoon-cli"):
        x = same_round(report, key, "floor", lambda r: r["c32"].rps)
        xh = same_round(report, "headless", key, lambda r: r["c32"].rps)
        if x is not None:
            g.append(Goal(f"   {report.labels[key]} / floor req/s, 32 conns", fmt(x),
                          f"(info; headless = {fmt(xh)}x it)", None))


# -- 2. collection size over HTTP ------------------------------------------------------------------

_A, _R = synth.AREAS[0], synth.RESOURCES[0]
# (kind, method, path, body, status expected); each hits the same example in both collections.
KINDS: tuple[tuple[str, str, str, bytes, int], ...] = (
    ("exact", "POST", f"/{_A}/{_R}", b'{"name": "Ada", "plan": "pro"}', 201),
    ("wildcard", "GET", f"/{_A}/{_R}/8812", b"", 200),
    ("ID-like", "GET", f"/{_A}/{_R}/977/events?since=2024-01-01", b"", 200),
    ("query-scored", "GET", f"/{_A}/{_R}?page=-1&limit=20", b"", 400),
)
# The kinds whose id changes with every request under wrk: mocktui keeps the path steps' result
# per method and path (engine/matcher.py, PATH_CACHE of them), so one path sent again and again
# would measure that, not the index. 100,001 on: never the same path twice in a run.
VARIED = {
    "wildcard": f"/{_A}/{_R}/%d",
    "ID-like": f"/{_A}/{_R}/%d/events?since=2024-01-01",
}


def bench_size(load: Load, plan: Plan, work: Path, report: Report) -> None:
    small_file, large_file = synth.write(work, 10), synth.write(work, 5000)
    report.quiet.wait()
    small = Server(headless_spec(small_file, "synth10", "synthetic 10"), work, load.pin)
    large = None
    out: dict[str, Any] = {"kinds": {}}
    try:
        out["start_10"] = small.wait_answer(KINDS[1][2], lambda s: s == 200)[0]
        large = Server(headless_spec(large_file, "synth5000", "synthetic 5000"), work, load.pin)
        out["start_5000"] = large.wait_answer(KINDS[1][2], lambda s: s == 200)[0]
        for kind, method, path, body, status in KINDS:
            answers = [http_get(s.port, path, method=method, body=body or None,
                                headers={"Content-Type": "application/json"} if body else None)
                       for s in (small, large)]
            if any(a[0] != status for a in answers) or answers[0][1] != answers[1][1]:
                raise RuntimeError(f"size: {kind} {method} {path}: answers {answers!r}, "
                                   f"expected {status} and the same body")
        for s in (small, large):
            if plan.warmup:
                load.run(s, 32, plan.warmup, KINDS[1][2])
        runs: dict[str, list[tuple[Run, Run]]] = {k[0]: [] for k in KINDS}
        for r in range(plan.rounds):
            print(f"size round {r + 1}/{plan.rounds}", file=sys.stderr)
            for i, (kind, method, path, body, _status) in enumerate(KINDS):
                report.quiet.wait()
                pair = {}
                for s in ((small, large) if (r + i) % 2 == 0 else (large, small)):
                    pair[s] = load.run(s, 32, plan.seconds, path, method, body,
                                       VARIED.get(kind))
                    report.note_run(pair[s])
                runs[kind].append((pair[small], pair[large]))
                print(f"  {kind:<13} 10: {pair[small].rps:7.0f}  5000: {pair[large].rps:7.0f} "
                      f"req/s", file=sys.stderr)
        for kind, method, path, _body, status in KINDS:
            pairs = runs[kind]
            cost = median(a.rps / b.rps for a, b in pairs if b.rps)
            cpu = median(b.cpu_us / a.cpu_us for a, b in pairs if a.cpu_us)
            out["kinds"][kind] = {"pairs": pairs, "cost": cost, "cpu": cpu}
            bad = sum(a.errors + b.errors + (a.non2xx + b.non2xx if status < 400 else
                                             a.requests + b.requests - a.non2xx - b.non2xx)
                      for a, b in pairs)  # transport errors and answers of another status
            rps10 = median(a.rps for a, _ in pairs)
            rps5k = median(b.rps for _, b in pairs)
            report.goals.append(Goal(
                f"3  5,000 / 10 endpoints, {kind} hit: cost per hit",
                f"{fmt(cost)}x", f"<= {GOAL_SIZE_COST}",
                None if cost is None else cost <= GOAL_SIZE_COST,
                f"{fmt(rps10, ',.0f')} / {fmt(rps5k, ',.0f')} req/s; CPU {fmt(cpu)}x; "
                f"{method} {VARIED.get(kind, path) if load.kind == 'wrk' else path}"
                + (f"; {bad} errors" if bad else "")))
        report.goals.append(Goal("   start-up: synthetic 10 / 5,000 endpoints",
                                 f"{out['start_10']:.2f} / {out['start_5000']:.2f} s", "(info)",
                                 None))
    finally:
        small.stop()
        if large is not None:
            large.stop()
    report.raw["size"] = out


# -- 3. commercetools: start-up, mocktui check ----------------------------------------------------


def bench_commercetools(load: Load, plan: Plan, work: Path, report: Report) -> None:
    if not COMMERCETOOLS.is_file():
        report.goals.append(Goal("4  commercetools start-up", "file missing", f"< {GOAL_START_S}"
                                 " s", None, str(COMMERCETOOLS)))
        return
    out: dict[str, Any] = {"headless": [], "dashboard": [], "check": []}
    status_seen = set()
    for _ in range(plan.rounds):
        for key, spec in (("headless", headless_spec(COMMERCETOOLS, "ct-headless")),
                          ("dashboard", dashboard_spec(COMMERCETOOLS, "ct-dashboard"))):
            report.quiet.wait()
            server = Server(spec, work, load.pin)
            try:
                seconds, status, _ = server.wait_answer(COMMERCETOOLS_PATH, lambda s: s > 0)
                status_seen.add(status)
                out[key].append(seconds)
            finally:
                server.stop()
        out["check"].append(check_seconds(COMMERCETOOLS))
    statuses = "/".join(str(s) for s in sorted(status_seen))
    for key, label in (("headless", "mocktui --headless"), ("dashboard", "dashboard (pty)")):
        value = median(out[key])
        report.goals.append(Goal(
            f"4  commercetools (1,997 req) start-up, {label}", f"{fmt(value)} s",
            f"< {GOAL_START_S:g} s", None if value is None else value < GOAL_START_S,
            f"launch to the first answer of GET {COMMERCETOOLS_PATH} ({statuses}: the collection"
            " has no saved examples); runs " + ", ".join(f"{v:.2f}" for v in out[key])))
    check = median(out["check"])
    report.goals.append(Goal(
        "   mocktui check commercetools", f"{fmt(check)} s", f"< {GOAL_CHECK_S:g} s (issue 8)",
        None if check is None else check < GOAL_CHECK_S,
        "wall, new process, python -m mocktui check FILE (as bench/run.py)"))
    report.raw["commercetools"] = out


def check_seconds(path: Path) -> float:
    """Wall time of `python -m mocktui check PATH` (this checkout's mocktui), as bench/run.py."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mocktui", "check", str(path)], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


# -- 4. memory after N requests --------------------------------------------------------------------


def bench_memory(load: Load, plan: Plan, work: Path, report: Report) -> None:
    n = plan.requests
    out: dict[str, Any] = {}
    for spec in (headless_spec(key="mem-headless"), dashboard_spec(key="mem-dashboard")):
        report.quiet.wait()
        server = Server(spec, work, load.pin)
        samples: list[tuple[int, float]] = []
        try:
            server.wait_answer(TARGET, lambda s: s == 200)
            samples.append((1, server.rss()))
            total, chunk = 1, 2 if n > 20_000 else 1
            started = time.monotonic()
            while total < n:
                run = load.run(server, 32, chunk)
                total += run.requests
                samples.append((total, server.rss()))
                left = n - total
                if left > 0 and run.rps:  # about 10 samples in all
                    chunk = max(1, min(60, round(min(left, n / 10) / run.rps)))
            took = time.monotonic() - started
            counted = server.counted()
            screen = screen_check(server) if spec.tty else None
        finally:
            server.stop()
        lines = server.json_lines()
        if server.lines_path is not None:
            with contextlib.suppress(OSError):
                server.lines_path.unlink()
        final = samples[-1]
        half = next(s for s in samples if s[0] >= final[0] / 2)
        growth = final[1] - half[1]
        flat_known = half[0] >= 2 * RING  # the ring (and the dashboard's list) full by then
        label = "headless" if not spec.tty else "dashboard"
        out[label] = {"samples": samples, "counted": counted, "lines": lines, "screen": screen,
                      "seconds": took}
        print(f"  memory {label}: {final[0]:,} requests in {took:.0f} s, RSS "
              + " ".join(f"{r:.0f}" for _, r in samples) + " MB", file=sys.stderr)
        short = "" if final[0] >= GOAL_REQUESTS else (
            f"; the goal is after {GOAL_REQUESTS:,}: --long")
        report.goals.append(Goal(
            f"5  RSS after {final[0]:,} requests, {label}", f"{final[1]:.1f} MB",
            f"< {GOAL_RSS_MB:g} MB", final[1] < GOAL_RSS_MB,
            f"{samples[0][1]:.1f} MB after the first{short}"))
        report.goals.append(Goal(
            f"5  RSS flat, {label}: growth over the second half", f"{growth:+.1f} MB",
            f"<= {GOAL_FLAT_MB:g} MB",
            (growth <= GOAL_FLAT_MB) if flat_known else None,
            ("" if flat_known else f"not judged: {RING:,} events fill the ring; ") +
            f"{half[0]:,} -> {final[0]:,} requests; samples "
            + " ".join(f"{r:.0f}" for _, r in samples)))
        if screen is not None:
            ok = screen.get("lost") == 0 and screen.get("shown_total") == counted
            report.goals.append(Goal(
                "   dashboard showed every request (memory run)",
                f"{screen.get('shown_total') or 0:,}/{counted or 0:,}", "all, none lost", ok))
        if lines is not None:
            report.goals.append(Goal("   headless JSON lines (memory run)",
                                     f"{lines:,}/{counted or 0:,}", "lines = requests",
                                     lines == counted))
    report.raw["memory"] = out


# -- the table -------------------------------------------------------------------------------------


def print_report(report: Report, header: list[str]) -> None:
    for line in header:
        print(f"# {line}")
    table = server_table(report)
    print()
    for line in table:
        print(line)
    print("# req/s: median over rounds; xfloor: median of same-round ratios to the floor; "
          "latencies in ms (wrk); µs/req: the server's CPU (all threads and children, "
          "/proc/PID/stat) per answered request; RSS in MB (10^6 B) after the first answer "
          "and after the load; start: launch to the first 2xx (polled every 10 ms); other%: "
          "CPU of other processes during the measured runs, % of one core, worst run")
    print()
    width = max(len(g.name) for g in report.goals) if report.goals else 10
    vwidth = max((len(g.value) for g in report.goals), default=5)
    gwidth = max((len(g.goal) for g in report.goals), default=5)
    head = f"{'goal (issue 7)'.ljust(width)}  {'measured'.rjust(vwidth)}  {'target'.ljust(gwidth)}"
    print(f"{head}  status  note")
    print("-" * (len(head) + 14))
    for g in report.goals:
        status = "info" if g.passed is None and g.goal.startswith("(info") else (
            "-" if g.passed is None else ("PASS" if g.passed else "FAIL"))
        print(f"{g.name.ljust(width)}  {g.value.rjust(vwidth)}  {g.goal.ljust(gwidth)}  "
              f"{status.ljust(6)}  {g.note}".rstrip())
    others = report.others
    if others:
        print(f"# other CPU (processes besides the server, the load and this script) during the "
              f"{len(others)} measured runs: median {statistics.median(others):.0f}%, worst "
              f"{max(others):.0f}% of one core" + (
                  "; above ~10% the figures are suspect" if max(others) > 10 else ""))


# -- 6. workers sharing a store (issue 12) -------------------------------------------------------


def bench_workers(load: Load, plan: Plan, work: Path, report: Report) -> None:
    """``mocktui --headless --workers 2 --store redis://`` against one process, same round.

    One process runs as the other rows do (pinned to CPU 1, the load on CPU 0). The workers
    are not pinned (they, redis-server and the load share both CPUs): on a 2-core machine the
    load generator takes a core of its own, so two workers cannot get two cores; the figure
    says what a second worker buys here, not what it buys on a machine with cores to spare."""
    binary = shutil.which("redis-server")
    if binary is None:
        report.goals.append(Goal("6  --workers 2 --store / one process", "not measured",
                                 "information", None, "no redis-server on PATH"))
        return
    port = free_port()
    folder = work / "redis"
    folder.mkdir(exist_ok=True)
    redis = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(folder)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = f"redis://127.0.0.1:{port}/0"
    one = headless_spec(key="one", label="one process")
    stored = Spec("one-store", "one process --store", lambda p: [
        *mocktui_command(), "--headless", "--port", str(p), "--store", store,
        str(BENCH_COLLECTION)], lines=True, mocktui=True)
    workers = Spec("workers", "--workers 2 --store", lambda p: [
        *mocktui_command(), "--headless", "--port", str(p), "--workers", "2", "--store", store,
        str(BENCH_COLLECTION)], lines=True, mocktui=True)
    free = Pinning([], load.pin.load, "workers unpinned")
    out: dict[str, list[dict[str, Any]]] = {"one": [], "one-store": [], "workers": []}
    try:
        time.sleep(0.2)
        for r in range(plan.rounds):
            for spec in (one, stored, workers):
                report.quiet.wait()
                pin = free if spec is workers else load.pin
                server = Server(spec, work, pin)
                try:
                    server.wait_answer(TARGET, lambda s: 200 <= s < 300)
                    if spec is workers:  # every worker up (the ready line waits for them)
                        time.sleep(1.0)
                    if plan.warmup:
                        load.run(server, 32, plan.warmup)
                    c32 = load.run(server, 32, plan.seconds)
                    report.note_run(c32)
                finally:
                    server.stop()
                out[spec.key].append({"round": r, "rps": c32.rps, "p99_ms": c32.p99_ms,
                                      "cpu_us": c32.cpu_us, "errors": c32.errors + c32.non2xx})
                print(f"  {spec.label:<32} c32 {c32.rps:7.0f} req/s  p99 {c32.p99_ms:6.2f} ms"
                      f"  {c32.cpu_us:5.0f} µs/req (server CPU)", file=sys.stderr)
    finally:
        redis.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            redis.wait(5)

    def ratio(key: str) -> float | None:
        return median(row["rps"] / base["rps"] for row, base in zip(out[key], out["one"],
                                                                    strict=True) if base["rps"])

    rps = {k: median(row["rps"] for row in rows) for k, rows in out.items()}
    report.goals.append(Goal("6  --workers 2 --store / one process, c32", fmt(ratio("workers")),
                             "information", None,
                             f"{fmt(rps['workers'], ',.0f')} vs {fmt(rps['one'], ',.0f')} req/s;"
                             " 2 cores, the load on one of them"))
    report.goals.append(Goal("   one process --store / one process, c32",
                             fmt(ratio("one-store")), "information", None,
                             f"{fmt(rps['one-store'], ',.0f')} req/s: the cost of sharing"))
    report.raw["workers"] = out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round, 1 s runs, 3,000 requests for memory, no peers")
    parser.add_argument("--long", action="store_true",
                        help=f"memory after {GOAL_REQUESTS:,} requests (default 200,000)")
    parser.add_argument("--rounds", type=int, help="rounds (default 3)")
    parser.add_argument("--seconds", type=int, help="seconds per measured run (default 5)")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up load after a start")
    parser.add_argument("--requests", type=int, help="memory: RSS after this many requests")
    parser.add_argument("--no-peers", action="store_true", help="leave out Prism and Mockoon")
    parser.add_argument("--only", nargs="+", choices=("servers", "size", "commercetools",
                                                      "memory", "workers"),
                        help="run only these parts")
    parser.add_argument("--loader", choices=("auto", "python"), default="auto",
                        help="auto: wrk (installed with apt-get if missing), else Python")
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--quiet", type=float, metavar="PCT",
                        help="before each start wait until other processes use less than PCT%% "
                        "of a core (default 15; 0: never wait; quick: 0)")
    parser.add_argument("--quiet-wait", type=float, metavar="S",
                        help="... for at most S seconds (default 20)")
    parser.add_argument("--json", metavar="PATH", help="write the raw figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--client", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:  # the fallback load generator, in its own process
        port, path, conns, seconds, method, body = args.client
        print(json.dumps(python_client(int(port), path, int(conns), float(seconds), method,
                                       body.encode())))
        return 0

    plan = QUICK if args.quick else FULL
    plan = Plan(args.rounds or plan.rounds, args.seconds or plan.seconds,
                plan.warmup if args.warmup is None else args.warmup,
                args.requests or (GOAL_REQUESTS if args.long else plan.requests),
                plan.peers and not args.no_peers, plan.key_presses,
                plan.quiet if args.quiet is None else args.quiet,
                plan.quiet_wait if args.quiet_wait is None else args.quiet_wait)
    parts = set(args.only or ("servers", "size", "commercetools", "memory", "workers"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mocktui-users-") as tmp:
        work = Path(tmp)
        pin = pinning(not args.no_pin)
        load = find_load(pin, work, args.loader == "python")
        report = Report(plan, load, Quiet(plan.quiet, plan.quiet_wait))
        cpu = next((line.split(":", 1)[1].strip() for line in
                    Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.machine())
        header = [
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs ({cpu}), "
            f"Python {platform.python_version()}, {pin.said}",
            f"load: {load.said}; {plan.rounds} round(s), {plan.warmup} s warm-up after each "
            f"start, {plan.seconds} s at 1 and at 32 connections; GET {TARGET} on "
            f"{BENCH_COLLECTION.name} (every server answers the same 289-byte user)",
            f"memory: RSS after {plan.requests:,} requests"
            + ("" if plan.requests >= GOAL_REQUESTS else
               f" (the goal is {GOAL_REQUESTS:,}: --long)")
            + ("; quick run: figures are a smoke test, not a measurement" if args.quick else ""),
        ]
        try:
            if "servers" in parts:
                specs = [floor_spec(), headless_spec(), dashboard_spec()]
                if plan.peers:
                    specs += peer_specs(work)
                bench_servers(specs, load, plan, work, report)
                goals_servers(report)
            if "size" in parts:
                bench_size(load, plan, work, report)
            if "commercetools" in parts:
                bench_commercetools(load, plan, work, report)
            if "memory" in parts:
                bench_memory(load, plan, work, report)
            if "workers" in parts:
                bench_workers(load, plan, work, report)
        except RuntimeError as exc:
            print(f"users.py: cannot measure: {exc}", file=sys.stderr)
            return 2
        quiet = report.quiet
        header.append(f"took {time.monotonic() - started:.0f} s" + (
            f"; waited {quiet.waited:.0f} s for a quiet machine (others < {quiet.threshold:g}% "
            f"of a core before each start; {quiet.gave_up} time(s) gave up after "
            f"{quiet.limit:g} s)" if quiet.threshold > 0 else "; no waiting for a quiet machine"))
        print_report(report, header)
        if args.json:
            Path(args.json).write_text(json.dumps(
                {"header": header, "servers": report.servers, "goals": report.goals,
                 "unavailable": report.unavailable, "others": report.others, **report.raw},
                default=lambda o: o.__dict__ if hasattr(o, "__dict__") else str(o), indent=1)
                + "\n", encoding="utf-8")
    missed = [g for g in report.goals if g.passed is False]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
