"""The flash line is one line: a message longer than the width is cut at its end with an
ellipsis, never word-wrapped down to its first word (seen at 80 columns on commercetools)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from mocktui.tui.flash import FlashLine

LONG = "POST /{project-key}/as-associate/{associate-id}/carts/{cart-id} has no saved example"


class OneFlash(App[None]):
    def compose(self) -> ComposeResult:
        yield FlashLine()


async def test_a_long_flash_is_cut_with_an_ellipsis_not_wrapped() -> None:
    app = OneFlash()
    async with app.run_test(size=(40, 5)) as pilot:
        flash = app.query_one(FlashLine)
        flash.show(LONG)
        await pilot.pause()
        line = flash.render_line(0).text
        assert line == LONG[:37] + "…"  # 40 columns less the padding of 1 on each side, then …
        assert flash.message == LONG  # what a test or a reader of the widget sees: all of it
