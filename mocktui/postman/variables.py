"""``{{name}}`` variables: scopes with Postman's precedence, and text resolution."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# {{name}}: Postman allows almost anything but braces inside; $-names are dynamic variables.
VARIABLE = re.compile(r"\{\{([^{}]+?)\}\}")
MAX_DEPTH = 5  # nested variables ({{a}} -> "{{b}}/x") are resolved this many times at most
FRONT_LAYERS = 2  # --var and the environment: the layers every folder variable ranks below


@dataclass(frozen=True, slots=True)
class Scope:
    """Variables visible to one item, highest precedence first."""

    layers: tuple[Mapping[str, str], ...]

    def get(self, name: str) -> str | None:
        for layer in self.layers:
            if name in layer:
                return layer[name]
        return None

    def defines(self, name: str) -> bool:
        return any(name in layer for layer in self.layers)

    def with_folder(self, folder_vars: Mapping[str, str]) -> Scope:
        """Folder variables rank below --var and the environment, above collection variables.

        The layers are (--var, environment, folders nearest first ..., collection): a nested
        folder's variables outrank those of the folders around it.
        """
        if not folder_vars:
            return self
        front, rest = self.layers[:FRONT_LAYERS], self.layers[FRONT_LAYERS:]
        return Scope((*front, folder_vars, *rest))

    def resolve(self, text: str, keep: frozenset[str] = frozenset()) -> str:
        """Replace every defined ``{{name}}``; undefined ones (and ``{{$dynamic}}``) stay.

        Names in ``keep`` stay too: they are an example's wildcard captures, which take
        precedence over variables and are filled per request.
        """
        if "{{" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            value = None if name in keep else self.get(name)
            return match.group(0) if value is None else value

        for _ in range(MAX_DEPTH):
            new = VARIABLE.sub(replace, text)
            if new == text:
                break
            text = new
        return text


def whole_variable(text: str) -> str | None:
    """The name when ``text`` is exactly one ``{{name}}`` placeholder, else None."""
    match = VARIABLE.fullmatch(text)
    return match.group(1).strip() if match else None
