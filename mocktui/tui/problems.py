"""The Problems screen (ctrl+p, "Problems…"): what ``mocktui check`` finds in the collections
served, one row per finding, errors first; the highlighted one in full below the list.

``enter`` closes the screen and selects the finding's endpoint in the endpoints table (the
screen dismisses with its key), ``escape`` closes it. Every text of a finding comes from the
collections (names, paths, file names): all of it goes through ``safe()``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from mocktui.tui import keys
from mocktui.tui.backend import Backend, Finding
from mocktui.tui.safe import safe
from mocktui.tui.styles import method_style

COLUMNS = (
    ("severity", "Severity", 8),
    ("code", "Code", 22),
    ("endpoint", "Endpoint", None),
    ("message", "Message", None),
)
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors first, then warnings; each in the order ``mocktui check`` gives (file, document)."""
    return sorted(findings, key=lambda f: f.severity != "error")


def tally(findings: Sequence[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(f.severity == "error" for f in findings)
    return errors, len(findings) - errors


def short_names(files: Iterable[str]) -> dict[str, str]:
    """Each file by its name alone, unless two files of the findings share it (then as given)."""
    unique = set(files)
    names = Counter(PurePath(f).name for f in unique)
    return {f: PurePath(f).name if names[PurePath(f).name] == 1 else f for f in unique}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _fit(text: Text, width: int) -> Text:
    text.truncate(width, overflow="ellipsis")
    return text


def _endpoint_cell(method: str, path: str, width: int) -> Text:
    """``GET /users/{id}``; a path too long is cut from the left (paths share their prefix,
    their end tells endpoints apart), the method is kept."""
    text = Text(method, style=f"bold {method_style(method)}", end="")
    room = width - len(method) - 1
    if len(path) > room:
        path = "…" + path[len(path) - max(room - 1, 0) :]
    text.append(" " + path)
    text.truncate(width, overflow="ellipsis")
    return text


class ProblemsTable(DataTable[Text]):
    """One row per finding: severity, code, endpoint (method and path), message."""

    BINDINGS = [*keys.PROBLEMS]

    def __init__(self, backend: Backend, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)  # type: ignore[arg-type]
        self.backend = backend
        self.findings: list[Finding] = []
        self._width = 0

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.build()

    def show(self, findings: Sequence[Finding]) -> None:
        self.findings = ordered(findings)
        self.build()

    def build(self) -> None:
        if not self.size.width:  # not laid out yet: on_resize builds it
            return
        row = self.cursor_row
        self._width = self.size.width
        fixed = sum(w for _k, _l, w in COLUMNS if w) + 2 * len(COLUMNS)
        free = max(self._width - fixed - 1, 24)
        endpoint_width = max(12, free * 2 // 5)
        widths = {"endpoint": endpoint_width, "message": max(12, free - endpoint_width)}
        self.clear(columns=True)
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width or widths[key])
        for i, finding in enumerate(self.findings):
            self.add_row(*self._cells(finding, widths), key=str(i))
        if self.row_count:
            self.move_cursor(row=min(max(row, 0), self.row_count - 1))

    def _cells(self, finding: Finding, widths: dict[str, int]) -> list[Text]:
        return [
            Text(safe(finding.severity), style=SEVERITY_STYLE.get(finding.severity, ""), end=""),
            _fit(Text(safe(finding.code), end=""), 22),
            self._endpoint_cell(finding, widths["endpoint"]),
            _fit(Text(safe(finding.message), end=""), widths["message"]),
        ]

    def _endpoint_cell(self, finding: Finding, width: int) -> Text:
        endpoint = self.backend.endpoint(finding.endpoint) if finding.endpoint else None
        if endpoint is None:
            return _fit(Text(safe(finding.endpoint or "(the file)"), style="dim", end=""), width)
        return _endpoint_cell(safe(endpoint.method), safe(endpoint.display_path), width)

    def endpoint_text(self, finding: Finding, name: bool = False) -> Text:
        """``GET /users/{id}`` (and the request's name), or the key of an endpoint not served."""
        endpoint = self.backend.endpoint(finding.endpoint) if finding.endpoint else None
        if endpoint is None:
            return Text(safe(finding.endpoint or "(the file)"), style="dim", end="")
        text = Text(safe(endpoint.method), style=f"bold {method_style(endpoint.method)}", end="")
        text.append(" " + safe(endpoint.display_path))
        if name:
            text.append(f"  {safe(endpoint.name)}", "dim")
        return text

    @property
    def selected(self) -> Finding | None:
        if not self.row_count or not 0 <= self.cursor_row < len(self.findings):
            return None
        return self.findings[self.cursor_row]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "jump":
            return self.selected is not None
        return True

    def action_jump(self) -> None:
        finding = self.selected
        if finding is None:
            return
        if finding.endpoint is None or self.backend.endpoint(finding.endpoint) is None:
            self.app.bell()
            self.notify(
                "this finding is about no endpoint served now",
                severity="warning",
                markup=False,
                timeout=4,
            )
            return
        self.screen.dismiss(finding.endpoint)

    def action_close(self) -> None:
        self.screen.dismiss(None)


class ProblemsScreen(Screen[str | None]):
    """Every finding of ``mocktui check``; dismisses with the endpoint key to jump to (or None).

    ``findings`` is None while the check still runs: ``show()`` fills the screen when it is done.
    """

    def __init__(self, backend: Backend, findings: Sequence[Finding] | None) -> None:
        super().__init__()
        self.backend = backend
        self.findings = findings
        self.file_names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box") as box:
            box.border_title = "Problems"
            yield ProblemsTable(self.backend, id="problems")
            yield Static("", id="problems-detail")
            yield Static(
                Text(
                    "enter go to its endpoint · esc back · mocktui check says the same", style="dim"
                ),
                id="problems-help",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(ProblemsTable)
        table.focus()
        self.show(self.findings)

    def show(self, findings: Sequence[Finding] | None) -> None:
        self.findings = findings
        self.file_names = short_names(f.file for f in findings or ())
        box = self.query_one("#problems-box")
        table = self.query_one(ProblemsTable)
        if findings is None:
            box.border_title = "Problems · checking the collections…"
            table.show([])
        else:
            errors, warnings = tally(findings)
            box.border_title = Text(
                f"Problems · {_plural(errors, 'error')} · {_plural(warnings, 'warning')}"
            )
            table.show(findings)
        self._describe(table.selected)

    @on(DataTable.RowHighlighted, "#problems")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._describe(self.query_one(ProblemsTable).selected)

    def _describe(self, finding: Finding | None) -> None:
        """The highlighted finding in full: what and which endpoint, where in the file, the
        message (last: the longest ones, 9 lines at 80 columns, still fit)."""
        detail = self.query_one("#problems-detail", Static)
        if finding is None:
            if self.findings is None:
                detail.update(Text("mocktui check is running…", style="dim"))
            elif not self.findings:
                detail.update(
                    Text(
                        "No problems: mocktui check finds nothing to say about these collections.",
                        style="green",
                    )
                )
            else:
                detail.update("")
            return
        table = self.query_one(ProblemsTable)
        text = Text(safe(finding.severity), style=SEVERITY_STYLE.get(finding.severity, ""))
        text.append(f" [{safe(finding.code)}]  ", "dim")
        text.append_text(table.endpoint_text(finding, name=True))
        text.append("\n")
        text.append(f"{safe(self.file_names.get(finding.file, finding.file))}: ", "dim")
        text.append(safe(finding.path), "dim")
        text.append("\n")
        text.append(safe(finding.message))
        detail.update(text)
