"""Tests for course.timings: the packaged chapter times, the speed probe and the estimates."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from autograder.paths import assignments
from course import timings
from course.timings import (
    ChapterTimes,
    estimate_seconds,
    format_seconds,
    load_chapter_times,
    speed_probe,
    speed_ratio,
)

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "times.json"
    path.write_text(json.dumps(data))
    return path


def test_packaged_file_lists_every_graded_chapter():
    times = load_chapter_times()
    assert times.device == "cpu" and times.reference
    assert set(times.seconds) == set(assignments()), "chapter_times.json misses or adds chapters"


def test_times_file_is_shipped_as_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    data = config["tool"]["setuptools"]["package-data"]["course"]
    assert timings.TIMES_FILE.name in data
    assert timings.TIMES_FILE.parent == REPO / "course"


@pytest.mark.parametrize(
    "data, problem",
    [
        ([1, 2], "JSON object"),
        ({"reference": "x", "device": "cpu", "seconds": {"01_a": -1}}, "positive"),
        ({"reference": "x", "device": "cpu", "seconds": {"01_a": True}}, "positive"),
        ({"device": "cpu", "seconds": {}}, "'reference'"),
        ({"reference": "x", "device": "cpu", "seconds": {}, "probe_seconds": 0}, "probe"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(tmp_path, data, problem):
    with pytest.raises(ValueError, match=problem):
        load_chapter_times(write(tmp_path, data))


def test_broken_json_names_the_file(tmp_path):
    path = tmp_path / "times.json"
    path.write_text('{"reference": ')
    with pytest.raises(ValueError, match="times.json: not valid JSON"):
        load_chapter_times(path)


def test_probe_is_positive_short_and_restores_the_thread_count():
    import torch

    threads = torch.get_num_threads()
    seconds = speed_probe(repeats=1)
    assert 0 < seconds < 5
    assert torch.get_num_threads() == threads


def test_estimates_scale_with_the_probe_and_are_clamped():
    times = ChapterTimes("ref", "cpu", {"01_a": 10.0, "02_b": 30.0}, probe_seconds=0.1)
    assert estimate_seconds(times, 0.2) == pytest.approx({"01_a": 20.0, "02_b": 60.0})
    assert estimate_seconds(times, 0.05) == pytest.approx({"01_a": 5.0, "02_b": 15.0})
    assert speed_ratio(times, 100.0) == timings.MAX_RATIO
    assert speed_ratio(times, 1e-6) == timings.MIN_RATIO


def test_no_scaling_without_a_cpu_reference_probe():
    unprobed = ChapterTimes("ref", "cpu", {"01_a": 10.0})
    gpu = ChapterTimes("ref", "cuda", {"01_a": 10.0}, probe_seconds=0.1)
    for times in (unprobed, gpu):
        assert speed_ratio(times, 0.3) is None
        assert estimate_seconds(times, 0.3) == {"01_a": 10.0}
    assert estimate_seconds(gpu, None) == {"01_a": 10.0}


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0.2, "1 s"),
        (8.4, "8 s"),
        (59.4, "59 s"),
        (61, "1 min"),
        (130, "2 min 10 s"),
        (599, "10 min"),
    ],
)
def test_durations_read_naturally(seconds, text):
    assert format_seconds(seconds) == text
