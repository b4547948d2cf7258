"""Value rules: how mocktui reads the small values people and clients write.

One module, so that the command line, the environment variables of the ASGI app, the
``x-mock-*`` request headers, the collection files and the dashboard read a value the same way:
``on`` is true everywhere, a digit is an ASCII digit everywhere, "all headers" is spelled the
same everywhere, and no delay is longer than 180 s anywhere.

Plain functions over strings, no imports from the rest of mocktui: ``postman/``, ``engine/``,
``server/`` and ``tui/`` all use it.

Two kinds of reader:

- *lenient* readers (request headers, collection values) return ``None`` for a value they cannot
  read, and the caller ignores it (spec: a header whose value does not parse is ignored);
- *strict* readers (``parse_*``, for options and environment variables) raise ``ValueError``
  with a message that ends up after ``mocktui: error:`` or the variable's name.
"""

from __future__ import annotations

import ipaddress
import re

# -- digits and whole numbers -------------------------------------------------------------------

_ASCII_DIGIT = re.compile(r"[0-9]")
# Longer digit runs than this are not read with int() (Python refuses over 4300 digits, and
# no value mocktui reads needs them): bounded readers saturate, exact readers refuse.
MAX_DIGITS = 100


def is_digits(text: str) -> bool:
    """True for one or more ASCII digits and nothing else.

    ``str.isdigit()`` also accepts "²" and "٣" (which ``int()`` rejects or reads in ways no HTTP
    client writes), and ``int()`` alone also takes "+5", "1_000" and " 5 ".
    """
    return text.isascii() and text.isdigit()


def has_digit(text: str) -> bool:
    """True when the text holds at least one ASCII digit (what makes a path segment ID-like)."""
    return _ASCII_DIGIT.search(text) is not None


def _parts(text: str, signed: bool) -> tuple[int, str] | None:
    """(sign, digits without leading zeros) of a whole number in ASCII, else None."""
    body = text.strip()
    sign = 1
    if signed and body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not is_digits(body):
        return None
    return sign, body.lstrip("0") or "0"


def whole_number(text: str, signed: bool = True) -> int | None:
    """The whole number written in ASCII digits (a sign allowed when ``signed``), else None.

    Surrounding whitespace is ignored. More than MAX_DIGITS significant digits: None.
    """
    parts = _parts(text, signed)
    if parts is None or len(parts[1]) > MAX_DIGITS:
        return None
    return parts[0] * int(parts[1])


def bounded_int(text: str, low: int, high: int, signed: bool = True) -> int | None:
    """A whole number clamped to ``low``..``high``; None when the text is not a number.

    Any number of digits is fine: a number too long to read is clamped like any other.
    """
    parts = _parts(text, signed)
    if parts is None:
        return None
    sign, digits = parts
    if len(digits) > max(len(str(abs(low))), len(str(abs(high)))):
        return high if sign > 0 else low
    return max(low, min(high, sign * int(digits)))


_FAR = 10**MAX_DIGITS  # a position past the end of anything


def index_number(text: str) -> int | None:
    """A 0-based position (``{{$pathSegments 'N'}}``): ASCII digits only, no sign or space;
    else None. A position too long to read is past the end of anything."""
    if not is_digits(text):
        return None
    return bounded_int(text, 0, _FAR, signed=False)


def list_index(text: str) -> int | None:
    """A list index in a ``{{$body 'a.0'}}`` path: ASCII digits, a ``-`` first counting from
    the end; no ``+`` or space. Else None."""
    if not is_digits(text[1:] if text.startswith("-") else text):
        return None
    return bounded_int(text, -_FAR, _FAR)


