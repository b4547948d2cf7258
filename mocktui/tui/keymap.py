"""The user's keys: a ``[keys]`` table in ``config.toml`` mapping binding ids to keys.

    # ~/.config/mocktui/config.toml (or $XDG_CONFIG_HOME/mocktui/config.toml, or --config FILE)
    [keys]
    "traffic.clear" = "C"            # one key
    "app.quit" = "q,ctrl+q"          # several, comma-separated (or a list: ["q", "ctrl+q"])

The ids are those of ``mocktui.tui.keys`` (listed in the README); the keys are Textual's names
(``a``, ``A``, ``ctrl+x``, ``f5``, ``enter``, ``escape``, ``pageup``, ``slash`` or ``/``). The
table is applied with Textual's keymap support (``App.set_keymap``), so the footer and the help
show the user's keys. Anything mocktui cannot use (an unknown id, a key that is no key, two
actions of one panel on one key, a file that is not TOML) is one line at start, naming the
file and the entry: never a traceback, never a silently ignored line.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, Keys

from mocktui.tui import keys

MAX_CONFIG_BYTES = 1024 * 1024  # a config file larger than this is not a config file
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")

#: The key groups of ``mocktui.tui.keys``: the bindings that are active together.
GROUPS: dict[str, list[Binding]] = {
    "app": keys.APP,
    "tree": keys.TREE,
    "endpoints": keys.ENDPOINTS,
    "examples": keys.EXAMPLES,
    "traffic": keys.TRAFFIC,
    "filter": keys.FILTER,
    "list_filter": keys.LIST_FILTER,
    "detail_search": keys.DETAIL_SEARCH,
    "problems": keys.PROBLEMS,
    "detail": keys.DETAIL,
    "dialog": keys.DIALOG,
    "quit": keys.QUIT,
    "help": keys.HELP,
}


class ConfigError(ValueError):
    """A config file mocktui cannot use (the message names the file and the entry)."""


def bindings_by_id() -> dict[str, Binding]:
    found: dict[str, Binding] = {}
    for name in dir(keys):
        value = getattr(keys, name)
        if isinstance(value, list):
            for binding in value:
                if isinstance(binding, Binding) and binding.id:
                    found[binding.id] = binding
    return found


def _key_names() -> frozenset[str]:
    names = {value.split("+")[-1] for value in (k.value for k in Keys)}
    names.update(("enter", "tab", "space", "backspace", "escape", "delete", "insert"))
    names.update(f"f{n}" for n in range(1, 25))
    names.update(KEY_NAME_REPLACEMENTS.values())
    names.update(KEY_TO_UNICODE_NAME)
    for code in range(0x21, 0x7F):  # ASCII punctuation by its Unicode name: question_mark
        char = chr(code)
        if not char.isalnum():
            names.add(unicodedata.name(char).lower().replace("-", "_").replace(" ", "_"))
    return frozenset(names)


KEY_NAMES = _key_names()


def valid_key(key: str) -> bool:
    """Whether Textual can bind ``key``: modifiers (``ctrl+``, ``shift+``, ``alt+`` ...) and a
    printable character or a key name."""
    if key == "+":
        return True
    *mods, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in mods):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace() and base != ","
    return base in KEY_NAMES


def _keys_of(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        items = value.split(",") if value.strip() != "," else [","]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        raise ConfigError(f"{where}: expected a key (a string) or a list of keys")
    cleaned = [item.strip() for item in items]
    if not cleaned or any(not item for item in cleaned):
        raise ConfigError(f"{where}: an empty key")
    for item in cleaned:
        if item == ",":
            raise ConfigError(f"{where}: ',' separates keys: write the key as \"comma\"")
        if not valid_key(item):
            raise ConfigError(
                f"{where}: {item!r} is not a key (examples: a, A, ctrl+x, f5, enter, escape, "
                "pageup, slash)"
            )
    return cleaned


def parse_keymap(table: object, source: str) -> dict[str, str]:
    """The ``[keys]`` table as a Textual keymap (binding id -> comma-separated keys)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [keys] must be a table of binding id = key")
    known = bindings_by_id()
    keymap: dict[str, str] = {}
    for binding_id, value in table.items():
        where = f"{source}: [keys] {binding_id!r}"
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see the README for the ids)"
            raise ConfigError(f"{source}: [keys] unknown binding id {binding_id!r}{hint}")
        keymap[binding_id] = ",".join(_keys_of(value, where))
    _check_clashes(keymap, source)
    return keymap


def _normal(key: str) -> str:
    aliases = {"?": "question_mark", "/": "slash", " ": "space", "return": "enter"}
    return aliases.get(key, key)


def _check_clashes(keymap: Mapping[str, str], source: str) -> None:
    """Two actions of one panel (or dialog) on one key: the second would never run."""
    for bindings in GROUPS.values():
        taken: dict[str, str] = {}
        for binding in bindings:
            assert binding.id is not None
            mapped = keymap.get(binding.id)
            for key in (mapped.split(",") if mapped else binding.key.split(",")):
                key = _normal(key.strip())
                other = taken.get(key)
                if other is not None and other != binding.action:
                    raise ConfigError(
                        f"{source}: [keys] {binding.id!r} and another key of the same panel "
                        f"are both on {key!r}: give one of them another key"
                    )
                taken[key] = binding.action


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "mocktui" / "config.toml"


def load_keymap(path: str | None, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The keymap of ``--config FILE`` (which must exist), else of the default file (if any)."""
    if path is None:
        file = default_config_path(environ)
        if not file.is_file():
            return {}
    else:
        file = Path(path)
    source = str(file)
    try:
        with open(file, "rb") as f:
            raw = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{source}: larger than 1 MiB: not a mocktui config file")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    unknown = sorted(set(data) - {"keys"})
    if unknown:
        raise ConfigError(f"{source}: unknown entry {unknown[0]!r} (mocktui reads a [keys] table)")
    return parse_keymap(data.get("keys", {}), source)
