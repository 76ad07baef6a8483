"""Suite-wide pytest configuration: the `gpu` marker, a table of measured chapter times, and the
scale of the hang guards in the report header.

Tests assert correctness only, never speed: times are recorded (``record_timing``) and printed at
the end, budgets are checked by ``make bench``, and every time-out is a hang guard scaled by
$COURSE_TEST_TIMEOUT_SCALE (see tests/timeouts.py; raise it on a busy machine).
"""

from __future__ import annotations

import os

import pytest

from tests.timeouts import SCALE, SCALE_VARIABLE

os.environ.setdefault("MPLBACKEND", "Agg")


def accelerator() -> str | None:
    """'cuda' or 'mps' when this machine has one, else None."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return None


def pytest_report_header(config):
    return f"hang guards (time-outs) scaled by {SCALE:g} (${SCALE_VARIABLE} to change)"


def pytest_collection_modifyitems(config, items):
    if accelerator() is not None:
        return
    skip = pytest.mark.skip(
        reason="needs a GPU (CUDA or Apple MPS); none is present on this machine"
    )
    for item in items:
        if item.get_closest_marker("gpu") is not None:
            item.add_marker(skip)


TIMINGS: list[tuple[str, str, float]] = []


@pytest.fixture
def record_timing(record_property):
    """Record (what, where, seconds) for the summary printed at the end of the run.

    Stored as a user property so that it travels from pytest-xdist workers to the controller.
    """

    def record(what: str, where: str, seconds: float) -> None:
        record_property("timing", (what, where, round(seconds, 2)))

    return record


def pytest_runtest_logreport(report):
    if report.when == "call":
        TIMINGS.extend(tuple(value) for name, value in report.user_properties if name == "timing")


def pytest_terminal_summary(terminalreporter):
    if not TIMINGS:
        return
    terminalreporter.section("measured times")
    for what, where, seconds in sorted(TIMINGS):
        terminalreporter.write_line(f"{what:<40} {where:<6} {seconds:7.1f} s")


@pytest.fixture(scope="session")
def demo_term(tmp_path_factory):
    """The graded demo term of tests/demo_term.py and what it printed; read it, never change it
    (copy it first, as the formgrader test does)."""
    from tests.demo_term import build

    return build(tmp_path_factory.mktemp("demo") / "term")
