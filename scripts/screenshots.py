"""Write the README screenshots: screenshots/{main,detail,help,main-80x24}.svg.

    /tmp/v/bin/python scripts/screenshots.py [--out screenshots]

The dashboard runs headless (``App.run_test()``) on the bundled demo collection with fixed
sample traffic (``mocktui.tui.sample``: seeded engine, fixed request times and durations, UTC
times, a fixed URL in the header), so the SVGs only change when the dashboard does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mocktui.tui.app import MockTUI  # noqa: E402
from mocktui.tui.sample import TZ, URL, record_sample_traffic, sample_engine  # noqa: E402

#: name -> (terminal size, keys pressed before the shot)
SHOTS: dict[str, tuple[tuple[int, int], Sequence[str]]] = {
    "main": ((120, 36), ()),
    # From the newest row up to GET /orders/42 (no example has that path), then its details.
    "detail": ((120, 36), ("tab", *["up"] * 7, "enter")),
    "help": ((120, 36), ("question_mark",)),
    "main-80x24": ((80, 24), ()),
}


async def shoot(name: str, size: tuple[int, int], keys: Sequence[str], out: Path) -> Path:
    engine = sample_engine()
    record_sample_traffic(engine)
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        path = out / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(out))
    return path


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (size, keys) in SHOTS.items():
        path = await shoot(name, size, keys, args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
