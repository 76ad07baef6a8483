"""Budget checks: within budget says nothing; each budget or goal missed gives one clear line."""

from __future__ import annotations

from bench.budgets import CHAPTER_SECONDS, chapter_budget, check_budgets, over_budget


def test_fixture_within_budget_has_no_problems(cpu_result):
    assert check_budgets(cpu_result) == []


def test_chapter_one_has_two_minutes_the_others_three():
    assert chapter_budget("01_neurons") == 120
    assert chapter_budget("02_gradient_descent") == CHAPTER_SECONDS == 180
    assert over_budget("01_neurons", 121.0) and not over_budget("01_neurons", 120.0)
    assert not over_budget("02_gradient_descent", 121.0)


def test_slow_chapter_is_over_its_own_budget(cpu_result):
    chapters = cpu_result["chapters"]["cpu"]
    chapters["01_neurons"]["seconds"] = 121.0
    chapters["02_gradient_descent"]["seconds"] = 121.0  # within its 3 minutes
    assert check_budgets(cpu_result) == ["OVER BUDGET: 01_neurons took 121 s on cpu (budget 120 s)"]
    chapters["02_gradient_descent"]["seconds"] = 181.0
    assert check_budgets(cpu_result)[1] == (
        "OVER BUDGET: 02_gradient_descent took 181 s on cpu (budget 180 s)"
    )


def test_memory_over_two_gigabytes_is_over_budget(cpu_result):
    cpu_result["chapters"]["cpu"]["02_gradient_descent"]["peak_memory_mb"] = 2049.0
    (problem,) = check_budgets(cpu_result)
    assert problem.startswith("OVER BUDGET: 02_gradient_descent used 2049 MB")


def test_whole_course_over_fifteen_minutes(cpu_result):
    chapters = cpu_result["chapters"]["cpu"]
    for index in range(6):  # 2 measured + 6 copies of 130 s each: 18.4 + 7 * 130 > 900
        chapters[f"9{index}_copy"] = dict(chapters["02_gradient_descent"])
    problems = check_budgets(cpu_result)
    assert len(problems) == 1 and problems[0].startswith("OVER BUDGET: the course took 928 s")


def test_chapter_without_full_marks_fails(cpu_result):
    run = cpu_result["chapters"]["cpu"]["01_neurons"]
    run["score"], run["error_cells"] = 12.0, [63]
    (problem,) = check_budgets(cpu_result)
    assert problem == "FAILED: 01_neurons on cpu scored 12/14 with errors in cells [63]"


def test_gpu_goals(gpu_result):
    assert check_budgets(gpu_result) == [
        "OVER BUDGET: 01_neurons used 2100 MB on cuda (budget 2048 MB)"
    ]
    gpu_result["chapters"]["cuda"]["01_neurons"]["seconds"] = 61.0
    gpu_result["grading"]["rows"][0]["per_minute"] = 9.5
    problems = check_budgets(gpu_result)
    assert "OVER GPU GOAL: 01_neurons took 61 s on cuda (goal 60 s)" in problems
    assert "UNDER GPU GOAL: grading reached 9.5 submissions per minute (goal 10)" in problems


def test_grading_goal_applies_only_with_a_gpu(cpu_result):
    for row in cpu_result["grading"]["rows"]:
        row["per_minute"] = 1.0
    assert check_budgets(cpu_result) == []
