"""Run one nbgrader command line in a course directory: the single way this package calls it.

Release, gradebook set-up, feedback and the demo all drive nbgrader's own command line (so an
instructor's ``nbgrader ...`` behaves the same); this module gives them one invocation, one PATH
fix and one error that carries the useful tail of nbgrader's log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

TIMEOUT = 600  # seconds; nothing nbgrader does for one assignment should take longer


class NbgraderFailed(RuntimeError):
    """An nbgrader command exited with an error; the message holds the end of its log."""


def alembic_on_path() -> None:
    """nbgrader runs the ``alembic`` command to create a gradebook; it sits next to our Python,
    which is not on PATH when the venv's python is run without activating the venv."""
    if shutil.which("alembic") is None:
        bin_dir = str(Path(sys.executable).parent)
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])


def without_tracebacks(log: str) -> str:
    """nbgrader's log with each logged traceback cut down to its last line (the exception)."""
    kept: list[str] = []
    last = None  # inside a traceback: its last non-blank line so far
    for line in log.splitlines():
        if last is None and "Traceback (most recent call last)" in line:
            last = ""
        elif last is not None and line.startswith("["):
            kept.append(f"    {last}")
            kept.append(line)
            last = None
        elif last is not None:
            last = line.strip() or last
        else:
            kept.append(line)
    if last:
        kept.append(f"    {last}")
    return "\n".join(kept).strip()


def run_nbgrader(args: Sequence[str], cwd: Path, timeout: int = TIMEOUT) -> str:
    """Run ``nbgrader ARGS`` in ``cwd`` with this Python; return its output.

    Raises NbgraderFailed (with the end of the log, tracebacks shortened) when it fails.
    """
    alembic_on_path()
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stderr + result.stdout
    if result.returncode != 0:
        raise NbgraderFailed(f"nbgrader {args[0]} failed:\n{without_tracebacks(output)[-4000:]}")
    return output
