"""Tests that need ../shared: skipped without it on a developer's machine, failed in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MISSING = "no-such.postman_collection.json"


@pytest.mark.parametrize("ci", ["true", "1", "yes"])
def test_missing_shared_fails_in_ci(
    shared_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        shared_file(MISSING)


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_missing_shared_skips_elsewhere(
    shared_file: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception) as info:
        shared_file(MISSING)
    assert f"{MISSING} not found" in str(info.value)


def test_a_real_test_fails_in_ci_without_shared(tmp_path: Path) -> None:
    env = os.environ | {"CI": "true", "MOCKTUI_SHARED": str(tmp_path / "nowhere")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/postman/"
         "test_loader.py::test_roxyapi_base_url_with_path_prefix_and_path_variable"],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "CI is set: a missing ../shared fails, it is not skipped" in result.stdout


def test_only_conftest_knows_where_shared_is() -> None:
    # Every test that needs ../shared goes through need_shared: none builds the path itself.
    offenders = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "test_shared.py"
        and path != TESTS / "conftest.py"
        and any(s in path.read_text(encoding="utf-8") for s in ('/ "shared"', '../shared"'))
    ]
    assert offenders == []
