"""Every student notebook runs top to bottom before a single exercise is solved.

A student's first Run All must fail only where the student has work to do: in answer cells (the
``raise NotImplementedError()`` stub) and in the test cells that check them, each of which must
fail because its answer is the stub (so a kernel that died or a cell that timed out is caught
too). A demo that calls an unsolved answer, or a name only a solution defines, would fail far from
its cause, with a message that points nowhere near the exercise; this test names such a cell.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from nbformat import NotebookNode

from autograder.execute import execute
from autograder.notebook import read_notebook
from autograder.paths import assignments, course_root, is_ignored
from autograder.settings import CELL_TIMEOUT
from tests.timeouts import hang_guard

NOTEBOOKS = ["00_start", *assignments()]
# How a test cell fails while its answer is the stub.
UNSOLVED = ("NotImplementedError", "NameError")


def _copy_release(chapter: str, workdir: Path) -> NotebookNode:
    """The released notebook, with the chapter's other files copied into ``workdir`` as a student
    gets them."""
    folder = course_root() / "release" / chapter
    for file in folder.rglob("*"):
        relative = file.relative_to(folder)
        if file.is_file() and file.suffix != ".ipynb" and not is_ignored(relative):
            (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, workdir / relative)
    return read_notebook(folder / f"{chapter}.ipynb")


def _errors(cell: NotebookNode) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs if o.output_type == "error"
    ]


def _role(cell: NotebookNode) -> str:
    """'answer', 'test' or 'demo' (everything without nbgrader grading metadata)."""
    meta = cell.metadata.get("nbgrader", {})
    if meta.get("solution"):
        return "answer"
    if str(meta.get("grade_id", "")).startswith("test_"):
        return "test"
    return "demo"


def _problems(nb: NotebookNode) -> list[str]:
    """One line per cell that failed where it must not, or failed the wrong way."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors, role = _errors(cell), _role(cell)
        where = f"cell {index} ({role}, id {cell.id})"
        if role == "demo" and errors:
            problems.append(f"{where} failed: {errors}")
        elif role == "answer" and any(not e.startswith("NotImplementedError") for e in errors):
            problems.append(f"{where} should fail only with the NotImplementedError stub: {errors}")
        elif role == "test" and not any(e.startswith(UNSOLVED) for e in errors):
            # Every answer is a stub, so every test must fail, and for that reason only: the
            # stub's error or a name that an unsolved answer cell never defined.
            problems.append(f"{where} should fail on the unsolved stub, not with {errors}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_release_runs_until_the_student_answers(chapter, tmp_path, monkeypatch, record_timing):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    nb = _copy_release(chapter, tmp_path)
    start = time.perf_counter()
    executed = execute(nb, tmp_path, timeout=hang_guard(CELL_TIMEOUT))
    record_timing(f"{chapter} release, unsolved", "cpu", time.perf_counter() - start)
    problems = _problems(executed)
    assert not problems, f"{chapter} (release) breaks before any exercise is solved:\n" + "\n".join(
        problems
    )
