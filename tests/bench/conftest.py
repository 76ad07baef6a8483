"""Small, hand-written benchmark results (one CPU machine, one GPU machine) for the bench tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def cpu_result() -> dict:
    """A 2-core CPU machine with two chapters, set-up and grading measured."""
    return load("cpu-2core")


@pytest.fixture
def gpu_result() -> dict:
    """A GPU machine with chapter 1 on the CPU and on CUDA, no set-up, grading at 16 workers."""
    return load("nvidia-h100")
