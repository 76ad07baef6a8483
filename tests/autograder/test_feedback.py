"""Feedback never shows hidden tests: not their source, not the tracebacks that quote them.

Two students of the 00_demo chapter fail a hidden test of exercise 0.2: one whose code crashes
inside a hidden call (an IndexError, with a frame of the student's own code worth keeping), one
whose answer fails a hidden assert (an AssertionError with the instructor's message). They are
graded by ``grade_assignment`` once per module; the feedback is then made the way an instructor
types it (``nbgrader generate_feedback`` with the course's nbgrader_config.py) and with
``autograder.feedback.generate_feedback``.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_output

from autograder.cli import main
from autograder.feedback import (
    BEGIN,
    END,
    FRAME_NOTE,
    PLACEHOLDER,
    FeedbackLeak,
    HideHiddenTests,
    generate_feedback,
    leaking_pages,
    scrub_traceback,
    split_hidden,
)
from autograder.grade import grade_assignment
from autograder.gradebook import db_url, ensure_assignment
from autograder.sandbox import Limits, bwrap_works
from tests.autograder.chapter import ASSIGNMENT, HIDDEN_LINES, HIDDEN_MESSAGE, RIGHT_DOUBLE, answer
from tests.autograder.conftest import save

FIRST_ONLY = "def scale(values):\n    return [FACTOR * values[0]]"  # IndexError on []
TRUNCATING = "def scale(values):\n    return [FACTOR * v for v in values[:1]]"
ASSERT_MESSAGE = "hidden: scale([1, -2]) should be [3, -6]"
LIMITS = Limits(cell_timeout=30, notebook_timeout=60, memory_mb=700)


def copy_course(course: Path, dest: Path) -> Path:
    """A private copy of the 00_demo course (config, source, release), with no submissions."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(course / "nbgrader_config.py", dest / "nbgrader_config.py")
    for part in ("source", "release"):
        shutil.copytree(course / part, dest / part)
    return dest


