"""Tests of autograder.submit: the zip a student uploads, its manifest and its checksum.

The course is the 00_demo chapter of tests/autograder/chapter.py; the students' notebooks are made
from its release, saved the way JupyterLab saves them, and submitted through the command line.
Collecting the uploads with `nbgrader zip_collect` is tested in test_collect.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from nbformat import NotebookNode

from autograder.cli import main
from autograder.submit import MANIFEST, STUDENT_ENV, STUDENT_FILE, submit
from tests.autograder.chapter import (
    ASSIGNMENT,
    EARLY,
    LATE,
    NOTEBOOK,
    RIGHT_DOUBLE,
    RIGHT_SCALE,
    answer,
)
from tests.autograder.conftest import save


@pytest.fixture
def root(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo course (submit reads its release)."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("gradebook.db"))
    monkeypatch.setenv("COURSE_ROOT", str(copy))
    monkeypatch.delenv(STUDENT_ENV, raising=False)
    return copy


def workspace_notebook(tmp_path: Path, name: str, nb: NotebookNode) -> Path:
    """A student's workspace/00_demo/00_demo.ipynb holding ``nb``."""
    return save(nb, tmp_path / name / ASSIGNMENT / NOTEBOOK)


def solved(release_nb: NotebookNode) -> NotebookNode:
    nb = answer(release_nb, "ex0_1_double", RIGHT_DOUBLE)
    nb = answer(nb, "ex0_2_scale", RIGHT_SCALE)
    return answer(nb, "written_ex0_3_explain", "Doubling is scaling by a factor of two.")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["submit", ASSIGNMENT, *args])
    out, err = capsys.readouterr()
    return status, out, err


def zips(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.zip"))


def test_checksums_verify(root: Path, tmp_path: Path, release_nb: NotebookNode) -> None:
    notebook = workspace_notebook(tmp_path, "ws", solved(release_nb))
    made = submit(ASSIGNMENT, "dave", notebook, now=LATE, root=root)
    assert (
        made.zip_path == tmp_path / "ws" / "submissions" / f"{ASSIGNMENT}-dave-20260301T173005Z.zip"
    )
    data = made.zip_path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == made.sha256
    assert made.checksum_path.read_text() == f"{made.sha256}  {made.zip_path.name}\n"
    with zipfile.ZipFile(made.zip_path) as archive:
        assert sorted(archive.namelist()) == [NOTEBOOK, MANIFEST]
        manifest = json.loads(archive.read(MANIFEST))
        inside = archive.read(NOTEBOOK)
    assert inside == notebook.read_bytes()
    assert manifest["sha256"] == hashlib.sha256(inside).hexdigest()
    assert manifest | {"sha256": None} == {
        "assignment": ASSIGNMENT,
        "student": "dave",
        "submitted_at": "2026-03-01T17:30:05+00:00",
        "notebook": NOTEBOOK,
        "sha256": None,
        "unanswered": [],
    }
    # The same notebook at the same second gives the same bytes: a re-run overwrites in place.
    again = submit(ASSIGNMENT, "dave", notebook, now=LATE, root=root)
    assert again.sha256 == made.sha256 and again.replaced == []


def test_a_later_submit_replaces_the_older_zip(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    notebook = workspace_notebook(tmp_path, "ws", release_nb)
    dest = tmp_path / "out"
    other = submit(ASSIGNMENT, "erin-b", notebook, dest, now=EARLY, root=root)  # another student
    early = submit(ASSIGNMENT, "erin", notebook, dest, now=EARLY, root=root)
    late = submit(ASSIGNMENT, "erin", notebook, dest, now=LATE, root=root)
    assert late.replaced == [early.zip_path]
    assert not early.zip_path.exists() and not early.checksum_path.exists()
    assert zips(dest) == sorted([other.zip_path, late.zip_path])
    assert not list(dest.glob("*.part"))


def test_a_corrupt_notebook_is_refused_with_the_reason(
    root: Path, tmp_path: Path, release_nb: NotebookNode, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = workspace_notebook(tmp_path, "ws", solved(release_nb))
    notebook.write_bytes(notebook.read_bytes()[:500])  # truncated by a crash while saving
    status, out, err = run(capsys, "--student", "frank", "--notebook", str(notebook))
    assert status == 2
    assert err.startswith("error: ") and "not valid JSON" in err and "truncated" in err
    assert not (tmp_path / "ws" / "submissions").exists()


def test_a_notebook_of_another_chapter_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = root.parent / "other.ipynb"
    shutil.copy(Path(__file__).parents[2] / "release/00_start/00_start.ipynb", other)
    status, _, err = run(capsys, "--student", "gina", "--notebook", str(other))
    assert status == 2 and f"not the {ASSIGNMENT} notebook" in err
    status = main(["submit", "99_nope", "--student", "gina", "--notebook", str(other)])
    assert status == 2 and "unknown chapter '99_nope'" in capsys.readouterr().err


def test_unanswered_exercises_warn_but_still_submit(
    root: Path, tmp_path: Path, release_nb: NotebookNode, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = workspace_notebook(tmp_path, "ws", answer(release_nb, "ex0_1_double", RIGHT_DOUBLE))
    status, out, err = run(capsys, "--student", "hal", "--notebook", str(notebook))
    assert status == 0
    assert (
        "warning: 2 answer(s) still hold the placeholder: ex0_2_scale, written_ex0_3_explain" in err
    )
    assert "ex0_1_double" not in err
    assert len(zips(tmp_path / "ws" / "submissions")) == 1 and "SHA-256" in out


def test_student_id_from_flag_then_saved_then_environment(
    root: Path,
    tmp_path: Path,
    release_nb: NotebookNode,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notebook = workspace_notebook(tmp_path, "ws", solved(release_nb))
    status, _, err = run(capsys, "--notebook", str(notebook))
    assert status == 2 and "no student id: pass --student" in err and STUDENT_ENV in err

    assert run(capsys, "--student", "ivy", "--notebook", str(notebook))[0] == 0
    assert (tmp_path / "ws" / STUDENT_FILE).read_text() == "ivy\n"
    status, out, _ = run(capsys, "--notebook", str(notebook))
    assert status == 0 and "as ivy:" in out

    monkeypatch.setenv(STUDENT_ENV, "jay")
    status, out, _ = run(capsys, "--notebook", str(notebook))
    assert status == 0 and "as jay:" in out
    assert (tmp_path / "ws" / STUDENT_FILE).read_text() == "ivy\n"  # the environment saves nothing

    for bad in ("../etc", "two words", ".dot", "a" * 65):
        status, _, err = run(capsys, f"--student={bad}", "--notebook", str(notebook))
        assert status == 2 and "is not usable" in err, bad


def test_the_notebook_is_found_in_the_workspace(
    root: Path,
    tmp_path: Path,
    release_nb: NotebookNode,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    notebook = workspace_notebook(tmp_path / "course-folder", "workspace", solved(release_nb))
    monkeypatch.chdir(tmp_path / "course-folder")  # where a student types the command
    status, out, err = run(capsys, "--student", "kim")
    assert status == 0, err
    assert str(notebook.parents[1] / "submissions") in out
    monkeypatch.chdir(notebook.parents[1])  # or from inside the workspace
    assert run(capsys)[0] == 0
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "--student", "kim")
    assert status == 2 and "no notebook found for 00_demo" in err and "--notebook" in err
