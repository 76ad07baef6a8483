"""Copy the student notebooks from release/ into a student's workspace without losing their work.

`make lab` calls this before starting JupyterLab in the workspace. A file that already exists in
the workspace is the student's and is never overwritten; only missing files are copied, so a new
chapter added to the release appears while finished work stays untouched. The workspace also gets
a small nbgrader configuration of its own, so that nbgrader's Validate button uses the course's
kernel, timeouts and harmless-warning filter instead of nbgrader's defaults (30 s per cell).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.paths import course_root

STUDENT_CONFIG = '''\
"""nbgrader settings for a student's workspace (written by `make lab`; safe to delete)."""

from autograder import settings

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)
c.Execute.kernel_name = settings.KERNEL_NAME
c.Execute.timeout = settings.CELL_TIMEOUT
c.Execute.startup_timeout = settings.STARTUP_TIMEOUT
c.IgnorePattern.pattern = settings.IGNORE_STDERR_PATTERN

# Validate lists each failing exercise by title with its check's message, not whole tracebacks.
from autograder.validate_view import install  # noqa: E402

install()
'''


def populate_workspace(dest: Path, root: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Copy release/* into dest, skipping existing files; return (copied, kept) relative paths."""
    release = course_root(root) / "release"
    if not release.is_dir():
        raise FileNotFoundError(f"no release folder at {release}: run python -m autograder release")
    copied: list[Path] = []
    kept: list[Path] = []
    files = [(p, p.relative_to(release)) for p in sorted(release.rglob("*")) if p.is_file()]
    for src, rel in files:
        if any(part.startswith(".") for part in rel.parts):
            continue
        target = dest / rel
        if target.exists():
            kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        copied.append(rel)
    config = dest / "nbgrader_config.py"
    if config.exists():
        kept.append(Path(config.name))
    else:
        config.write_text(STUDENT_CONFIG, encoding="utf-8")
        copied.append(Path(config.name))
    return copied, kept
