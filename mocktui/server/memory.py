"""The garbage collector, set for a server process (mocktui's own: headless, dashboard, workers).

Measured under load (issue 7; README, Performance): with CPython's defaults, every few thousand
requests a full collection walked the whole heap (the loaded collection, the modules, and the
10,000 events of the ring) for 60-90 ms, during which no request was answered: the p99 latency
at 32 connections was 6-9x the floor's, and it was all this. So, once the collection is loaded,
what is there is frozen (``gc.freeze()``: it is never walked again; after a reload, collected
first), and the thresholds make full collections rare. Little that the server makes per
request lives in a cycle that needs the collector; what does (a client that left, with its
exception's frames) is young, and goes in the first generations' collections (every 20,000
allocations). Memory stays flat: bench/users.py reports RSS after the load.
"""

from __future__ import annotations

import gc

# allocations between first-generation collections (CPython's default: 700), then how many of
# those per second-generation one (10), and how many of those per full collection (10; CPython
# also waits for the long-lived objects to have grown by a quarter since the last one).
THRESHOLDS = (20_000, 20, 100)


def settle(collect: bool = True) -> None:
    """Freeze what is alive now: call it when a load is in place. After a reload (``collect``),
    what an earlier ``settle`` froze is unfrozen and collected first, the old load with it. At
    start there is nothing to collect that matters, and a collection of a large load (tens of
    megabytes of objects) would delay the first answer: ``settle(collect=False)``."""
    if gc.get_threshold() != THRESHOLDS:
        gc.set_threshold(*THRESHOLDS)
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
