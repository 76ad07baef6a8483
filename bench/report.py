"""Markdown tables from benchmark results, shared by the results file and the README.

A results file (``bench/results/<label>.json``, written by ``bench/run.py``) holds one machine's
measurements: ``machine``, ``chapters`` (per device, per chapter: seconds, peak memory, longest
cell, score and training-quality rows), ``setup``, ``grading`` and ``budgets``. Everything here is
pure formatting, so the README can be regenerated (and checked by a test) without running anything.
"""

from __future__ import annotations

from bench.budgets import (
    CHAPTER_BUDGETS,
    CHAPTER_MEMORY_MB,
    CHAPTER_SECONDS,
    COURSE_SECONDS,
    chapter_budget,
)
from bench.machine import summary

NOT_MEASURED = "not measured yet"


def fmt_seconds(seconds: float) -> str:
    """A run time for people: "4.2 s", "18 s", "2 min 5 s"."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 120:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def fmt_train_time(seconds: float) -> str:
    """A training or fit time: milliseconds below one second ("4 ms", "0.3 ms"), else seconds."""
    if seconds <= 0:
        return "0"
    if seconds < 0.01:
        return f"{1000 * seconds:.1f} ms"
    if seconds < 1:
        return f"{1000 * seconds:.0f} ms"
    return f"{seconds:.1f} s"


def fmt_value(value: float, metric: str) -> str:
    """A score: accuracies with three decimals, errors with three significant digits."""
    if "accuracy" in metric:
        return f"{value:.3f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def fmt_memory(mb: float) -> str:
    """Memory in MB below a gigabyte, else in GB."""
    return f"{mb:.0f} MB" if mb < 1024 else f"{mb / 1024:.1f} GB"


def code(text: str) -> str:
    """Inline code that is safe inside a Markdown table cell."""
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> list[str]:
    """A Markdown table; columns whose index is in ``right`` are right-aligned."""
    right = right or set()
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def budget_cell(budget: float, seconds: float | None) -> str:
    """A time budget for a table, flagged when the run took longer: "2 min" or "2 min: **OVER**"."""
    over = seconds is not None and seconds > budget
    return fmt_seconds(budget) + (": **OVER**" if over else "")


def chapter_budget_cell(chapter: str, seconds: float | None) -> str:
    """``chapter``'s budget for a table, flagged when its run of ``seconds`` missed it."""
    return budget_cell(chapter_budget(chapter), seconds)


def accelerator_device(result: dict | None) -> str | None:
    """The GPU device ("cuda" or "mps") a result has chapter runs for, if any."""
    if result is None:
        return None
    return next((d for d in result.get("chapters", {}) if d != "cpu"), None)


def chapter_run(result: dict | None, device: str | None, chapter: str) -> dict | None:
    """One chapter's measurement on one device, or None when it was not measured."""
    if result is None or device is None:
        return None
    return result.get("chapters", {}).get(device, {}).get(chapter)


def course_seconds(result: dict, device: str) -> float:
    """The whole course top to bottom: the sum of the chapters' wall times on ``device``."""
    return sum(run["seconds"] for run in result.get("chapters", {}).get(device, {}).values())


def performance_table(chapters: list[str], cpu: dict | None, gpu: dict | None) -> list[str]:
    """Per chapter: CPU time against its budget, GPU time, peak memory and the longest cell (on
    the CPU)."""
    gpu_device = accelerator_device(gpu)
    rows = []
    for chapter in chapters:
        on_cpu = chapter_run(cpu, "cpu", chapter)
        on_gpu = chapter_run(gpu, gpu_device, chapter)
        if on_cpu:
            cell = on_cpu["longest_cell"]
            longest = f"{fmt_seconds(cell['seconds'])}: cell {cell['index']}, "
            longest += code(cell["first_line"])
            memory = fmt_memory(on_cpu["peak_memory_mb"])
        else:
            longest = memory = NOT_MEASURED
        rows.append(
            [
                chapter,
                fmt_seconds(on_cpu["seconds"]) if on_cpu else NOT_MEASURED,
                chapter_budget_cell(chapter, on_cpu["seconds"] if on_cpu else None),
                fmt_seconds(on_gpu["seconds"]) if on_gpu else NOT_MEASURED,
                memory,
                longest,
            ]
        )
    cpu_total = course_seconds(cpu, "cpu") if cpu else None
    total_cpu = fmt_seconds(cpu_total) if cpu_total is not None else NOT_MEASURED
    total_gpu = fmt_seconds(course_seconds(gpu, gpu_device)) if gpu_device else NOT_MEASURED
    course_budget = budget_cell(COURSE_SECONDS, cpu_total)
    rows.append(["**whole course**", f"**{total_cpu}**", course_budget, f"**{total_gpu}**", "", ""])
    headers = [
        "chapter",
        "CPU time",
        "CPU budget",
        "GPU time",
        "peak memory (CPU)",
        "longest cell (CPU)",
    ]
    return table(headers, rows, right={1, 2, 3, 4})


