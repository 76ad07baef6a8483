"""Run the course's benchmarks on this machine and write bench/results/<label>.json and .md.

    .venv/bin/python bench/run.py [--parts chapters,setup,grading] [--skip-setup] [--quick]
                                  [--chapters 01_neurons,04_cnn] [--devices cpu,cuda]
                                  [--students 4] [--grading-chapter 01_neurons] [--label NAME]

Parts: ``chapters`` (every chapter top to bottom on each device: wall time, peak memory, longest
cell, and the training results next to the classical baseline), ``setup`` (a fresh install) and
``grading`` (nbgrader and ``autograder grade`` at 1, 2 and all workers). The devices default to the
CPU plus the GPU when there is one. The label defaults to the machine ("cpu-2core", or the GPU's
name), so CPU and GPU results sit side by side; parts not run this time are kept from the label's
earlier file. ``--quick`` is a smoke test (one chapter, no set-up, a tiny grading run) written
under its own label. Budgets are checked at the end: a line starting with OVER BUDGET says which.
Then ``bench/readme.py`` puts the results into the README (``make bench`` runs both).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from autograder.paths import assignments  # noqa: E402
from bench.budgets import check_budgets  # noqa: E402
from bench.chapters import MEMORY_NOTE, run_chapters  # noqa: E402
from bench.grading import benchmark_grading  # noqa: E402
from bench.machine import accelerator, describe_machine, machine_label, summary  # noqa: E402
from bench.report import render_result  # noqa: E402
from bench.setup import measure_setup  # noqa: E402
from course.timings import speed_probe  # noqa: E402

RESULTS = REPO / "bench" / "results"
PARTS = ("chapters", "setup", "grading")
SCHEMA = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--skip-setup", action="store_true", help="do not time a fresh install")
    parser.add_argument("--chapters", default="", help="comma-separated chapter ids (default: all)")
    parser.add_argument(
        "--devices", default="", help="comma-separated, e.g. cpu,cuda (default: cpu + GPU)"
    )
    parser.add_argument("--students", type=int, default=4, help="submissions graded per grader")
    parser.add_argument("--grading-chapter", default="01_neurons")
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader's autograde")
    parser.add_argument(
        "--no-cache", action="store_true", help="time the install without pip's cache"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: one chapter, tiny grading"
    )
    parser.add_argument("--label", default="", help="results file name (default: from the machine)")
    return parser.parse_args(argv)


def default_devices() -> list[str]:
    """The CPU, and the GPU PyTorch sees when there is one."""
    gpu = accelerator()
    return ["cpu", gpu["kind"]] if gpu else ["cpu"]


def merge(old: dict, new: dict) -> dict:
    """The new results over the label's earlier ones: parts not run this time are kept, chapters
    are replaced one by one, and the commands that made the file are listed in order."""
    merged = {**old, **{k: v for k, v in new.items() if k != "chapters"}}
    chapters = {device: dict(runs) for device, runs in old.get("chapters", {}).items()}
    for device, runs in new.get("chapters", {}).items():
        chapters.setdefault(device, {}).update(runs)
    merged["chapters"] = chapters
    merged["commands"] = [*old.get("commands", []), *new.get("commands", [])]
    for part in ("setup", "grading", "probe_seconds"):
        if new.get(part) is None and old.get(part) is not None:
            merged[part] = old[part]
    return merged


def write_results(result: dict, chapters: list[str], folder: Path = RESULTS) -> Path:
    """bench/results/<label>.json (sorted keys, for stable diffs) and the Markdown next to it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result['label']}.json"
    path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(render_result(result, chapters), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"unknown parts: {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    if args.skip_setup:
        parts.discard("setup")
    all_chapters = assignments(REPO)
    chapters = [c.strip() for c in args.chapters.split(",") if c.strip()] or all_chapters
    students, grading_chapter = args.students, args.grading_chapter
    if args.quick:
        parts.discard("setup")
        chapters, students, grading_chapter = chapters[:1], 2, "00_demo"
    devices = [d.strip() for d in args.devices.split(",") if d.strip()] or default_devices()

    machine = describe_machine()
    command = " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    label = args.label or machine_label(machine) + ("-quick" if args.quick else "")
    print(f"[bench] {label}: {summary(machine)}", flush=True)
    result: dict = {
        "schema": SCHEMA,
        "label": label,
        "quick": args.quick,
        "commands": [f"{machine['date']}: {command}"],
        "machine": machine,
        # course.timings scales the chapter times by this probe, so it is taken with the chapters.
        "probe_seconds": round(speed_probe(), 4) if "chapters" in parts else None,
        "memory_note": MEMORY_NOTE,
        "chapters": {},
        "setup": None,
        "grading": None,
    }
    if "chapters" in parts:
        for device in devices:
            result["chapters"][device] = run_chapters(chapters, device)
    if "setup" in parts:
        result["setup"] = measure_setup(use_cache=not args.no_cache)
    if "grading" in parts:
        os.environ.setdefault("MPLBACKEND", "Agg")  # as nbgrader and the test suite grade
        result["grading"] = benchmark_grading(
            grading_chapter, students, nbgrader=not args.no_nbgrader
        )
    path = RESULTS / f"{label}.json"
    if path.is_file():
        result = merge(json.loads(path.read_text(encoding="utf-8")), result)
    problems = check_budgets(result)
    result["budgets"] = {"ok": not problems, "problems": problems}
    path = write_results(result, all_chapters)
    print(f"[bench] wrote {path.relative_to(REPO)} and {path.with_suffix('.md').name}")
    for line in problems:
        print(line)
    if not problems:
        print("[bench] every budget met")


if __name__ == "__main__":
    main()
