"""A curl command that replays a request event against the mock.

``curl_command(event, base_url)`` gives a command for bash (or zsh; it uses ``$'...'`` quoting)
that sends the same request line, headers and body bytes to ``base_url`` as the event's client
sent. Every piece of the request is shell-quoted: pasting the command runs curl (and, for a body
with a NUL byte, the ``printf`` builtin feeding it) and nothing else, whatever the request held.
No control character, nor any other character that is not printable (bidi overrides, zero-width
characters...), appears raw in the command: such text is written in ANSI-C quoting (``$'\\e'``,
``$'\\xe2\\x80\\xae'``), so the command is safe to print on a terminal as well.

How the request is kept as it was:

- The path is sent exactly as the client sent it (percent-escapes, ``/../``, ``//``):
  ``--path-as-is`` stops curl removing dot segments and ``--globoff`` stops it expanding
  ``{a,b}`` and ``[1-9]``.
  A target curl would not take in a URL (spaces, control or non-ASCII characters, ``#``, or not
  starting with ``/``) is given with ``--request-target`` instead, which curl sends verbatim.
- Method: none for GET (or POST with a body), ``--head`` for HEAD, ``-X METHOD`` otherwise.
- Headers: all of them, in order, except those curl makes itself or that belong to one connection
  (Host, Content-Length, Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade, Proxy-*,
  HTTP/2 pseudo-headers). An empty value is given as ``-H 'Name;'`` (``-H 'Name:'`` would remove
  the header). A value curl cannot send (with CR, LF or NUL) and a name that is not an HTTP token
  are left out, with a comment saying so.
- curl's own default headers are removed when the request did not have them: ``-H 'User-Agent:'``
  and ``-H 'Accept:'``; with a body, ``-H 'Content-Type:'`` (else curl adds
  ``application/x-www-form-urlencoded``) and, past 1 KiB, ``-H 'Expect:'`` (older curls add
  ``Expect: 100-continue``).
- Masked values (``•••``) are replaced by a shell variable, ``"$MOCKTUI_API_KEY"`` for
  ``x-api-key`` (``MOCKTUI_`` + the name in capitals, without a leading ``X-``), named in a
  comment above the command. If the variable is unset or empty, curl leaves that header out.
- The body goes with ``--data-binary`` (``--data-raw`` when it starts with ``@``, which
  ``--data-binary`` would read as a file name); a body with a NUL byte, which no shell argument
  can hold, is written by ``printf`` with octal escapes and piped to ``--data-binary @-`` (so is
  one past 96 KiB, too big for one exec argument). A body
  is also sent (empty) when the request had a Content-Length or Transfer-Encoding header.
- ``--http1.0`` / ``--http2-prior-knowledge`` (``--http2`` over https) follow ``http_version``.

When the event kept only the start of the body (``truncated``), the command sends that start and
a warning line after it says so.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

MASK = "•••"
# Linux limits one exec argument to 128 KiB: a body bigger than this goes through printf (a
# builtin, not exec'd) on stdin instead of as curl's argument.
MAX_ARGUMENT = 96 * 1024
EXPECT_THRESHOLD = 1024  # bytes of body past which some curl versions add Expect: 100-continue

_SKIPPED = frozenset(
    {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "upgrade"}
)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Arguments that need no quoting. The first character is narrower than the rest: zsh expands a
# leading "=" and "~", and bash a leading "~".
_BARE = re.compile(r"[A-Za-z0-9_./-][A-Za-z0-9@%+=:,./_-]*")
# Characters that make curl refuse a URL or change it (the fragment is cut).
_URL_UNSAFE = re.compile(r"[^\x21-\x7e]|#")
_CONTINUE = " \\\n  "


def curl_command(event: Mapping[str, Any], base_url: str) -> str:
    """A POSIX-shell (bash, zsh) curl command that sends the event's request to ``base_url``.

    ``base_url`` is the mock's address (``http://127.0.0.1:3000``); when it is empty, the
    event's own scheme and Host are used.

    Lines starting with ``#`` are comments: notes before the command, a warning after it when
    the body was truncated. No trailing newline.
    """
    notes: list[str] = []
    request = event.get("request") or {}
    headers = [(str(n), str(v)) for n, v in request.get("headers") or ()]
    body_info = request.get("body") or {}
    body = _body_bytes(body_info)
    names = {n.lower() for n, _ in headers}
    send_body = bool(body) or bool(names & {"content-length", "transfer-encoding"})
    method = str(event.get("method") or "GET")
    if not base_url:  # no mock address known: back to where the request went
        base_url = f"{event.get('scheme') or 'http'}://{event.get('host') or 'localhost'}"
    base = base_url.rstrip("/")
    split = urlsplit(base)

    # One line per option: the first holds curl, its flags, the method and the URL.
    first = ["curl", "--path-as-is", "--globoff"]
    first += _version_flags(str(event.get("http_version") or "1.1"), split.scheme.lower())
    if method == "HEAD" and not send_body:
        first.append("--head")
    elif not (method == "GET" and not send_body) and not (method == "POST" and send_body):
        first += ["-X", quote(method)]

    raw_path = str(event.get("raw_path") or event.get("path") or "/")
    query = str(event.get("query") or "")
    target = raw_path + (f"?{query}" if query else "")
    if "\0" in target:
        notes.append("NUL in the request target sent as %00: no shell word can hold it")
        target = target.replace("\0", "%00")
    method = method.replace("\0", "")
    if raw_path.startswith("/") and not _URL_UNSAFE.search(target):
        first.append(quote(base + target))
    else:
        first += ["--request-target", quote(split.path.rstrip("/") + target), quote(base)]
    args = [" ".join(first)]

    sent: set[str] = set()
    variables: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        if lower in _SKIPPED or lower.startswith(("proxy-", ":")):
            continue
        if not _TOKEN.fullmatch(name):
            notes.append(f"header {_shown(name)} left out: its name is not an HTTP token")
            continue
        if any(c in value for c in "\r\n\0"):
            notes.append(f"header {name} left out: curl cannot send its value (CR, LF or NUL)")
            continue
        sent.add(lower)
        if value == MASK:
            variable = _variable(name)
            variables.setdefault(variable, name)
            args.append("-H " + quote(f"{name}: ", force=True) + f'"${variable}"')
        elif value.strip(" \t") == "":
            args.append("-H " + quote(f"{name};", force=True))
        else:
            args.append("-H " + quote(f"{name}: {value}", force=True))
    for variable, name in variables.items():
        notes.append(
            f"{name} was masked: set {variable} to send it (unset or empty: header left out)"
        )
    for default in ("User-Agent", "Accept"):
        if default.lower() not in sent:
            args.append("-H " + quote(f"{default}:", force=True))

    stdin = None
    if send_body:
        if "content-type" not in sent:
            args.append("-H " + quote("Content-Type:", force=True))
        if len(body) > EXPECT_THRESHOLD and "expect" not in sent:
            args.append("-H " + quote("Expect:", force=True))
        if b"\0" in body or len(body) > MAX_ARGUMENT:
            stdin = _printf(body)
            args.append("--data-binary @-")
        else:
            text = body.decode("utf-8", "surrogateescape")
            option = "--data-raw" if text.startswith("@") else "--data-binary"
            args.append(f"{option} {quote(text)}")

    lines = [f"# {note}" for note in notes]
    command = _CONTINUE.join(args)
    lines.append(f"{stdin} | {command}" if stdin else command)
    if body_info.get("truncated"):
        size = body_info.get("size")
        lines.append(
            f"# warning: the request body was truncated: this sends only the first {len(body)}"
            f" of its {_shown(str(size))} bytes"
        )
    return "\n".join(lines)


def quote(text: str, *, force: bool = False) -> str:
    """``text`` as one shell word for bash or zsh, safe to show on a terminal.

    Bare when it needs no quoting (unless ``force``), in single quotes when every character is
    printable, else in ANSI-C quoting (``$'...'``) with each unprintable character as ``\\xHH``
    bytes (its UTF-8; ``\\e``, ``\\n``, ``\\t``, ``\\r`` for the common ones). A NUL cannot be in
    a shell word: ``ValueError``.
    """
    if "\0" in text:
        raise ValueError("a shell word cannot hold a NUL character")
    if not force and _BARE.fullmatch(text):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "'\"'\"'") + "'"
    return "$'" + "".join(_ansi_c(ch) for ch in text) + "'"


_ANSI_C = {
    "\\": "\\\\",
    "'": "\\'",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\x1b": "\\e",
    "!": "\\x21",
}  # "!": keep interactive bash's history expansion out


def _ansi_c(ch: str) -> str:
    if ch in _ANSI_C:
        return _ANSI_C[ch]
    if ch.isprintable():
        return ch
    return "".join(f"\\x{b:02x}" for b in _char_bytes(ch))


def _char_bytes(ch: str) -> bytes:
    try:  # a lone surrogate from surrogateescape decoding stands for one raw byte
        return ch.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return ch.encode("utf-8", "surrogatepass")


def _printf(body: bytes) -> str:
    """A ``printf`` builtin call writing ``body`` exactly (NUL included): octal escapes only."""
    out = []
    for i, byte in enumerate(body):
        ch = chr(byte)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "%":
            out.append("%%")
        elif 0x20 <= byte < 0x7F and ch != "'" and not (i == 0 and ch == "-"):
            out.append(ch)
        else:  # always 3 digits, so a following digit is never read as part of it
            out.append(f"\\{byte:03o}")
    return "printf '" + "".join(out) + "'"


def _body_bytes(body: Mapping[str, Any]) -> bytes:
    if body.get("text") is not None:
        return str(body["text"]).encode("utf-8", "surrogatepass")
    if body.get("base64"):
        return base64.b64decode(str(body["base64"]))
    return b""


def _version_flags(version: str, scheme: str) -> list[str]:
    version = version.upper().removeprefix("HTTP/")
    if version == "1.0":
        return ["--http1.0"]
    if version in ("2", "2.0"):
        return ["--http2"] if scheme == "https" else ["--http2-prior-knowledge"]
    if version in ("3", "3.0"):
        return ["--http3"]
    # curl would offer HTTP/2 over TLS: keep 1.1 there; over plain http 1.1 is curl's default.
    return ["--http1.1"] if scheme == "https" else []


def _variable(name: str) -> str:
    upper = re.sub(r"[^A-Z0-9]", "_", name.upper())
    if upper.startswith("X_") and len(upper) > 2:
        upper = upper[2:]
    return "MOCKTUI_" + upper.strip("_")


def _shown(text: str) -> str:
    """``text`` for a comment line: printable ASCII kept, everything else as ``\\xHH``."""
    return "".join(
        ch if " " <= ch <= "~" and ch != "\\" else "".join(f"\\x{b:02x}" for b in _char_bytes(ch))
        for ch in text
    )