# -- booleans ----------------------------------------------------------------------------------

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def parse_bool(text: str | None) -> bool | None:
    """True or False for the boolean words (any case, surrounding space ignored), else None."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_flag(text: str) -> bool:
    """A boolean option value; ValueError when it is not one of the boolean words."""
    value = parse_bool(text)
    if value is None:
        raise ValueError(f"expected true or false, got {text!r}")
    return value


# -- header names ------------------------------------------------------------------------------

# RFC 9110 field names are tokens: ASCII letters, digits and these marks, nothing else.
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
ALL_HEADERS = ("*",)  # "every header of each example"
ALL_WORDS = frozenset({"*", "all"})  # mean ALL_HEADERS, as the true words do


def is_header_name(text: str) -> bool:
    return HEADER_NAME.fullmatch(text) is not None


def parse_header_names(text: str) -> tuple[str, ...]:
    """A list of header names to compare (``x-mock-match-request-headers``, ``--match-headers``,
    ``MOCKTUI_MATCH_HEADERS``): lower-case names separated by commas.

    A true word, ``*`` or ``all``: ALL_HEADERS. A false word or nothing: ``()`` (off).
    ValueError for a name that is not a valid HTTP header name.
    """
    value = text.strip()
    flag = parse_bool(value)
    if flag is True or value.lower() in ALL_WORDS:
        return ALL_HEADERS
    if flag is False:
        return ()
    names = tuple(n.strip().lower() for n in value.split(",") if n.strip())
    for name in names:
        if not is_header_name(name):
            raise ValueError(f"{name!r} is not a valid HTTP header name")
    return names


# -- delays ------------------------------------------------------------------------------------

MAX_DELAY_MS = 180_000  # the longest wait anywhere: Postman's x-mock-response-delay limit


def clamp_delay(ms: int) -> int:
    """A total delay (global + endpoint + example) as it is waited: 0..MAX_DELAY_MS."""
    return max(0, min(MAX_DELAY_MS, ms))


def delay_header(text: str) -> int | None:
    """``x-mock-response-delay``: clamped to 1..MAX_DELAY_MS; None for a non-number."""
    return bounded_int(text, 1, MAX_DELAY_MS)


def example_delay(text: str) -> int:
    """An example's ``x-mocktui-delay`` header: clamped to 0..MAX_DELAY_MS; 0 for a non-number."""
    return bounded_int(text, 0, MAX_DELAY_MS) or 0


def valid_delay(ms: object) -> bool:
    """A delay set through the control API or the dashboard (a JSON or typed whole number)."""
    return isinstance(ms, int) and not isinstance(ms, bool) and 0 <= ms <= MAX_DELAY_MS


_DURATION = re.compile(r"([0-9]{1,7})(?:\.([0-9]{1,3}))?\s*(ms|s)", re.ASCII | re.IGNORECASE)


def parse_delay(text: str) -> int:
    """A delay a person types (``--delay``, ``MOCKTUI_DELAY``, the dashboard's dialog): ``1500``
    or ``1500ms`` (milliseconds), ``1.5s`` or ``2s`` (seconds), 0..MAX_DELAY_MS; else
    ValueError. A bare number is milliseconds; anything else is refused, never guessed."""
    value = whole_number(text)
    unit = _DURATION.fullmatch(text.strip())
    if value is None and unit is not None:
        whole, fraction, suffix = unit.groups()
        if suffix.lower() == "s":
            value = int(whole) * 1000 + int((fraction or "").ljust(3, "0"))
        elif fraction is None:
            value = int(whole)
    if value is None:
        raise ValueError(f"expected milliseconds (1500, 1500ms) or seconds (1.5s), got {text!r}")
    if not 0 <= value <= MAX_DELAY_MS:
        raise ValueError(f"must be from 0 to {MAX_DELAY_MS} ms, got {value}")
    return value


# -- other option values -----------------------------------------------------------------------


def parse_port(text: str) -> int:
    """``--port``: 0..65535 (0 picks a free one), else ValueError."""
    value = whole_number(text)
    if value is None:
        raise ValueError(f"expected a port number, got {text!r}")
    if not 0 <= value <= 65535:
        raise ValueError(f"must be from 0 to 65535, got {value}")
    return value


def parse_seed(text: str) -> int:
    """``--seed`` / ``MOCKTUI_SEED``: any whole number, else ValueError."""
    value = whole_number(text)
    if value is None:
        raise ValueError("expected a whole number")
    return value


# -- proxying (--upstream) --------------------------------------------------------------------

UPSTREAM_AUTO = "auto"  # --upstream auto: each endpoint's own base URL from the collection
DEFAULT_UPSTREAM_TIMEOUT = 30.0  # seconds (--upstream-timeout)
MAX_UPSTREAM_TIMEOUT = 3600.0
_TIMEOUT = re.compile(r"([0-9]{1,7})(?:\.([0-9]{1,3}))?\s*(ms|s)?", re.ASCII | re.IGNORECASE)


