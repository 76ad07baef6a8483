"""Tests of autograder.grading: nbgrader's pass/fail rule, messages, and the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.execute import execute
from autograder.grading import Report, grade_notebook, outcome
from autograder.notebook import normalize
from tests.timeouts import hang_guard

FONT_CACHE = "Matplotlib is building the font cache; this may take a moment.\n"


def _stderr(text: str) -> NotebookNode:
    return new_output("stream", name="stderr", text=text)


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[])


@pytest.mark.parametrize(
    ("outputs", "expected"),
    [
        ([], (True, None)),
        ([new_output("stream", name="stdout", text="all good\n")], (True, None)),
        ([_error("AssertionError", "result should have shape (3,)")], (False, None)),
        ([_stderr("UserWarning: something is off\n")], (False, "UserWarning: something is off")),
        ([_stderr(FONT_CACHE)], (True, None)),
        ([_stderr("\r 40%|####      | 4/10 [00:01<00:02,  3.1it/s]")], (True, None)),
        ([_stderr(FONT_CACHE + "DeprecationWarning: old API\n")], (False, None)),
    ],
)
def test_outcome_follows_nbgrader_after_dropping_harmless_stderr(
    outputs: list, expected: tuple
) -> None:
    passed, message = outcome(outputs)
    assert passed is expected[0]
    if expected[1] is not None:
        assert message == expected[1]
    assert (message is None) is passed


def test_error_message_is_ename_and_first_line_of_evalue() -> None:
    out = _error("AssertionError", "result should have shape (3,)\nbut got (2,)")
    assert outcome([out]) == (False, "AssertionError: result should have shape (3,)")
    assert outcome([_error("NotImplementedError", "")]) == (False, "NotImplementedError")


def test_an_error_is_preferred_to_stderr_noise_in_the_message() -> None:
    outputs = [_stderr("some warning\n"), _error("ValueError", "bad input")]
    assert outcome(outputs) == (False, "ValueError: bad input")


def test_stderr_message_skips_ignored_lines() -> None:
    assert outcome([_stderr(FONT_CACHE + "RuntimeWarning: overflow\n")]) == (
        False,
        "RuntimeWarning: overflow",
    )


def _graded(source: str, gid: str, pts: float, *, solution: bool = False, code: bool = True):
    meta = {"nbgrader": {"grade": True, "solution": solution, "grade_id": gid, "points": pts}}
    if code:
        return new_code_cell(source, metadata=meta)
    return new_markdown_cell(source, metadata=meta)


def test_grade_notebook_scores_autograded_cells_and_lists_written_answers() -> None:
    ok = _graded("", "test_ok", 2)
    failed = _graded("", "test_bad", 1.5)
    failed.outputs = [_error("AssertionError", "nope")]
    partial = _graded("", "test_partial", 2)
    partial.outputs = [new_output("execute_result", data={"text/plain": "0.5"}, execution_count=1)]
    written = _graded("my answer", "written_q", 3, solution=True, code=False)
    nb = new_notebook()
    nb.cells = [new_code_cell("x = 1"), ok, failed, partial, written]
    report = grade_notebook(nb, "00_demo")
    assert report.score == 2.5 and report.max_score == 5.5
    by_id = {c.grade_id: c for c in report.cells}
    assert list(by_id) == ["test_ok", "test_bad", "test_partial", "written_q"]
    assert by_id["test_bad"].error == "AssertionError: nope" and by_id["test_bad"].points == 0
    assert by_id["test_partial"].points == 0.5 and by_id["test_partial"].passed is False
    manual = by_id["written_q"]
    assert (manual.kind, manual.points, manual.passed) == ("manual", None, None)
    assert manual.max_points == 3


def test_report_to_dict_has_exactly_the_documented_keys() -> None:
    nb = new_notebook()
    nb.cells = [_graded("", "test_ok", 1), _graded("", "written_q", 1, solution=True, code=False)]
    data = grade_notebook(nb, "00_demo").to_dict()
    assert set(data) == {"assignment", "score", "max_score", "cells"}
    keys = {"grade_id", "points", "max_points", "passed", "error"}
    assert all(set(c) == keys for c in data["cells"])
    assert data["cells"][1] == {
        "grade_id": "written_q",
        "points": None,
        "max_points": 1.0,
        "passed": None,
        "error": None,
    }
    assert isinstance(grade_notebook(nb, "x"), Report)


def test_stderr_in_a_real_kernel_fails_a_test_unless_it_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One kernel: a warning printed by a test cell fails it; the font-cache line does not."""
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    nb = new_notebook()
    nb.cells = [
        new_code_cell("import os, sys"),
        _graded("assert os.environ['COURSE_DEVICE'] == 'cpu'", "test_env_passes", 1),
        _graded(f"assert os.path.realpath('.') == {str(tmp_path.resolve())!r}", "test_cwd", 1),
        _graded("print('careful!', file=sys.stderr)", "test_warns", 1),
        _graded(f"print({FONT_CACHE!r}, end='', file=sys.stderr)", "test_font_cache", 1),
        _graded("x = 3\nx + 4", "test_displays_a_number", 1),
        _graded("import warnings\nwarnings.warn('deprecated thing')", "test_warnings", 1),
        _graded("print('fine')", "test_clean", 1),
    ]
    report = grade_notebook(execute(normalize(nb), tmp_path, timeout=hang_guard(30)), "demo")
    result = {c.grade_id: (c.passed, c.error) for c in report.cells}
    assert result["test_warns"] == (False, "careful!")
    assert result["test_font_cache"] == (True, None)
    assert result["test_warnings"][0] is False and "deprecated thing" in result["test_warnings"][1]
    assert result["test_clean"] == (True, None)
    assert result["test_env_passes"] == (True, None) and result["test_cwd"] == (True, None)
    # nbgrader reads a number displayed as the cell's result as a partial grade; 7 > 1 point.
    assert result["test_displays_a_number"][0] is False
    assert "grade outside 0-1" in result["test_displays_a_number"][1]
