"""Turn an executed notebook into a score, the way nbgrader does.

A test cell passes when its outputs hold no error and nothing on stderr (nbgrader's rule, from
``nbgrader.utils.determine_grade``), after harmless stderr lines (``IGNORE_STDERR_PATTERN``) are
dropped. When grading, a test cell's only output is by then its judge's verdict, written by the
grader (``autograder.probing.apply_verdicts``), so this rule reads decisions made outside the
kernel; a student's self-check (visible tests only) reads the kernel's own outputs. Written answers
are listed for manual grading and count in no automatic score.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from nbformat import NotebookNode
from nbgrader.utils import determine_grade

from autograder.notebook import grade_id, is_graded, is_solution, points
from autograder.settings import IGNORE_STDERR_PATTERN

_IGNORE = re.compile(IGNORE_STDERR_PATTERN)
_MESSAGE_LIMIT = 300


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def _short(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _error_line(output: dict) -> str:
    ename = _text(output.get("ename")).strip() or "Error"
    lines = [line.strip() for line in _text(output.get("evalue")).splitlines() if line.strip()]
    return _short(f"{ename}: {lines[0]}" if lines else ename)


def _stderr_lines(output: dict) -> list[str]:
    """The stderr lines of a stream output that are not harmless noise."""
    return [
        line.strip()
        for line in _text(output.get("text")).splitlines()
        if line.strip() and not _IGNORE.search(line)
    ]


def _is_stderr(output: dict) -> bool:
    return output.get("output_type") == "stream" and output.get("name") == "stderr"


def outcome(outputs: list) -> tuple[bool, str | None]:
    """Whether an executed test cell passed, and the first useful line of its failure.

    An error output or any stderr line not matching IGNORE_STDERR_PATTERN fails the cell. The
    message prefers the error ("AssertionError: expected shape (3,)") over stderr text.
    """
    error = None
    stderr = None
    for output in outputs or []:
        if not isinstance(output, dict):
            continue
        if output.get("output_type") == "error" and error is None:
            error = _error_line(output)
        elif _is_stderr(output) and stderr is None:
            lines = _stderr_lines(output)
            if lines:
                stderr = _short(lines[0])
    message = error or stderr
    return message is None, message


@dataclass
class CellResult:
    """The result of one graded cell. Manual cells have points and passed None."""

    grade_id: str
    points: float | None
    max_points: float
    passed: bool | None
    error: str | None
    kind: Literal["autograded", "manual"] = "autograded"


@dataclass
class Report:
    """The grading of one notebook; score and max_score count autograded cells only."""

    assignment: str
    score: float
    max_score: float
    cells: list[CellResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: assignment, score, max_score and one entry per graded cell."""
        keys = ("grade_id", "points", "max_points", "passed", "error")
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "cells": [{k: getattr(c, k) for k in keys} for c in self.cells],
        }


def _autograde(cell: NotebookNode, gid: str, max_points: float) -> CellResult:
    passed, message = outcome(cell.get("outputs", []))
    if not passed:
        return CellResult(gid, 0.0, max_points, False, message)
    # No failure: nbgrader still gives partial credit when the cell's result is a number.
    clean = copy.deepcopy(cell)
    clean.outputs = [o for o in clean.get("outputs", []) if not _is_stderr(o)]
    clean.metadata.nbgrader["points"] = max_points
    try:
        earned = float(determine_grade(clean)[0])
    except (KeyError, TypeError, ValueError):
        message = f"the test cell shows a value nbgrader reads as a grade outside 0-{max_points:g}"
        return CellResult(gid, 0.0, max_points, False, message)
    if earned < max_points:
        message = f"partial credit: {earned:g} of {max_points:g} points"
        return CellResult(gid, earned, max_points, False, message)
    return CellResult(gid, max_points, max_points, True, None)


def grade_notebook(executed_nb: NotebookNode, assignment: str) -> Report:
    """Score every graded cell of an executed notebook, in notebook order."""
    results: list[CellResult] = []
    for cell in executed_nb.cells:
        if not is_graded(cell):
            continue
        gid = grade_id(cell) or "(no grade_id)"
        max_points = points(cell)
        if is_solution(cell) or cell.get("cell_type") != "code":
            results.append(CellResult(gid, None, max_points, None, None, kind="manual"))
        else:
            results.append(_autograde(cell, gid, max_points))
    auto = [r for r in results if r.kind == "autograded"]
    score = round(sum(r.points or 0.0 for r in auto), 6)
    max_score = round(sum(r.max_points for r in auto), 6)
    return Report(assignment, score, max_score, results)