def parse_upstream(text: str) -> str:
    """``--upstream``: ``auto``, or an http(s) URL with a host (a path prefix is kept, a query
    or fragment is refused); returned without a trailing slash."""
    value = text.strip()
    if value.lower() == UPSTREAM_AUTO:
        return UPSTREAM_AUTO
    scheme, sep, rest = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise ValueError(f"expected an http:// or https:// URL, or 'auto', got {text!r}")
    authority = rest.partition("/")[0]
    if not authority or authority.startswith(":") or any(c in rest for c in "?# \t"):
        raise ValueError(f"expected a URL like http://host:8080 (no query), got {text!r}")
    return f"{scheme.lower()}://{rest}".rstrip("/")


def parse_timeout(text: str) -> float:
    """``--upstream-timeout``: seconds (``30``, ``2.5``, ``2.5s``, ``500ms``), more than 0 and at
    most an hour, else ValueError."""
    match = _TIMEOUT.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected seconds (30, 2.5s) or milliseconds (500ms), got {text!r}")
    whole, fraction, unit = match.groups()
    value = float(f"{whole}.{fraction or 0}")
    if (unit or "s").lower() == "ms":
        value /= 1000
    if not 0 < value <= MAX_UPSTREAM_TIMEOUT:
        raise ValueError(
            f"must be more than 0 and at most {MAX_UPSTREAM_TIMEOUT:g} s, got {text!r}"
        )
    return value


# Connection-level headers (RFC 9110 section 7.6.1): never forwarded by a proxy, never stored in
# an example, and an example's copies are not sent (the server sets its own).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
# Headers whose value is about one moment, left out of a recorded example (--record-all-headers
# keeps them): a saved answer that says it is from last Tuesday misleads.
MOMENT_HEADERS = frozenset({"date", "age", "expires", "last-modified"})


def connection_tokens(value: str | None) -> frozenset[str]:
    """The header names a Connection header lists (they are hop-by-hop too), lower-case."""
    if not value:
        return frozenset()
    return frozenset(t.strip().lower() for t in value.split(",") if t.strip())


# -- status codes ------------------------------------------------------------------------------

MIN_STATUS, MAX_STATUS = 100, 599


def status_code(text: str) -> int | None:
    """A status code written as ASCII digits (``x-mock-response-code``, an example's ``code``
    string), else None. Not checked against the range: more than 3 digits read as 1000."""
    return bounded_int(text, 0, 1000, signed=False)


def is_status(code: int) -> bool:
    return MIN_STATUS <= code <= MAX_STATUS


# -- media types -------------------------------------------------------------------------------


def media_type(value: str | None) -> str | None:
    """The media type of a Content-Type value, lower-case, parameters dropped; None when empty."""
    if value is None:
        return None
    media = value.partition(";")[0].strip().lower()
    return media or None


def is_json_type(value: str | None) -> bool:
    """True for a JSON Content-Type: application/json, text/json or any ``+json`` type."""
    media = media_type(value)
    if media is None:
        return False
    return media in ("application/json", "text/json") or media.endswith("+json")


def small_int(text: str, cap: int = 2**63 - 1) -> int | None:
    """ASCII digits as a number, at most ``cap`` (a longer number is ``cap``); None otherwise.

    Any length: leading zeros are skipped and a number with more digits than ``cap`` is not
    converted at all, so ``int()``'s digit limit is never reached.
    """
    if not is_digits(text):
        return None
    digits = text.lstrip("0")
    if len(digits) > len(str(cap)):
        return cap
    return min(int(digits or "0"), cap)


# -- text that reaches a terminal or a log line ------------------------------------------------

# Characters that must never reach a terminal raw, whoever wrote them (a client, a collection):
# C0 controls and DEL (ESC starts escape sequences), C1 controls (0x9B is a one-byte CSI on
# some terminals), invisible and bidirectional formatting characters (they hide or reorder what
# a user reads), and lone surrogates (not text at all: UTF-8 cannot encode them).
UNSAFE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x061C, 0x061C),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x2069),
    (0xD800, 0xDFFF),
    (0xFEFF, 0xFEFF),
)
UNSAFE = re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in UNSAFE_RANGES) + "]")


def escaped(char: str) -> str:
    """One unsafe character as an escape: ``\\x1b``, ``\\u202e``, ``\\ud800``."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every unsafe character written as its escape (log and stderr lines)."""
    return UNSAFE.sub(lambda m: escaped(m.group()), text)


