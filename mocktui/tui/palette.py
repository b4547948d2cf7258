"""The command palette's endpoints: ``ctrl+p`` and part of a name or path jumps to that
endpoint (as Posting's palette jumps to a request). Searching only: the palette's first list
(nothing typed yet) is mocktui's own commands."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from mocktui.tui.safe import safe

MAX_HITS = 200  # endpoints offered for one query (the palette shows the best first)


class EndpointCommands(Provider):
    """``GET /users/{id}  Get user``: selecting one selects it in the endpoints table."""

    async def search(self, query: str) -> Hits:
        app = self.app
        if self.screen is not app.screen_stack[0]:  # over the detail view or a dialog
            return
        backend = getattr(app, "backend", None)
        jump = getattr(app, "jump_to_endpoint", None)
        if backend is None or jump is None:
            return
        matcher = self.matcher(query)
        found = 0
        for endpoint in backend.endpoints:
            text = safe(f"{endpoint.method} {endpoint.display_path}  {endpoint.name}")
            score = matcher.match(text)
            if score <= 0:
                continue
            folder = " / ".join(endpoint.folder)
            yield Hit(
                score,
                matcher.highlight(text),
                partial(jump, endpoint.key),
                text=text,
                help=safe(f"go to this endpoint{' · ' + folder if folder else ''}"),
            )
            found += 1
            if found >= MAX_HITS:
                return
