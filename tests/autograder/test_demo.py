"""`python -m autograder demo`: a small term (8 students, chapter 09_ethics, 6 submissions) built
once per session (tests/demo_term.py), then checked stage by stage: roster, due date, grades, late
penalties, feedback without hidden tests, nbgrader's export and the reports. The real chapter is
graded for real."""

from __future__ import annotations

import csv
import datetime
import json
import math
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder.cli import main
from autograder.demo import (
    MARKER,
    PERCENT_PER_DAY,
    DemoExists,
    DemoResult,
    answered,
    due_date,
    make_roster,
    run_demo,
    write_roster,
)
from autograder.feedback import BEGIN, END
from autograder.notebook import grade_id, is_solution, is_test, points, read_notebook
from autograder.paths import PACKAGE_ROOT
from autograder.settings import COURSE_ID
from tests.demo_term import CHAPTER, STUDENTS, SUBMISSIONS

SOURCE = read_notebook(PACKAGE_ROOT / "source" / CHAPTER / f"{CHAPTER}.ipynb")
AUTO_MAX = sum(points(c) for c in SOURCE.cells if is_test(c))


@pytest.fixture
def demo(demo_term: tuple[DemoResult, list[str]]) -> tuple[DemoResult, list[str]]:
    """The session's demo term (tests/demo_term.py), with what it printed."""
    return demo_term


def _gradebook(result: DemoResult) -> Gradebook:
    return Gradebook(f"sqlite:///{result.dest / 'gradebook.db'}", COURSE_ID)


def _kinds(result: DemoResult) -> dict[str, str]:
    return result.kinds[CHAPTER]


def _of(result: DemoResult, kind: str) -> list[str]:
    return [s for s, k in _kinds(result).items() if k == kind]


def _export(result: DemoResult) -> list[dict[str, str]]:
    with result.grades.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_roster_has_unique_ids_and_nbgraders_columns(tmp_path: Path) -> None:
    roster = make_roster(30)
    assert len({s.id for s in roster}) == 30
    assert len({(s.first_name, s.last_name) for s in roster}) == 30
    path = write_roster(roster, tmp_path / "roster.csv")
    rows = list(csv.DictReader(path.open()))
    assert list(rows[0]) == ["id", "first_name", "last_name", "email"]
    assert rows[0]["email"] == f"{rows[0]['id']}@students.example.edu"
    assert make_roster(30) == roster  # the same class every time


def test_a_correct_submission_holds_the_solution_without_markers() -> None:
    release = read_notebook(PACKAGE_ROOT / "release" / CHAPTER / f"{CHAPTER}.ipynb")
    nb = answered(release, SOURCE, None)
    text = "\n".join(c.source for c in nb.cells if is_solution(c))
    assert "BEGIN SOLUTION" not in text and "NotImplementedError" not in text
    assert "Rubric" not in text and "YOUR ANSWER HERE" not in text
    assert [grade_id(c) for c in nb.cells] == [grade_id(c) for c in release.cells]


def test_the_class_is_enrolled_with_the_due_date(demo) -> None:
    result, _ = demo
    with _gradebook(result) as gb:
        names = {s.id: (s.first_name, s.last_name) for s in gb.students}
        assert names == {s.id: (s.first_name, s.last_name) for s in make_roster(STUDENTS)}
        assert gb.find_assignment(CHAPTER).duedate == due_date(0)


def test_every_kind_of_submission_is_there(demo) -> None:
    result, _ = demo
    assert len(_kinds(result)) == SUBMISSIONS
    assert {"correct", "partial", "blank", "infinite_loop", "reads_gradebook"} <= set(
        _kinds(result).values()
    )


def test_grades_follow_what_each_student_did(demo) -> None:
    result, _ = demo
    summary = result.summaries[CHAPTER]
    outcomes = summary.by_student()
    assert set(outcomes) == set(_kinds(result))
    assert all(o.status == "graded" for o in outcomes.values())
    for student in _of(result, "correct") + _of(result, "reads_gradebook"):
        assert outcomes[student].score == AUTO_MAX, student
    for student in _of(result, "blank"):
        assert outcomes[student].score == 0
    for student in _of(result, "partial"):
        assert 0 <= outcomes[student].score < AUTO_MAX
    [looping] = _of(result, "infinite_loop")
    assert outcomes[looping].score < AUTO_MAX
    cells = json.loads(
        (result.dest / "autograded" / looping / CHAPTER / "autograder.json").read_text()
    )["cells"]
    assert any("timed out" in (c["error"] or "") for c in cells)


def test_late_submissions_lose_ten_percent_per_started_day(demo) -> None:
    result, _ = demo
    late = 0
    for row in _export(result):
        if not row["timestamp"]:
            continue
        stamp = datetime.datetime.fromisoformat(row["timestamp"])
        seconds = (stamp - datetime.datetime.fromisoformat(row["duedate"])).total_seconds()
        raw, penalty = float(row["raw_score"]), float(row["late_submission_penalty"])
        if seconds > 0:
            late += 1
            expected = min(raw, raw * PERCENT_PER_DAY / 100 * math.ceil(seconds / 86400))
            assert penalty == pytest.approx(expected), row
        else:
            assert penalty == 0, row
        assert float(row["score"]) == pytest.approx(raw - penalty)
    assert late == len(result.late[CHAPTER]) >= 1


def test_feedback_is_written_for_everyone_graded_and_hides_the_hidden_tests(demo) -> None:
    result, _ = demo
    pages = result.feedback[CHAPTER]
    assert {p.parent.parent.name for p in pages} == set(_kinds(result))
    for page in pages:
        text = page.read_text()
        assert BEGIN not in text and END not in text
        assert f"{CHAPTER} (Score:" in text


def test_export_has_one_row_per_student_and_zero_for_those_who_did_not_submit(demo) -> None:
    result, _ = demo
    rows = _export(result)
    assert len(rows) == STUDENTS
    for row in rows:
        assert row["assignment"] == CHAPTER
        if row["student_id"] not in _kinds(result):
            assert float(row["score"]) == 0 and not row["timestamp"]


def test_reports_and_the_closing_summary(demo) -> None:
    result, printed = demo
    for name in ("term.md", "term_scores.png", f"{CHAPTER}.md", f"{CHAPTER}.csv"):
        assert (result.reports / name).stat().st_size > 0, name
    assert (result.reports / f"{CHAPTER}_scores.png").read_bytes()[:4] == b"\x89PNG"
    term = (result.reports / "term.md").read_text()
    assert term.count("\n| ") == STUDENTS + 3  # header, rule, students, max
    text = "\n".join(printed)
    for where in ("gradebook.db", "grades.csv", "feedback", "reports", "formgrader"):
        assert where in text
    assert f"{CHAPTER}: {SUBMISSIONS} graded" in text


def test_a_second_run_refuses_without_force(demo, tmp_path: Path) -> None:
    result, _ = demo
    assert (result.dest / MARKER).is_file()
    with pytest.raises(DemoExists, match="--force"):
        run_demo(result.dest, students=2, chapters=[CHAPTER], say=lambda line: None)
    (tmp_path / "mine.txt").write_text("not a demo")
    with pytest.raises(DemoExists, match="not a demo course"):
        run_demo(tmp_path, students=2, chapters=[CHAPTER], force=True, say=lambda line: None)
    assert (tmp_path / "mine.txt").is_file()
    assert main(["demo", "--dest", str(result.dest), "--students", "2"]) == 2
