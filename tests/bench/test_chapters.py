"""Measuring a chapter run: cell timings from nbclient's metadata, longest cell, errors, memory."""

from __future__ import annotations

import subprocess
import sys

from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from bench.chapters import (
    PeakMemory,
    budget_note,
    cell_seconds,
    error_cells,
    first_line,
    longest_cell,
)


def timed(source: str, start: str, end: str):
    cell = new_code_cell(source)
    cell.metadata["execution"] = {"iopub.execute_input": start, "shell.execute_reply": end}
    return cell


def test_cell_seconds_from_timestamps():
    cell = timed("x = 1", "2026-01-01T10:00:00.250000Z", "2026-01-01T10:00:02.000000Z")
    assert cell_seconds(cell) == 1.75
    assert cell_seconds(new_code_cell("never run")) == 0.0


def test_first_line_skips_blanks_and_comments_and_shortens():
    assert first_line("\n# a comment\n  model = fit(x)\nmore") == "model = fit(x)"
    long = first_line("y = " + "a" * 100, width=20)
    assert len(long) == 20 and long.endswith("…")
    assert first_line("ab  cdef", width=5) == "ab…"
    assert first_line("# only a comment") == ""


def test_longest_cell_and_errors():
    cells = [
        new_markdown_cell("text"),
        timed("fast()", "2026-01-01T10:00:00Z", "2026-01-01T10:00:01Z"),
        timed("# train\nslow()", "2026-01-01T10:00:01Z", "2026-01-01T10:00:05.5Z"),
    ]
    assert longest_cell(cells) == {"index": 2, "first_line": "slow()", "seconds": 4.5}
    assert error_cells(cells) == []
    cells[1].outputs = [new_output("error", ename="ValueError", evalue="bad", traceback=[])]
    assert error_cells(cells) == [1]


def test_peak_memory_sees_a_child_process():
    # Writing one byte per page makes the 200 MB resident (a fresh bytearray is not yet).
    allocate = (
        "import time; block = bytearray(200 * 2**20); "
        "block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"
    )
    with PeakMemory(interval=0.05) as memory:
        subprocess.run([sys.executable, "-c", allocate], check=True)
    assert memory.peak_bytes >= 200 * 2**20
    with PeakMemory(interval=0.05) as idle:
        pass
    assert idle.peak_bytes < 200 * 2**20


def test_budget_note_reports_each_chapter_against_its_own_budget():
    assert budget_note("01_neurons", 119.6) == "(budget 120 s)"
    assert budget_note("01_neurons", 121.0) == "(budget 120 s, OVER BUDGET)"
    assert budget_note("02_gradient_descent", 121.0) == "(budget 180 s)"
