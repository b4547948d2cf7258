"""The help screen: every key, by where it applies, read from the key map (so it cannot drift)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from mocktui.tui import keys

#: Longer words for the help screen, by binding id (the footer uses the short descriptions).
DESCRIPTIONS = {
    "app.quit": "quit (stops the server; asks first when requests came in the last minute)",
    "app.help": "this help",
    "app.focus_next": "next panel",
    "app.focus_previous": "previous panel",
    "app.toggle_tree": "show / hide the collections tree",
    "app.save_scenario": "save every control as a named scenario (apply one: ctrl+p)",
    "tree.select": "show that folder's endpoints (the top: all) or select that request",
    "tree.toggle": "fold / unfold a folder",
    "endpoints.cycle": "cycle what it answers: auto → example 1 → 2 → … → auto",
    "endpoints.pin_1": "pin example N: it answers every request that reaches this endpoint",
    "endpoints.auto": "back to auto (normal matching)",
    "endpoints.mode": "cycle the mode: auto → sequential → random → auto",
    "endpoints.examples": "its examples: pin one, disable / enable one",
    "endpoints.toggle": "disable / enable (disabled answers 404, like no example)",
    "endpoints.delay": "set its delay in ms (0 removes it)",
    "traffic.details": "details: headers, bodies, why it matched or missed",
    "traffic.filter": "filter (see below); empty clears",
    "traffic.clear": "clear the list",
    "traffic.export_har": "write the traffic as HAR 1.2 to the working directory",
    "traffic.copy_curl": "the request as a curl command, copied (OSC 52)",
    "traffic.save_example": "save it as an example: a proxied one as answered, a miss after "
    "editing (in $EDITOR, else a dialog)",
    "traffic.last": "jump to newest and follow new requests",
    "tree.filter": "filter the tree: words in method, path, name, folder",
    "endpoints.filter": "filter: words in method, path, name, folder (esc clears)",
    "examples.filter": "filter the examples: number, code, name",
    "examples.pin": "pin the selected example (space too)",
    "examples.toggle": "disable / enable that one example",
    "examples.auto": "back to auto",
    "examples.close": "back",
    "detail.close": "back",
    "detail.next": "next request",
    "detail.previous": "previous request",
    "detail.search": "search the details: enter finds the next line with the text",
    "detail.pager": "the response body (as kept: --body-limit) in $PAGER (default less)",
    "detail.pager_request": "the request body in $PAGER",
    "detail.editor": "the response body in $EDITOR (a copy: changes are not kept)",
    "detail.editor_request": "the request body in $EDITOR",
}

SECTIONS: Sequence[tuple[str, Sequence[Binding]]] = (
    ("Everywhere", keys.APP),
    ("Collections tree", keys.TREE),
    ("Endpoints (selected row)", keys.ENDPOINTS),
    ("Examples of an endpoint (enter)", keys.EXAMPLES),
    ("Traffic", keys.TRAFFIC),
    ("Request details", keys.DETAIL),
)

FILTER_HELP = (
    ("GET post", "methods (any of them)"),
    ("4xx 404", "status class or code (any of them)"),
    ("miss / hit", "no example answered / an example answered"),
    ("users ?page", "text in the path, query, endpoint or example name (all words)"),
)


def key_display(app: App[object], binding: Binding) -> str:
    """The key as the footer shows it, after the user's keymap (if any) remapped it."""
    remapped = getattr(app, "user_keymap", {}).get(binding.id or "")
    if remapped:
        return "/".join(
            app.get_key_display(binding.with_key(key.strip())) for key in remapped.split(",")
        )
    return binding.key_display or app.get_key_display(binding)


def help_renderable(app: App[object]) -> RenderableType:
    parts: list[RenderableType] = []
    for title, bindings in SECTIONS:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True, min_width=12)
        table.add_column()
        for binding in bindings:
            description = DESCRIPTIONS.get(binding.id or "")
            if description is None:
                continue
            table.add_row(key_display(app, binding), description)
        if title == "Traffic":
            table.add_row("↑↓ PgUp PgDn", "move; moving up stops following new requests")
            table.add_row("j k g G", "down / up / first / last, in every list (home / end too)")
        if title == "Everywhere":
            table.add_row("ctrl+p", "command palette; type an endpoint's name or path to go there")
        parts.append(Text(title, style="bold underline"))
        parts.append(table)
        parts.append(Text(""))
    parts.append(Text("Traffic filter (/): words combine, e.g.  GET 4xx users", style="bold"))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True, min_width=12)
    table.add_column()
    for example, meaning in FILTER_HELP:
        table.add_row(example, meaning)
    parts.append(table)
    parts.append(Text(""))
    legend = Text("Status colours: ")
    legend.append("2xx", "green")
    legend.append(" ")
    legend.append("3xx", "cyan")
    legend.append(" ")
    legend.append("4xx", "yellow")
    legend.append(" ")
    legend.append("5xx", "bold red")
    legend.append("   escape or ? closes this help", "dim")
    parts.append(legend)
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [*keys.HELP]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog") as box:
            box.border_title = "mocktui keys"
            # The way out, on the border: always in sight, whatever the height (at 80x24 the
            # last line of the text is below the fold).
            box.border_subtitle = "esc or ? closes · ↑↓ PgUp PgDn scroll"
            yield Static(help_renderable(self.app), id="help-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
