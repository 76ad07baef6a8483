"""Tests of autograder.score and autograder.execute: scoring a submission with the hidden tests.

Each graded notebook costs a kernel start, so the reports are computed once per module.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import psutil
import pytest
from nbformat import NotebookNode

from autograder.grading import CellResult, Report
from autograder.notebook import InvalidNotebook, read_notebook
from autograder.paths import UnknownAssignment, data_contents
from autograder.sandbox import bwrap_works
from autograder.score import judge_submission, score_notebook
from tests.autograder.chapter import (
    ASSIGNMENT,
    RIGHT_SCALE,
    answer,
    tampered,
    visible_only,
)
from tests.autograder.conftest import save
from tests.timeouts import hang_guard


def _cells(report: Report) -> dict[str, CellResult]:
    return {c.grade_id: c for c in report.cells}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("submissions")


@pytest.fixture(scope="module")
def source_report(course: Path) -> Report:
    return score_notebook(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root=course)


@pytest.fixture(scope="module")
def release_report(course: Path) -> Report:
    return score_notebook(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root=course)


@pytest.fixture(scope="module")
def tampered_report(course: Path, work: Path, release_nb: NotebookNode) -> Report:
    # A file name that is not a chapter id: the chapter is found from the grade_ids.
    return score_notebook(save(tampered(release_nb), work / "my work (1).ipynb"), root=course)


@pytest.fixture(scope="module")
def visible_only_report(course: Path, work: Path, release_nb: NotebookNode) -> Report:
    path = save(visible_only(release_nb), work / "visible" / f"{ASSIGNMENT}.ipynb")
    return score_notebook(path, root=course)


def test_the_source_scores_full_marks(source_report: Report) -> None:
    assert (source_report.score, source_report.max_score) == (3, 3)
    assert all(c.passed for c in source_report.cells if c.kind == "autograded")


def test_written_answers_are_listed_for_manual_grading_not_counted(source_report: Report) -> None:
    written = _cells(source_report)["written_ex0_3_explain"]
    assert (written.kind, written.points, written.passed, written.error) == (
        "manual",
        None,
        None,
        None,
    )
    assert written.max_points == 1
    assert [c.grade_id for c in source_report.cells] == [
        "test_ex0_1_double",
        "test_ex0_2_scale",
        "written_ex0_3_explain",
    ]


def test_the_untouched_release_scores_zero_without_crashing(release_report: Report) -> None:
    assert (release_report.score, release_report.max_score) == (0, 3)
    auto = [c for c in release_report.cells if c.kind == "autograded"]
    assert all("your code raised NotImplementedError" in c.error for c in auto)


def test_a_wrong_answer_loses_only_its_points(tampered_report: Report) -> None:
    assert tampered_report.assignment == ASSIGNMENT
    assert (tampered_report.score, tampered_report.max_score) == (2, 3)
    first = _cells(tampered_report)["test_ex0_1_double"]
    assert (first.points, first.max_points, first.passed) == (0, 1, False)
    # The judge's message, on inputs drawn for this submission (double is x + 1 here).
    assert first.error.startswith("HiddenTestFailed: double(") and "gave" in first.error


def test_edited_deleted_and_duplicated_tests_are_restored_once(tampered_report: Report) -> None:
    ids = sorted(c.grade_id for c in tampered_report.cells)
    assert ids == ["test_ex0_1_double", "test_ex0_2_scale", "written_ex0_3_explain"]
    second = _cells(tampered_report)["test_ex0_2_scale"]
    # Re-inserted from the source; the harmless stderr line printed by the answer is ignored.
    assert (second.points, second.passed) == (2, True)


def test_hidden_tests_run_when_scoring(visible_only_report: Report) -> None:
    cells = _cells(visible_only_report)
    assert cells["test_ex0_1_double"].passed, cells["test_ex0_1_double"].error
    assert cells["test_ex0_2_scale"].passed is False
    assert cells["test_ex0_2_scale"].error == (
        "HiddenTestFailed: your code raised IndexError: list index out of range "
        "(line 2: return [FACTOR * values[0]])"
    )
    assert visible_only_report.score == 1


def test_a_dying_kernel_is_reported_not_raised(
    course: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    crash = "def double(x):\n    import os\n    os._exit(1)"
    nb = answer(answer(release_nb, "ex0_1_double", crash), "ex0_2_scale", RIGHT_SCALE)
    report = score_notebook(save(nb, tmp_path / f"{ASSIGNMENT}.ipynb"), root=course)
    cells = _cells(report)
    assert report.score == 0
    assert "the test cell stopped with KernelDied: the kernel died" in (
        cells["test_ex0_1_double"].error
    )
    assert "NotRun: not run because the kernel died" in cells["test_ex0_2_scale"].error


def test_a_cell_timeout_is_reported_not_raised(
    course: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    slow = "def double(x):\n    import time\n    time.sleep(10**6)"  # longer than any limit
    nb = answer(answer(release_nb, "ex0_1_double", slow), "ex0_2_scale", RIGHT_SCALE)
    limit = hang_guard(1)
    path = save(nb, tmp_path / f"{ASSIGNMENT}.ipynb")
    report = score_notebook(path, timeout=limit, root=course)
    cells = _cells(report)
    assert f"the test cell stopped with CellTimeout: the cell ran longer than {limit} s" in (
        cells["test_ex0_1_double"].error
    )
    assert "not run because cell" in cells["test_ex0_2_scale"].error
    assert report.score == 0


def test_files_that_cannot_be_graded_raise_before_any_kernel_starts(
    course: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    broken = tmp_path / f"{ASSIGNMENT}.ipynb"
    broken.write_text('{"cells": [')
    with pytest.raises(InvalidNotebook, match="not valid JSON"):
        score_notebook(broken, root=course)
    good = save(release_nb, tmp_path / "anything.ipynb")
    with pytest.raises(UnknownAssignment, match="99_nope"):
        score_notebook(good, assignment="99_nope", root=course)
    stranger = tmp_path / "stranger.ipynb"
    stranger.write_text((Path(__file__).parent / "fixtures" / "plain.ipynb").read_text())
    with pytest.raises(UnknownAssignment, match="cannot tell which chapter"):
        score_notebook(stranger, root=course)


@pytest.mark.skipif(not bwrap_works(), reason="the sandbox (bubblewrap) is needed")
def test_score_cannot_read_the_course_directory(
    course: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    secrets = [course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", course, tmp_path]
    spy = "import os\ndef double(x):\n    return 2 * x\n" + "".join(
        f"print({str(p)!r}, os.path.exists({str(p)!r}))\n" for p in secrets
    )
    nb = answer(answer(release_nb, "ex0_1_double", spy), "ex0_2_scale", RIGHT_SCALE)
    reference = read_notebook(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    executed = judge_submission(
        nb, reference, data_contents(ASSIGNMENT, course), timeout=hang_guard(60)
    )
    printed = "".join(
        o.get("text", "") for c in executed.cells for o in c.get("outputs", []) if "text" in o
    )
    for path in secrets:
        assert f"{path} False" in printed, printed


def test_score_leaves_no_process_behind(
    course: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    token = f"left-behind-{uuid.uuid4().hex}"
    daemon = (
        "import subprocess, sys\n"
        "def double(x):\n    return 2 * x\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {token!r}],"
        " start_new_session=True)"
    )
    nb = answer(answer(release_nb, "ex0_1_double", daemon), "ex0_2_scale", RIGHT_SCALE)
    for sandbox in ("auto", "none"):
        report = score_notebook(
            save(nb, tmp_path / f"{ASSIGNMENT}.ipynb"), root=course, sandbox=sandbox
        )
        assert report.score == 3
        left = [
            p
            for p in psutil.process_iter(["cmdline"])
            if token in " ".join(p.info["cmdline"] or [])
        ]
        assert not left, f"score left {len(left)} process(es) of the notebook running ({sandbox})"
