"""``{{name}}`` variables: scopes with Postman's precedence, and text resolution.

A variable's value may hold ``{{...}}`` references itself. Each variable's value is resolved once
per scope and remembered, so putting variables into a text is one pass over that text: values
that repeat other variables cannot multiply the work pass after pass. A variable that refers to
itself, directly or through others, keeps that inner reference as written.

Two limits keep a small file from eating the memory: a value that holds references may not
resolve to more than VALUE_LIMIT characters, and all that resolving creates for one collection
(the values and the texts' growth) may not exceed GROWTH_LIMIT characters. Beyond either,
VariableError; the loader turns it into a CollectionError naming the file and the variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# {{name}}: Postman allows almost anything but braces inside; $-names are dynamic variables.
VARIABLE = re.compile(r"\{\{([^{}]+?)\}\}")
FRONT_LAYERS = 2  # --var and the environment: the layers every folder variable ranks below
VALUE_LIMIT = 1024 * 1024  # characters of one variable's resolved value
GROWTH_LIMIT = 64 * 1024 * 1024  # characters resolving may create for one collection
TOO_LONG = (
    "expands to more than 1 MiB "
    "(check the {{...}} inside it: variables that repeat other variables multiply in size)"
)
TOO_MUCH = (
    "with the other variables, adds more than 64 MiB to the collection (check where it is used)"
)


class VariableError(Exception):
    """A variable whose value grows beyond the limits (see the module's docstring)."""

    def __init__(self, name: str, problem: str = TOO_LONG) -> None:
        super().__init__(f"variable {{{{{name}}}}}: {problem}")
        self.name = name
        self.problem = problem


@dataclass(slots=True)
class _Growth:
    """Characters resolving created so far, shared by a collection's scopes."""

    added: int = 0

    def add(self, size: int, name: str) -> None:
        self.added += size
        if self.added > GROWTH_LIMIT:
            raise VariableError(name, TOO_MUCH)


# Resolved values by (names kept as written, variable name).
_Cache = dict[tuple[frozenset[str], str], str]


@dataclass(frozen=True, slots=True)
class Scope:
    """Variables visible to one item, highest precedence first."""

    layers: tuple[Mapping[str, str], ...]
    growth: _Growth = field(default_factory=_Growth, compare=False, repr=False)
    # Values that met no reference to themselves: the same wherever they are used.
    _plain: _Cache = field(default_factory=dict, compare=False, repr=False)
    # Values of self-referring variables, as a text (not another variable) sees them.
    _looped: _Cache = field(default_factory=dict, compare=False, repr=False)

    def get(self, name: str) -> str | None:
        """The variable's value as defined (unresolved), or None when no layer defines it."""
        for layer in self.layers:
            if name in layer:
                return layer[name]
        return None

    def with_folder(self, folder_vars: Mapping[str, str]) -> Scope:
        """Folder variables rank below --var and the environment, above collection variables.

        The layers are (--var, environment, folders nearest first ..., collection): a nested
        folder's variables outrank those of the folders around it.
        """
        if not folder_vars:
            return self
        front, rest = self.layers[:FRONT_LAYERS], self.layers[FRONT_LAYERS:]
        return Scope((*front, folder_vars, *rest), self.growth)

    def resolve(self, text: str, keep: frozenset[str] = frozenset()) -> str:
        """Replace every defined ``{{name}}``; undefined ones (and ``{{$dynamic}}``) stay.

        Names in ``keep`` stay too: they are an example's wildcard captures, which take
        precedence over variables and are filled per request. Raises VariableError.
        """
        if "{{" not in text:
            return text
        resolved, _ = self._expand(text, keep, (), None)
        return resolved

    def _expand(
        self, text: str, keep: frozenset[str], stack: tuple[str, ...], owner: str | None
    ) -> tuple[str, bool]:
        """``text`` with its references replaced, and whether one of them was in ``stack``.

        ``stack`` holds the variables being resolved (outermost first), ``owner`` the one
        whose value ``text`` is (None for a text of the collection).
        """
        parts: list[str] = []
        size = pos = 0
        looped = False
        last = ""  # the last variable put in
        for match in VARIABLE.finditer(text):
            name = match.group(1).strip()
            if name in keep:
                continue
            raw = self.get(name)
            if raw is None:
                continue
            if name in stack:  # refers to itself: that reference stays as written
                looped = True
                continue
            value, inner_looped = self._value(name, raw, keep, stack)
            looped = looped or inner_looped
            last = name
            start = match.start()
            if start > pos:
                parts.append(text[pos:start])
            parts.append(value)
            size += start - pos + len(value)
            pos = match.end()
            # Checked as the parts come, before anything is joined.
            if owner is not None:
                if size > VALUE_LIMIT:
                    raise VariableError(owner)
            elif self.growth.added + size - pos > GROWTH_LIMIT:
                raise VariableError(name, TOO_MUCH)
        if not parts:
            return text, looped
        if pos < len(text):
            parts.append(text[pos:])
            size += len(text) - pos
        if owner is not None and size > VALUE_LIMIT:
            raise VariableError(owner)
        if len(parts) == 1:  # exactly one reference: its value is used as it is, not copied
            return parts[0], looped
        if owner is None:
            self.growth.add(max(0, size - len(text)), last)
        else:
            self.growth.add(size, owner)
        return "".join(parts), looped

    def _value(
        self, name: str, raw: str, keep: frozenset[str], stack: tuple[str, ...]
    ) -> tuple[str, bool]:
        """A variable's resolved value, and whether it met a reference to ``stack``."""
        key = (keep, name)
        plain = self._plain.get(key)
        if plain is not None:
            return plain, False
        if not stack and key in self._looped:
            return self._looped[key], True
        if "{{" in raw:
            value, looped = self._expand(raw, keep, (*stack, name), name)
        else:
            value, looped = raw, False
        # A value that met no variable being resolved is the same from anywhere (a variable
        # on the stack that it reached would have led back to itself); a looped one depends on
        # where the resolution started, so only the text-level result is kept.
        if not looped:
            self._plain[key] = value
        elif not stack:
            self._looped[key] = value
        return value, looped


def whole_variable(text: str) -> str | None:
    """The name when ``text`` is exactly one ``{{name}}`` placeholder, else None."""
    match = VARIABLE.fullmatch(text)
    return match.group(1).strip() if match else None
