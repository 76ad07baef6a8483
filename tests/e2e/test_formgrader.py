"""End-to-end: the formgrader shows a class graded by `python -m autograder demo`, a TA enters a
manual grade for a written answer in a real (headless) browser, and `nbgrader export` has it.

It uses a copy of the session's demo term (tests/demo_term.py: 8 students, chapter 09_ethics, 6
submissions, two of them hostile); JupyterLab runs from its course directory exactly as the README
tells an instructor (`cd demo && jupyter lab`), with its own Jupyter user directories.
Screenshots go to the test's artifacts folder.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect

from autograder.demo import DemoResult, make_roster
from autograder.notebook import grade_id, is_written, points, read_notebook
from autograder.settings import COURSE_ID
from tests.demo_term import CHAPTER, STUDENTS
from tests.e2e.server import REPO, Lab, free_port, make_env
from tests.timeouts import hang_guard

pytestmark = [
    # the demo term is built once per session, in the group of the demo's own tests
    pytest.mark.xdist_group("autograder"),
]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def term(demo_term: tuple[DemoResult, list[str]], tmp_path_factory) -> DemoResult:
    """A copy of the session's graded demo term (tests/demo_term.py), which this test changes: a
    manual grade. Its nbgrader_config.py finds the gradebook and exchange beside itself."""
    result, _ = demo_term
    dest = tmp_path_factory.mktemp("formgrader") / "demo"
    shutil.copytree(result.dest, dest, symlinks=True)
    return dataclasses.replace(
        result,
        dest=dest,
        roster=dest / result.roster.name,
        grades=dest / result.grades.name,
        reports=dest / result.reports.name,
    )


@pytest.fixture
def formgrader(term: DemoResult, tmp_path: Path, artifacts: Path) -> Iterator[Lab]:
    """`jupyter lab` started in the demo's course directory, as an instructor starts it."""
    port, token = free_port(), secrets.token_hex(16)
    command = [
        str(VENV_BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = make_env(tmp_path / "jupyter-home")
    env["PATH"] = os.pathsep.join([str(VENV_BIN), env.get("PATH", "")])
    log = artifacts / "formgrader.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=term.dest,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}", token, term.dest, log, process)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _written_cell() -> tuple[str, float]:
    source = read_notebook(REPO / "source" / CHAPTER / f"{CHAPTER}.ipynb")
    cell = next(c for c in source.cells if is_written(c))
    return grade_id(cell), points(cell)


def _export(root: Path) -> dict[str, dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "export", "--to=after.csv"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=hang_guard(120),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with (root / "after.csv").open(newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.mark.browser
@pytest.mark.slow
def test_formgrader_shows_the_class_and_a_manual_grade_reaches_the_export(
    term: DemoResult, formgrader: Lab, page: Any, artifacts: Path
) -> None:
    students = sorted(term.kinds[CHAPTER])
    student = next(s for s in term.kinds[CHAPTER] if term.kinds[CHAPTER][s] == "correct")
    before = _export(term.dest)[student]
    cell, max_points = _written_cell()
    given = max_points - 1 if max_points > 1 else max_points

    # The token in the first URL sets the login cookie; the formgrader's API calls carry none.
    page.goto(f"{formgrader.url}/formgrader/manage_students?token={formgrader.token}")
    table = page.locator("table")
    for sid in students:
        expect(table).to_contain_text(sid)
    expect(table).to_contain_text(make_roster(STUDENTS)[0].last_name)  # names from the roster
    shot = artifacts / "formgrader_students.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot of the class: {shot}")

    page.goto(f"{formgrader.url}/formgrader/gradebook/{CHAPTER}/{CHAPTER}")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(students))  # one row per submission
    page.screenshot(path=str(artifacts / "formgrader_submissions.png"), full_page=True)

    with Gradebook(f"sqlite:///{term.dest / 'gradebook.db'}", COURSE_ID) as gb:
        submission_id = gb.find_submission_notebook(CHAPTER, CHAPTER, student).id
    # Offline, as in a classroom without internet: only the grader's own server answers.
    outside: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith(formgrader.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{formgrader.url}/formgrader/submissions/{submission_id}")
    # The formgrader's script waits for MathJax 2; the course serves it locally
    # (jupyter_server_mathjax, autograder/templates/formgrade), so the chapter's math is typeset.
    page.wait_for_function("window.MathJax && MathJax.loaded === true")
    assert page.locator(".MathJax, .MathJax_Display").count() > 0, "no formula was typeset"
    assert not outside, f"the formgrader asked for {outside}"
    # Every part of MathJax it loads is there. (MathJax also probes for one of its TeX font files,
    # which jupyter_server_mathjax does not ship; it then draws with STIX-Web, which it ships.)
    log_lines = formgrader.log.read_text().splitlines()
    not_found = [line for line in log_lines if " 404 GET " in line and ".js" in line]
    assert not not_found, "\n".join(not_found)
    score = page.locator(f"input.score#{cell}")
    expect(score).to_be_visible()
    score.scroll_into_view_if_needed()
    score.fill(f"{given:g}")
    score.press("Tab")  # the formgrader saves a score when its input loses focus
    saved = page.locator(f"#{cell}").locator("xpath=ancestor::div[contains(@class,'panel')][1]")
    expect(saved.locator(".score-saved")).to_be_visible()
    shot = artifacts / "formgrader_manual_grade.png"
    page.screenshot(path=str(shot))
    print(f"screenshot of the manual grade: {shot}")

    after = _export(term.dest)[student]
    assert float(after["raw_score"]) == pytest.approx(float(before["raw_score"]) + given)
    with Gradebook(f"sqlite:///{term.dest / 'gradebook.db'}", COURSE_ID) as gb:
        grade = gb.find_grade(cell, CHAPTER, CHAPTER, student)
        assert grade.manual_score == pytest.approx(given)

    errors = formgrader.logged_errors()
    assert not errors, "JupyterLab or nbgrader logged errors:\n" + "\n".join(errors)
