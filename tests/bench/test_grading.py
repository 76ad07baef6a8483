"""The grading benchmark's report and its worker counts (the grading itself is too slow here)."""

from __future__ import annotations

import os

from bench.grading import _row, grading_lines, worker_counts


def test_worker_counts_are_one_two_and_all_cores():
    counts = worker_counts()
    assert counts == sorted(set(counts))
    assert counts[:2] == [1, 2] and counts[-1] == max(2, os.cpu_count() or 1)


def test_row_rate():
    assert _row("autograder grade", 2, 30.0, 4) == {
        "grader": "autograder grade",
        "workers": 2,
        "seconds": 30.0,
        "per_minute": 8.0,
    }
    with_canaries = _row("autograder grade", 2, 40.0, 4, canaries=10.0)
    assert with_canaries["per_minute"] == 6.0
    assert with_canaries["canary_seconds"] == 10.0
    assert with_canaries["per_minute_without_canaries"] == 8.0


def test_grading_lines(cpu_result):
    lines = grading_lines(cpu_result["grading"])
    assert lines[0] == "chapter 01_neurons, 4 submissions, sandbox: bwrap"
    assert "| autograder grade | 2 | 40.0 | 0.0 | 6.0 |" in lines
    assert "speed-up over nbgrader, --workers 2: 2.00x" in lines
    assert lines[-1].endswith("2.50 s with sandbox bwrap, 2.00 s without")
