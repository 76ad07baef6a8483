"""Run each chapter top to bottom, solutions in, and measure what it costs.

For each chapter: a scratch copy of its source folder, a fresh kernel (the grader's own, from
``autograder.execute``) on the device asked for, every cell in order. Measured: the wall time
(kernel start to shutdown), the peak memory of the kernel's process tree, the longest cell, and
the score the grader gives (full marks expected, so a broken chapter cannot pass as fast). One
extra trusted cell at the end reads the chapter's training results (see ``bench.specs``) and, on a
CUDA GPU, the most GPU memory PyTorch allocated.

    .venv/bin/python bench/chapters.py [--device cpu] [01_neurons ...]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from autograder.execute import execute  # noqa: E402
from autograder.grading import grade_notebook  # noqa: E402
from autograder.judging import load_judges  # noqa: E402
from autograder.notebook import read_notebook  # noqa: E402
from autograder.paths import assignments, source_notebook  # noqa: E402
from autograder.probing import apply_verdicts, new_seed, prepare  # noqa: E402
from bench.budgets import chapter_budget, over_budget  # noqa: E402
from bench.specs import parse_quality, quality_cell  # noqa: E402

MEMORY_NOTE = (
    "peak resident memory (RSS) of the kernel and every process it started, summed, "
    "sampled every 0.1 s"
)
SAMPLE_SECONDS = 0.1


class PeakMemory:
    """Tracks the largest total RSS of this process's descendants (the kernel and its children)
    in a background thread: the kernel is the only child while a chapter runs."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _sample(self) -> int:
        total = 0
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def kernel_environment(device: str) -> Iterator[None]:
    """COURSE_DEVICE for the kernel, and matplotlib's default (inline) backend, as in JupyterLab."""
    saved = {key: os.environ.get(key) for key in ("COURSE_DEVICE", "MPLBACKEND")}
    os.environ["COURSE_DEVICE"] = device
    os.environ.pop("MPLBACKEND", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def cell_seconds(cell: NotebookNode) -> float:
    """How long a cell ran, from the timestamps nbclient records in its metadata (0 if none)."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = datetime.datetime.fromisoformat
    return max(0.0, (parse(end) - parse(start)).total_seconds())


def first_line(source: str, width: int = 60) -> str:
    """The first line of a cell that is not blank or a comment, shortened to ``width``."""
    lines = [line.strip() for line in source.splitlines()]
    text = next((line for line in lines if line and not line.startswith("#")), "")
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def longest_cell(cells: list[NotebookNode]) -> dict:
    """Index (in the notebook), first line and seconds of the slowest code cell."""
    timed = [(cell_seconds(c), i, c) for i, c in enumerate(cells) if c.cell_type == "code"]
    seconds, index, cell = max(timed, key=lambda t: t[0])
    return {"index": index, "first_line": first_line(cell.source), "seconds": round(seconds, 2)}


def error_cells(cells: list[NotebookNode]) -> list[int]:
    """Indices of code cells whose outputs hold an error."""
    return [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.outputs)
    ]


def run_chapter(chapter: str, device: str = "cpu", root: Path = REPO) -> dict:
    """Execute one chapter's source notebook and return its measurements (see module docstring)."""
    notebook = source_notebook(chapter, root)
    source = read_notebook(notebook)
    # As the grader runs it: judge cells out, test cells cut to their probes, a fresh probe seed.
    judges = load_judges(source)
    seed = new_seed()
    nb = prepare(source, seed)
    n_cells = len(nb.cells)
    spec = quality_cell(chapter)
    if spec is not None:
        nb.cells.append(new_code_cell(spec))
    with tempfile.TemporaryDirectory(prefix=f"bench-{chapter}-") as scratch:
        workdir = Path(scratch) / chapter
        shutil.copytree(notebook.parent, workdir)
        with kernel_environment(device), PeakMemory() as memory:
            start = time.perf_counter()
            executed = execute(nb, workdir)
            wall = time.perf_counter() - start
    cells, extra = executed.cells[:n_cells], executed.cells[n_cells:]
    extra_seconds = sum(cell_seconds(c) for c in extra)
    quality = {"rows": [], "error": "no spec in bench/specs.py", "gpu_memory_mb": None}
    if extra:
        text = "".join(
            o.get("text", "") for o in extra[0].outputs if o.get("output_type") == "stream"
        )
        quality = parse_quality(text)
    executed.cells = cells
    executed = apply_verdicts(executed, source, judges, seed)
    cells = executed.cells
    report = grade_notebook(executed, chapter)
    return {
        "device": device,
        "seconds": round(wall - extra_seconds, 2),
        "peak_memory_mb": round(memory.peak_bytes / 2**20, 1),
        "gpu_peak_memory_mb": quality["gpu_memory_mb"],
        "longest_cell": longest_cell(cells),
        "code_cells": sum(c.cell_type == "code" for c in cells),
        "error_cells": error_cells(cells),
        "score": report.score,
        "max_score": report.max_score,
        "quality": quality["rows"],
        "quality_error": quality["error"],
    }


def budget_note(chapter: str, seconds: float) -> str:
    """A chapter's time against its budget, for the progress lines: "(budget 120 s)", or with
    ", OVER BUDGET" inside the parentheses when it took longer."""
    over = ", OVER BUDGET" if over_budget(chapter, seconds) else ""
    return f"(budget {chapter_budget(chapter)} s{over})"


def run_chapters(chapters: list[str], device: str = "cpu", root: Path = REPO) -> dict[str, dict]:
    """Measure chapters one after another (never in parallel: they would slow each other)."""
    results = {}
    for chapter in chapters:
        print(f"[chapters] {chapter} on {device} ...", flush=True)
        results[chapter] = result = run_chapter(chapter, device, root)
        cell = result["longest_cell"]
        print(
            f"[chapters] {chapter}: {result['seconds']:.1f} s "
            f"{budget_note(chapter, result['seconds'])}, "
            f"peak {result['peak_memory_mb']:.0f} MB, "
            f"longest cell {cell['index']} ({cell['seconds']:.1f} s), score "
            f"{result['score']:g}/{result['max_score']:g}, {len(result['quality'])} quality rows"
            + (f", quality error: {result['quality_error']}" if result["quality_error"] else ""),
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or mps")
    args = parser.parse_args()
    results = run_chapters(args.chapters or assignments(REPO), args.device)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
