"""The users' benchmark (bench/users.py) keeps running: its --quick mode, end to end.

No timed assertion: the figures of a quick run on a shared machine mean nothing; what is checked
is that every server starts, is loaded and measured, and the table comes out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="/proc, pseudo-terminals, taskset")
def test_quick_benchmark_prints_the_table(shared: Path) -> None:
    bench = shared.parent / "bench"  # ../shared/bench: the floor app, the peers' fixtures
    if not (bench / "asgi_floor.py").is_file():
        pytest.skip(f"{bench} has no asgi_floor.py")
    done = subprocess.run(
        # The servers part (floor, headless, dashboard in a pty): the rows every other part
        # builds on, in ~15 s; the whole --quick run takes ~50 s, too long for every run.
        [sys.executable, str(ROOT / "bench" / "users.py"), "--quick", "--only", "servers"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert re.search(r"^server\s+req/s c1\s+req/s c32\s+xfloor c1\s+xfloor c32", out, re.M), out
    number = r"[\d,]+(?:\.\d+)?"
    for label in ("mocktui --headless", r"mocktui \(dashboard, pty\)"):
        row = re.search(rf"^{label}\s+({number})\s+({number})\s+({number})\s+({number})", out, re.M)
        assert row, f"no numeric row for {label}:\n{out}"
        assert float(row.group(2).replace(",", "")) > 0, row.group(0)
    assert re.search(r"^goal \(issue 7\)\s+measured\s+target", out, re.M), out
    for goal in ("1  headless / floor req/s", "2  dashboard / headless"):
        assert goal in out, f"no {goal!r} row:\n{out}"
    assert "other CPU" in out
