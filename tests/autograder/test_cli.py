"""Tests of the command line, ``python -m autograder``: output formats and exit statuses."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

from autograder import cli
from autograder.grading import CellResult, Report
from autograder.settings import MAX_NOTEBOOK_BYTES
from tests.autograder.chapter import ASSIGNMENT, HIDDEN_MESSAGE, visible_only
from tests.autograder.conftest import save

SOURCE = Path("source") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

CANNED = Report(
    ASSIGNMENT,
    2.0,
    3.0,
    [
        CellResult("test_ex0_1_double", 0.0, 1.0, False, "NotImplementedError"),
        CellResult("test_ex0_2_scale", 2.0, 2.0, True, None),
        CellResult("written_ex0_3_explain", None, 1.0, None, None, kind="manual"),
    ],
)


@pytest.fixture
def in_course(course: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COURSE_ROOT", str(course))
    return course


def test_score_json_from_the_module_entry_point(
    in_course: Path, source_nb: NotebookNode, tmp_path: Path
) -> None:
    noisy = copy.deepcopy(source_nb)
    # Output written below Python's sys.stdout (a subprocess here) must not reach our stdout.
    noisy.cells.append(new_code_cell("import os\nos.system('echo noise; echo more noise >&2')"))
    path = save(noisy, tmp_path / f"{ASSIGNMENT}.ipynb")
    env = {**os.environ, "COURSE_ROOT": str(in_course)}
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "score", str(path), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # stdout holds the JSON object and nothing else
    assert (data["assignment"], data["score"], data["max_score"]) == (ASSIGNMENT, 3.0, 3.0)


def test_score_table(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr("autograder.score.score_notebook", lambda *args, **kwargs: CANNED)
    assert cli.main(["score", "whatever.ipynb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["grade_id", "points", "max", "result", "message"]
    assert lines[1].split() == ["test_ex0_1_double", "0", "1", "FAIL", "NotImplementedError"]
    assert lines[2].split() == ["test_ex0_2_scale", "2", "2", "PASS"]
    assert lines[3].split() == ["written_ex0_3_explain", "-", "1", "MANUAL", "graded", "by", "hand"]
    assert "Score: 2 / 3" in lines


def test_check_output_for_students(
    in_course: Path,
    release_nb: NotebookNode,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    path = save(visible_only(release_nb), tmp_path / f"{ASSIGNMENT}.ipynb")
    assert cli.main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "PASS ex0_1_double\nPASS ex0_2_scale\n" in out
    assert "2 of 2 exercises pass the visible tests" in out
    assert HIDDEN_MESSAGE not in out and "HIDDEN" not in out


def test_check_explains_unanswered_exercises(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr("autograder.check.check_notebook", lambda *args, **kwargs: CANNED)
    assert cli.main(["check", "whatever.ipynb"]) == 0
    out = capsys.readouterr().out
    assert "FAIL ex0_1_double: not answered yet" in out
    assert "MANUAL written_ex0_3_explain" in out
    assert "1 of 2 exercises pass" in out


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing.ipynb", "no such file"),
        (lambda d: (d / "cut.ipynb").write_text('{"cells": [{"cell_') and d / "cut.ipynb", "JSON"),
        (lambda d: (d / "list.ipynb").write_text("[]") and d / "list.ipynb", "not a Jupyter"),
        (lambda d: _sparse(d / "huge.ipynb", MAX_NOTEBOOK_BYTES + 1), "limit"),
    ],
)
@pytest.mark.parametrize("command", ["score", "check"])
def test_files_that_cannot_be_graded_exit_2_without_traceback(
    in_course: Path, tmp_path: Path, capsys: pytest.CaptureFixture, command: str, make, reason: str
) -> None:
    assert cli.main([command, str(make(tmp_path))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and reason in captured.err
    assert "Traceback" not in captured.err


def test_unknown_chapter_exits_2(in_course: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["score", str(in_course / SOURCE), "--assignment", "99_nope"]) == 2
    assert "error: unknown chapter '99_nope'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["grade-everything"],
        ["score"],
        ["score", "a.ipynb", "--timeout", "0"],  # not a hang guard: a value the CLI rejects
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_normalize_rewrites_then_leaves_alone(
    in_course: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "nb.ipynb"
    data = json.loads((in_course / SOURCE).read_text())
    data["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x\n"}]
    data["cells"][1]["execution_count"] = 3
    path.write_text(json.dumps(data))
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json")
    assert cli.main(["normalize", str(path), str(bad)]) == 2
    assert cli.main(["normalize", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"normalized {path}" in out and f"unchanged {path}" in out
    assert path.read_bytes() == (in_course / SOURCE).read_bytes()


def test_release_check_passes_on_a_fresh_release(
    in_course: Path, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["release", "--check"]) == 0
    assert capsys.readouterr().out == "release/ is up to date\n"


def test_release_check_lists_differences_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    problems = [f"stale: release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb", "extra: release/x.csv"]
    monkeypatch.setattr("autograder.release.check_release", lambda: problems)
    assert cli.main(["release", "--check"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == problems
    assert "run `python -m autograder release`" in captured.err


def test_release_reports_what_it_changed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(
        "autograder.release.write_release", lambda: [f"removed release/{ASSIGNMENT}/old.csv"]
    )
    assert cli.main(["release"]) == 0
    assert capsys.readouterr().out == f"removed release/{ASSIGNMENT}/old.csv\nrelease/ updated\n"
    monkeypatch.setattr("autograder.release.write_release", list)
    assert cli.main(["release"]) == 0
    assert capsys.readouterr().out == "release/ was already up to date\n"


def test_workspace_copies_the_release_once(
    in_course: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    dest = tmp_path / "workspace"
    assert cli.main(["workspace", "--dest", str(dest)]) == 0
    assert f"copied {ASSIGNMENT}/{ASSIGNMENT}.ipynb" in capsys.readouterr().out
    (dest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("my work")
    assert cli.main(["workspace", "--dest", str(dest)]) == 0
    assert "0 files copied, 3 of yours kept" in capsys.readouterr().out  # + nbgrader_config.py
    assert (dest / "nbgrader_config.py").exists()
    assert (dest / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text() == "my work"
