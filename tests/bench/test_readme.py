"""README generation: only the marked regions change, it is idempotent, and the committed README
and chapter-times file are exactly what bench/readme.py renders from the committed results."""

from __future__ import annotations

import json

import pytest

from bench import readme
from bench.readme import (
    MissingMarkers,
    chapter_table,
    chapter_times,
    load_results,
    pick_cpu,
    pick_gpu,
    read_region,
    render,
    times_text,
    update_readme,
)
from course.timings import load_chapter_times

TEXT = """# Title

Intro with <!-- a comment --> kept.

<!-- chapter-table:start -->
| old | table |
<!-- chapter-table:end -->

Middle paragraph.

<!-- bench:start -->
<!-- bench:end -->

Tail.
"""


def outside(text: str) -> str:
    """The text with both regions' contents removed."""
    for name in ("chapter-table", "bench"):
        text = text.replace(read_region(text, name), "")
    return text


def test_update_touches_only_the_regions_and_is_idempotent():
    regions = {"chapter-table": "| new | table |\n\nnote", "bench": "perf"}
    once = update_readme(TEXT, regions)
    assert read_region(once, "chapter-table") == "| new | table |\n\nnote"
    assert read_region(once, "bench") == "perf"
    assert outside(once).replace("\n", "") == outside(TEXT).replace("\n", "")
    assert once.startswith("# Title\n\nIntro with <!-- a comment --> kept.\n\n")
    assert once.endswith("<!-- bench:end -->\n\nTail.\n")
    assert update_readme(once, regions) == once


def test_content_with_backslashes_is_inserted_verbatim():
    once = update_readme(TEXT, {"bench": "`a \\| b` \\1"})
    assert read_region(once, "bench") == "`a \\| b` \\1"


def test_missing_markers_are_an_error():
    with pytest.raises(MissingMarkers, match="bench:start"):
        update_readme("no markers here\n", {"bench": "x"})


def test_pick_prefers_the_newest_cpu_only_machine(cpu_result, gpu_result):
    older = json.loads(json.dumps(cpu_result))
    older["machine"]["date"] = "2025-12-01 10:00 UTC"
    assert pick_cpu([older, gpu_result, cpu_result]) is cpu_result
    assert pick_cpu([gpu_result]) is gpu_result  # no CPU-only machine: the GPU machine's CPU run
    assert pick_gpu([cpu_result, gpu_result]) is gpu_result
    assert pick_gpu([cpu_result]) is None


def test_quick_runs_are_not_published(tmp_path, cpu_result):
    (tmp_path / "cpu-2core.json").write_text(json.dumps(cpu_result))
    cpu_result["quick"] = True
    (tmp_path / "cpu-2core-quick.json").write_text(json.dumps(cpu_result))
    assert [r["label"] for r in load_results(tmp_path)] == ["cpu-2core"]


def test_chapter_table_rows(cpu_result, gpu_result):
    chapters = ["01_neurons", "02_gradient_descent"]
    text = chapter_table(chapters, cpu_result, None, readme.REPO)
    rows = text.splitlines()
    assert rows[0].startswith("| # | Chapter | You will build | Exercises (auto + by hand) |")
    assert rows[2].startswith("| 1 | [Neurons and activation functions]")
    assert rows[2].endswith("| 10 + 2 (14 + 4 points) | 18 s | not measured yet |")
    assert "GPU: not measured yet" in text
    with_gpu = chapter_table(chapters, cpu_result, gpu_result, readme.REPO).splitlines()
    assert with_gpu[2].endswith("| 18 s | 7.2 s |")
    assert with_gpu[3].endswith("| 2 min 10 s | not measured yet |")


def test_chapter_times_follow_the_course_format(tmp_path, cpu_result):
    times = chapter_times(["01_neurons", "02_gradient_descent", "03_backprop"], cpu_result)
    path = tmp_path / "chapter_times.json"
    path.write_text(times_text(times))
    loaded = load_chapter_times(path)
    assert loaded.device == "cpu"
    assert loaded.seconds == {"01_neurons": 18.4, "02_gradient_descent": 130.0}
    assert loaded.probe_seconds == 0.05
    assert "Test CPU, 2 cores" in loaded.reference
    assert chapter_times(["01_neurons"], None) is None


def test_committed_readme_and_times_match_the_committed_results():
    regions, times = render(load_results())
    text = readme.README.read_text(encoding="utf-8")
    hint = "stale: run `.venv/bin/python bench/readme.py` (or `make bench`)"
    for name, content in regions.items():
        assert read_region(text, name) == content, f"README region {name} is {hint}"
    assert times is not None, "no CPU results in bench/results/: run `make bench`"
    assert readme.TIMES.read_text(encoding="utf-8") == times_text(times), f"chapter_times {hint}"
    for path, page in readme.result_pages().items():
        assert path.read_text(encoding="utf-8") == page, f"{path.name} is {hint}"