def page_text(path: Path) -> str:
    """What a browser shows of an HTML page: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def graded(course: Path, tmp_path_factory: pytest.TempPathFactory, release_nb) -> Path:
    """The 00_demo course with two graded students who fail hidden tests."""
    root = copy_course(course, tmp_path_factory.mktemp("feedback"))
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    right = answer(release_nb, "ex0_1_double", RIGHT_DOUBLE)
    for student, body in (("crash", FIRST_ONLY), ("wrong", TRUNCATING)):
        nb = answer(right, "ex0_2_scale", body)
        save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    sandbox = "bwrap" if bwrap_works() else "none"
    summary = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=sandbox, limits=LIMITS)
    assert {o.student: o.score for o in summary.outcomes} == {"crash": 1, "wrong": 1}
    return root


def test_split_hidden_replaces_each_region_by_one_placeholder() -> None:
    source = "a = 1\n    ### BEGIN HIDDEN TESTS\n    secret()\n    ### END HIDDEN TESTS\nb = 2"
    kept, hidden = split_hidden(source)
    assert kept == f"a = 1\n    {PLACEHOLDER}\nb = 2"
    assert hidden == ["    secret()"]


def test_an_unterminated_region_hides_the_rest() -> None:
    kept, hidden = split_hidden("ok()\n### BEGIN HIDDEN TESTS\nsecret()\nmore_secret()")
    assert kept == f"ok()\n{PLACEHOLDER}"
    assert hidden == ["secret()", "more_secret()"]


def test_scrub_traceback_drops_the_test_cells_frames_and_keeps_the_students() -> None:
    """The outermost cell frame is the test cell; a helper it defines shares its number."""
    own = "\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[7]\x1b[39m, line 3\n----> 3 check(x)"
    student = "Cell In[5], line 2, in scale(values)\n----> 2 return values[0]"
    helper = "Cell In[7], line 9, in _helper(y)\n----> 9 y()"
    traceback = ["-----", "IndexError   Traceback", own, student, helper, "IndexError: list"]
    scrubbed = scrub_traceback(traceback, [])
    assert scrubbed == ["-----", "IndexError   Traceback", FRAME_NOTE, student, traceback[-1]]


def test_scrub_traceback_drops_any_frame_that_quotes_a_hidden_line() -> None:
    elsewhere = "Cell In[9], line 1\n----> 1 assert secret_check(x) == 4"
    scrubbed = scrub_traceback(["head", elsewhere, "AssertionError: no"], ["secret_check(x)"])
    assert scrubbed == ["head", FRAME_NOTE, "AssertionError: no"]


def test_a_message_that_quotes_a_hidden_line_is_replaced() -> None:
    last = "AssertionError: assert secret_check(x) == 4"
    scrubbed = scrub_traceback(["head", last], ["assert secret_check(x) == 4"])
    assert scrubbed[-1] == "AssertionError: (message hidden: it quotes a hidden test)"


def test_the_preprocessor_leaves_cells_without_hidden_tests_alone() -> None:
    cell = new_code_cell("assert f(1) == 2")
    cell.outputs = [new_output("error", ename="E", evalue="v", traceback=["Cell In[1], line 1"])]
    cell.execution_count = 1
    before = dict(cell)
    HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert dict(cell) == before


def test_nbgrader_generate_feedback_as_typed_hides_the_hidden_tests(graded: Path) -> None:
    result = nbgrader(graded, "generate_feedback", ASSIGNMENT)
    assert result.returncode == 0, result.stderr[-3000:]
    for student, message in (("crash", "IndexError"), ("wrong", ASSERT_MESSAGE)):
        page = graded / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        raw, text = page.read_text(), page_text(page)
        assert BEGIN not in raw and END not in raw
        for line in HIDDEN_LINES:
            assert line not in text, f"{student}'s feedback shows the hidden line {line!r}"
        assert "00_demo (Score: 1.0 / 4.0)" in text  # the score, at the top
        assert message in text  # the error still says what went wrong
        assert PLACEHOLDER in text
        assert 'assert scale([1]) == [3], "scale([1]) should be [3]"' in text  # visible test
    crash = page_text(graded / "feedback" / "crash" / ASSIGNMENT / f"{ASSIGNMENT}.html")
    assert "return [FACTOR * values[0]]" in crash  # the judge names the student's own line


def test_without_the_preprocessor_nbgrader_shows_them(graded: Path, tmp_path: Path) -> None:
    """The check above can fail: nbgrader's default chain leaks the hidden source and message."""
    chain = "['nbgrader.preprocessors.GetGrades']"
    result = nbgrader(
        graded,
        "generate_feedback",
        ASSIGNMENT,
        "--student",
        "wrong",
        f"--GenerateFeedback.preprocessors={chain}",
        f"--CourseDirectory.feedback_directory={tmp_path.name}",
        f"--CourseDirectory.root={graded}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    page = graded / tmp_path.name / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert leaking_pages([page]) == [page]
    assert HIDDEN_LINES[1] in page_text(page)


def test_generate_feedback_forces_the_preprocessor_and_checks_the_pages(graded: Path) -> None:
    config = graded / "nbgrader_config.py"
    original = config.read_text()
    # A course whose config lacks the preprocessor still gets clean feedback from this function.
    config.write_text(original.replace("autograder.feedback.HideHiddenTests", "nope.Missing"))
    try:
        pages = generate_feedback(ASSIGNMENT, root=graded, students=["wrong"])
    finally:
        config.write_text(original)
    assert pages == [graded / "feedback" / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html"]
    text = page_text(pages[0])
    assert HIDDEN_MESSAGE not in text and HIDDEN_LINES[0] not in text
    assert ASSERT_MESSAGE in text


def test_the_feedback_command(graded: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(graded))
    assert main(["feedback", ASSIGNMENT, "--student", "crash"]) == 0
    assert "1 feedback pages" in capsys.readouterr().out
    assert main(["feedback", "no_such_chapter"]) == 2


def test_a_leaking_page_is_reported(tmp_path: Path) -> None:
    clean, leaky = tmp_path / "clean.html", tmp_path / "leaky.html"
    clean.write_text("<p>Score: 1 / 3</p>")
    leaky.write_text(f"<pre>### {BEGIN}</pre>")
    assert leaking_pages([clean, leaky]) == [leaky]
    assert issubclass(FeedbackLeak, RuntimeError)
