"""Record mode and saved examples: exchanges written into the user's collection file.

``Recorder.save`` adds an example to the collection held in memory at once (so the event can
say its name) and writes the file soon after, off the event loop; then the collections are
loaded again, and the new examples answer from the next request on. The file is written in
place (a ``.bak`` of the version before mocktui's first write beside it, once per session) or
to ``--record-to FILE``.

The file is read again before a change whenever it is not as mocktui last wrote or read it
(Postman re-exported it, someone edited it): their change is kept. The collection watcher
asks ``is_own`` and does not reload for mocktui's own writes (they are loaded already).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from mocktui.engine.engine import MockEngine
from mocktui.files import write_atomically
from mocktui.postman.loader import CollectionError
from mocktui.postman.writer import Document, Exchange, example_from
from mocktui.watch import reload_off_loop

Report = Callable[[bool, str], None]
log = logging.getLogger("mocktui.server")


def _signature(path: str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class RecordError(Exception):
    """An example that cannot be saved (the file cannot be read or written)."""


class Recorder:
    def __init__(
        self,
        engine: MockEngine,
        paths: Sequence[str],
        env_file: str | None = None,
        variables: Mapping[str, str] | None = None,
        *,
        record_to: str | None = None,
        all_headers: bool = False,
        report: Report | None = None,
    ) -> None:
        self.engine = engine
        self.paths = list(paths)  # the files served; [0] becomes record_to once written
        self.env_file = env_file
        self.variables = dict(variables or {})
        self.record_to = record_to
        self.all_headers = all_headers
        self.report = report or (lambda ok, message: None)
        self.seen: set[str] = set()  # fingerprints of the exchanges recorded
        self.saved = 0  # examples saved this session
        self._docs: dict[int, Document] = {}
        self._originals: dict[int, bytes] = {}  # each file as first read (for the .bak)
        self._signatures: dict[str, tuple[int, int, int] | None] = {}
        self._backed_up: set[str] = set()
        self._dirty: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    # -- what the watcher asks ---------------------------------------------------------------

    def is_own(self, path: str) -> bool:
        """True when the file is as mocktui last wrote it (a change the watcher can skip)."""
        real = os.path.realpath(path)
        return real in self._signatures and self._signatures[real] == _signature(real)

    # -- saving --------------------------------------------------------------------------------

    def record(self, exchange: Exchange) -> str | None:
        """``--record``: save a proxied exchange, once per identical exchange; the example's
        name, or None (seen already, or it could not be saved: reported)."""
        fingerprint = exchange.fingerprint()
        if fingerprint in self.seen:
            return None
        try:
            name = self.save(exchange)
        except RecordError as exc:
            self.report(False, str(exc))
            return None
        self.seen.add(fingerprint)
        return name

    def save(self, exchange: Exchange, example: dict[str, Any] | None = None) -> str:
        """Add an example for the exchange (``example``: this one instead of the one made from
        it) to the endpoint the request belongs to, else to an item of folder Recorded; the
        file is written soon after (``flush`` waits for it). RecordError if it cannot be."""
        owner = self.engine.owner(exchange.method, unquote(exchange.path))
        index, doc = 0, None
        item = None
        if owner is not None:
            index = self._index_of(owner.key)
            doc = self._document(index)
            try:
                item = doc.node(owner.json_path)
            except (KeyError, IndexError, TypeError, ValueError):
                item = None
            if item is not None and item.get("name", owner.name) != owner.name:
                item = None  # the file changed under the loaded collection: not that item
        if doc is None:
            doc = self._document(index)
        if item is None:
            item = doc.recorded_item(exchange.method.upper(), exchange.path, exchange.origin)
        made = example if example is not None else example_from(exchange, self.all_headers)
        name = doc.add_example(item, made)
        self.saved += 1
        self._dirty.add(index)
        self._schedule()
        return name

    def _index_of(self, endpoint_key: str) -> int:
        for i, collection in enumerate(self.engine.collections):
            if any(ep.key == endpoint_key for ep in collection.endpoints):
                return i
        return 0

    def _write_path(self, index: int) -> str:
        return self.record_to if (self.record_to and index == 0) else self.paths[index]

    def _document(self, index: int) -> Document:
        if index >= len(self.paths):
            raise RecordError("no collection file to save examples into")
        doc = self._docs.get(index)
        if doc is not None:
            current = os.path.realpath(self.paths[index])
            if self._signatures.get(current) == _signature(current) or index in self._dirty:
                return doc
        path = self.paths[index]
        try:
            doc = Document.read(path)
            with open(path, "rb") as f:
                original = f.read()
        except (CollectionError, OSError) as exc:
            raise RecordError(f"cannot save the example: {exc}") from None
        self._originals.setdefault(index, original)
        doc.path = self._write_path(index)
        self._docs[index] = doc
        self._signatures[os.path.realpath(path)] = _signature(path)
        return doc

    # -- writing -------------------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._task is None or self._task.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop (a script, a test): write now
                asyncio.run(self._flush())
                return
            self._task = loop.create_task(self._flush(), name="mocktui recorder")

    async def flush(self) -> None:
        """Wait until every saved example is written and loaded."""
        while self._task is not None and not self._task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(self._task)
        if self._dirty:
            await self._flush()

    async def _flush(self) -> None:
        while self._dirty:
            dirty = sorted(self._dirty)
            self._dirty.clear()
            written: list[str] = []
            for index in dirty:
                doc = self._docs[index]
                data = doc.to_bytes()
                try:
                    await asyncio.to_thread(self._write, index, doc.path, data)
                except OSError as exc:
                    self.report(False, f"cannot write {doc.path}: {exc.strerror or exc}; not saved")
                    continue
                written.append(doc.path)
                if index == 0 and self.record_to:
                    self.paths[0] = self.record_to
            if written:
                ok, message = await reload_off_loop(
                    self.engine, self.paths, self.env_file, self.variables
                )
                saved = f"examples saved to {', '.join(written)}"
                if ok:  # the server log has it; the event says which example (no toast each)
                    log.info("%s; %s", saved, message)
                else:
                    self.report(False, f"{saved}, but {message}")

    def _write(self, index: int, path: str, data: bytes) -> None:
        real = os.path.realpath(path)
        if not self.record_to and real not in self._backed_up:
            write_atomically(path + ".bak", self._originals[index])
            self._backed_up.add(real)
        write_atomically(path, data)
        self._signatures[real] = _signature(real)
