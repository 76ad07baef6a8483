"""Machine description and the label of its results file."""

from __future__ import annotations

import os

from bench.machine import describe_machine, machine_label, summary


def test_describe_this_machine():
    machine = describe_machine()
    assert machine["cores"] == os.cpu_count()
    assert machine["memory_gb"] > 0
    assert machine["python"].startswith("3.")
    assert machine["date"].endswith("UTC")
    assert set(machine) == {"cpu", "cores", "memory_gb", "gpu", "os", "python", "torch", "date"}


def test_labels(cpu_result, gpu_result):
    assert machine_label(cpu_result["machine"]) == "cpu-2core"
    assert machine_label(gpu_result["machine"]) == "nvidia-h100"


def test_summary_names_cpu_gpu_and_versions(cpu_result, gpu_result):
    assert summary(cpu_result["machine"]) == (
        "Test CPU, 2 cores, 8 GB RAM, no GPU; Linux, Python 3.11.7, torch 2.13.0; "
        "2026-01-02 10:00 UTC"
    )
    assert "GPU NVIDIA H100 (79.2 GB)" in summary(gpu_result["machine"])
