"""Where things live in the course directory (the repository root is the nbgrader course directory).

``source/NN_slug/NN_slug.ipynb`` is a chapter's instructor notebook; the other files of that folder
are its data files, which nbgrader copies verbatim into ``release/NN_slug/``. A notebook with no
graded cell (``00_start``) is released like a chapter but is not an assignment.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from pathlib import Path

# Chapter folder names: two digits, an underscore, a lower-case slug.
ASSIGNMENT_RE = re.compile(r"^\d{2}_[a-z0-9_]+$")

# Files nbgrader never copies (its CourseDirectory.ignore default), so neither do we.
IGNORED = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class UnknownAssignment(LookupError):
    """The assignment id names no chapter of the course (message says which ones exist)."""


def _is_course_dir(path: Path) -> bool:
    return (path / "nbgrader_config.py").is_file() and (path / "source").is_dir()


def course_root(start: Path | None = None) -> Path:
    """The course directory: the first folder at or above ``start`` with nbgrader_config.py and
    source/ in it.

    Without ``start``, the environment variable COURSE_ROOT wins, then the walk up from the
    current directory, then the repository this package lives in. An explicit ``start`` under no
    course directory is returned as is (callers pass their own root that way).
    """
    if start is not None:
        start = Path(start).resolve()
        for folder in (start, *start.parents):
            if _is_course_dir(folder):
                return folder
        return start
    env = os.environ.get("COURSE_ROOT")
    if env:
        return Path(env).resolve()
    cwd = Path.cwd().resolve()
    for folder in (cwd, *cwd.parents):
        if _is_course_dir(folder):
            return folder
    return PACKAGE_ROOT


def is_ignored(path: Path) -> bool:
    """True for files nbgrader leaves out of a release (checkpoints, bytecode, feedback)."""
    return any(fnmatch.fnmatch(part, pattern) for part in path.parts for pattern in IGNORED)


def notebooks(root: Path | None = None) -> list[str]:
    """Sorted ids of every notebook folder, graded or not: source/NN_slug/ holding NN_slug.ipynb.

    This is what the release builds and the student workspace receives.
    """
    source = course_root(root) / "source"
    if not source.is_dir():
        return []
    return sorted(
        d.name
        for d in source.iterdir()
        if d.is_dir() and ASSIGNMENT_RE.match(d.name) and (d / f"{d.name}.ipynb").is_file()
    )


def _has_graded_cells(notebook: Path) -> bool:
    """True when some cell of the notebook carries nbgrader points (read as plain JSON, cheaply).

    A file that cannot be parsed counts as graded, so that a broken chapter is reported by the
    commands that read it properly rather than silently dropped from the course.
    """
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return True
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
        if isinstance(nbgrader, dict) and nbgrader.get("grade"):
            return True
    return False


def assignments(root: Path | None = None) -> list[str]:
    """Sorted ids of the graded chapters: the notebooks with at least one graded cell.

    Ungraded notebooks (the 00_start welcome notebook) are released to students but are not
    nbgrader assignments: nothing is scored, collected or submitted for them.
    """
    root = course_root(root)
    return [n for n in notebooks(root) if _has_graded_cells(root / "source" / n / f"{n}.ipynb")]


def _check(assignment: str, root: Path | None) -> Path:
    root = course_root(root)
    known = assignments(root)
    if assignment not in known:
        if assignment in notebooks(root):
            raise UnknownAssignment(
                f"{assignment} is not graded (it has no exercises): there is nothing to check, "
                "score or submit"
            )
        listed = ", ".join(known) if known else "none"
        raise UnknownAssignment(f"unknown chapter {assignment!r} (chapters: {listed})")
    return root


def source_notebook(assignment: str, root: Path | None = None) -> Path:
    """The instructor notebook of a chapter; UnknownAssignment if there is no such chapter."""
    return _check(assignment, root) / "source" / assignment / f"{assignment}.ipynb"


def release_notebook(assignment: str, root: Path | None = None) -> Path:
    """Where the student notebook of a chapter lives (it may not have been generated yet)."""
    return _check(assignment, root) / "release" / assignment / f"{assignment}.ipynb"


def data_files(assignment: str, root: Path | None = None, release: bool = False) -> list[Path]:
    """The other files of the chapter's source (or release) folder, sorted, notebooks excluded."""
    root = _check(assignment, root)
    folder = root / ("release" if release else "source") / assignment
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix != ".ipynb" and not is_ignored(p.relative_to(folder))
    )


def data_contents(assignment: str, root: Path | None = None) -> dict[str, bytes]:
    """The chapter's data files as {path relative to its source folder: bytes}: exactly what a
    grading kernel gets beside the notebook."""
    folder = _check(assignment, root) / "source" / assignment
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in data_files(assignment, root)}
