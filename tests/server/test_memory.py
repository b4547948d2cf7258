"""The collector's settings in a server process (server/memory.py), in a fresh interpreter: they
are the process's, and a test worker's own must stay as they are."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_load_is_frozen_at_start_and_what_a_reload_left_is_collected() -> None:
    out = run(
        """
        import gc, weakref
        from mocktui.config import build_engine
        from mocktui.server import memory

        engine = build_engine([])
        engine.installed.append(memory.settle)
        memory.settle(collect=False)
        print(gc.get_threshold() == memory.THRESHOLDS, gc.get_freeze_count() > 0)

        class Node:  # garbage in a cycle, frozen with the load: only a collection frees it
            pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        gc.freeze()
        del a, b
        gc.collect()
        print(gone() is not None)  # frozen: a collection does not see it

        old = weakref.ref(engine.index)
        engine.install(engine.prepare(engine.collections))  # a reload
        print(gone() is None, old() is None, gc.get_freeze_count() > 0)
        """
    )
    assert out.split("\n") == ["True True", "True", "True True True"]
