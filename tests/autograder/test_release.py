"""Tests of autograder.release: nbgrader's student version, reproducible and checkable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.notebook import grade_id, is_graded, notebook_bytes, read_notebook
from autograder.paths import UnknownAssignment
from autograder.release import ReleaseError, build_release, check_release, write_release
from tests.autograder.chapter import ASSIGNMENT, DATA_FILE, HIDDEN_MESSAGE, MODEL_ANSWER

NOTEBOOK = Path(ASSIGNMENT) / f"{ASSIGNMENT}.ipynb"


def _files(root: Path) -> dict[Path, bytes]:
    release = root / "release"
    return {p.relative_to(release): p.read_bytes() for p in release.rglob("*") if p.is_file()}


def test_release_holds_the_notebook_and_the_data_file(course: Path) -> None:
    assert set(_files(course)) == {NOTEBOOK, Path(ASSIGNMENT) / DATA_FILE}
    data = course / "source" / ASSIGNMENT / DATA_FILE
    assert _files(course)[Path(ASSIGNMENT) / DATA_FILE] == data.read_bytes()


def test_release_contains_no_solutions_hidden_tests_or_rubrics(course: Path) -> None:
    text = _files(course)[NOTEBOOK].decode("utf-8")
    for secret in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", HIDDEN_MESSAGE):
        assert secret not in text
    assert MODEL_ANSWER not in text and "Rubric" not in text
    assert "raise NotImplementedError()" in text and "YOUR ANSWER HERE" in text
    assert "scale([1]) should be [3]" in text  # the visible test stays


def test_release_notebook_is_normalized_with_grade_ids_as_cell_ids(course: Path) -> None:
    path = course / "release" / NOTEBOOK
    nb = read_notebook(path)
    assert notebook_bytes(nb) == path.read_bytes()
    assert all(c.id == grade_id(c) for c in nb.cells if is_graded(c))


def test_check_finds_stale_missing_and_extra_files_and_write_fixes_them(
    course: Path, tmp_path: Path
) -> None:
    root = tmp_path / "course"
    shutil.copytree(course, root)
    release = root / "release" / ASSIGNMENT
    (release / f"{ASSIGNMENT}.ipynb").write_text("{}")
    (release / DATA_FILE).unlink()
    (release / "notes.txt").write_text("left over")
    (release / ".ipynb_checkpoints").mkdir()
    (release / ".ipynb_checkpoints" / "x-checkpoint.ipynb").write_text("{}")
    assert check_release(root) == [
        f"stale: release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        f"missing: release/{ASSIGNMENT}/{DATA_FILE}",
        f"extra: release/{ASSIGNMENT}/notes.txt",
    ]
    assert write_release(root) == [
        f"wrote release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        f"wrote release/{ASSIGNMENT}/{DATA_FILE}",
        f"removed release/{ASSIGNMENT}/notes.txt",
    ]
    # Rebuilt in another directory, the release has the very same bytes: builds are reproducible.
    rebuilt = {k: v for k, v in _files(root).items() if ".ipynb_checkpoints" not in k.parts}
    assert rebuilt == _files(course)


def test_unknown_chapters_and_nbgrader_failures_are_clear_errors(
    course: Path, tmp_path: Path
) -> None:
    with pytest.raises(UnknownAssignment, match="99_nope"):
        build_release(course, assignments=["99_nope"])
    root = tmp_path / "course"
    shutil.copytree(course / "source", root / "source")
    shutil.copyfile(course / "nbgrader_config.py", root / "nbgrader_config.py")
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = read_notebook(source)
    nb.cells[1].source += "\n### BEGIN SOLUTION\nx = 1"  # a solution region in a plain cell
    source.write_bytes(notebook_bytes(nb))
    with pytest.raises(ReleaseError, match="generate_assignment failed"):
        build_release(root)