def json_safe(line: str) -> str:
    """A JSON text (``json.dumps(..., ensure_ascii=False)``) with every unsafe character left in
    it written as a ``\\uXXXX`` escape: still the same JSON, now safe on a terminal and always
    encodable as UTF-8 (lone surrogates included)."""
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


# -- the private mode's key ----------------------------------------------------------------------


def parse_api_key(text: str) -> str:
    """A key for ``x-api-key``: not empty, no white space around it, visible ASCII only (an HTTP
    client must be able to send it as it is); else ValueError."""
    if not text:
        raise ValueError(
            "the key is empty (a private mock needs a key; leave it out for a public one)"
        )
    if text != text.strip():
        raise ValueError("the key starts or ends with white space (a client cannot send that)")
    if not all(0x21 <= ord(c) <= 0x7E for c in text):
        raise ValueError("the key may hold only visible ASCII characters, without spaces")
    return text


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str:
    return (
        f"listening on {host} without --api-key: anyone who can reach this machine can call the "
        "mock and change its controls (see README, Security)"
    )


# -- request bodies ----------------------------------------------------------------------------

DEFAULT_MAX_BODY = 10 * 1024 * 1024  # bytes of request body accepted: 413 beyond
MAX_BODY_LIMIT = 1024 * 1024 * 1024  # the largest --max-body: a body is held in memory whole


def parse_max_body(text: str) -> int:
    """``--max-body`` / ``MOCKTUI_MAX_BODY``: bytes, ASCII digits, 0..MAX_BODY_LIMIT (0: no
    request may have a body), else ValueError."""
    value = bounded_int(text, 0, MAX_BODY_LIMIT + 1, signed=False)
    if value is None:
        raise ValueError(f"expected a number of bytes, got {text!r}")
    if value > MAX_BODY_LIMIT:
        raise ValueError(f"must be from 0 to {MAX_BODY_LIMIT} bytes (1 GiB)")
    return value


# -- bodies kept with the traffic --------------------------------------------------------------

DEFAULT_BODY_LIMIT = 64 * 1024  # bytes of each request and response body kept with an event
MAX_BODY_KEPT = 64 * 1024 * 1024  # the largest --body-limit (the traffic keeps 128 MiB in all)


def parse_body_limit(text: str) -> int:
    """``--body-limit``: bytes of each body kept for the dashboard, HAR and the control API;
    ASCII digits, 0..MAX_BODY_KEPT (0: keep none), else ValueError."""
    value = bounded_int(text, 0, MAX_BODY_KEPT + 1, signed=False)
    if value is None:
        raise ValueError(f"expected a number of bytes, got {text!r}")
    if value > MAX_BODY_KEPT:
        raise ValueError(f"must be from 0 to {MAX_BODY_KEPT} bytes (64 MiB)")
    return value


# -- text that goes out on the wire ------------------------------------------------------------

# A lone surrogate ("\ud800") is valid in JSON and in a Python str, and cannot be encoded as
# UTF-8: everything mocktui sends goes through utf8() or header_value(), which never raise.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# In an answer header value: every control character but TAB (CR and LF would split the answer).
_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def no_surrogates(text: str) -> str:
    """The text with each lone surrogate as U+FFFD, as JavaScript's TextEncoder writes it."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


def utf8(text: str) -> bytes:
    """The UTF-8 bytes of ``text``; a lone surrogate becomes U+FFFD instead of raising."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return no_surrogates(text).encode("utf-8")


def header_value(text: str) -> str:
    """An answer header value as it goes out: control characters as spaces (no CR or LF can
    split the answer), lone surrogates as U+FFFD, no spaces or tabs around it (HTTP servers
    strip them; the value recorded is the value sent)."""
    return no_surrogates(_HEADER_CONTROL.sub(" ", text)).strip(" \t")


# -- request targets ---------------------------------------------------------------------------


def absolute_target(target: str) -> tuple[str, str] | None:
    """``(host, path)`` of an absolute-form request target (``http://host:8080/users``, what a
    client sends through ``http_proxy=``, RFC 9112 section 3.2.2), else None. The path is "/"
    when the target has none; user info (``user:pass@``) is not part of the host."""
    if target.startswith("/"):
        return None
    scheme, sep, rest = target.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return None
    authority, slash, path = rest.partition("/")
    return authority.rpartition("@")[2], slash + path if slash else "/"


