"""Colours shared by the panels: plain ANSI names, so they read in 16-colour terminals too."""

from __future__ import annotations

METHOD_STYLES = {
    "GET": "green",
    "POST": "yellow",
    "PUT": "blue",
    "PATCH": "magenta",
    "DELETE": "red",
}
STATUS_STYLES = {1: "cyan", 2: "green", 3: "cyan", 4: "yellow", 5: "bold red"}


def method_style(method: str) -> str:
    return METHOD_STYLES.get(method.upper(), "cyan")


def status_style(code: int) -> str:
    """2xx green, 3xx cyan, 4xx yellow, 5xx bold red."""
    return STATUS_STYLES.get(code // 100, "magenta")
