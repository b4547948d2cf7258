"""Write the README screenshots: screenshots/{main,detail,help,examples,main-80x24,...}.svg.

    .venv/bin/python scripts/screenshots.py [--out screenshots]   (after python3 dev.py setup)

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

#: name -> (terminal size, keys pressed before the shot, theme or None for the default)
SHOTS: dict[str, tuple[tuple[int, int], Sequence[str], str | None]] = {
    "main": ((120, 36), (), None),
    # From the newest row up to GET /orders/42 (no example has that path), then its details.
    "detail": ((120, 36), ("tab", *["up"] * 7, "enter"), None),
    "help": ((120, 36), ("question_mark",), None),
    # The examples of the first endpoint, the second one disabled.
    "examples": ((120, 36), ("enter", "down", "x"), None),
    # The delay dialog at 80x24, "2s" typed (1500, 1500ms, 1.5s and 2s are delays).
    "delay-80x24": ((80, 24), ("d", "backspace", "2", "s"), None),
    "main-80x24": ((80, 24), (), None),
    # 80 columns with the tree shown (t): every column that carries state stays visible.
    "tree-80x24": ((80, 24), ("t",), None),
    # A pin on the second endpoint, and the flash line that says what it did.
    "flash-80x24": ((80, 24), ("down", "2"), None),
    # What a TERM=xterm (16-colour) terminal gets: the app switches to the terminal's palette.
    "main-16-colours": ((80, 24), (), "ansi-dark"),
}


async def shoot(
    name: str, size: tuple[int, int], keys: Sequence[str], theme: str | None, out: Path
) -> Path:
    engine = sample_engine()
    record_sample_traffic(engine)
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=size) as pilot:
        if theme:
            app.theme = theme
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
    for name, (size, keys, theme) in SHOTS.items():
        path = await shoot(name, size, keys, theme, args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
