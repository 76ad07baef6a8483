"""A broken environment never zeroes a class; kernels never pile up; what was graded is known.

- canaries: the instructor's solution and the blank release run before (and after) the class in
  the same environment; a shadowed package or a course cell that times out stops the run with
  nothing recorded;
- a course cell (before any student code) that fails is retried once, then reported as an
  infrastructure fault, never as a zero;
- at most ``workers`` grading kernels are alive at any moment;
- each result records the fingerprint of what it graded, and a changed submission is regraded;
- only regular, unlinked files of a submission are copied into autograded/.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import psutil
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from autograder.execute import InfrastructureError
from autograder.grade import RESULT_FILE, GradingAborted, grade_assignment, local_executor
from autograder.gradebook import db_url, ensure_assignment
from autograder.notebook import read_notebook, write_notebook
from autograder.probing import prepare, trusted_prefix
from autograder.runner import execute_graded
from autograder.sandbox import Limits
from autograder.sanitize import restore
from autograder.settings import COURSE_ID
from tests.autograder.chapter import ASSIGNMENT, WRONG_DOUBLE, answer
from tests.autograder.conftest import save
from tests.autograder.test_grade_class import LIMITS, copy_course, right
from tests.timeouts import hang_guard

MODE = "none"  # what is tested here does not depend on the sandbox; test_grade_class covers bwrap


@pytest.fixture(scope="module")
def prepared(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course with 00_demo already in its gradebook."""
    root = copy_course(course, tmp_path_factory.mktemp("prepared"))
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    return root


def _class(prepared: Path, dest: Path, release: NotebookNode, count: int = 2) -> Path:
    root = copy_course(prepared, dest)
    for i in range(count):
        nb = right(release) if i % 2 == 0 else release
        save(nb, root / "submitted" / f"s{i:02d}" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return root


def _nothing_recorded(root: Path) -> None:
    assert not list((root / "autograded").glob(f"*/{ASSIGNMENT}"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.find_assignment(ASSIGNMENT).submissions == []


def test_a_shadowed_package_stops_the_run_before_anything_is_recorded(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb)
    # A stray course/ package among the chapter's files shadows the installed one in the kernel.
    shadow = root / "source" / ASSIGNMENT / "course"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    (shadow / "probe.py").write_text("class Probe:\n    def __init__(self, *a):\n        pass\n")
    with pytest.raises(GradingAborted, match="canary check before grading failed.*solution"):
        grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=LIMITS)
    _nothing_recorded(root)


SHADOW = {
    "course/__init__.py": b"",
    "course/probe.py": b"class Probe:\n    def __init__(self, *a):\n        pass\n",
}


def test_a_canary_failing_after_the_class_withdraws_the_run(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb)
    calls: list[int] = []
    pool = local_executor(2)

    def breaks_at_the_end(tasks):
        calls.append(len(tasks))
        if len(calls) == 3:  # the canaries after the class: the environment broke meanwhile
            tasks = [{**task, "files": {**task["files"], **SHADOW}} for task in tasks]
        return pool(tasks)

    with pytest.raises(GradingAborted, match="after grading failed.*2 results of this run"):
        grade_assignment(
            ASSIGNMENT, root=root, sandbox=MODE, limits=LIMITS, executor=breaks_at_the_end
        )
    assert calls == [2, 2, 2]  # canaries, the class, canaries
    assert not list((root / "autograded").glob(f"*/{ASSIGNMENT}"))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        for student in ("s00", "s01"):
            grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            assert all(g.auto_score is None for g in grades if g.cell_type == "code")


def test_a_setup_cell_that_times_out_stops_the_run(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb)
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = read_notebook(source)
    setup = next(c for c in nb.cells if "setup" in c.metadata.get("tags", []))
    setup.source = "import time\ntime.sleep(10**6)\n" + setup.source  # a disk too slow, say
    write_notebook(nb, source)
    slow = 2  # not a hang guard: the slow setup cell must time out
    limits = Limits(cell_timeout=slow, notebook_timeout=hang_guard(120))
    with pytest.raises(GradingAborted, match="canary check before grading failed"):
        grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=limits)
    _nothing_recorded(root)


def test_a_course_cell_that_fails_once_is_retried(tmp_path: Path) -> None:
    marker = tmp_path / "first-try"
    flaky = (
        "from pathlib import Path\n"
        f"marker = Path({str(marker)!r})\n"
        "if not marker.exists():\n"
        "    marker.write_text('x')\n"
        "    raise OSError('the disk hiccuped')"
    )
    nb = new_notebook(cells=[new_code_cell(flaky), new_code_cell("print('student')")])
    executed = execute_graded(nb, {}, MODE, LIMITS, trusted=1)
    assert executed.cells[1].outputs[0]["text"] == "student\n"
    always = new_notebook(cells=[new_code_cell("raise OSError('no disk')"), new_code_cell("1")])
    with pytest.raises(InfrastructureError, match="course's own cell .* no disk"):
        execute_graded(always, {}, MODE, LIMITS, trusted=1)
    # the same failure in a student's cell is the student's
    student = execute_graded(always, {}, MODE, LIMITS, trusted=0)
    assert student.cells[0].outputs[0]["ename"] == "OSError"


def test_the_course_cells_end_where_the_student_could_have_changed_something(
    source_nb: NotebookNode, release_nb: NotebookNode
) -> None:
    restored = restore(release_nb, source_nb)
    prepared_nb = prepare(restored, 1)
    first_answer = next(
        i for i, c in enumerate(prepared_nb.cells) if c.metadata.get("nbgrader", {}).get("solution")
    )
    assert trusted_prefix(prepared_nb, source_nb) == first_answer
    edited = restore(release_nb, source_nb)
    setup = next(c for c in edited.cells if "setup" in c.metadata.get("tags", []))
    setup.source += "\nimport this_student_broke_it"
    edited_prepared = prepare(edited, 1)
    index = edited_prepared.cells.index(
        next(c for c in edited_prepared.cells if c.source == setup.source)
    )
    assert trusted_prefix(edited_prepared, source_nb) == index


def _kernels(parent: psutil.Process) -> int:
    """Grading kernels alive under ``parent`` (a kernel's own short-lived forks, which carry its
    command line until they exec, are not kernels)."""
    kernels = set()
    for child in parent.children(recursive=True):
        try:
            if "ipykernel_launcher" in " ".join(child.cmdline()):
                kernels.add((child.pid, child.ppid()))
        except psutil.Error:
            continue
    pids = {pid for pid, _ in kernels}
    return sum(1 for _, ppid in kernels if ppid not in pids)


@pytest.mark.slow
def test_live_kernels_never_exceed_the_workers(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb, count=30)
    me = psutil.Process()
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _kernels(me))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        summary = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=LIMITS)
    finally:
        done.set()
        watcher.join()
    assert len(summary.of("graded")) == 30, "\n".join(summary.lines())
    assert 1 <= peak <= 2, f"{peak} grading kernels were alive at once with 2 workers"
    assert _kernels(me) == 0


