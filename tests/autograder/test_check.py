"""Tests of autograder.check: a student's self-check runs only the tests they can see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nbformat import NotebookNode

from autograder.check import check_notebook
from autograder.grading import Report
from tests.autograder.chapter import ASSIGNMENT, HIDDEN_MESSAGE, make_course, tampered, visible_only
from tests.autograder.conftest import save
from tests.timeouts import hang_guard


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("check")


@pytest.fixture(scope="module")
def visible_only_check(course: Path, work: Path, release_nb: NotebookNode) -> Report:
    return check_notebook(save(visible_only(release_nb), work / f"{ASSIGNMENT}.ipynb"), root=course)


@pytest.fixture(scope="module")
def tampered_check(course: Path, work: Path, release_nb: NotebookNode) -> Report:
    return check_notebook(save(tampered(release_nb), work / "copy.ipynb"), root=course)


def test_an_answer_that_passes_the_visible_tests_passes_the_check(
    visible_only_check: Report,
) -> None:
    # The same notebook loses the points of 0.2 when scored (see test_score): hidden tests.
    results = {c.grade_id: c.passed for c in visible_only_check.cells}
    assert results == {
        "test_ex0_1_double": True,
        "test_ex0_2_scale": True,
        "written_ex0_3_explain": None,
    }


def test_check_restores_tests_from_the_release(tampered_check: Report) -> None:
    results = {c.grade_id: (c.passed, c.error) for c in tampered_check.cells}
    assert results["test_ex0_1_double"] == (False, "AssertionError: double(2) should be 4")
    # Deleted by the student, then restored from the release: visible test only.
    assert results["test_ex0_2_scale"] == (True, None)
    assert [c.grade_id for c in tampered_check.cells].count("test_ex0_1_double") == 1


def test_check_reports_never_mention_hidden_tests(
    visible_only_check: Report, tampered_check: Report
) -> None:
    for report in (visible_only_check, tampered_check):
        text = json.dumps(report.to_dict())
        assert HIDDEN_MESSAGE not in text and "HIDDEN" not in text


def test_check_without_a_release_says_how_to_make_one(tmp_path: Path) -> None:
    root = make_course(tmp_path / "course")
    notebook = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    with pytest.raises(FileNotFoundError, match="python -m autograder release"):
        check_notebook(notebook, root=root)


def hidden_lines(source_nb: NotebookNode) -> list[str]:
    """Every line between BEGIN and END HIDDEN TESTS in the instructor's notebook."""
    lines: list[str] = []
    for cell in source_nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    assert lines, "the demo chapter should have hidden tests"
    return lines


@pytest.mark.slow
def test_validate_button_path_never_shows_hidden_tests(
    course: Path, tmp_path: Path, release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    """What the Validate button runs: `nbgrader validate` in a workspace `make lab` made."""
    import subprocess
    import sys

    from autograder.workspace import populate_workspace
    from tests.autograder.chapter import VISIBLE_ONLY_SCALE, WRONG_DOUBLE, answer

    workspace = tmp_path / "workspace"
    populate_workspace(workspace, root=course)
    notebook = workspace / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    student = answer(
        answer(release_nb, "ex0_1_double", WRONG_DOUBLE), "ex0_2_scale", VISIBLE_ONLY_SCALE
    )
    save(student, notebook)
    result = subprocess.run(
        # From the workspace, as the button's server does, so that its nbgrader_config.py counts.
        [sys.executable, "-m", "nbgrader", "validate", str(notebook.relative_to(workspace))],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=hang_guard(300),
        check=False,
    )
    output = result.stdout + result.stderr
    assert "VALIDATION FAILED" in output and "double(2) should be 4" in output, output
    # Readable: each failing exercise by its title and its check's message, no tracebacks.
    assert "exercise tests pass" in output and "Exercise 0.1" in output, output
    assert "Traceback" not in output and "----------" not in output, output
    for line in hidden_lines(source_nb):
        assert line not in output, f"validate showed a hidden test: {line}"
    assert "HIDDEN" not in output


def test_check_output_never_shows_hidden_tests(
    course: Path,
    tmp_path: Path,
    release_nb: NotebookNode,
    source_nb: NotebookNode,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autograder import cli
    from tests.autograder.chapter import VISIBLE_ONLY_SCALE, WRONG_DOUBLE, answer

    monkeypatch.setenv("COURSE_ROOT", str(course))
    student = answer(
        answer(release_nb, "ex0_1_double", WRONG_DOUBLE), "ex0_2_scale", VISIBLE_ONLY_SCALE
    )
    path = save(student, tmp_path / f"{ASSIGNMENT}.ipynb")
    for args in ([], ["--json"]):
        assert cli.main(["check", str(path), *args]) == 0
        out, err = capsys.readouterr()
        assert "double(2) should be 4" in out
        for line in hidden_lines(source_nb):
            assert line not in out + err, f"check showed a hidden test: {line}"
