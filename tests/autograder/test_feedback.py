"""Feedback never shows hidden tests or judges: not their source, not the tracebacks that quote
them, not what a student's code printed of them.

Two students of the 00_demo chapter fail a hidden test of exercise 0.2: one whose code crashes
inside a hidden call (an IndexError, with a frame of the student's own code worth keeping), one
whose answer fails a hidden assert (an AssertionError with the instructor's message). Two more
answer right and add a last cell that prints what the kernel ran (``In``, which holds the probes,
i.e. the hidden lines): "printer" prints it whole, with a hidden-test marker; "splitter" prints one
hidden line cut in two, half on stdout and half on stderr, which no single output line quotes.
They are graded by ``grade_assignment`` once per module; the feedback is then made the way an
instructor types it (``nbgrader generate_feedback`` with the course's nbgrader_config.py) and with
``autograder.feedback.generate_feedback``.
"""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from traitlets.config import Config

from autograder.cli import main
from autograder.feedback import (
    BEGIN,
    END,
    FRAME_NOTE,
    LINE_NOTE,
    NOT_RENDERED,
    OUTPUT_NOTE,
    PLACEHOLDER,
    HideHiddenTests,
    generate_feedback,
    hide_hidden_tests,
    page_leak,
    scrub_traceback,
    secret_lines,
    split_hidden,
)
from autograder.grade import grade_assignment
from autograder.gradebook import db_url, ensure_assignment
from autograder.sandbox import Limits, bwrap_works
from tests.autograder.chapter import (
    ASSIGNMENT,
    HIDDEN_LINES,
    HIDDEN_MESSAGE,
    RIGHT_DOUBLE,
    RIGHT_SCALE,
    answer,
)
from tests.autograder.conftest import save
from tests.timeouts import hang_guard

FIRST_ONLY = "def scale(values):\n    return [FACTOR * values[0]]"  # IndexError on []
TRUNCATING = "def scale(values):\n    return [FACTOR * v for v in values[:1]]"
ASSERT_MESSAGE = "hidden: scale([1, -2]) should be [3, -6]"
# Last cells that print what the kernel ran: the probes are in `In` by then.
PRINTER = 'print("\\n".join(In))\nprint("### BEGIN HIDDEN TESTS, said the student")'
SPLITTER = (
    "import sys\n"
    '_line = next(l for l in "\\n".join(In).splitlines() if "_probe.call(\\"empty" in l)\n'
    '_cut = _line.index(", ") + 1\n'
    "print(_line[:_cut], flush=True)\n"
    "sys.stderr.write(_line[_cut:])"
)
JUDGE_LINE = 'assert probe["pair"] == [3, -6], "hidden: scale([1, -2]) should be [3, -6]"'
LIMITS = Limits(cell_timeout=hang_guard(30), notebook_timeout=hang_guard(60), memory_mb=700)


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
        timeout=hang_guard(600),
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
    for student, last_cell in (("printer", PRINTER), ("splitter", SPLITTER)):
        nb = answer(right, "ex0_2_scale", RIGHT_SCALE)
        nb.cells.append(new_code_cell(last_cell))
        save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    sandbox = "bwrap" if bwrap_works() else "none"
    summary = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=sandbox, limits=LIMITS)
    scores = {o.student: o.score for o in summary.outcomes}
    assert scores == {"crash": 1, "wrong": 1, "printer": 3, "splitter": 3}
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


def test_cells_without_hidden_tests_or_quotes_are_left_alone() -> None:
    cell = new_code_cell("assert f(1) == 2")
    cell.outputs = [new_output("error", ename="E", evalue="v", traceback=["Cell In[1], line 1"])]
    cell.execution_count = 1
    before = dict(cell)
    hide_hidden_tests(cell, ["secret_check(x)"])
    assert dict(cell) == before


