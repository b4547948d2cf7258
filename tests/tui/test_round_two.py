"""The dashboard, round two (issue 10): the defects #2, #4, #12, #14 and the frictions of the
endpoints and traffic panels. Real keys through the pilot, real HTTP where requests matter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.app import App, ComposeResult
from textual.widgets._toast import ToastRack

from mocktui.config import build_engine
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.tui.app import MockTUI
from mocktui.tui.collections import CollectionsTree
from mocktui.tui.detail import DetailScreen
from mocktui.tui.endpoints import EndpointsTable, column_widths
from mocktui.tui.flash import FlashLine
from mocktui.tui.header import Counts, StatusHeader
from mocktui.tui.sample import TZ, URL
from mocktui.tui.traffic import Columns, TrafficPanel, TrafficView, header_text

from .conftest import screen_text, wait_for
from .test_dashboard import row_text, traffic_lines, users_key

MakeApp = Callable[..., MockTUI]


def send(engine: MockEngine, path: str, query: str = "", method: str = "GET") -> None:
    """One request through the engine, as the server sends it (answer, then its event)."""
    request = MockRequest(method, path, query_string=query)
    engine.record(request, engine.handle(request), 0.8)


def lines(app: MockTUI) -> list[str]:
    return screen_text(app).splitlines()


# -- #2: the example path when it differs ---------------------------------------------------------


async def test_a_row_shows_the_path_its_examples_answer(pm: Any) -> None:
    # Before: the row said POST /v1/orders/view, which none of its examples answers.
    engine = pm.engine(
        pm.item(
            "View order",
            "/v1/orders/view",
            pm.example("Order", "/v1/orders/view/1", method="POST"),
            method="POST",
        ),
        pm.item("Orders", "/v1/orders", pm.example("All", "/v1/orders")),
    )
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(160, 36)):
        view_key, orders_key = (ep.key for ep in engine.endpoints)
        assert "/v1/orders/view → …/view/1" in row_text(app, view_key)
        assert "→" not in row_text(app, orders_key).split("auto")[0]  # its own path only


# -- #4: every column that carries state stays visible at 80 columns ------------------------------


@pytest.mark.parametrize("width", range(40, 201, 7))
def test_column_widths_fill_the_table_and_keep_the_state_columns(width: int) -> None:
    widths = column_widths(width)
    assert sum(widths.values()) == max(width, sum(widths.values()))
    assert widths["answers"] >= 17 and widths["state"] == 4 and widths["delay"] >= 7
    assert widths["path"] >= 6


@pytest.mark.parametrize("width", range(40, 201, 7))
def test_traffic_columns_keep_status_and_took_with_its_unit(width: int) -> None:
    cols = Columns.fit(width)
    used = 1 + cols.time + cols.method + cols.path + cols.status + cols.example + cols.duration
    assert used + 5 <= max(width, 45)
    assert cols.duration >= 7  # "12.6 ms", "1.00 s"
    assert header_text(cols).plain.endswith("Took")


async def test_80x24_with_the_tree_keeps_on_and_took_on_long_real_paths(
    shared_file: Callable[[str], Path],
) -> None:
    paypal = shared_file("paypal-partner-apis.postman_collection.json")
    engine = build_engine([str(paypal)], seed=1)
    long = max(engine.endpoints, key=lambda ep: len(ep.display_path))
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("t")  # the tree shown, as in the issue
        assert app.query_one(CollectionsTree).display
        send(engine, long.request.path.replace("{{", "").replace("}}", ""))
        send(engine, "/nowhere/at/all")
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 2)
        await pilot.pause()
        shown = lines(app)
        header = next(line for line in shown if " Method " in line and " Path " in line)
        assert header.rstrip("│ ").endswith("Delay On")
        rows = [line for line in shown if line.rstrip("│ ").endswith((" on", " off"))]
        assert len(rows) >= 7  # every visible endpoint row shows its On cell
        assert any("…" in row for row in rows)  # long paths shortened, not the state
        took = [line for line in traffic_lines(app) if line.strip()]
        assert len(took) == 2 and all(line.rstrip().endswith(" ms") for line in took)


async def test_80x24_gives_the_endpoints_as_many_rows_as_the_traffic(make_app: MakeApp) -> None:
    # Before: 6 endpoint rows against 10 traffic rows.
    app = make_app()
    async with app.run_test(size=(80, 24)):
        table = app.query_one(EndpointsTable)
        view = app.query_one(TrafficView)
        endpoint_rows = table.scrollable_content_region.height - 1  # minus the column titles
        assert endpoint_rows >= view.scrollable_content_region.height >= 7


# -- #12: an endpoint without examples ---------------------------------------------------------


async def test_an_endpoint_without_examples_says_so_and_why_keys_do_nothing(
    pm: Any, tmp_path: Path
) -> None:
    engine = pm.engine(
        pm.item("Health", "/health"),
        pm.item("Users", "/users", pm.example("All users", "/users")),
    )
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        health = engine.endpoints[0].key
        assert "no examples" in row_text(app, health)  # before: "auto"
        await pilot.press("1")
        await pilot.pause()
        flash = app.query_one(FlashLine)
        assert flash.display and flash.has_class("-error")
        assert flash.message == (
            "GET /health has no saved example (Postman cannot answer it either): nothing to pin"
        )
        assert engine.store.steering == set()
        send(engine, "/health")
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 1)
        assert "404 no saved example" in traffic_lines(app)[0]
        await pilot.press("tab", "enter")
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "this endpoint has no saved example (Postman cannot answer it either)" in text
        assert "no example matches" not in text


# -- #14: the smaller ones -------------------------------------------------------------------


class HeaderApp(App[None]):
    def __init__(self, counts: Counts) -> None:
        super().__init__()
        self.counts = counts

    def compose(self) -> ComposeResult:
        yield StatusHeader(URL, False, self.counts)


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        (Counts(1, 1, 1, 1), "1 endpoint · 1 example · 1 request · 1 miss "),
        (Counts(2, 0, 3, 2), "2 endpoints · 0 examples · 3 requests · 2 misses "),
    ],
)
async def test_the_header_says_1_request_and_1_miss(counts: Counts, shown: str) -> None:
    # Before: "1 requests · 1 misses".
    app = HeaderApp(counts)
    async with app.run_test(size=(160, 3)):
        assert screen_text(app).splitlines()[0].endswith(shown)


async def test_the_traffic_title_says_1_request(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        send(app.backend.engine, "/users")  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 1)
        await pilot.pause()
        assert "─ 1 request · " in lines(app)[-2]  # not "1 requests"
        assert "1 request · 0 misses" in lines(app)[0]


async def test_the_maximized_traffic_keeps_its_column_titles(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(TrafficView)
        view.focus()
        await pilot.pause()
        app.screen.action_maximize()
        await pilot.pause()
        assert isinstance(app.screen.maximized, TrafficPanel)  # before: the bare list
        assert any(" Time " in line and "Took" in line for line in lines(app))


async def test_toasts_cover_no_traffic_row(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.notify("a server warning that stays a while", timeout=30)
        await pilot.pause(0.3)
        rack = app.screen.query_one(ToastRack)
        toasts = list(rack.query("Toast"))
        assert toasts
        traffic = app.query_one(TrafficView).region
        assert all(not toast.region.overlaps(traffic) for toast in toasts)


async def test_the_detail_title_keeps_the_query(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        send(app.backend.engine, "/products", "category=books")  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 1)
        await pilot.press("tab", "enter")
        assert isinstance(app.screen, DetailScreen)
        assert "GET /products?category=books  200" in lines(app)[0]


async def test_tree_guides_are_visible_in_16_colours(make_app: MakeApp) -> None:
    # Before: drawn in black in the ansi theme, invisible on a black background.
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "ansi-dark"
        await pilot.pause()
        tree = app.query_one(CollectionsTree)
        for focused in (False, True):
            if focused:
                tree.focus()
                await pilot.pause()
            color = tree.get_component_rich_style("tree--guides").color
            assert color is not None and color.number in (7, 8), color  # white, bright black


async def test_hiding_the_tree_clears_a_folder_narrowing(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("shift+tab", "down", "enter")  # narrow to the "Users" folder
        table = app.query_one(EndpointsTable)
        assert len(table.shown) == 4
        await pilot.press("t")  # the tree goes: the narrowing it made goes too
        assert not app.query_one(CollectionsTree).display
        assert len(table.shown) == 8 and table.row_count == 8
        assert str(table.border_title) == "Endpoints"
        flash = app.query_one("#flash", FlashLine)
        assert flash.message == "the collections tree is hidden: the folder's narrowing is lifted"
        await pilot.press("t")  # the tree back: the flash about hiding it goes
        assert app.query_one(CollectionsTree).display
        assert not flash.display and flash.message == ""


async def test_the_global_delay_shows_in_the_header() -> None:
    engine = build_engine([], seed=1, delay_ms=250)
    app = MockTUI(engine, url=URL, tz=TZ)
    for width in (120, 80, 60):
        async with app.run_test(size=(width, 24)):
            assert "+250" in lines(app)[0], width
        app = MockTUI(engine, url=URL, tz=TZ)


async def test_a_broken_collection_keeps_a_mark_until_it_loads(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.collections_reloaded(False, "demo.json: not JSON (line 3)")
        await pilot.pause(0.2)
        assert "✗ reload failed" in lines(app)[0]
        await pilot.pause(0.5)
        assert "✗ reload failed" in lines(app)[0]  # still there once the toast is gone
        app.collections_reloaded(True, "reloaded: 8 endpoints, 18 examples")
        await pilot.pause()
        assert "✗" not in lines(app)[0]


# -- frictions ------------------------------------------------------------------------------------


async def test_the_name_column_and_what_auto_picks(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        key = users_key(app.backend.engine)  # type: ignore[attr-defined]
        assert "List users" in row_text(app, key)
        assert "auto → 200 All users" in row_text(app, key)
        await pilot.press("x")  # disabled: auto picks nothing
        assert "→" not in row_text(app, key).split("List users")[1]
        await pilot.press("x")
        # Folders on demand (palette: "Endpoints: show folders").
        app.query_one(EndpointsTable).show_folders(True)
        assert "Users / Lis" in row_text(app, key)


async def test_a_flash_line_after_every_control_key(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        flash = app.query_one(FlashLine)
        said = []
        for key in ("2", "a", "m", "x", "x"):
            await pilot.press(key)
            said.append(flash.message)
        assert said == [
            "pinned #2 200 Empty list on GET /users",
            "auto on GET /users → 200 All users",
            "sequential on GET /users: each request gets the next example",
            "disabled GET /users: it answers 404 until enabled again (x)",
            "enabled GET /users",
        ]
        await pilot.pause()
        assert lines(app)[-1].strip() == "enabled GET /users"  # in place of the footer keys


async def test_a_delayed_request_shows_at_once_as_pending(
    make_app: MakeApp, client: httpx.AsyncClient
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        slow = asyncio.ensure_future(
            client.get("/users", headers={"x-mock-response-delay": "1500"})
        )
        await wait_for(pilot, lambda: any("pending" in line for line in traffic_lines(app)))
        (row,) = [line for line in traffic_lines(app) if line.strip()]
        assert "GET     /users" in row and "…   pending · All users" in row
        assert row.rstrip().endswith("⋯1.50 s")
        await wait_for(pilot, lambda: "1 pending" in lines(app)[-2])  # the panel's title
        assert (await slow).status_code == 200
        await wait_for(pilot, lambda: "200 All users" in traffic_lines(app)[0])
        assert not any("pending" in line for line in traffic_lines(app))


async def test_paused_following_says_how_many_are_new(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        engine = app.backend.engine  # type: ignore[attr-defined]
        for _ in range(3):
            send(engine, "/users")
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 3)
        await pilot.press("tab", "up")  # moving up pauses following
        await pilot.pause()
        assert "paused (end follows)" in lines(app)[-2]
        for _ in range(12):
            send(engine, "/health")
        await wait_for(pilot, lambda: app.query_one(TrafficView).total == 15)
        await pilot.pause()
        assert "paused · 12 new (end follows) · 15 requests" in lines(app)[-2]
        await pilot.press("end")
        await pilot.pause()
        assert "paused" not in lines(app)[-2]


async def test_the_footer_palette_key_is_whole_at_80_columns(make_app: MakeApp) -> None:
    # Before: "^p paletter" (the hints under it showed through its margin).
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert lines(app)[-1].endswith("▏^p palette ")


async def test_a_pin_redraws_the_rows_of_endpoints_on_the_same_path(
    shared_file: Callable[[str], Path],
) -> None:
    # PayPal's two "Create partner referral" items share POST /v2/customer/partner-referrals:
    # a pin on one answers for both, so the other's row must say so at once.
    engine = build_engine([str(shared_file("paypal-partner-apis.postman_collection.json"))], seed=1)
    twins = [e for e in engine.endpoints if e.display_path == "/v2/customer/partner-referrals"]
    assert len(twins) >= 2
    first, other = twins[0], twins[1]
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        pin = next(ex for ex in first.examples if ex.code == 201)
        engine.store.pin(first.key, pin.id, source="api")
        await pilot.pause(0.3)
        cells = " ".join(c.plain for c in table.get_row(other.key))
        assert "auto → (other) 201" in cells, cells
