"""``s`` in the traffic: save a request as an example of the collection.

A proxied request is saved with the upstream's answer as it is. Any other request that no
example answered (a miss, a 502/504 from a down upstream) gets a new example, status 200 and
an empty JSON body, opened first in ``$EDITOR`` (the dashboard steps aside meanwhile; the mock
keeps answering) or, without ``$EDITOR``, in a dialog, then saved. Saved examples answer from
the next request on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import tempfile
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from mocktui.engine.events import RequestEvent
from mocktui.postman.writer import draft_text, parse_draft
from mocktui.tui import keys
from mocktui.tui.backend import Backend, SaveError
from mocktui.tui.safe import safe


class ExampleDialog(ModalScreen[str | None]):
    """The new example as text to edit (the status line, headers, an empty line, the body):
    ctrl+s saves, escape cancels."""

    BINDINGS = [*keys.EXAMPLE_EDIT]
    DEFAULT_CSS = """
    ExampleDialog { align: center middle; }
    #example-dialog { width: 95%; height: 85%; }
    #example-text { height: 1fr; }
    #example-error { height: auto; color: $error; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="example-dialog", classes="dialog") as box:
            box.border_title = self.title_text
            yield TextArea(self.text, id="example-text", soft_wrap=True, show_line_numbers=True)
            yield Label("", id="example-error")
            yield Static(Text("ctrl+s to save · escape to cancel", style="dim"))

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#example-error", Label).update(Text(safe(message)))

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


async def run_editor(app: App[Any], editor: str, text: str) -> str | None:
    """``text`` edited in ``editor`` (a command line, as $EDITOR is): the file's text after,
    or None when the editor could not be started or failed. The app is suspended meanwhile
    (where it can be: not in tests) and the event loop goes on: the mock keeps answering."""
    fd, name = tempfile.mkstemp(prefix="mocktui-example-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        command = [*shlex.split(editor), name]
        suspended = contextlib.nullcontext()
        with contextlib.suppress(SuspendNotSupported):
            suspended = app.suspend()  # type: ignore[assignment]
            suspended.__enter__()
        try:
            process = await asyncio.create_subprocess_exec(*command)
            code = await process.wait()
        finally:
            suspended.__exit__(None, None, None)
        if code != 0:
            app.notify(
                safe(f"{editor} exited with status {code}: the example was not saved"),
                severity="warning",
                markup=False,
            )
            return None
        with open(name, encoding="utf-8", errors="replace") as edited:
            return edited.read()
    except (OSError, ValueError) as exc:  # no such editor, an unbalanced quote in $EDITOR
        app.notify(safe(f"cannot run the editor {editor!r}: {exc}"), severity="error", markup=False)
        return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


async def save_request(app: App[Any], backend: Backend, event: RequestEvent) -> str | None:
    """Save the request as an example (``s``); the example's name, or None (cancelled, or
    it could not be: the user is told why)."""
    if event.matched:
        app.notify(
            safe(f"already answered by the example {event.example_name!r}"),
            severity="warning",
            markup=False,
        )
        return None
    if event.recorded:
        app.notify(
            safe(f"saved already, as {event.recorded!r} (--record)"),
            severity="warning",
            markup=False,
        )
        return None
    refused = backend.save_refused()
    if refused:
        app.notify(safe(f"not saved: {refused}"), severity="error", markup=False)
        return None
    example: dict[str, Any] | None = None
    if not (event.proxied and event.upstream_status is not None):
        example = await _edited(app, backend, event)
        if example is None:
            return None
    try:
        name = await backend.save_example(event, example)
    except SaveError as exc:
        app.notify(safe(f"not saved: {exc}"), severity="error", markup=False)
        return None
    app.notify(safe(f"saved as {name!r}: it answers from the next request on"), markup=False)
    return name


async def _edited(app: App[Any], backend: Backend, event: RequestEvent) -> dict[str, Any] | None:
    draft = backend.draft_example(event)
    what = f"New example for {event.method} {event.path} (mocktui)"
    text = draft_text(draft, what)
    editor = os.environ.get("EDITOR", "").strip()
    while True:
        if editor:
            edited = await run_editor(app, editor, text)
        else:
            dialog = ExampleDialog(safe(f"New example: {event.method} {event.path}"), text)
            edited = await app.push_screen_wait(dialog)
        if edited is None:
            return None
        try:
            example = parse_draft(edited, draft)
        except ValueError as exc:
            app.notify(safe(f"not saved: {exc}"), severity="error", markup=False)
            if editor:
                return None
            text = edited  # the dialog opens again with the text as it was left
            continue
        if example is None:
            app.notify("cancelled: the file was left empty", markup=False)
        return example