def test_output_lines_that_quote_a_secret_are_replaced() -> None:
    """Stream and plain text lose only the quoting lines (all of it when a quote is cut over
    lines); rich outputs go whole; a student cell's traceback keeps its own frames but not a
    quoting message."""
    secret = 'probe.call("pair", scale, [1, -2])'
    cell = new_code_cell("print(In)")
    cell.outputs = [
        new_output("stream", name="stdout", text=f"ok\n  {secret}  \nmore\n"),
        new_output("stream", name="stderr", text=f"x {BEGIN} y"),
        new_output("stream", name="stdout", text=secret.replace(", ", ",\n")),  # cut in 3
        new_output("display_data", data={"text/plain": f"a\n{secret}", "text/html": "<p>hi</p>"}),
        new_output(
            "display_data",
            data={"text/html": "<b>probe.call(</b>&quot;pair&quot;, scale,\n [1, -2])"},
        ),
        new_output("display_data", data={"text/markdown": f"`{secret}`"}),
        new_output(
            "error",
            ename="ValueError",
            evalue=secret,
            traceback=["Cell In[4], line 1\n----> 1 boom()", f"ValueError: {secret}"],
        ),
    ]
    hide_hidden_tests(cell, [secret])
    stdout, stderr, cut, plain, html_out, markdown, error = cell.outputs
    assert stdout.text == f"ok\n{LINE_NOTE}\nmore\n"
    assert stderr.text == LINE_NOTE
    assert cut.text == OUTPUT_NOTE
    assert plain.data == {"text/plain": f"a\n{LINE_NOTE}", "text/html": "<p>hi</p>"}
    assert html_out.data == {"text/html": OUTPUT_NOTE}  # as a browser shows it, it quotes
    assert markdown.data == {"text/markdown": OUTPUT_NOTE}
    assert error.evalue == OUTPUT_NOTE
    assert error.traceback == [
        "Cell In[4], line 1\n----> 1 boom()",  # the student's own frame stays
        "ValueError: (message hidden: it quotes a hidden test)",
    ]


def test_secret_lines_are_hidden_and_judge_lines_nobody_can_read_otherwise() -> None:
    source = new_notebook(
        cells=[
            new_code_cell(
                f"visible_check()\n### {BEGIN}\n"
                "secret_call(x, y, z, w)\nshared_call(x, y, z, w)\n_probe.send()\n"
                f"### {END}",
                metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t"}},
            ),
            new_code_cell(
                "def judge(probe, extra=None):\n    student_wrote_this(probe)\n",
                metadata={"tags": ["judge"]},
            ),
        ]
    )
    release = new_notebook(cells=[new_code_cell("visible_check()\nprint(shared_call(x, y, z, w))")])
    graded = new_notebook(cells=[new_code_cell("student_wrote_this(probe)"), source.cells[0]])
    # Short lines (_probe.send()) betray nothing and occur everywhere: they do not count.
    assert secret_lines(graded, source, release) == [
        "def judge(probe, extra=None):",
        "secret_call(x, y, z, w)",
    ]


def test_under_nbgrader_the_sources_judges_count_too(course: Path, release_nb) -> None:
    """A judge never reaches the kernel; if its lines show up anyway (a grader without a
    sandbox lets student code read source/), the preprocessor reads the source and scrubs them."""
    nb = copy.deepcopy(release_nb)
    nb.cells.append(new_code_cell("x", outputs=[new_output("stream", text=JUDGE_LINE + "\n")]))
    resources = {"nbgrader": {"assignment": ASSIGNMENT, "notebook": ASSIGNMENT}}
    config = Config({"CourseDirectory": {"root": str(course)}})
    scrubbed, _ = HideHiddenTests(config=config).preprocess(copy.deepcopy(nb), resources)
    assert scrubbed.cells[-1].outputs[0].text == LINE_NOTE + "\n"
    unaware, _ = HideHiddenTests().preprocess(copy.deepcopy(nb), {})  # no source to read
    assert unaware.cells[-1].outputs[0].text == JUDGE_LINE + "\n"


def test_a_page_quoting_a_judge_or_a_hidden_line_is_refused(
    tmp_path: Path, source_nb, release_nb
) -> None:
    secrets = secret_lines(release_nb, source_nb, release_nb)
    assert JUDGE_LINE in secrets and HIDDEN_LINES[0] in secrets
    assert not [s for s in secrets if "scale([1]) == [3]" in s]  # the visible test is public
    page = tmp_path / "page.html"
    page.write_text('<pre>assert scale([1]) == [3], "scale([1]) should be [3]"</pre>')
    assert page_leak(page, secrets) is None
    page.write_text(f"<pre>{html.escape(JUDGE_LINE)}</pre>")
    assert "quotes hidden test or judge code" in page_leak(page, secrets)
    page.write_text('<span title="_probe.call(&quot;empty&quot;, scale, [])">hover</span>')
    assert page_leak(page, secrets) is not None  # a tooltip shows too
    page.write_text(f"<pre>### {BEGIN}</pre>")
    assert page_leak(page, secrets) == "it shows a hidden-test marker"


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


