"""Student data never enters the repository: every file an instructor's workflow writes that
holds names, e-mails, submissions or grades is ignored by git (.gitignore), wherever the guide
and the README tell instructors to put it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Paths relative to the course directory (the repository root), as the workflows write them.
STUDENT_DATA = [
    "gradebook.db",  # nbgrader's gradebook: names, e-mails, every score
    "gradebook.db-journal",
    "gradebook.db-wal",
    "roster.csv",  # `nbgrader db student import roster.csv` (README, instructor guide)
    "class-roster.csv",
    "grades.csv",  # `nbgrader export`
    "term-grades.csv",  # `nbgrader export --to term-grades.csv`
    "students.csv",
    "reports/01_neurons.csv",  # `python -m autograder report`
    "reports/01_neurons_scores.png",
    "submitted/s001/01_neurons/01_neurons.ipynb",
    "submitted/s001/01_neurons/timestamp.txt",
    "autograded/s001/01_neurons/autograder.json",
    "feedback/s001/01_neurons/01_neurons.html",
    "downloaded/01_neurons/archive/submissions.zip",  # zip_collect
    "downloaded/01_neurons/roster.csv",  # the learning platform's roster
    "downloaded/01_neurons/extracted/Ada Lovelace_123_assignsubmission_file_01_neurons.ipynb",
    "exchange/course/inbound/s001+01_neurons+2026-01-01/01_neurons.ipynb",  # nbgrader exchange
    "workspace/01_neurons/01_neurons.ipynb",  # a student's own work
    "demo/grades.csv",  # `python -m autograder demo`
    "nbgrader.log",
]


def ignored(paths: list[str]) -> set[str]:
    """The paths git ignores in this repository (whether or not they exist)."""
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=REPO,
        input="\n".join(paths),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        pytest.skip(f"git check-ignore failed: {done.stderr.strip()}")
    return set(done.stdout.split("\n")) - {""}


@pytest.mark.parametrize("path", STUDENT_DATA)
def test_student_data_is_ignored(path: str) -> None:
    assert path in ignored([path]), f"{path} holds student data and must be git-ignored"


def test_course_files_are_not_ignored() -> None:
    """The rules are narrow: the course's own files stay tracked."""
    course = [
        "source/01_neurons/01_neurons.ipynb",
        "release/01_neurons/01_neurons.ipynb",
        "bench/results/cpu-2core.json",
        "course/chapter_times.json",
        "tests/bench/fixtures/cpu-2core.json",
        "nbgrader_config.py",
        "docs/instructor-guide.md",
    ]
    assert ignored(course) == set()


def test_no_student_data_is_tracked() -> None:
    """Nothing already committed matches the student-data rules (git ls-files -ci)."""
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--ignored", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"not a git checkout: {done.stderr.strip()}")
    assert done.stdout.split() == []
