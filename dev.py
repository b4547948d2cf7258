#!/usr/bin/env python3
"""Set up a local virtual environment and run mocktui or its test suite.

    python3 dev.py run [mocktui options] [COLLECTION ...]   # the dashboard (demo when no file)
    python3 dev.py test [pytest options]                    # lint + the whole test suite

Only the standard library is used here, so this works on a fresh machine with Python 3.11+.
The virtual environment lives in .venv and is reinstalled only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".mocktui-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script must run on old Pythons to say so
        sys.exit(f"mocktui needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and _python().exists():
        return
    if not _python().exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    print("dev.py: installing mocktui and its test tools into .venv", file=sys.stderr)
    subprocess.run(
        [str(_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", f"{ROOT}[test]"],
        check=True,
    )
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "setup"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    setup()
    if command == "setup":
        return 0
    if command == "run":
        return subprocess.call([str(_python()), "-m", "mocktui", *rest])
    lint = subprocess.call([str(_python()), "-m", "ruff", "check", str(ROOT)], cwd=ROOT)
    # Two workers (pytest-xdist): the machines are 2-core; "-n 0" in rest runs one process.
    tests = subprocess.call([str(_python()), "-m", "pytest", "-n", "2", *rest], cwd=ROOT)
    return tests or lint


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
