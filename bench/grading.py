"""Benchmark: grade the same class with `nbgrader autograde` and with `autograder grade`.

    .venv/bin/python bench/grading.py [--chapter 01_neurons] [--students 40] [--no-nbgrader]

Builds a scratch course holding one chapter (a chapter of this repository, or the tiny 00_demo
chapter of the tests), submits the instructor's solution as every student's notebook, and grades
the class with nbgrader's serial autograde, then with ``grade --workers 1`` and ``--workers 2``
(sandboxed with bubblewrap where it works). Prints submissions per minute for each, the speed-ups,
and the per-submission overhead (kernel start, imports, teardown) measured on an empty notebook.
Not a test: numbers go into the README's benchmark table.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.grade import grade_assignment  # noqa: E402
from autograder.gradebook import db_url, ensure_assignment  # noqa: E402
from autograder.runner import run_task  # noqa: E402
from autograder.sandbox import Limits, resolve_mode  # noqa: E402


def make_course(root: Path, chapter: str) -> None:
    """A course directory with one chapter (source and release) and its gradebook."""
    if chapter == "00_demo":
        from autograder.release import write_release
        from tests.autograder.chapter import make_course as make_demo

        make_demo(root)
        write_release(root)
    else:
        root.mkdir(parents=True)
        shutil.copyfile(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        for part in ("source", "release"):
            shutil.copytree(REPO / part / chapter, root / part / chapter)
    ensure_assignment(root, db_url(root), chapter)


def submit(root: Path, chapter: str, students: int) -> None:
    """Every student hands in the instructor's notebook (solutions in, so every test runs)."""
    notebook = root / "source" / chapter / f"{chapter}.ipynb"
    for index in range(students):
        folder = root / "submitted" / f"student{index:03d}" / chapter
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / notebook.name)


def clone(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest)
    return dest


def time_nbgrader(root: Path, chapter: str) -> float:
    env_bin = str(Path(sys.executable).parent)
    start = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", chapter, "--log-level=ERROR"],
        cwd=root,
        env={"PATH": f"{env_bin}:/usr/bin:/bin", "HOME": str(root), "MPLBACKEND": "Agg"},
        check=True,
        capture_output=True,
    )
    return time.monotonic() - start


def overhead(sandbox: str, repeats: int = 3) -> float:
    """Seconds to start a kernel, import torch (as every chapter does), run nothing, tear down."""
    nb = new_notebook(cells=[new_code_cell("import torch")])
    task = {
        "key": "empty",
        "notebook": nbformat.writes(nb),
        "files": {},
        "sandbox": sandbox,
        "limits": Limits().to_dict(),
    }
    times = [run_task(task)["seconds"] for _ in range(repeats)]
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="00_demo")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader's autograde")
    args = parser.parse_args()
    sandbox = resolve_mode("auto")
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        template = Path(scratch) / "template"
        make_course(template, args.chapter)
        submit(template, args.chapter, args.students)
        if not args.no_nbgrader:
            seconds = time_nbgrader(clone(template, Path(scratch) / "nbgrader"), args.chapter)
            rates["nbgrader autograde"] = 60 * args.students / seconds
            print(f"nbgrader autograde: {seconds:.1f} s", flush=True)
        scores = {}
        for workers in (1, 2):
            root = clone(template, Path(scratch) / f"workers{workers}")
            summary = grade_assignment(
                args.chapter, root=root, workers=workers, sandbox=sandbox, progress=True
            )
            assert len(summary.of("graded")) == args.students, summary.lines()
            rates[f"autograder grade --workers {workers}"] = summary.per_minute
            scores[workers] = {o.student: o.score for o in summary.outcomes}
            print(f"--workers {workers}: {summary.seconds:.1f} s", flush=True)
        same = "yes" if scores[1] == scores[2] else "NO"
    print(f"\nchapter {args.chapter}, {args.students} submissions, sandbox: {sandbox}")
    print(f"same scores with 1 and 2 workers: {same}")
    print("| grader | submissions per minute |")
    print("| --- | ---: |")
    for name, rate in rates.items():
        print(f"| {name} | {rate:.1f} |")
    base = rates.get("nbgrader autograde")
    if base:
        for workers in (1, 2):
            ratio = rates[f"autograder grade --workers {workers}"] / base
            print(f"speed-up over nbgrader, --workers {workers}: {ratio:.2f}x")
    print(
        f"per-submission overhead (kernel start + import torch + teardown): "
        f"{overhead(sandbox):.2f} s with sandbox {sandbox}, {overhead('none'):.2f} s without"
    )


if __name__ == "__main__":
    main()
