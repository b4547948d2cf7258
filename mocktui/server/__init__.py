"""HTTP adapter of the engine: the ASGI app, the control API, Hypercorn serving, headless mode."""

from mocktui.server.app import create_app

__all__ = ["create_app"]
