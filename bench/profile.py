"""Where a server's time goes under load: py-spy on the floor and on `mocktui --headless`.

    python bench/profile.py [--seconds 10] [--rate 200] [--out DIR] [--servers floor headless]

Each server is started as bench/users.py starts it (pinned to CPU 1, wrk and py-spy on CPU 0),
warmed up, then loaded with wrk at 32 connections while `py-spy record` samples it. Writes
DIR/NAME.txt (collapsed stacks) and DIR/NAME.svg (a flame graph, sampled right after), and
prints per server: CPU µs per request, then µs per request by package (hypercorn, h11,
asyncio, mocktui ...; a sample counts for the innermost frame's package: self time), the top
functions by self time and the top mocktui/hypercorn functions by inclusive time. µs figures
are the sample shares times the server's measured CPU per request (py-spy's sampling slows the
server a little: compare shares, not absolute rates). Needs py-spy (`pip install py-spy`).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import users  # a sibling module (bench/ is not a package)

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")


def package(path: str) -> str:
    """A short owner for a source file: the top-level package, or the stdlib module."""
    p = path.replace("\\", "/")
    if "/site-packages/" in p:
        return p.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    m = re.search(r"/(mocktui)/(.*)$", p)
    if m:
        sub = m.group(2).split("/")
        return "mocktui/" + (sub[0] if len(sub) > 1 else sub[0].removesuffix(".py"))
    m = re.search(r"/lib/python3\.\d+/(.*)$", p)
    if m:
        return m.group(1).split("/", 1)[0].removesuffix(".py")
    return p.rsplit("/", 1)[-1]


def parse(raw: str) -> list[tuple[list[tuple[str, str]], int]]:
    """Collapsed stacks (py-spy --format raw): [(frames outermost first as (func, file)), n]."""
    out = []
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = []
        for part in stack.split(";"):
            m = FRAME.match(part.strip())
            frames.append((m.group("func"), m.group("file")) if m else (part.strip(), ""))
        out.append((frames, int(count)))
    return out


def report(name: str, stacks: list[tuple[list[tuple[str, str]], int]], us_per_req: float,
           top: int) -> None:
    total = sum(n for _, n in stacks) or 1
    by_pkg: collections.Counter[str] = collections.Counter()
    self_fn: collections.Counter[str] = collections.Counter()
    incl_fn: collections.Counter[str] = collections.Counter()
    for frames, n in stacks:
        if not frames:
            continue
        func, file = frames[-1]
        by_pkg[package(file)] += n
        self_fn[f"{func} ({package(file)}: {Path(file).name})"] += n
        seen = set()
        for func, file in frames:
            pkg = package(file)
            if func == "<module>":
                continue
            if pkg.startswith(("mocktui", "hypercorn", "h11", "quart", "asyncio")):
                key = f"{func} ({pkg}: {Path(file).name})"
                if key not in seen:
                    seen.add(key)
                    incl_fn[key] += n

    def us(n: int) -> str:
        return f"{n / total * us_per_req:7.1f} µs {n / total * 100:5.1f}%"

    print(f"\n== {name}: {us_per_req:.0f} µs CPU per request, {total:,} samples (not idle)")
    print("-- self time by package")
    for pkg, n in by_pkg.most_common(top):
        print(f"  {us(n)}  {pkg}")
    print("-- top functions, self time")
    for fn, n in self_fn.most_common(top):
        print(f"  {us(n)}  {fn}")
    print("-- top functions, inclusive (mocktui, hypercorn, h11, quart, asyncio)")
    for fn, n in incl_fn.most_common(top):
        print(f"  {us(n)}  {fn}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="seconds sampled per server")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=25, help="rows per list")
    parser.add_argument("--out", default=None, help="folder for the SVG and collapsed stacks")
    parser.add_argument("--servers", nargs="+", default=["floor", "headless"],
                        choices=("floor", "headless", "dashboard"))
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(users.BIN))  # or this venv's
    if not spy:
        parser.error("py-spy is not installed (pip install py-spy)")
    out = Path(args.out or tempfile.mkdtemp(prefix="mocktui-profile-"))
    out.mkdir(parents=True, exist_ok=True)
    pin = users.pinning(True)
    load = users.find_load(pin, out, force_python=False)
    specs = {"floor": users.floor_spec, "headless": users.headless_spec,
             "dashboard": users.dashboard_spec}
    print(f"# {pin.said}; load: {load.said}; py-spy at {args.rate} Hz for {args.seconds} s "
          f"per server, wrk at 32 connections; output in {out}")
    for name in args.servers:
        server = users.Server(specs[name](), out, pin)
        try:
            server.wait_answer(users.TARGET, lambda s: s == 200)
            load.run(server, 32, 2)
            runs: list[users.Run] = []
            flood = threading.Thread(target=lambda s=server, r=runs: r.append(
                load.run(s, 32, 2 * args.seconds + 2)))
            flood.start()
            time.sleep(1)
            raw_path = out / f"{name}.txt"
            # The same load, sampled twice: collapsed stacks to count, then a flame graph.
            for fmt, path in (("raw", raw_path), ("flamegraph", out / f"{name}.svg")):
                subprocess.run([*pin.load, spy, "record", "--pid", str(server.proc.pid),
                                "--rate", str(args.rate), "--duration", str(args.seconds),
                                "--format", fmt, "--output", str(path), "--nonblocking",
                                "--full-filenames"],
                               check=True, capture_output=True)
            flood.join()
        finally:
            server.stop()
        run = runs[0]
        print(f"# {name}: {run.rps:,.0f} req/s under the profiler, {run.cpu_us:.0f} µs CPU per "
              f"request, other processes {run.other:.0f}% of a core")
        report(name, parse(raw_path.read_text()), run.cpu_us, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
