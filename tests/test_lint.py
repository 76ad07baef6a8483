"""The code follows the project's ruff configuration (lint and format), as `make lint` checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.timeouts import hang_guard

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["course", "autograder", "tests", "bench", "nbgrader_config.py"]


def ruff() -> list[str]:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: run `make setup`")
    return [found]


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(command):
    paths = [p for p in PATHS if (ROOT / p).exists()]
    result = subprocess.run(
        [*ruff(), *command, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=hang_guard(120),
    )
    assert result.returncode == 0, result.stdout + result.stderr
