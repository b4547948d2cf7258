"""mocktui check's findings in the dashboard (issue 8): the count in the header, the Problems
screen from the command palette, enter on a finding selects its endpoint. Real keys, the real
palette; hostile names stay inert."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.pilot import Pilot

from mocktui.check import Finding
from mocktui.config import build_engine, load_collections
from mocktui.engine.engine import MockEngine
from mocktui.tui import app as app_module
from mocktui.tui.app import MockTUI
from mocktui.tui.backend import LocalBackend
from mocktui.tui.endpoints import EndpointsTable
from mocktui.tui.header import Counts, StatusHeader
from mocktui.tui.problems import ProblemsScreen, ProblemsTable
from mocktui.tui.sample import TZ, URL, record_sample_traffic, sample_engine

from .conftest import screen_text, wait_for

MakeApp = Callable[..., MockTUI]
# The demo collection as it was before it was fixed (issue 10): a newcomer's first screen
# warned about our own demo. Its eight findings are what these tests read.
DEMO = Path(__file__).parents[1] / "fixtures" / "problems.postman_collection.json"
SnapCompare = Callable[..., bool]


@pytest.fixture
def engine() -> MockEngine:
    return build_engine([str(DEMO)], seed=1)


def sample_app() -> MockTUI:
    engine = sample_engine([str(DEMO)])
    record_sample_traffic(engine)
    return MockTUI(engine, url=URL, tz=TZ)


# The collection's findings, errors first (as the screen lists them).
DEMO_ROWS = [
    ("error", "never-served", "GET /users", "'Empty list' (200) can never be served"),
    ("error", "never-served", "GET /reports/daily", "'Slow report (3 s)' (200) can never be"),
    ("warning", "reachable-by-code-only", "GET /users", "'Server error' (500) is only served"),
    ("warning", "undefined-variable", "GET /users/{userId}", "{{userId}} is defined nowhere"),
    ("warning", "reachable-by-code-only", "GET /users/{userId}", "'User not found' (404) is"),
    ("warning", "reachable-by-code-only", "DELETE /users/{userId}", "'Forbidden' (403) is only"),
    ("warning", "reachable-by-code-only", "GET /products/{sku}", "'Out of stock' (404) is only"),
    ("warning", "reachable-by-code-only", "GET /reports/daily", "'Report failed' (503) is only"),
]


def rows(table: ProblemsTable) -> list[tuple[str, ...]]:
    return [tuple(cell.plain for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def open_from_palette(pilot: Pilot[object]) -> ProblemsScreen:
    """ctrl+p, type "Problems", enter: as a user opens it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"Problems")
    await pilot.pause(0.3)  # the palette searches in the background
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ProblemsScreen))
    assert isinstance(app.screen, ProblemsScreen)
    return app.screen


