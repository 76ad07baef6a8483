"""Each chapter, executed for real through the grader: full marks, and the device.

These run every chapter notebook top to bottom in a fresh kernel, exactly as `python -m autograder
score` does for a student's submission, so they are the slowest tests of the suite. An unanswered
chapter is covered elsewhere without a third run of every notebook: its released notebook runs
top to bottom in test_release_runs.py, each released answer stub earns nothing through its probe
and judge in the harness (test_exercises.py), and whole blank submissions go through `grade` in
the exploit, demo and hub tests. The time each
chapter took is recorded (printed at the end of the run) but never asserted: a busy machine must
not fail the suite. The chapter budgets are checked by `make bench` (bench/budgets.py).
"""

from __future__ import annotations

import os
import time

import pytest

from autograder.grading import grade_notebook
from autograder.notebook import read_notebook
from autograder.paths import assignments, data_contents, source_notebook
from autograder.score import judge_submission, score_notebook
from tests.conftest import accelerator

CHAPTERS = assignments()


def failures(report) -> list[str]:
    return [f"{c.grade_id}: {c.error}" for c in report.cells if c.passed is False]


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_scores_full_marks(chapter, record_timing, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    start = time.perf_counter()
    report = score_notebook(source_notebook(chapter))
    seconds = time.perf_counter() - start
    record_timing(f"{chapter} top to bottom", "cpu", seconds)
    assert not failures(report), failures(report)
    assert report.max_score >= 10
    assert report.score == report.max_score


@pytest.mark.gpu
@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_scores_full_marks_on_the_gpu(chapter, record_timing):
    assert "COURSE_DEVICE" not in os.environ, "unset COURSE_DEVICE to let the course pick the GPU"
    source = read_notebook(source_notebook(chapter))
    start = time.perf_counter()
    executed = judge_submission(source, source, data_contents(chapter))
    seconds = time.perf_counter() - start
    record_timing(f"{chapter} top to bottom", accelerator(), seconds)
    report = grade_notebook(executed, chapter)
    assert not failures(report), failures(report)
    assert report.score == report.max_score
    # The first code cell of every chapter prints course.describe_device().
    first = next(c for c in executed.cells if c.cell_type == "code")
    printed = "".join(o.get("text", "") for o in first.outputs if o.get("output_type") == "stream")
    assert ("CUDA" if accelerator() == "cuda" else "MPS") in printed, printed
