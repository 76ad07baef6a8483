"""Put the benchmark results into the README and into course/chapter_times.json.

    .venv/bin/python bench/readme.py [--check]

Regenerates exactly two regions of README.md from bench/results/*.json, and nothing else: the
chapter table (between ``<!-- chapter-table:start -->`` and ``<!-- chapter-table:end -->``; titles
and descriptions from bench/chapters.toml, exercise counts from the source notebooks) and the
performance section (between ``<!-- bench:start -->`` and ``<!-- bench:end -->``). The CPU columns
come from the newest full run on a machine without a GPU, the GPU columns from the newest run that
has a GPU device. The Markdown page next to each results file is rendered again too, so that a
change of format reaches every page. ``--check`` changes nothing and exits 1 when anything is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from autograder.notebook import is_test, is_written, points, read_notebook  # noqa: E402
from autograder.paths import assignments, source_notebook  # noqa: E402
from bench.machine import summary  # noqa: E402
from bench.report import (  # noqa: E402
    NOT_MEASURED,
    accelerator_device,
    budget_lines,
    chapter_run,
    commands,
    fmt_seconds,
    grading_lines,
    performance_table,
    quality_table,
    render_result,
    setup_lines,
    table,
)

RESULTS = REPO / "bench" / "results"
README = REPO / "README.md"
TIMES = REPO / "course" / "chapter_times.json"


class MissingMarkers(ValueError):
    """The README lacks the start or end marker of a generated region."""


def load_results(folder: Path = RESULTS) -> list[dict]:
    """Every results file of the folder (quick smoke-test runs left out)."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return [r for r in found if not r.get("quick")]


def pick_cpu(results: list[dict]) -> dict | None:
    """The newest result with CPU chapter runs, preferring machines without a GPU (a student's)."""
    with_cpu = [r for r in results if r.get("chapters", {}).get("cpu")]
    plain = [r for r in with_cpu if not r["machine"].get("gpu")] or with_cpu
    return max(plain, key=lambda r: r["machine"]["date"], default=None)


def pick_gpu(results: list[dict]) -> dict | None:
    """The newest result with chapter runs on a GPU (CUDA or MPS)."""
    with_gpu = [r for r in results if accelerator_device(r)]
    return max(with_gpu, key=lambda r: r["machine"]["date"], default=None)


def exercise_counts(chapter: str, root: Path = REPO) -> str:
    """ "10 + 2 (14 + 4 points)": autograded and hand-graded exercises of the source notebook."""
    nb = read_notebook(source_notebook(chapter, root))
    auto = [c for c in nb.cells if is_test(c)]
    written = [c for c in nb.cells if is_written(c)]
    auto_points = sum(points(c) for c in auto)
    written_points = sum(points(c) for c in written)
    return f"{len(auto)} + {len(written)} ({auto_points:g} + {written_points:g} points)"


def chapter_table(chapters: list[str], cpu: dict | None, gpu: dict | None, root: Path) -> str:
    """The README's chapter table: what each chapter builds, its exercises, CPU and GPU time."""
    info = tomllib.loads((root / "bench" / "chapters.toml").read_text(encoding="utf-8"))
    gpu_device = accelerator_device(gpu)
    rows = []
    for number, chapter in enumerate(chapters, start=1):
        about = info.get(chapter, {"title": chapter, "builds": ""})
        on_cpu, on_gpu = chapter_run(cpu, "cpu", chapter), chapter_run(gpu, gpu_device, chapter)
        rows.append(
            [
                str(number),
                f"[{about['title']}](release/{chapter}/{chapter}.ipynb)",
                about["builds"],
                exercise_counts(chapter, root),
                fmt_seconds(on_cpu["seconds"]) if on_cpu else NOT_MEASURED,
                fmt_seconds(on_gpu["seconds"]) if on_gpu else NOT_MEASURED,
            ]
        )
    headers = [
        "#",
        "Chapter",
        "You will build",
        "Exercises (auto + by hand)",
        "CPU time",
        "GPU time",
    ]
    lines = table(headers, rows)
    where = f"CPU: {summary(cpu['machine'])}" if cpu else f"CPU: {NOT_MEASURED}"
    where += f". GPU: {summary(gpu['machine'])}" if gpu else f". GPU: {NOT_MEASURED}"
    lines += [
        "",
        "Times: the whole chapter top to bottom with the solutions, in a fresh kernel, measured by "
        f"`make bench` ({where}). See [Performance](#performance) for memory and training speed.",
    ]
    return "\n".join(lines)