@pytest.mark.parametrize("how", ["nbgrader", "autograder"])
def test_feedback_pages_write_math_as_mathml_and_load_nothing(graded: Path, how: str) -> None:
    """Offline feedback: formulas are MathML (browsers draw it), no MathJax from a CDN."""
    if how == "nbgrader":
        result = nbgrader(graded, "generate_feedback", ASSIGNMENT, "--force")
        assert result.returncode == 0, result.stderr[-3000:]
    else:
        generate_feedback(ASSIGNMENT, graded)
    page = (graded / "feedback" / "crash" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "<math" in page and "<msub><mi>x</mi><mi>i</mi></msub>" in page
    assert 'display="block"' in page  # the $$...$$ formula
    assert "$x_i$" not in page
    assert not re.search(r"<script[^>]+src=", page), "the page loads a script"
    assert "cdnjs" not in page and "MathJax.Hub" not in page  # nbconvert's MathJax is gone


def test_what_a_student_printed_of_the_hidden_tests_is_scrubbed(graded: Path) -> None:
    """printer printed `In` (the probes) and a marker: nbgrader's own command, as typed, gives a
    page with those lines replaced and everything else of theirs kept."""
    result = nbgrader(graded, "generate_feedback", ASSIGNMENT, "--student", "printer")
    assert result.returncode == 0, result.stderr[-3000:]
    page = graded / "feedback" / "printer" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    raw, text = page.read_text(), page_text(page)
    assert BEGIN not in raw and END not in raw
    for line in HIDDEN_LINES:
        assert line not in text
    assert LINE_NOTE in text
    assert "return [v * FACTOR for v in values]" in text  # their own code, printed from In
    assert "00_demo (Score: 3.0 / 4.0)" in text


def test_without_the_preprocessor_nbgrader_shows_them(graded: Path, tmp_path: Path) -> None:
    """The checks above can fail: nbgrader's default chain leaks the hidden source and message,
    and what a student printed."""
    chain = "['nbgrader.preprocessors.GetGrades']"
    for student in ("wrong", "printer"):
        result = nbgrader(
            graded,
            "generate_feedback",
            ASSIGNMENT,
            "--student",
            student,
            f"--GenerateFeedback.preprocessors={chain}",
            f"--CourseDirectory.feedback_directory={tmp_path.name}",
            f"--CourseDirectory.root={graded}",
        )
        assert result.returncode == 0, result.stderr[-3000:]
        page = graded / tmp_path.name / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        assert page_leak(page, []) == "it shows a hidden-test marker"
        assert HIDDEN_LINES[1] in page_text(page)


def test_generate_feedback_forces_the_preprocessor_and_checks_the_pages(graded: Path) -> None:
    config = graded / "nbgrader_config.py"
    original = config.read_text()
    # A course whose config lacks the preprocessor still gets clean feedback from this function.
    config.write_text(original.replace("autograder.feedback.HideHiddenTests", "nope.Missing"))
    try:
        result = generate_feedback(ASSIGNMENT, root=graded, students=["wrong"])
    finally:
        config.write_text(original)
    assert result.written == [graded / "feedback" / "wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html"]
    assert result.withheld == []
    text = page_text(result.written[0])
    assert HIDDEN_MESSAGE not in text and HIDDEN_LINES[0] not in text
    assert ASSERT_MESSAGE in text


def test_a_page_that_still_leaks_is_withheld_for_that_student_alone(graded: Path) -> None:
    """splitter's hidden line, cut over two outputs, reads whole on the page: that page is
    deleted and reported; the rest of the class gets its pages."""
    result = generate_feedback(ASSIGNMENT, root=graded)
    pages = {p.parent.parent.name for p in result.written}
    assert pages == {"crash", "wrong", "printer"}
    [withheld] = result.withheld
    assert withheld.student == "splitter" and not withheld.page.exists()
    assert "quotes hidden test or judge code" in withheld.reason
    assert HIDDEN_LINES[0] in withheld.reason


def test_a_student_nbgrader_cannot_render_fails_nobody_else(graded: Path, tmp_path: Path) -> None:
    root = Path(shutil.copytree(graded, tmp_path / "course"))
    (root / "autograded" / "crash" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("{not json")
    result = generate_feedback(ASSIGNMENT, root=root, students=["crash", "wrong"])
    assert [p.parents[1].name for p in result.written] == ["wrong"]
    [withheld] = result.withheld
    assert (withheld.student, withheld.reason) == ("crash", NOT_RENDERED)


def test_the_feedback_command(graded: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(graded))
    assert main(["feedback", ASSIGNMENT, "--student", "crash"]) == 0
    assert "1 feedback pages" in capsys.readouterr().out
    assert main(["feedback", ASSIGNMENT]) == 0  # one withheld page fails nobody else
    out = capsys.readouterr().out
    assert "splitter: feedback withheld: it quotes hidden test or judge code" in out
    assert "3 feedback pages in feedback/, no hidden tests in them; 1 withheld" in out
    assert main(["feedback", ASSIGNMENT, "--student", "splitter"]) == 2  # nobody got a page
    assert main(["feedback", "no_such_chapter"]) == 2
