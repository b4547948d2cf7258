"""The key map: which key runs which action, in one place.

Actions live on the widgets and screens (``action_<name>`` methods); this module only says which
key triggers them. Every binding has an id (``<context>.<action>``), so a user's keymap can
remap a key without touching code (``App.set_keymap({"traffic.clear": "C"})``), and the help
screen and README are generated from / checked against these lists.

This is a contract: tests and docs depend on these keys.
"""

from __future__ import annotations

from textual.binding import Binding


def moves(context: str) -> list[Binding]:
    """``j``/``k`` and ``g``/``G`` (with ``home``/``end``) for the list ``context``."""
    return [
        Binding("j", "cursor_down", "Down", show=False, id=f"{context}.down"),
        Binding("k", "cursor_up", "Up", show=False, id=f"{context}.up"),
        Binding("home,g", "first", "First", show=False, id=f"{context}.first"),
        Binding("end,G", "last", "Last", show=False, id=f"{context}.last"),
    ]


#: Everywhere (the app).
APP = [
    Binding("q", "quit", "Quit", id="app.quit"),
    # Ctrl+C quits too, as in every terminal program (Textual's default only says how to quit).
    Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
    Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
    Binding("tab", "app.focus_next", "Next panel", show=False, id="app.focus_next"),
    Binding(
        "shift+tab", "app.focus_previous", "Previous panel", show=False, id="app.focus_previous"
    ),
    Binding("t", "toggle_tree", "Tree", id="app.toggle_tree"),
    Binding("S", "save_scenario", "Save scenario", show=False, id="app.save_scenario"),
    # Textual's "Keys" panel (from the palette) closes with escape, like everything else.
    Binding("escape", "hide_help_panel", "Close keys", show=False, id="app.hide_keys"),
]

#: The collections tree.
TREE = [
    Binding("enter", "select_cursor", "Show", id="tree.select"),
    Binding("space", "toggle_node", "Fold", id="tree.toggle"),
    Binding("slash", "filter", "Filter", key_display="/", id="tree.filter"),
    *moves("tree"),
]

#: The endpoints table (the selected row's endpoint).
ENDPOINTS = [
    Binding("space", "cycle", "Cycle", id="endpoints.cycle"),
    Binding("1", "pin(1)", "Pin", key_display="1-9", id="endpoints.pin_1"),
    *[
        Binding(str(n), f"pin({n})", f"Pin example {n}", show=False, id=f"endpoints.pin_{n}")
        for n in range(2, 10)
    ],
    Binding("a", "auto", "Auto", id="endpoints.auto"),
    Binding("m", "mode", "Mode", id="endpoints.mode"),
    Binding("x", "toggle_enabled", "On/off", id="endpoints.toggle"),
    Binding("d", "delay", "Delay", id="endpoints.delay"),
    Binding("enter", "open", "Examples", id="endpoints.examples"),
    Binding(
        "slash", "filter", "Filter", key_display="/", show=False, id="endpoints.filter"
    ),  # not in the footer: at 80 columns it would push Quit off (help lists it)
    *moves("endpoints"),
]

#: The examples of one endpoint.
EXAMPLES = [
    Binding("enter", "pin", "Pin", id="examples.pin"),
    Binding("space", "pin", "Pin", show=False, id="examples.pin_space"),
    Binding("x", "toggle", "On/off", id="examples.toggle"),
    Binding("a", "auto", "Auto", id="examples.auto"),
    Binding("escape", "close", "Back", id="examples.close"),
    Binding("slash", "filter", "Filter", key_display="/", id="examples.filter"),
    *moves("examples"),
]

#: The traffic list.
TRAFFIC = [
    Binding("enter", "details", "Details", id="traffic.details"),
    Binding("slash", "filter", "Filter", key_display="/", id="traffic.filter"),
    Binding("c", "clear", "Clear", id="traffic.clear"),
    Binding("e", "export_har", "HAR", id="traffic.export_har"),
    Binding("y", "copy_curl", "curl", id="traffic.copy_curl"),
    Binding("s", "save_example", "Save example", id="traffic.save_example"),
    Binding("up", "cursor_up", "Up", show=False, id="traffic.cursor_up"),
    Binding("down", "cursor_down", "Down", show=False, id="traffic.cursor_down"),
    Binding("pageup", "page_up", "Page up", show=False, id="traffic.page_up"),
    Binding("pagedown", "page_down", "Page down", show=False, id="traffic.page_down"),
    Binding("home,g", "first", "First", show=False, id="traffic.first"),
    Binding("end,G", "last", "Newest (follow)", show=False, id="traffic.last"),
    Binding("j", "cursor_down", "Down", show=False, id="traffic.down"),
    Binding("k", "cursor_up", "Up", show=False, id="traffic.up"),
]

#: The filter input under the traffic list.
FILTER = [
    Binding("escape", "cancel", "Cancel", id="filter.cancel"),
]

#: The filter input of the other lists (``/`` in the tree, the endpoints, the examples).
LIST_FILTER = [
    Binding("escape", "clear", "Clear filter", id="list_filter.clear"),
]

#: The search input of the detail view (``/``).
DETAIL_SEARCH = [
    Binding("escape", "close", "Close search", id="detail_search.close"),
]

#: The problems of the collections (ctrl+p, "Problems…").
PROBLEMS = [
    Binding("enter", "jump", "Go to endpoint", id="problems.jump"),
    Binding("escape", "close", "Back", id="problems.close"),
    Binding("home,g", "scroll_top", "First", show=False, id="problems.first"),
    Binding("end,G", "scroll_bottom", "Last", show=False, id="problems.last"),
    Binding("j", "cursor_down", "Down", show=False, id="problems.down"),
    Binding("k", "cursor_up", "Up", show=False, id="problems.up"),
]

#: The detail view of one request.
DETAIL = [
    Binding("escape", "close", "Close", id="detail.close"),
    Binding("n", "next", "Next", id="detail.next"),
    Binding("p", "previous", "Previous", id="detail.previous"),
    Binding("end", "scroll_end", "End", show=False, id="detail.end"),
    Binding("slash", "search", "Search", key_display="/", id="detail.search"),
    Binding("v", "page('response')", "Pager", id="detail.pager"),
    Binding(
        "V", "page('request')", "Request body in $PAGER", show=False, id="detail.pager_request"
    ),
    Binding("o", "edit('response')", "Editor", id="detail.editor"),
    Binding(
        "O", "edit('request')", "Request body in $EDITOR", show=False, id="detail.editor_request"
    ),
]

#: The new example of a miss, edited in the dashboard (``s`` without $EDITOR).
EXAMPLE_EDIT = [
    Binding("ctrl+s", "save", "Save", id="example_edit.save"),
    Binding("escape", "cancel", "Cancel", id="example_edit.cancel"),
]

#: Dialogs and the help screen.
DIALOG = [
    Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
]
#: "Stop the mock for everyone?" (q or Ctrl+C again also stops it: the app's quit).
QUIT = [
    Binding("y", "stop", "Stop it", id="quit.yes"),
    Binding("enter", "stop", "Stop it", show=False, id="quit.enter"),
    Binding("n", "cancel", "Keep serving", id="quit.no"),
    Binding("escape", "cancel", "Keep serving", show=False, id="quit.escape"),
]
HELP = [
    Binding("escape", "close", "Close", id="help.close"),
    Binding("question_mark", "close", "Close", show=False, id="help.close_again"),
]

