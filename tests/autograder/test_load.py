"""Load: 200 generated submissions of one chapter, graded with several workers and with one.

The scores must be exactly the same either way, and equal to what each generated submission was
built to earn; every submission is recorded once, and the single-writer gradebook never reports a
lock error. The chapter is the tests' 00_demo (one kernel start per submission and little else),
so the test measures the pipeline's concurrency, not the chapters' training time.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbgrader.api import Gradebook

from autograder.gradebook import db_url, ensure_assignment
from autograder.sandbox import Limits, bwrap_works
from autograder.settings import COURSE_ID
from tests.autograder.chapter import (
    ASSIGNMENT,
    RIGHT_DOUBLE,
    RIGHT_SCALE,
    VISIBLE_ONLY_SCALE,
    WRONG_DOUBLE,
    answer,
)
from tests.autograder.conftest import save
from tests.timeouts import hang_guard

pytestmark = [
    pytest.mark.slow,
    # its own xdist group: it runs beside the other autograder tests, not after them
    pytest.mark.xdist_group("autograder-load"),
]

STUDENTS = 200
LIMITS = Limits(
    cell_timeout=hang_guard(60), notebook_timeout=hang_guard(120), memory_mb=700, max_processes=48
)
# (answer to 0.1, points), (answer to 0.2, points); None keeps the release stub (0 points).
DOUBLES = ((RIGHT_DOUBLE, 1), (WRONG_DOUBLE, 0), (None, 0))
SCALES = ((RIGHT_SCALE, 2), (VISIBLE_ONLY_SCALE, 0), (None, 0), (RIGHT_SCALE, 2))
CRASHING = "import os\nos._exit(3)\n"  # the kernel dies: graded, with the cells it reached


def generated(release: NotebookNode, index: int) -> tuple[NotebookNode, float]:
    """Submission number ``index`` and the score it was built to earn."""
    (double, double_points), (scale, scale_points) = DOUBLES[index % 3], SCALES[index % 4]
    nb = release
    if double is not None:
        nb = answer(nb, "ex0_1_double", double)
    if scale is not None:
        nb = answer(nb, "ex0_2_scale", scale)
    if index % 25 == 24:  # every 25th dies in its last answer cell: 0.1's points still count
        nb = answer(nb, "ex0_2_scale", CRASHING)
        scale_points = 0
    return nb, double_points + scale_points


@pytest.fixture(scope="module")
def load_class(course: Path, release_nb: NotebookNode, tmp_path_factory) -> tuple[Path, dict]:
    """A course with 200 generated submissions, and the score each should get."""
    root = tmp_path_factory.mktemp("load")
    shutil.copyfile(course / "nbgrader_config.py", root / "nbgrader_config.py")
    for part in ("source", "release"):
        shutil.copytree(course / part, root / part)
    expected = {}
    for index in range(STUDENTS):
        student = f"s{index:03d}"
        nb, points = generated(release_nb, index)
        save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        expected[student] = points
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    return root, expected


def grade_copy(root: Path, dest: Path, workers: int) -> dict[str, float]:
    from autograder.grade import grade_assignment

    shutil.copytree(root, dest)
    sandbox = "bwrap" if bwrap_works() else "none"
    summary = grade_assignment(
        ASSIGNMENT, root=dest, workers=workers, sandbox=sandbox, limits=LIMITS
    )
    assert len(summary.of("graded")) == STUDENTS, "\n".join(summary.lines())
    with Gradebook(db_url(dest), COURSE_ID) as gb:
        submissions = gb.find_assignment(ASSIGNMENT).submissions
        recorded = {s.student.id: s.score for s in submissions}
    assert len(submissions) == STUDENTS  # each exactly once
    assert {o.student: o.score for o in summary.outcomes} == recorded
    assert len(list((dest / "autograded").glob(f"*/{ASSIGNMENT}"))) == STUDENTS
    return recorded


def test_many_workers_give_exactly_the_scores_of_one(
    load_class: tuple[Path, dict], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root, expected = load_class
    caplog.set_level(logging.WARNING)
    parallel = grade_copy(root, tmp_path / "four", workers=4)
    serial = grade_copy(root, tmp_path / "one", workers=1)
    assert parallel == serial
    assert parallel == expected
    assert sum(expected.values()) > 0 and min(expected.values()) == 0  # a real mix of scores
    problems = [r.getMessage() for r in caplog.records if "lock" in r.getMessage().lower()]
    assert not problems, problems
