"""Rendering of the benchmark tables from a small results fixture."""

from __future__ import annotations

import pytest

from bench.report import (
    NOT_MEASURED,
    code,
    device_table,
    fmt_memory,
    fmt_seconds,
    fmt_train_time,
    fmt_value,
    grading_lines,
    performance_table,
    quality_table,
    render_result,
    setup_lines,
    table,
)

CHAPTERS = ["01_neurons", "02_gradient_descent", "03_backprop"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4.25, "4.2 s"), (18.4, "18 s"), (119.4, "119 s"), (125.0, "2 min 5 s"), (180.0, "3 min")],
)
def test_fmt_seconds(seconds, text):
    assert fmt_seconds(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.0, "0"), (0.0005, "0.5 ms"), (0.25, "250 ms"), (1.53, "1.5 s")]
)
def test_fmt_train_time(seconds, text):
    assert fmt_train_time(seconds) == text


def test_fmt_value_and_memory():
    assert fmt_value(0.96667, "test accuracy") == "0.967"
    assert fmt_value(2900.5, "test MSE") == "2900"
    assert fmt_value(0.071234, "validation MSE") == "0.0712"
    assert fmt_memory(512.0) == "512 MB"
    assert fmt_memory(1536.0) == "1.5 GB"


def test_code_escapes_pipes_and_backticks():
    assert code("a | b `c`") == "`a \\| b 'c'`"


def test_table_alignment():
    assert table(["a", "b"], [["1", "2"]], right={1}) == [
        "| a | b |",
        "| --- | ---: |",
        "| 1 | 2 |",
    ]


def test_performance_table_without_gpu(cpu_result):
    lines = performance_table(CHAPTERS, cpu_result, None)
    assert lines[0] == (
        "| chapter | CPU time | CPU budget | GPU time | peak memory (CPU) | longest cell (CPU) |"
    )
    assert lines[2] == (
        f"| 01_neurons | 18 s | 2 min | {NOT_MEASURED} | 512 MB | "
        "3.2 s: cell 71, `runs = {(w, d): f(w, d) \\| x}` |"
    )
    assert lines[3].startswith("| 02_gradient_descent | 2 min 10 s | 3 min |")
    assert lines[4] == (
        f"| 03_backprop | {NOT_MEASURED} | 3 min | {NOT_MEASURED} | {NOT_MEASURED} "
        f"| {NOT_MEASURED} |"
    )
    assert lines[-1] == (
        f"| **whole course** | **2 min 28 s** | 15 min | **{NOT_MEASURED}** |  |  |"
    )


def test_performance_table_flags_each_chapter_over_its_budget(cpu_result):
    chapters = cpu_result["chapters"]["cpu"]
    chapters["01_neurons"]["seconds"] = 125.0  # over its 2 minutes
    chapters["02_gradient_descent"]["seconds"] = 170.0  # within its 3 minutes
    lines = performance_table(CHAPTERS, cpu_result, None)
    assert lines[2].startswith("| 01_neurons | 2 min 5 s | 2 min: **OVER** |")
    assert lines[3].startswith("| 02_gradient_descent | 2 min 50 s | 3 min |")
    for index in range(7):  # the course over its 15 minutes
        chapters[f"9{index}_copy"] = dict(chapters["02_gradient_descent"])
    assert performance_table(CHAPTERS, cpu_result, None)[-1].startswith(
        "| **whole course** | **24 min 45 s** | 15 min: **OVER** |"
    )


def test_performance_table_with_gpu(cpu_result, gpu_result):
    lines = performance_table(CHAPTERS, cpu_result, gpu_result)
    assert lines[2].startswith("| 01_neurons | 18 s | 2 min | 7.2 s | 512 MB |")
    assert lines[3].startswith(f"| 02_gradient_descent | 2 min 10 s | 3 min | {NOT_MEASURED} |")
    assert lines[-1] == "| **whole course** | **2 min 28 s** | 15 min | **7.2 s** |  |  |"


def test_quality_table_pairs_each_network_with_the_best_baseline(cpu_result):
    lines = quality_table(CHAPTERS, cpu_result)
    assert lines[2] == (
        "| 01 | moons | test accuracy | MLP | 0.967 | 1.5 s | RBF SVC | 0.950 | 4.0 ms |"
    )
    # Lower is better for an MSE: LinearRegression (2900) beats SGDRegressor (3100).
    assert lines[3] == (
        "| 02 | diabetes | test MSE | your gradient descent | 2950 | 250 ms | "
        "scikit-learn LinearRegression | 2900 | 0.5 ms |"
    )
    assert len(lines) == 4


def test_quality_table_without_baseline(cpu_result):
    quality = cpu_result["chapters"]["cpu"]["01_neurons"]["quality"]
    quality[:] = [r for r in quality if r["kind"] == "network"]
    assert quality_table(["01_neurons"], cpu_result)[2].endswith("| — | — | — |")


def test_setup_and_grading_lines(cpu_result, gpu_result):
    (setup,) = setup_lines(cpu_result)
    assert "**78 s** (venv 4.4 s, upgrade pip 2.5 s, install 71 s, kernel 0.3 s)" in setup
    assert "**1.7 GB** on disk, with pip's cache" in setup
    assert setup_lines(gpu_result) == [
        f"Set-up: {NOT_MEASURED} (run `bench/run.py` without `--skip-setup`)."
    ]
    lines = grading_lines(cpu_result)
    assert "| autograder grade --workers | 2 | 6.0 | 2.00x | — |" in lines
    assert "| nbgrader autograde | 1 | 3.0 | 1.00x | — |" in lines
    assert not any("canaries" in line for line in lines[3:])  # results from before canaries
    assert "| autograder grade --workers | 16 | 20.0 | — | — |" in grading_lines(gpu_result)
    row = cpu_result["grading"]["rows"][-1]
    row.update(canary_seconds=10.0, per_minute_without_canaries=8.0)
    lines = grading_lines(cpu_result)
    assert "| autograder grade --workers | 2 | 6.0 | 2.00x | 8.0 |" in lines
    assert any(line.startswith("The rates of `grade` include its canaries") for line in lines)


def test_device_table_and_whole_result(cpu_result, gpu_result):
    lines = device_table(CHAPTERS, gpu_result, "cuda")
    assert lines[0] == "| chapter | wall time | budget | peak memory | longest cell | score |"
    assert lines[2] == (
        "| 01_neurons | 7.2 s | 2 min | 2.1 GB (GPU 300 MB) | 2.0 s: cell 4, `import math` "
        "| 14/14 |"
    )
    gpu_result["chapters"]["cuda"]["01_neurons"]["seconds"] = 130.0
    assert device_table(CHAPTERS, gpu_result, "cuda")[2].startswith(
        "| 01_neurons | 2 min 10 s | 2 min: **OVER** |"
    )
    text = render_result(cpu_result, CHAPTERS)
    assert text.startswith("# Benchmark results: cpu-2core\n")
    assert "Commands: `bench/run.py` (2026-01-02 10:00 UTC)." in text
    assert "## Chapters on cpu" in text and "## Chapters on cuda" not in text
    assert "all met." in text
    assert "(each chapter 3 min or less, 01_neurons 2 min, the course 15 min or less" in text
    cpu_result["budgets"]["problems"] = ["OVER BUDGET: x"]
    assert "- OVER BUDGET: x" in render_result(cpu_result, CHAPTERS)