def test_a_changed_submission_is_regraded_and_an_unchanged_one_skipped(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb)
    first = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=LIMITS)
    assert {o.student: o.score for o in first.of("graded")} == {"s00": 3, "s01": 0}
    result = json.loads((root / "autograded" / "s00" / ASSIGNMENT / RESULT_FILE).read_text())
    assert len(result["fingerprint"]) == 64
    # s01 resubmits (or the file is replaced while the class is graded): a right answer now
    save(right(release_nb), root / "submitted" / "s01" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    again = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=LIMITS)
    assert {o.student: o.status for o in again.outcomes} == {"s00": "skipped", "s01": "graded"}
    assert again.by_student()["s01"].score == 3
    assert again.changed == ["s01"]
    # a new time stamp alone (a late resubmission of the same file) is a change too
    (root / "submitted" / "s00" / ASSIGNMENT / "timestamp.txt").write_text(
        "2030-01-01 00:00:00.000000 UTC"
    )
    third = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=MODE, limits=LIMITS)
    assert {o.student: o.status for o in third.outcomes} == {"s00": "graded", "s01": "skipped"}


def test_only_regular_unlinked_files_are_copied(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    root = _class(prepared, tmp_path / "course", release_nb, count=1)
    folder = root / "submitted" / "s00" / ASSIGNMENT
    secret = root / "secret-solutions.txt"
    secret.write_text("the instructor's secrets")
    (folder / "notes.txt").write_text("my notes")
    os.link(secret, folder / "hard.txt")
    (folder / "soft.txt").symlink_to(secret)
    (folder / "tree").symlink_to(root / "source", target_is_directory=True)
    (folder / ".hidden").write_text("dot file")
    os.mkfifo(folder / "pipe")
    summary = grade_assignment(ASSIGNMENT, root=root, workers=1, sandbox=MODE, limits=LIMITS)
    assert summary.by_student()["s00"].score == 3
    graded = root / "autograded" / "s00" / ASSIGNMENT
    names = sorted(p.name for p in graded.iterdir())
    assert "notes.txt" in names
    for name in ("hard.txt", "soft.txt", "tree", ".hidden", "pipe"):
        assert name not in names
    not_copied = json.loads((graded / RESULT_FILE).read_text())["not_copied"]
    assert {entry.split(" ")[0] for entry in not_copied} == {
        "hard.txt",
        "soft.txt",
        "tree",
        ".hidden",
        "pipe",
    }
    for path in graded.rglob("*"):
        assert "secrets" not in path.read_text(errors="replace") if path.is_file() else True


def test_a_wrong_answer_still_scores_zero_for_it(
    prepared: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    # the canaries and retries change nothing for ordinary wrong answers
    root = copy_course(prepared, tmp_path / "course")
    nb = answer(right(release_nb), "ex0_1_double", WRONG_DOUBLE)
    save(nb, root / "submitted" / "w" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    summary = grade_assignment(ASSIGNMENT, root=root, workers=1, sandbox=MODE, limits=LIMITS)
    assert summary.by_student()["w"].status == "graded"
    assert summary.by_student()["w"].score < 3


def test_an_unknown_student_folder_name_cannot_be_a_canary(tmp_path: Path) -> None:
    # canary keys start with a dot; _students skips dot folders, so no student can collide
    from autograder.grade import CANARY_BLANK, CANARY_SOLUTION, _students

    for name in (CANARY_SOLUTION, CANARY_BLANK, "real"):
        (tmp_path / "submitted" / name / ASSIGNMENT).mkdir(parents=True)
    assert [s for s, _ in _students(tmp_path, ASSIGNMENT, None)] == ["real"]
