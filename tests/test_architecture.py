"""Dependencies point one way: tui -> server -> engine (and postman). Checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mocktui"

# layer -> imports it must never make
FORBIDDEN = {
    "engine": (
        "textual",
        "quart",
        "hypercorn",
        "redis",
        "mocktui.store",
        "mocktui.server",
        "mocktui.tui",
        "mocktui.cli",
    ),
    # The shared stores sit between the engine and the server: tui -> server -> store -> engine.
    "store": ("textual", "quart", "hypercorn", "mocktui.server", "mocktui.tui", "mocktui.cli"),
    "postman": (
        "textual",
        "quart",
        "hypercorn",
        "mocktui.engine",
        "mocktui.server",
        "mocktui.tui",
        "mocktui.cli",
    ),
    "server": ("textual", "mocktui.tui", "mocktui.cli"),
}


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_does_not_import_upwards(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no sources under mocktui/{layer}"
    offending = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in files
        for name in imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offending == []


def test_value_rules_import_nothing_from_mocktui() -> None:
    # Every layer uses them, so they may depend on none.
    assert not any(name.startswith("mocktui") for name in imports(PACKAGE / "rules.py"))


def test_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from textual.app import App\nimport quart.json\n")
    assert imports(sample) == {"textual.app", "quart.json"}


def test_the_default_path_does_not_import_redis() -> None:
    # The in-process store is the default: the Redis client is imported only for --store.
    import subprocess
    import sys

    code = (
        "import sys, mocktui.cli, mocktui.server.app, mocktui.server.runtime, "
        "mocktui.server.asgi, mocktui.tui.app; "
        "print(sorted(m for m in sys.modules if m == 'redis' or m.startswith('redis.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