def device_table(chapters: list[str], result: dict, device: str) -> list[str]:
    """Per chapter on one device: wall time against the chapter's budget (the CPU budget holds on
    every device), peak memory, longest cell and the grader's score."""
    rows = []
    for chapter in chapters:
        run = chapter_run(result, device, chapter)
        if not run:
            continue
        cell = run["longest_cell"]
        rows.append(
            [
                chapter,
                fmt_seconds(run["seconds"]),
                chapter_budget_cell(chapter, run["seconds"]),
                fmt_memory(run["peak_memory_mb"])
                + (f" (GPU {fmt_memory(gpu)})" if (gpu := run.get("gpu_peak_memory_mb")) else ""),
                f"{fmt_seconds(cell['seconds'])}: cell {cell['index']}, {code(cell['first_line'])}",
                f"{run['score']:g}/{run['max_score']:g}",
            ]
        )
    total = course_seconds(result, device)
    rows.append(
        [
            "**whole course**",
            f"**{fmt_seconds(total)}**",
            budget_cell(COURSE_SECONDS, total),
            "",
            "",
            "",
        ]
    )
    headers = ["chapter", "wall time", "budget", "peak memory", "longest cell", "score"]
    return table(headers, rows, right={1, 2, 3})


def _best(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    sign = 1 if rows[0]["higher_is_better"] else -1
    return max(rows, key=lambda r: sign * r["value"])


def quality_table(chapters: list[str], result: dict, device: str = "cpu") -> list[str]:
    """Each network next to the best classical model of the same task: score and training time."""
    rows = []
    for chapter in chapters:
        run = chapter_run(result, device, chapter)
        if not run:
            continue
        tasks = list(dict.fromkeys(r["task"] for r in run["quality"]))
        for task in tasks:
            of_task = [r for r in run["quality"] if r["task"] == task]
            baseline = _best([r for r in of_task if r["kind"] == "classical"])
            for net in (r for r in of_task if r["kind"] == "network"):
                metric = net["metric"]
                base_cells = ["—", "—", "—"]
                if baseline:
                    base_cells = [
                        baseline["model"],
                        fmt_value(baseline["value"], metric),
                        fmt_train_time(baseline["seconds"]),
                    ]
                rows.append(
                    [
                        chapter[:2],
                        task,
                        metric,
                        net["model"],
                        fmt_value(net["value"], metric),
                        fmt_train_time(net["seconds"]),
                        *base_cells,
                    ]
                )
    headers = [
        "#",
        "task",
        "metric",
        "network",
        "score",
        "training time",
        "best classical model",
        "score",
        "fit time",
    ]
    return table(headers, rows, right={4, 5, 7, 8})


def setup_lines(result: dict) -> list[str]:
    """The fresh-install measurement in one sentence (or why there is none)."""
    setup = result.get("setup")
    if not setup:
        return [f"Set-up: {NOT_MEASURED} (run `bench/run.py` without `--skip-setup`)."]
    steps = ", ".join(f"{s['step']} {fmt_seconds(s['seconds'])}" for s in setup["steps"])
    cache = (
        "with pip's cache and the machine's local package mirror"
        if setup["pip_cache"]
        else "without pip's cache"
    )
    return [
        f"Set-up (`make setup` on a fresh clone: a new virtual environment, the pinned packages, "
        f"the course kernel): **{fmt_seconds(setup['seconds'])}** ({steps}), "
        f"**{fmt_memory(setup['size_mb'])}** on disk, {cache}."
    ]


def grading_lines(result: dict) -> list[str]:
    """Submissions per minute for nbgrader and for `autograder grade` at each worker count."""
    grading = result.get("grading")
    if not grading:
        return [f"Grading: {NOT_MEASURED}."]
    base = next((r for r in grading["rows"] if r["grader"] == "nbgrader autograde"), None)
    rows = []
    for r in grading["rows"]:
        speedup = f"{r['per_minute'] / base['per_minute']:.2f}x" if base else "—"
        name = r["grader"] if r["grader"].startswith("nbgrader") else f"{r['grader']} --workers"
        without = r.get("per_minute_without_canaries")
        rows.append(
            [
                name,
                str(r["workers"]),
                f"{r['per_minute']:.1f}",
                speedup,
                f"{without:.1f}" if without else "—",
            ]
        )
    cost = grading["overhead_seconds"]
    lines = [
        f"Grading {grading['students']} copies of the `{grading['chapter']}` solution "
        f"(sandbox: {grading['sandbox']}; same scores with every worker count: "
        f"{'yes' if grading['same_scores'] else 'NO'}):",
        "",
        *table(
            ["grader", "workers", "submissions per minute", "vs nbgrader", "without canaries"],
            rows,
            right={1, 2, 3, 4},
        ),
        "",
    ]
    if base:
        lines += [
            "`nbgrader autograde` runs serially with the course's `nbgrader_config.py`, so it "
            "grades in the same sandbox with the same probes and judges.",
            "",
        ]
    if any(r.get("canary_seconds") for r in grading["rows"]):
        lines += [
            "The rates of `grade` include its canaries: before and after the class it grades "
            "the instructor's solution and the blank release in the same environment, and "
            "records nothing if they do not score full marks and zero. The last column leaves "
            "that fixed cost out.",
            "",
        ]
    return [
        *lines,
        f"Each submission pays about {cost['sandbox']:.1f} s for starting a kernel, importing "
        f"torch and tearing down ({cost['none']:.1f} s without the sandbox).",
    ]


def budget_lines(result: dict) -> list[str]:
    """Whether the budgets were met, with the problems listed when not."""
    problems = result.get("budgets", {}).get("problems", [])
    tighter = "".join(f", {c} {fmt_seconds(s)}" for c, s in sorted(CHAPTER_BUDGETS.items()))
    head = (
        f"Budgets on this machine (each chapter {fmt_seconds(CHAPTER_SECONDS)} or less{tighter}, "
        f"the course {fmt_seconds(COURSE_SECONDS)} or less, {CHAPTER_MEMORY_MB // 1024} GB per "
        "chapter): "
    )
    if not problems:
        return [head + "all met."]
    return [head + "**not all met**:", "", *[f"- {p}" for p in problems]]


def commands(result: dict) -> str:
    """The commands that produced a results file, oldest first (parts can be re-run alone)."""
    return "; ".join(f"`{c.split(': ', 1)[1]}` ({c.split(': ', 1)[0]})" for c in result["commands"])


def render_result(result: dict, chapters: list[str]) -> str:
    """The whole results file of one machine as Markdown (bench/results/<label>.md)."""
    lines = [
        f"# Benchmark results: {result['label']}",
        "",
        f"Machine: {summary(result['machine'])}.",
        f"Commands: {commands(result)}.",
        f"Memory: {result['memory_note']}.",
        "",
    ]
    for device in result.get("chapters", {}):
        lines += [f"## Chapters on {device}", ""]
        lines += device_table(chapters, result, device)
        lines += ["", f"### Training quality per second on {device}", ""]
        lines += quality_table(chapters, result, device)
        lines.append("")
    lines += ["## Set-up", "", *setup_lines(result), "", "## Grading", ""]
    lines += [*grading_lines(result), "", "## Budgets", "", *budget_lines(result)]
    return "\n".join(lines) + "\n"