def performance_section(chapters: list[str], cpu: dict | None, gpu: dict | None) -> str:
    """The README's performance section: chapters, training quality, set-up, grading, machines."""
    reference = cpu or gpu
    lines = [
        "Measured with `make bench` (it runs `bench/run.py`, then `bench/readme.py`, which writes "
        "this section); the raw numbers are in [bench/results/](bench/results/).",
        "",
        "Machines:",
        "",
    ]
    for name, result in (("CPU", cpu), ("GPU", gpu)):
        text = (
            f"{summary(result['machine'])}; made by {commands(result)}" if result else NOT_MEASURED
        )
        lines.append(f"- {name}: {text}")
    lines += ["", "### Chapters", "", *performance_table(chapters, cpu, gpu), ""]
    if reference:
        lines += [f"Memory: {reference['memory_note']}.", "", *budget_lines(reference), ""]
    lines += [
        "### Training quality per second",
        "",
        "Each network of a chapter next to the best classical model the chapter compares it with, "
        "on the same split, from the same run as the times above (CPU).",
        "",
    ]
    lines += quality_table(chapters, cpu, "cpu") if cpu else [NOT_MEASURED]
    lines += ["", "### Set-up and grading", ""]
    if reference:
        lines += [*setup_lines(reference), "", *grading_lines(reference)]
    if gpu and gpu is not reference and gpu.get("grading"):
        lines += ["", "On the GPU machine:", "", *grading_lines(gpu)]
    return "\n".join(lines)


def chapter_times(chapters: list[str], cpu: dict | None) -> dict | None:
    """course/chapter_times.json: reference CPU times, which the start notebook scales."""
    if cpu is None:
        return None
    seconds = {c: run["seconds"] for c in chapters if (run := chapter_run(cpu, "cpu", c))}
    return {
        "reference": summary(cpu["machine"]),
        "device": "cpu",
        "probe_seconds": cpu["probe_seconds"],
        "seconds": seconds,
    }


def render(results: list[dict], root: Path = REPO) -> tuple[dict[str, str], dict | None]:
    """The text of each README region, and the chapter-times data, from the results."""
    chapters = assignments(root)
    cpu, gpu = pick_cpu(results), pick_gpu(results)
    regions = {
        "chapter-table": chapter_table(chapters, cpu, gpu, root),
        "bench": performance_section(chapters, cpu, gpu),
    }
    return regions, chapter_times(chapters, cpu)


def region_pattern(name: str) -> re.Pattern:
    return re.compile(
        rf"(<!-- {re.escape(name)}:start -->\n)(.*?)(<!-- {re.escape(name)}:end -->)", re.DOTALL
    )


def read_region(text: str, name: str) -> str:
    """The current content of a region (without its markers and the newline before the end)."""
    match = region_pattern(name).search(text)
    if match is None:
        raise MissingMarkers(
            f"README.md has no <!-- {name}:start --> ... <!-- {name}:end --> region"
        )
    return match.group(2).removesuffix("\n")


def update_readme(text: str, regions: dict[str, str]) -> str:
    """``text`` with each region's content replaced; everything outside the markers is kept."""
    for name, content in regions.items():
        read_region(text, name)  # raises when the markers are missing
        text = region_pattern(name).sub(
            lambda m, c=content: m.group(1) + c + "\n" + m.group(3), text
        )
    return text


def result_pages(folder: Path = RESULTS) -> dict[Path, str]:
    """The Markdown page of every results file (bench/results/<label>.md), rendered afresh."""
    chapters = assignments(REPO)
    pages = {}
    for path in sorted(folder.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        pages[path.with_suffix(".md")] = render_result(result, chapters)
    return pages


def times_text(times: dict) -> str:
    return json.dumps(times, indent=2) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale")
    args = parser.parse_args(argv)
    regions, times = render(load_results())
    old = README.read_text(encoding="utf-8")
    new = update_readme(old, regions)
    stale = [README.name] if new != old else []
    pages = result_pages()
    stale += [
        str(p.relative_to(REPO)) for p, t in pages.items() if not p.is_file() or p.read_text() != t
    ]
    if times is not None and (not TIMES.is_file() or TIMES.read_text() != times_text(times)):
        stale.append(str(TIMES.relative_to(REPO)))
    if args.check:
        if stale:
            raise SystemExit(f"stale: {', '.join(stale)}; run `.venv/bin/python bench/readme.py`")
        print("README.md, course/chapter_times.json and bench/results/*.md are up to date")
        return
    README.write_text(new, encoding="utf-8")
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    if times is not None:
        TIMES.write_text(times_text(times), encoding="utf-8")
    print(f"updated: {', '.join(stale) or 'nothing (already up to date)'}")


if __name__ == "__main__":
    main()
