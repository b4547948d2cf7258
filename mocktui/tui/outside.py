"""Bodies outside the box: a request's body in ``$PAGER`` (default ``less``) or ``$EDITOR``.

The body is what the traffic kept of it (``--body-limit``, 64 KiB by default), written as it
was sent to a file of its own in a private temporary folder, which the program gets as its last
argument and which is removed when it exits (an editor's changes are not kept). The dashboard
is suspended meanwhile (``App.suspend()``: the program has the terminal to itself) but the
server is not: the program runs in a thread, so requests are still answered and their events
drained, and the screen is redrawn once it returns.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual.app import App, SuspendNotSupported

from mocktui.engine.events import Body

DEFAULT_PAGER = "less"
DEFAULT_EDITOR = "vi"

SUFFIXES = {
    "application/json": ".json",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "text/html": ".html",
    "text/csv": ".csv",
    "application/javascript": ".js",
    "text/javascript": ".js",
    "application/x-www-form-urlencoded": ".txt",
    "text/plain": ".txt",
}


def program(kind: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The pager (``kind="pager"``: ``$PAGER``, else ``less``) or the editor (``$EDITOR``,
    else ``$VISUAL``, else ``vi``), split as a shell would (``PAGER="less -S"``)."""
    env = os.environ if environ is None else environ
    if kind == "pager":
        text = env.get("PAGER", "").strip() or DEFAULT_PAGER
    else:
        text = env.get("EDITOR", "").strip() or env.get("VISUAL", "").strip() or DEFAULT_EDITOR
    try:
        return shlex.split(text) or [DEFAULT_PAGER if kind == "pager" else DEFAULT_EDITOR]
    except ValueError:  # an unbalanced quote: the whole text as the program's name
        return [text]


def suffix_for(headers: Sequence[tuple[str, str]]) -> str:
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    media = content_type.split(";")[0].strip().lower()
    if media in SUFFIXES:
        return SUFFIXES[media]
    if media.endswith("+json"):
        return ".json"
    if media.endswith("+xml"):
        return ".xml"
    return ".txt" if media.startswith("text/") else ".bin"


def run_program(argv: Sequence[str], path: Path) -> str | None:
    """Run ``argv + [path]``; None when it ran, else why not (never raises: an exception here
    would leave the dashboard suspended)."""
    name = argv[0]
    if shutil.which(name) is None:
        return f"cannot run {name}: not found (set $PAGER or $EDITOR)"
    try:
        subprocess.run([*argv, str(path)], check=False)
    except OSError as exc:
        return f"cannot run {name}: {exc.strerror or exc}"
    return None


async def open_outside(
    app: App[object],
    kind: str,
    body: Body,
    headers: Sequence[tuple[str, str]],
    name: str,
) -> str | None:
    """Show ``body`` in the pager or the editor; None when shown, else a message saying why
    not. The program inherits stdin, stdout and stderr: the terminal, also when the user
    redirected them (``tui.terminal`` put the terminal there while the dashboard runs)."""
    argv = program(kind)
    folder = Path(tempfile.mkdtemp(prefix="mocktui-"))
    path = folder / f"{name}{suffix_for(headers)}"
    try:
        path.write_bytes(body.data)
        try:
            with app.batch_update(), app.suspend():  # no repaint until the terminal is back
                return await asyncio.to_thread(run_program, argv, path)
        except SuspendNotSupported:  # no terminal to hand over (tests, a headless driver)
            return await asyncio.to_thread(run_program, argv, path)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
