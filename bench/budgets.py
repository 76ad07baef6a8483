"""The course's budgets (issue 9) and the check that prints OVER BUDGET when one is exceeded.

On a 2-core CPU: chapter 1 in 2 minutes or less (issues 2 and 3), every other chapter in 3 minutes
or less, the whole course in 15 minutes or less, and 2 GB of memory or less per chapter. On a GPU
the goals are every chapter under a minute and grading at least 10 submissions per minute.

Budgets are checked here, on the benchmark's measurements, and never asserted by the test suite:
a busy machine makes a test slow, not wrong.
"""

from __future__ import annotations

CHAPTER_SECONDS = 180
# Chapters held to a tighter budget than CHAPTER_SECONDS.
CHAPTER_BUDGETS = {"01_neurons": 120}
COURSE_SECONDS = 900
CHAPTER_MEMORY_MB = 2048
GPU_CHAPTER_SECONDS = 60
GPU_GRADING_PER_MINUTE = 10


def chapter_budget(chapter: str) -> int:
    """Seconds ``chapter`` may take top to bottom, solutions included, on a 2-core CPU."""
    return CHAPTER_BUDGETS.get(chapter, CHAPTER_SECONDS)


def over_budget(chapter: str, seconds: float) -> bool:
    """Whether a run of ``chapter`` that took ``seconds`` missed its budget."""
    return seconds > chapter_budget(chapter)


def check_budgets(result: dict) -> list[str]:
    """One line per budget or goal missed, and per chapter that did not score full marks."""
    problems = []
    for device, chapters in result.get("chapters", {}).items():
        on_gpu = device != "cpu"
        for chapter, run in chapters.items():
            if over_budget(chapter, run["seconds"]):
                problems.append(
                    f"OVER BUDGET: {chapter} took {run['seconds']:.0f} s on {device} "
                    f"(budget {chapter_budget(chapter)} s)"
                )
            if on_gpu and run["seconds"] > GPU_CHAPTER_SECONDS:
                problems.append(
                    f"OVER GPU GOAL: {chapter} took {run['seconds']:.0f} s on {device} "
                    f"(goal {GPU_CHAPTER_SECONDS} s)"
                )
            if run["peak_memory_mb"] > CHAPTER_MEMORY_MB:
                problems.append(
                    f"OVER BUDGET: {chapter} used {run['peak_memory_mb']:.0f} MB on {device} "
                    f"(budget {CHAPTER_MEMORY_MB} MB)"
                )
            if run["score"] != run["max_score"] or run["error_cells"]:
                problems.append(
                    f"FAILED: {chapter} on {device} scored {run['score']:g}/{run['max_score']:g}"
                    f" with errors in cells {run['error_cells']}"
                )
        total = sum(run["seconds"] for run in chapters.values())
        if total > COURSE_SECONDS:
            problems.append(
                f"OVER BUDGET: the course took {total:.0f} s on {device} "
                f"(budget {COURSE_SECONDS} s)"
            )
    grading = result.get("grading")
    if result.get("machine", {}).get("gpu") and grading:
        best = max((r["per_minute"] for r in grading["rows"]), default=0.0)
        if best < GPU_GRADING_PER_MINUTE:
            problems.append(
                f"UNDER GPU GOAL: grading reached {best:.1f} submissions per minute "
                f"(goal {GPU_GRADING_PER_MINUTE})"
            )
    return problems
