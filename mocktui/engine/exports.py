"""The traffic kept and the coverage, as files: HAR 1.2 and JSON, written atomically."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mocktui import __version__
from mocktui.engine.state import write_atomically
from mocktui.formats.har import har_document, har_filename

if TYPE_CHECKING:
    from mocktui.engine.engine import MockEngine


def json_bytes(document: object) -> bytes:
    # ASCII with escapes: client text may hold lone surrogates, which UTF-8 cannot encode.
    return (json.dumps(document, indent=1) + "\n").encode("ascii")


def har_bytes(engine: MockEngine, base_url: str | None = None) -> bytes:
    """Every request event the engine keeps, as a HAR 1.2 document."""
    events = [e.to_dict(explanation=False) for e in engine.traffic.since(0)[0]]
    return json_bytes(har_document(events, creator_version=__version__, base_url=base_url))


def export_har(engine: MockEngine, folder: str | Path = ".", base_url: str | None = None) -> Path:
    """The HAR in a new file named for the time (``mocktui-YYYYMMDD-HHMMSS.har``) in ``folder``."""
    path = Path(folder) / har_filename(datetime.now())
    write_atomically(path, har_bytes(engine, base_url))
    return path
