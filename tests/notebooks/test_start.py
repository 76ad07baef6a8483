"""The 00_start notebook runs top to bottom on the CPU and tells the student what they need."""

from __future__ import annotations

import base64
import time

import pytest
from nbformat import NotebookNode

from autograder.execute import execute
from autograder.notebook import read_notebook
from autograder.paths import assignments, course_root
from course.device import describe_device, get_device

START = course_root() / "release" / "00_start" / "00_start.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[NotebookNode, float]:
    """The released 00_start, executed on the CPU in a fresh kernel, and the time it took."""
    mp = pytest.MonkeyPatch()
    mp.setenv("COURSE_DEVICE", "cpu")
    mp.delenv("MPLBACKEND", raising=False)  # the suite's Agg would swallow the inline figure
    get_device.cache_clear()
    try:
        start = time.perf_counter()
        nb = execute(read_notebook(START), tmp_path_factory.mktemp("start"))
        return nb, time.perf_counter() - start
    finally:
        mp.undo()
        get_device.cache_clear()


def printed(nb: NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )


@pytest.mark.slow
def test_start_runs_without_errors_or_stderr(executed, record_timing):
    nb, seconds = executed
    record_timing("00_start top to bottom", "cpu", seconds)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        bad = [o for o in cell.outputs if o.output_type == "error" or o.get("name") == "stderr"]
        assert not bad, f"cell {cell.id} failed or wrote to stderr: {bad}"


@pytest.mark.slow
def test_start_says_device_versions_and_kernel_in_plain_words(executed):
    text = printed(executed[0])
    assert describe_device("cpu") in text
    for package in ("torch", "numpy", "scikit-learn", "matplotlib", "nbgrader"):
        assert f"\n{package} " in text, f"no version line for {package}"
    # In the course's own environment nothing needs fixing (the suite runs from `make setup`).
    assert "Kernel: the course kernel" in text
    assert "Everything the course needs is in place." in text


@pytest.mark.slow
def test_start_estimates_every_chapter_and_draws_them(executed):
    nb = executed[0]
    text = printed(nb)
    table = text[text.index("here (estimate)") :]
    for chapter in assignments():
        assert chapter in table, f"no time estimate for {chapter}"
    images = [
        base64.b64decode(o.data["image/png"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) == 1 and images[0].startswith(b"\x89PNG")
