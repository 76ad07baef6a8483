"""bench/run.py: merging with earlier results, writing the files, refusing unknown parts."""

from __future__ import annotations

import json

import pytest

from bench.run import PARTS, main, merge, write_results


def test_merge_keeps_parts_not_run_and_replaces_chapters_one_by_one(cpu_result):
    new = {
        "label": "cpu-2core",
        "machine": {**cpu_result["machine"], "date": "2026-02-01 09:00 UTC"},
        "chapters": {"cpu": {"01_neurons": {"seconds": 10.0}}, "cuda": {"01_neurons": {"x": 1}}},
        "setup": None,
        "grading": {"rows": []},
        "probe_seconds": None,
        "commands": ["2026-02-01 09:00 UTC: bench/run.py --parts chapters,grading"],
    }
    merged = merge(cpu_result, new)
    assert merged["machine"]["date"] == "2026-02-01 09:00 UTC"
    assert merged["setup"] == cpu_result["setup"]  # not run this time: kept
    assert merged["probe_seconds"] == 0.05  # measured with the chapters, which kept theirs
    assert merged["grading"] == {"rows": []}  # run this time: replaced
    assert merged["chapters"]["cpu"]["01_neurons"] == {"seconds": 10.0}
    assert merged["chapters"]["cpu"]["02_gradient_descent"]["seconds"] == 130.0
    assert merged["chapters"]["cuda"] == {"01_neurons": {"x": 1}}
    assert merged["commands"] == [
        "2026-01-02 10:00 UTC: bench/run.py",
        "2026-02-01 09:00 UTC: bench/run.py --parts chapters,grading",
    ]
    assert cpu_result["chapters"]["cpu"]["01_neurons"]["seconds"] == 18.4  # input left alone


def test_write_results_writes_sorted_json_and_markdown(tmp_path, cpu_result):
    path = write_results(cpu_result, ["01_neurons", "02_gradient_descent"], folder=tmp_path)
    assert path == tmp_path / "cpu-2core.json"
    assert json.loads(path.read_text()) == cpu_result
    assert path.read_text().startswith('{\n  "budgets"')  # keys sorted: stable diffs
    markdown = (tmp_path / "cpu-2core.md").read_text()
    assert markdown.startswith("# Benchmark results: cpu-2core")


def test_unknown_part_is_refused():
    with pytest.raises(SystemExit, match="unknown parts: timing"):
        main(["--parts", "timing"])
    assert PARTS == ("chapters", "setup", "grading")
