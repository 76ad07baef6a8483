"""Benchmark: grade the same class with `nbgrader autograde` and with `autograder grade`.

    .venv/bin/python bench/grading.py [--chapter 01_neurons] [--students 40] [--no-nbgrader]

Builds a scratch course holding one chapter (a chapter of this repository, or the tiny 00_demo
chapter of the tests), submits the instructor's solution as every student's notebook, and grades
the class with nbgrader's serial autograde, then with ``grade --workers N`` for 1, 2 and all cores
(sandboxed with bubblewrap where it works). Reports submissions per minute for each, the speed-ups,
and the per-submission overhead (kernel start, imports, teardown) measured on an empty notebook.
``benchmark_grading`` returns the same as data for ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
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
    """A copy of the prepared course, so that every grader starts from the same submissions."""
    shutil.copytree(template, dest)
    return dest


def time_nbgrader(root: Path, chapter: str) -> float:
    """Seconds for ``nbgrader autograde`` of the whole class (serial, as nbgrader does it)."""
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


def worker_counts() -> list[int]:
    """1, 2 and all cores (without repeats: on a 2-core machine all cores is 2)."""
    return sorted({1, 2, os.cpu_count() or 1})


def benchmark_grading(
    chapter: str = "01_neurons",
    students: int = 4,
    workers: list[int] | None = None,
    nbgrader: bool = True,
) -> dict:
    """Grade ``students`` copies of the chapter's solution with each grader; return the rates."""
    sandbox = resolve_mode("auto")
    rows: list[dict] = []
    scores: dict[int, dict[str, float | None]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as scratch:
        template = Path(scratch) / "template"
        make_course(template, chapter)
        submit(template, chapter, students)
        if nbgrader:
            seconds = time_nbgrader(clone(template, Path(scratch) / "nbgrader"), chapter)
            rows.append(_row("nbgrader autograde", 1, seconds, students))
            print(f"[grading] nbgrader autograde: {seconds:.1f} s", flush=True)
        for count in workers or worker_counts():
            root = clone(template, Path(scratch) / f"workers{count}")
            summary = grade_assignment(chapter, root=root, workers=count, sandbox=sandbox)
            if len(summary.of("graded")) != students:
                raise RuntimeError("\n".join(summary.lines()))
            rows.append(
                _row("autograder grade", count, summary.seconds, students, summary.canary_seconds)
            )
            scores[count] = {o.student: o.score for o in summary.outcomes}
            print(
                f"[grading] autograder grade --workers {count}: {summary.seconds:.1f} s", flush=True
            )
    return {
        "chapter": chapter,
        "students": students,
        "sandbox": sandbox,
        "rows": rows,
        "same_scores": len({json.dumps(s, sort_keys=True) for s in scores.values()}) <= 1,
        "overhead_seconds": {
            "sandbox": round(overhead(sandbox), 2),
            "none": round(overhead("none"), 2),
        },
    }


def _row(grader: str, workers: int, seconds: float, students: int, canaries: float = 0.0) -> dict:
    """One grader's rate over the whole run; for `grade`, also the rate without its canaries
    (the solution and the blank release graded before and after the class)."""
    row = {
        "grader": grader,
        "workers": workers,
        "seconds": round(seconds, 1),
        "per_minute": round(60 * students / seconds, 1),
    }
    if canaries:
        row["canary_seconds"] = round(canaries, 1)
        row["per_minute_without_canaries"] = round(60 * students / (seconds - canaries), 1)
    return row


def grading_lines(result: dict) -> list[str]:
    """The benchmark as a Markdown table and a few plain lines."""
    lines = [
        f"chapter {result['chapter']}, {result['students']} submissions, "
        f"sandbox: {result['sandbox']}",
        f"same scores with every worker count: {'yes' if result['same_scores'] else 'NO'}",
        "| grader | workers | seconds | of which canaries | submissions per minute |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['grader']} | {r['workers']} | {r['seconds']:.1f} | "
        f"{r.get('canary_seconds', 0.0):.1f} | {r['per_minute']:.1f} |"
        for r in result["rows"]
    ]
    base = next((r for r in result["rows"] if r["grader"] == "nbgrader autograde"), None)
    if base:
        for r in result["rows"]:
            if r is not base:
                ratio = r["per_minute"] / base["per_minute"]
                lines.append(f"speed-up over nbgrader, --workers {r['workers']}: {ratio:.2f}x")
    cost = result["overhead_seconds"]
    lines.append(
        f"per-submission overhead (kernel start + import torch + teardown): "
        f"{cost['sandbox']:.2f} s with sandbox {result['sandbox']}, {cost['none']:.2f} s without"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="00_demo")
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader's autograde")
    args = parser.parse_args()
    result = benchmark_grading(args.chapter, args.students, nbgrader=not args.no_nbgrader)
    print("\n".join(["", *grading_lines(result)]))


if __name__ == "__main__":
    main()