async def test_the_palette_opens_the_problems_and_enter_selects_the_endpoint(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_from_palette(pilot)
        table = screen.query_one(ProblemsTable)
        assert app.focused is table
        assert [
            (severity, code, endpoint, message[: len(want)])
            for (severity, code, endpoint, message), (*_, want) in zip(
                rows(table), DEMO_ROWS, strict=True
            )
        ] == DEMO_ROWS
        text = screen_text(app)
        assert "Problems · 2 errors · 6 warnings" in text
        # The highlighted finding in full, with its file and JSON path.
        assert "error [never-served]  GET /users  List users" in text
        assert "problems.postman_collection.json: $.item[0].item[0].response[1]" in text

        await pilot.press(*["down"] * 6)  # 'Out of stock' (404) of Get product
        assert "'Out of stock' (404) is only served with x-mock-response-code: 404" in (
            screen_text(app).replace("\n", " ").replace("│", "")
        )
        await pilot.press("enter")
        assert app.screen is app.screen_stack[0]
        endpoints = app.query_one(EndpointsTable)
        assert app.focused is endpoints
        selected = endpoints.selected
        assert selected is not None and selected.name == "Get product"


async def test_escape_closes_and_the_selection_stays(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        before = app.query_one(EndpointsTable).selected
        app.action_problems()
        await pilot.pause()
        await pilot.press("end")  # the last finding: 'Report failed' of Daily report
        assert app.screen.query_one(ProblemsTable).cursor_row == len(DEMO_ROWS) - 1
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        assert app.query_one(EndpointsTable).selected is before


async def test_a_jump_out_of_a_narrowed_folder_shows_every_endpoint(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(EndpointsTable)
        users = [ep for ep in app.backend.endpoints if ep.folder == ("Users",)]
        table.show(users)  # as enter on the Users folder of the tree does
        app.action_problems()
        await pilot.pause()
        await pilot.press("down", "enter")  # 'Slow report (3 s)': Daily report, not in Users
        assert table.shown == list(app.backend.endpoints)
        assert table.border_title == "Endpoints"
        selected = table.selected
        assert selected is not None and selected.name == "Daily report"


@pytest.mark.parametrize(
    ("width", "shown"),
    [(120, "⚠ 2 errors · 6 warnings"), (80, "⚠ 8 problems"), (70, "⚠ 8 ")],
)
async def test_the_header_counts_the_problems(make_app: MakeApp, width: int, shown: str) -> None:
    app = make_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        assert shown in screen_text(app).splitlines()[0]
        text = app.query_one(StatusHeader).render()
        start = text.plain.index("⚠")
        assert str(text.get_style_at_offset(app.console, start)) == "bold red"  # errors: red


class HeaderApp(App[None]):
    def __init__(self, header: StatusHeader) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header


async def header_line(problems: tuple[int, int] | None, width: int = 120) -> Text:
    counts = Counts(3, 4, 5, 0)
    if problems is None:  # as before the parameter existed
        header = StatusHeader(URL, False, counts)
    else:
        header = StatusHeader(URL, False, counts, problems=problems)
    async with HeaderApp(header).run_test(size=(width, 3)):
        return header.render()


async def test_the_header_without_problems_is_as_before_and_warnings_are_yellow() -> None:
    before = await header_line(None)
    assert (await header_line((0, 0))).plain == before.plain
    assert "⚠" not in before.plain
    warned = await header_line((0, 1))
    assert warned.plain.startswith(f" mocktui  {URL}  public  ⚠ 1 warning  ")
    style = warned.get_style_at_offset(Console(), warned.plain.index("⚠"))
    assert str(style) == "bold yellow"
    both = await header_line((1, 12))
    assert "⚠ 1 error · 12 warnings" in both.plain
    narrow = await header_line((1, 12), width=80)
    assert "⚠ 13 problems" in narrow.plain and "public" not in narrow.plain


async def test_a_collection_without_problems_shows_no_count(tmp_path: Path, pm: Any) -> None:
    engine = pm.engine(pm.item("Health", "/health", pm.example("ok", "/health")))
    app = MockTUI(engine, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.findings == []
        assert "⚠" not in screen_text(app).splitlines()[0]
        app.action_problems()
        await pilot.pause()
        assert "No problems: mocktui check finds nothing to say" in screen_text(app)
        await pilot.press("enter")  # nothing to go to: stays
        assert isinstance(app.screen, ProblemsScreen)


class GatedBackend(LocalBackend):
    """problems() waits until the test lets it go, in the worker thread."""

    def __init__(self, engine: MockEngine) -> None:
        super().__init__(engine)
        self.gate = threading.Event()
        self.threads: list[str] = []

    def problems(self) -> list[Finding]:
        self.threads.append(threading.current_thread().name)
        assert self.gate.wait(5)
        return super().problems()


async def test_a_large_collection_is_checked_in_a_thread_and_after_a_reload(
    engine: MockEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(app_module, "CHECK_INLINE", 0)  # the demo counts as large
    backend = GatedBackend(engine)
    app = MockTUI(backend, url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_problems()
        await pilot.pause()
        assert "Problems · checking the collections…" in screen_text(app)
        assert "⚠" not in screen_text(app)
        backend.gate.set()  # the check ends: the open screen and the header fill in
        await wait_for(pilot, lambda: "2 errors · 6 warnings" in screen_text(app))
        assert len(rows(app.screen.query_one(ProblemsTable))) == len(DEMO_ROWS)
        assert backend.threads and backend.threads[0] != threading.current_thread().name
        await pilot.press("escape")
        assert "⚠ 2 errors · 6 warnings" in screen_text(app).splitlines()[0]

        # A reload without the demo's Reports folder: checked again.
        data = json.loads(DEMO.read_text(encoding="utf-8"))
        data["item"] = [item for item in data["item"] if item["name"] != "Reports"]
        smaller = tmp_path / "demo.postman_collection.json"
        smaller.write_text(json.dumps(data), encoding="utf-8")
        engine.load(load_collections([str(smaller)]))
        await wait_for(pilot, lambda: "⚠ 1 error · 5 warnings" in screen_text(app))
        assert app.findings is not None and len(app.findings) == 6


async def test_hostile_names_and_file_names_stay_inert(tmp_path: Path) -> None:
    evil = "[red]E\x1b[2J[/]"
    schema = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    def example(name: str) -> dict[str, Any]:
        return {"name": name, "code": 200, "originalRequest": {"method": "GET", "url": "/x"}}

    data = {
        "info": {"name": "c", "schema": schema},
        "item": [
            {
                "name": f"req {evil}",
                "request": {"method": "GET", "url": f"/x/{evil}"},
                "response": [example(f"one {evil}"), example(f"two {evil}")],
            }
        ],
    }
    path = tmp_path / "evil[red]E\x1b[2J.postman_collection.json"  # no "/" in a file name
    path.write_text(json.dumps(data), encoding="utf-8")
    app = MockTUI(build_engine([str(path)], seed=1), url=URL, tz=TZ)
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_problems()
        await pilot.pause()
        text = screen_text(app)
        assert "\x1b" not in text
        # The messages quote names with repr() (ESC as \x1b), the rest goes through safe().
        assert "'two [red]E\\x1b[2J[/]' (200) can never be served" in text
        assert "x-mock-response-name: two [red]E␛[2J[/], or a pin" in text
        assert "evil[red]E␛[2J.postman_collection.json: $.item[0].response[1]" in text
        assert "req [red]E␛[2J[/]" in text  # the endpoint's name, in the detail


def test_problems_screen_80x24(snap_compare: SnapCompare) -> None:
    async def open_problems(pilot: Pilot[object]) -> None:
        app = pilot.app
        assert isinstance(app, MockTUI)
        app.action_problems()
        await pilot.pause()

    assert snap_compare(sample_app(), run_before=open_problems, terminal_size=(80, 24))


def test_a_long_path_is_cut_from_the_left_and_keeps_its_method() -> None:
    from mocktui.tui.problems import _endpoint_cell

    assert _endpoint_cell("GET", "/users", 20).plain == "GET /users"
    cell = _endpoint_cell("POST", "/v1/customer/wallet-domains", 20)
    assert cell.plain == "POST …wallet-domains"
    assert cell.cell_len == 20
    assert _endpoint_cell("DELETE", "/a/very/long/path", 8).cell_len <= 8


def test_the_demo_has_no_problems() -> None:
    # Before: "⚠ 8 problems" on a newcomer's first screen, about our own demo.
    import mocktui.demo
    from mocktui.check import check_collections

    demo = Path(mocktui.demo.__file__).parent / "demo.postman_collection.json"
    assert check_collections(load_collections([str(demo)])) == []