# -- secrets -----------------------------------------------------------------------------------

# Headers and query parameters whose value is a key: masked in everything mocktui records (the
# traffic, the event stream, the control API, HAR and curl exports). "_" and "-" are the same,
# any case: x-api-key, X-API-Key, api_key, api-key, apikey, x_api_key.
SECRET_NAMES = frozenset({"x-api-key", "api-key", "apikey"})
MASK = "\u2022\u2022\u2022"  # what a masked value shows
_PERCENT = re.compile("%([0-9A-Fa-f]{2})")


def is_secret_name(name: str) -> bool:
    """True for a header or query parameter name that carries a key (SECRET_NAMES)."""
    return name.strip().lower().replace("_", "-") in SECRET_NAMES


def mask_userinfo(target: str) -> str:
    """An absolute-form target with its user info (``http://user:password@host/``) masked:
    ``http://•••@host/``; any other target as it is."""
    scheme, sep, rest = target.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep or "@" not in authority:
        return target
    return f"{scheme}://{MASK}@{authority.rpartition('@')[2]}{slash}{path}"


def mask_query(query: str) -> str:
    """A raw query string with the value of every secret parameter (``api_key=...``, the name
    percent-encoded or not) replaced by MASK; the rest is kept byte for byte."""
    if not query or ("%" not in query and "key" not in query.lower()):
        return query
    parts = query.split("&")
    masked = False
    for i, part in enumerate(parts):
        name, eq, _ = part.partition("=")
        if not eq:
            continue  # a bare name has no value to hide
        plain = _PERCENT.sub(lambda m: chr(int(m[1], 16)), name.replace("+", " "))
        if is_secret_name(plain):
            parts[i] = f"{name}={MASK}"
            masked = True
    return "&".join(parts) if masked else query


# -- the shared store (--store, MOCKTUI_STORE) and workers ------------------------------------

STORE_FORM = "redis://HOST:PORT/DB"
MAX_WORKERS = 64


def parse_store(text: str) -> str:
    """``--store`` / ``MOCKTUI_STORE``: ``redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`` (or
    ``rediss://`` for TLS), given back normalized with its port and DB; else ValueError."""
    raw = text.strip()
    given = repr(store_name(raw))  # a password is never repeated back
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in ("redis", "rediss"):
        raise ValueError(f"expected {STORE_FORM}, got {given}")
    netloc, _, tail = rest.partition("/")
    path, qmark, _query = tail.partition("?")
    if qmark or "#" in tail:
        raise ValueError(f"expected {STORE_FORM} without a query, got {given}")
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):  # [::1]:6379
        host, bracket, after = hostport[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise ValueError(f"expected {STORE_FORM}, got {given}")
        port_text = after[1:] if after else ""
        shown = f"[{host}]"
    else:
        host, _, port_text = hostport.partition(":")
        shown = host
    if not host or UNSAFE.search(host) or any(c in host for c in " /\\?#"):
        raise ValueError(f"expected {STORE_FORM} with a host, got {given}")
    port = 6379
    if port_text:
        value = whole_number(port_text, signed=False)
        if value is None or not 1 <= value <= 65535:
            raise ValueError(f"the port must be from 1 to 65535, got {port_text!r}")
        port = value
    db = 0
    if path.strip("/"):
        value = whole_number(path.strip("/"), signed=False)
        if value is None or value > 10_000:
            raise ValueError(f"the DB must be a number (0, 1, ...), got {path.strip('/')!r}")
        db = value
    auth = f"{userinfo}@" if at else ""
    return f"{scheme.lower()}://{auth}{shown}:{port}/{db}"


def store_name(url: str) -> str:
    """A store URL as it may be shown: without its password."""
    scheme, _, rest = url.partition("://")
    userinfo, at, hostport = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}://{user + ':' if user else ''}{MASK}@{hostport}"


def parse_workers(text: str) -> int:
    """``--workers``: 1 to MAX_WORKERS processes, else ValueError."""
    value = whole_number(text, signed=False)
    if value is None:
        raise ValueError(f"expected a number of worker processes, got {text!r}")
    if not 1 <= value <= MAX_WORKERS:
        raise ValueError(f"must be from 1 to {MAX_WORKERS}, got {value}")
    return value
