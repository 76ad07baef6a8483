"""Tests of autograder.paths: finding the course directory and a chapter's files."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import paths
from tests.autograder.chapter import ASSIGNMENT, DATA_FILE, make_course


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


def test_course_root_walks_up_from_a_subfolder(root: Path) -> None:
    assert paths.course_root(root / "source" / ASSIGNMENT) == root.resolve()


def test_course_root_env_overrides_the_working_directory(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(root))
    monkeypatch.chdir(paths.PACKAGE_ROOT)
    assert paths.course_root() == root.resolve()


def test_course_root_falls_back_to_this_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COURSE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert paths.course_root() == paths.PACKAGE_ROOT


def test_assignments_lists_only_chapter_folders_with_their_notebook(root: Path) -> None:
    (root / "source" / "02_empty").mkdir()  # no notebook
    (root / "source" / "notes").mkdir()  # not a chapter id
    assert paths.assignments(root) == [ASSIGNMENT]


def test_chapter_paths(root: Path) -> None:
    name = f"{ASSIGNMENT}.ipynb"
    assert paths.source_notebook(ASSIGNMENT, root) == root / "source" / ASSIGNMENT / name
    assert paths.release_notebook(ASSIGNMENT, root) == root / "release" / ASSIGNMENT / name


def test_data_files_skip_notebooks_and_checkpoints(root: Path) -> None:
    folder = root / "source" / ASSIGNMENT
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "00_demo-checkpoint.ipynb").write_text("{}")
    (folder / "sub").mkdir()
    (folder / "sub" / "table.csv").write_text("a,b\n")
    assert paths.data_files(ASSIGNMENT, root) == [folder / DATA_FILE, folder / "sub" / "table.csv"]


def test_unknown_chapter_says_which_exist(root: Path) -> None:
    with pytest.raises(paths.UnknownAssignment, match="99_nope.*00_demo"):
        paths.source_notebook("99_nope", root)


def test_a_notebook_without_graded_cells_is_released_but_not_an_assignment(root: Path) -> None:
    from nbformat.v4 import new_markdown_cell, new_notebook

    from autograder.notebook import write_notebook

    folder = root / "source" / "00_welcome"
    folder.mkdir()
    write_notebook(
        new_notebook(cells=[new_markdown_cell("# Welcome")]), folder / "00_welcome.ipynb"
    )
    assert paths.notebooks(root) == ["00_demo", "00_welcome"]
    assert paths.assignments(root) == [ASSIGNMENT]
    with pytest.raises(paths.UnknownAssignment, match="00_welcome is not graded"):
        paths.source_notebook("00_welcome", root)


def test_an_unreadable_notebook_still_counts_as_a_chapter(root: Path) -> None:
    folder = root / "source" / "01_broken"
    folder.mkdir()
    (folder / "01_broken.ipynb").write_text("{not json")
    assert paths.assignments(root) == [ASSIGNMENT, "01_broken"]
