"""Hostile sizes: loading takes time linear in the file and memory a small multiple of it, and a
file larger than MAX_FILE_BYTES is refused without being read (a pipe or a device: read no
further than that).

No timed assertions: a quadratic step shows as a test that does not finish (200,000
placeholders took minutes), memory as a tracemalloc peak compared with the file's size.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mocktui.config import load_collections
from mocktui.engine.engine import MockEngine, MockRequest
from mocktui.postman.loader import (
    MAX_FILE_BYTES,
    CollectionError,
    load_collection,
    percent_decode,
    query_pairs,
    read_json,
)

MiB = 1024 * 1024
PLACEHOLDERS = 200_000


def _collection(pm: Any, where: str, text: str) -> Path:
    request: dict[str, Any] = {"method": "GET", "url": "/a"}
    example: dict[str, Any] = {"name": "e", "code": 200, "body": "", "originalRequest": request}
    if where == "body":
        example["body"] = text
    elif where == "header":
        example["header"] = [{"key": "X-Many", "value": text}]
    elif where == "path":
        request["url"] = "/a/" + text
    elif where == "query":
        request["url"] = "/a?" + text
    elif where == "request header":
        request["header"] = [{"key": "X-Many", "value": text}]
    item = {"name": "r", "request": request, "response": [example]}
    return pm.write(pm.collection(item))


# -- time: linear in the number of placeholders ------------------------------------------------


@pytest.mark.parametrize("where", ["body", "header", "path", "query", "request header"])
def test_200k_unknown_placeholders_load(pm: Any, where: str) -> None:
    text = "{{x}}" * PLACEHOLDERS  # 1 MB: took ~7 s in a body, minutes in a 4 MB header
    path = _collection(pm, where, text)
    engine = MockEngine(load_collections([str(path)]))  # the engine compiles the templates
    (example,) = engine.collections[0].examples
    if where == "body":
        assert engine.handle(MockRequest("GET", "/a")).body == text.encode()
    elif where == "header":
        assert example.headers == (("X-Many", text),)
    elif where == "path":
        assert len(example.request.segments) == 2  # one segment of 200k placeholders


def test_200k_placeholders_around_dynamic_ones_render_in_full(pm: Any) -> None:
    text = "{{x}}" * PLACEHOLDERS + "{{$randomInt}}" + "{{x}}" * PLACEHOLDERS
    engine = MockEngine(load_collections([str(_collection(pm, "body", text))]))
    body = engine.handle(MockRequest("GET", "/a")).body.decode()
    number = body.removeprefix("{{x}}" * PLACEHOLDERS).removesuffix("{{x}}" * PLACEHOLDERS)
    assert number.isascii() and number.isdigit()


# -- memory: a small multiple of the file ------------------------------------------------------

# Before: "%" took 97 times the file's size, "%41" 40, "%2F" 49, "/" 63 (unquote made an object
# per "%", the path a list and a slice of its parts and a Segment per part).
HOSTILE_PATHS = ["%", "%41", "%%41", "%C3%A9", "%E9", "%2F", "/", "ab/", "%2Fa"]
HOSTILE_QUERIES = ["q=a&", "%%", "%41%41", "a+b=%2B&", "&"]
PEAK_RATIO = 20  # json.loads alone can take 24 times a file's size (a list of empty lists)


def _peak_ratio(path: Path) -> float:
    tracemalloc.start()
    try:
        load_collection(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / path.stat().st_size


@pytest.mark.parametrize("unit", HOSTILE_PATHS)
def test_hostile_paths_take_memory_a_small_multiple_of_the_file(pm: Any, unit: str) -> None:
    path = _collection(pm, "path", unit * (50_000 // len(unit)))
    assert _peak_ratio(path) < PEAK_RATIO


@pytest.mark.parametrize("unit", HOSTILE_QUERIES)
def test_hostile_queries_take_memory_a_small_multiple_of_the_file(pm: Any, unit: str) -> None:
    path = _collection(pm, "query", unit * (50_000 // len(unit)))
    assert _peak_ratio(path) < PEAK_RATIO


URL_TEXT = st.text(st.sampled_from("%+&=/aZ09fF é\u00ff\u0100\ud7ff☃"), max_size=40) | st.text()


@given(URL_TEXT)
def test_percent_decode_is_unquote(text: str) -> None:
    assert percent_decode(text) == unquote(text)
    assert percent_decode(text, plus=True) == unquote_plus(text)


@given(URL_TEXT)
def test_query_pairs_is_parse_qsl(text: str) -> None:
    assert list(query_pairs(text)) == parse_qsl(text, keep_blank_values=True)


# -- the file-size limit -----------------------------------------------------------------------

TOO_LARGE = "file: larger than 64 MiB, the most mocktui reads"


def test_the_readme_states_the_limit() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"file larger than {MAX_FILE_BYTES // MiB} MiB |" in readme
    assert TOO_LARGE.removeprefix("file: ") in readme


def test_a_larger_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk, and nothing to read but zeros
    tracemalloc.start()
    try:
        with pytest.raises(CollectionError) as info:
            read_json(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == f"{path}: {TOO_LARGE}"
    assert peak < MiB


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b'"' + b" " * (MAX_FILE_BYTES - 2) + b'"')
    assert len(read_json(path)) == MAX_FILE_BYTES - 2


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_read_no_further_than_the_limit() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(CollectionError) as info:
            read_json("/dev/zero")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(info.value) == f"/dev/zero: {TOO_LARGE}"
    assert peak < MAX_FILE_BYTES + 4 * MiB


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_on_the_command_line_is_one_line_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mocktui", "/dev/zero", "--headless", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"mocktui: error: /dev/zero: {TOO_LARGE}\n"


def _fifo(tmp_path: Path, write: Any) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    path = tmp_path / "pipe.json"
    os.mkfifo(path)

    def writer() -> None:
        try:
            with path.open("wb") as pipe:
                write(pipe)
        except BrokenPipeError:  # the reader stopped at the limit
            pass

    threading.Thread(target=writer, daemon=True).start()
    return path


def test_a_pipe_is_read(pm: Any, tmp_path: Path) -> None:
    data = pm.collection(pm.item("r", "/a", pm.example("e", "/a", body="from a pipe")))
    path = _fifo(tmp_path, lambda pipe: pipe.write(json.dumps(data).encode()))
    (example,) = load_collection(path).examples  # as mocktui <(curl ...) gives it
    assert example.body == "from a pipe"


def test_an_endless_pipe_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    chunk = b" " * MiB

    def endless(pipe: Any) -> None:
        while True:
            pipe.write(chunk)

    path = _fifo(tmp_path, endless)
    with pytest.raises(CollectionError) as info:
        read_json(path)
    assert str(info.value) == f"{path}: {TOO_LARGE}"
