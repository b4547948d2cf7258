"""mocktui: serve a Postman collection as a mock HTTP server, with a live dashboard."""

__version__ = "0.1.0"
