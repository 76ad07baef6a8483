"""End-to-end: a whole term on `make hub`, in a real (headless) browser.

`make hub` (as root) creates the roster's accounts, the shared environment, the exchange and the
instructor's course directory, and starts JupyterHub with its proxy. Then, each person in their own
browser session, logged in with their account's password:

1. the instructor generates and releases 01_neurons in the formgrader;
2. two students fetch it from the Assignment List; one solves every exercise, the other some;
   each presses Validate and submits;
3. the instructor collects in the formgrader, grades with `python -m autograder grade` (typed in
   the instructor's account, as in a terminal of their server), grades a written answer in the
   formgrader, generates and releases feedback;
4. each student fetches their feedback and opens it; `nbgrader export` has both students;
5. a student's account can read neither the instructor's course directory nor another student's
   work nor the other submissions in the exchange.

Screenshots of every step go to the artifacts folder (tests/e2e/artifacts/hub_*.png) and the
term's duration is printed. The test runs as root (it creates accounts and the hub needs root to
start servers as them), as CI does; the accounts and every file are removed afterwards.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pwd
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from autograder.notebook import grade_id, is_solution, is_written, points, read_notebook
from autograder.settings import COURSE_ID
from tests.e2e.conftest import UI_TIMEOUT_MS, artifacts_folder
from tests.e2e.server import (
    CHAPTER,
    CHROMIUM_ARGS,
    KERNEL_IDLE,
    KERNEL_START_TIMEOUT_MS,
    NOTEBOOK,
    REPO,
    free_port,
    group_alive,
    make_env,
    missing,
)
from tests.e2e.test_student import solved_copy, validate
from tests.timeouts import hang_guard, hang_guard_ms

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INSTRUCTOR = "dlct-teach"
FULL, PARTLY = "dlct-ana", "dlct-ben"  # one solves every exercise, the other some
STUDENTS = (FULL, PARTLY)
USERS = (INSTRUCTOR, *STUDENTS)
# Hang guards. The first `make hub` installs the course's packages into the shared environment.
HUB_READY_TIMEOUT = hang_guard(900)
SPAWN_TIMEOUT_MS = hang_guard_ms(120)
COMMAND_TIMEOUT = hang_guard(600)
STOP_GRACE = hang_guard(30)
FORMGRADER_TIMEOUT_MS = hang_guard_ms(300)  # generate, collect and feedback run nbgrader


@dataclass
class Hub:
    url: str
    prefix: Path
    exchange: Path
    passwords: dict[str, str]

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    @property
    def course_dir(self) -> Path:
        return self.home(INSTRUCTOR) / COURSE_ID

    def as_user(self, user: str, command: str) -> subprocess.CompletedProcess[str]:
        """Run ``command`` in bash under ``user``'s account with the PATH their server has."""
        env = {
            "HOME": str(self.home(user)),
            "USER": user,
            "LANG": "C.UTF-8",
            "PATH": f"{self.prefix / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "JUPYTER_CONFIG_PATH": str(self.prefix / "config" / role(user)),
        }
        return subprocess.run(
            [
                "runuser",
                "-u",
                user,
                "--",
                "env",
                "-i",
                *(f"{k}={v}" for k, v in env.items()),
                "bash",
                "-c",
                f"cd ~ && {command}",
            ],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )


def role(user: str) -> str:
    return "instructor" if user == INSTRUCTOR else "student"


def remove_accounts() -> None:
    """End every process of the test accounts and delete them with their homes."""
    for user in USERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", user], check=False)
        time.sleep(0.2)
        subprocess.run(["userdel", "--remove", user], capture_output=True, check=False)


def wait_for_hub(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + HUB_READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`make hub` exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/hub/api/", timeout=hang_guard(5)) as response:
                json.loads(response.read())
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            time.sleep(1)
    pytest.fail(f"JupyterHub not ready after {HUB_READY_TIMEOUT:.0f} s:\n{log.read_text()[-4000:]}")


def stop_group(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + STOP_GRACE
        while group_alive(process.pid) and time.monotonic() < deadline:
            process.poll()
            time.sleep(0.2)
        if not group_alive(process.pid):
            break
    process.wait(timeout=STOP_GRACE)


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    """`make hub` for a roster of three fresh accounts, on free ports, in a scratch folder."""
    if os.geteuid() != 0:
        missing("the hub test creates accounts and runs JupyterHub: it needs root")
    for tool in ("npm", "runuser", "useradd", "chpasswd", "make"):
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed")
    if not Path("/usr/bin/python3").is_file():
        missing("the hub's shared environment needs a system Python at /usr/bin/python3")
    remove_accounts()  # leftovers of an interrupted run
    # Every account must reach the hub's files: not under pytest's tmp folders (mode 700).
    base = Path(tempfile.mkdtemp(prefix="dlcourse-hub-test-", dir="/tmp"))
    base.chmod(0o755)
    roster = base / "roster.csv"
    roster.write_text(
        "username,role\n"
        + f"{INSTRUCTOR},instructor\n"
        + "".join(f"{s},student\n" for s in STUDENTS)
    )
    port, hub_port, proxy_port = free_port(), free_port(), free_port()
    prefix, exchange = base / "hub", base / "exchange"
    log = artifacts_folder() / "hub.log"
    command = [
        "make",
        "-C",
        str(REPO),
        "hub",
        f"HUB_ROSTER={roster}",
        f"HUB_PREFIX={prefix}",
        f"HUB_EXCHANGE={exchange}",
        f"HUB_PORT={port}",
        f"HUB_ARGS=--home-base {base / 'home'} --internal-ports {hub_port} {proxy_port}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=make_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_hub(url, process, log)
        passwords = {user: f"pw-{user}-{os.urandom(4).hex()}" for user in USERS}
        subprocess.run(
            ["chpasswd"],
            input="".join(f"{u}:{p}\n" for u, p in passwords.items()),
            text=True,
            check=True,
        )
        yield Hub(url, prefix, exchange, passwords)
    finally:
        stop_group(process)
        remove_accounts()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Person:
    """One user's browser session on the hub, with numbered screenshots."""

    shots = 0

    def __init__(self, browser: Any, hub: Hub, user: str) -> None:
        self.hub, self.user = hub, user
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(UI_TIMEOUT_MS)
        self.server = f"{hub.url}/user/{user}"

    def shot(self, what: str) -> None:
        Person.shots += 1
        path = artifacts_folder() / f"hub_{Person.shots:02d}_{self.user}_{what}.png"
        self.page.screenshot(path=str(path))

    def login(self) -> None:
        page = self.page
        page.goto(f"{self.hub.url}/hub/login")
        page.fill("#username_input", self.user)
        page.fill("#password_input", self.hub.passwords[self.user])
        page.click("#login_submit")
        page.wait_for_url(re.compile(rf"/user/{self.user}/lab"), timeout=SPAWN_TIMEOUT_MS)
        expect(page.locator("#jp-main-dock-panel")).to_be_visible()
        self.shot("lab")

    def menu(self, *labels: str) -> None:
        page = self.page
        page.locator(
            "#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(f"^{labels[0]}$")
        ).click()
        for label in labels[1:]:
            page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=re.compile(f"^{label}$")).click()

    def contents(self, path: str, content: dict[str, Any] | None = None) -> Any:
        """GET (or PUT ``content``) through the user's Jupyter server, with their cookies."""
        return self.page.evaluate(
            """async ([url, body]) => {
                // JupyterHub's servers want the XSRF token on every cookie-authenticated API call.
                const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
                const headers = {"X-XSRFToken": xsrf, "Content-Type": "application/json"};
                const response = await fetch(url, body === null ? {headers} : {
                    method: "PUT", body: JSON.stringify(body), headers});
                if (!response.ok) throw new Error(url + ": " + response.status);
                return await response.json();
            }""",
            [f"{self.server}/api/contents/{path}", content],
        )

    # -- the formgrader ---------------------------------------------------------------------------

    def formgrader_action(self, icon: str, what: str) -> None:
        """Press one of the formgrader's buttons on the chapter's row; wait for its success."""
        page = self.page
        page.goto(f"{self.server}/formgrader/manage_assignments")
        row = page.locator("tr", has=page.locator("a", has_text=re.compile(f"^{CHAPTER}$")))
        row.locator(f".glyphicon-{icon}").click()
        modal = page.locator("#success-modal, #error-modal")
        expect(modal).to_be_visible(timeout=FORMGRADER_TIMEOUT_MS)
        self.shot(what)
        text = modal.inner_text()
        assert page.locator("#success-modal").count() == 1, f"{what} failed:\n{text[-3000:]}"
        modal.locator(".modal-footer button").first.click()
        expect(modal).to_have_count(0)

    # -- the student's Assignment List ------------------------------------------------------------

    def assignment_list(self) -> Any:
        self.menu("Nbgrader", "Assignment List")
        panel = self.page.locator("#nbgrader-assignment-list")
        expect(panel).to_be_visible()
        return panel


def answers_of(solved: Any) -> dict[str, str]:
    return {grade_id(c): c.source for c in solved.cells if is_solution(c)}


def partly_solved(release: Path, solved: Any, keep: int) -> Any:
    """The release with only the first ``keep`` code answers of ``solved`` filled in."""
    nb = read_notebook(release)
    answers = answers_of(solved)
    code = [c for c in nb.cells if is_solution(c) and c.cell_type == "code"]
    for cell in code[:keep]:
        cell.source = answers[grade_id(cell)]
    return nb


def solve_and_submit(person: Person, notebook: Any, expected: str) -> str:
    """Fetch, put the student's answers in, Validate, submit; return Validate's text."""
    page = person.page
    panel = person.assignment_list()
    released = panel.locator("#released_assignments_list")
    expect(released).to_contain_text(CHAPTER)
    person.shot("assignment_list")
    released.locator("button", has_text="Fetch").click()
    fetched = panel.locator("#fetched_assignments_list")
    expect(fetched).to_contain_text(CHAPTER)

    # The student's work: the answers typed into the fetched notebook, saved by their server.
    person.contents(NOTEBOOK, {"type": "notebook", "format": "json", "content": notebook})
    page.goto(f"{person.server}/lab/tree/{NOTEBOOK}?reset")
    notebook_panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(notebook_panel.locator(".jp-Cell").first).to_be_visible()
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_START_TIMEOUT_MS)
    Person.shots += 1
    shot = artifacts_folder() / f"hub_{Person.shots:02d}_{person.user}_validate.png"
    kind, text = validate(page, notebook_panel, shot)
    assert kind == expected, text

    panel = person.assignment_list()
    fetched = panel.locator("#fetched_assignments_list")
    fetched.locator("button", has_text=re.compile("^Submit$")).first.click()
    submitted = panel.locator("#submitted_assignments_list")
    expect(submitted).to_contain_text(CHAPTER, timeout=FORMGRADER_TIMEOUT_MS)
    person.shot("submitted")
    return text


def fetch_feedback(person: Person) -> str:
    """Fetch the released feedback and open it in Lab, as a student does; return its HTML."""
    page = person.page
    panel = person.assignment_list()
    submitted = panel.locator("#submitted_assignments_list")
    submitted.locator("button", has_text="Fetch Feedback").first.click()
    link = submitted.locator("a", has_text="view feedback").first
    expect(link).to_be_visible(timeout=FORMGRADER_TIMEOUT_MS)
    link.click()  # shows the feedback's folder in the file browser
    if not page.locator("#filebrowser").is_visible():
        page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    item = page.locator("#filebrowser .jp-DirListing-item", has_text=f"{CHAPTER}.html")
    expect(item).to_be_visible()
    item.dblclick()
    expect(page.locator(".jp-HTMLViewer iframe")).to_be_visible()
    page.wait_for_timeout(1000)
    person.shot("feedback")
    listing = person.contents(f"{CHAPTER}/feedback")
    stamps = [item["path"] for item in listing["content"] if item["type"] == "directory"]
    assert len(stamps) == 1, listing
    page = person.contents(f"{stamps[0]}/{CHAPTER}.html")
    return page["content"]


def submission_id(hub: Hub, student: str) -> str:
    """The gradebook's id of ``student``'s notebook (read-only: the file is the instructor's)."""
    uri = f"file:{hub.course_dir / 'gradebook.db'}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        row = db.execute(
            "SELECT sn.id FROM submitted_notebook sn "
            "JOIN submitted_assignment sa ON sn.assignment_id = sa.id "
            "JOIN assignment a ON sa.assignment_id = a.id "
            "WHERE sa.student_id = ? AND a.name = ?",
            (student, CHAPTER),
        ).fetchone()
    assert row is not None, f"no submission of {student} in the gradebook"
    return row[0]


def test_a_term_on_the_hub(hub: Hub, browser: Any) -> None:
    started = time.monotonic()
    release, source = REPO / "release" / NOTEBOOK, REPO / "source" / NOTEBOOK
    solved = solved_copy(release, source)
    written = {grade_id(c): points(c) for c in read_notebook(source).cells if is_written(c)}

    # 1. The instructor generates and releases the chapter.
    teacher = Person(browser, hub, INSTRUCTOR)
    teacher.login()
    teacher.formgrader_action("education", "generated")
    teacher.formgrader_action("cloud-upload", "released")
    assert (hub.exchange / COURSE_ID / "outbound" / CHAPTER / f"{CHAPTER}.ipynb").is_file()

    # 2. Two students fetch, work, validate and submit.
    validated = {}
    for user, notebook, expected in (
        (FULL, solved, "validation-success"),
        (PARTLY, partly_solved(release, solved, keep=4), "validation-failed"),
    ):
        student = Person(browser, hub, user)
        student.login()
        validated[user] = solve_and_submit(student, notebook, expected)
    assert re.search(r"\d+ of \d+ exercise tests pass", validated[PARTLY]), validated[PARTLY]
    assert "HIDDEN" not in validated[PARTLY] and "BEGIN SOLUTION" not in validated[PARTLY]

    # 3. The instructor collects, grades, grades a written answer, returns feedback.
    teacher.formgrader_action("cloud-download", "collected")
    graded = hub.as_user(INSTRUCTOR, f"cd {COURSE_ID} && python -m autograder grade {CHAPTER}")
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert f"{CHAPTER}: {len(STUDENTS)} graded, 0 invalid" in graded.stdout, graded.stdout

    page = teacher.page
    page.goto(f"{teacher.server}/formgrader/gradebook/{CHAPTER}/{CHAPTER}")
    expect(page.locator("table tbody tr")).to_have_count(len(STUDENTS))
    teacher.shot("submissions")
    page.goto(f"{teacher.server}/formgrader/submissions/{submission_id(hub, FULL)}")
    for cell, full_marks in written.items():  # the TA reads each written answer
        score = page.locator(f"input.score#{cell}")
        expect(score).to_be_visible()
        score.scroll_into_view_if_needed()
        score.fill(f"{full_marks:g}")
        score.press("Tab")  # saved when the input loses focus
        card = page.locator(f"#{cell}").locator("xpath=ancestor::div[contains(@class,'panel')][1]")
        expect(card.locator(".score-saved")).to_be_visible()
    teacher.shot("manual_grade")
    teacher.formgrader_action("comment", "feedback_generated")
    teacher.formgrader_action("envelope", "feedback_released")

    # 4. Each student reads their feedback; the export has both.
    feedback = {}
    for user in STUDENTS:
        student = Person(browser, hub, user)
        student.login()
        feedback[user] = fetch_feedback(student)
    for user, html in feedback.items():
        assert "BEGIN HIDDEN TESTS" not in html and "BEGIN SOLUTION" not in html, user
        assert re.search(r"Score:\s*[\d.]+\s*/\s*[\d.]+", html), user
        assert "<math" in html and "cdnjs" not in html, user  # math as MathML, nothing to fetch
    # The page read offline (saved, or without a network): the browser draws its MathML itself.
    offline = browser.new_context()
    try:
        tab = offline.new_page()
        tab.route("**/*", lambda route: route.abort())
        tab.set_content(feedback[FULL])
        widths = tab.evaluate(
            "[...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width)"
        )
        assert widths and min(widths) > 0, widths
        tab.screenshot(path=str(artifacts_folder() / "hub_feedback_offline.png"))
    finally:
        offline.close()

    exported = hub.as_user(
        INSTRUCTOR, f"cd {COURSE_ID} && nbgrader export --to=grades.csv && cat grades.csv"
    )
    assert exported.returncode == 0, exported.stderr[-3000:]
    start = exported.stdout.index("assignment,")
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(exported.stdout[start:]))}
    assert set(rows) >= set(STUDENTS), rows
    full, partly = (float(rows[u]["score"]) for u in (FULL, PARTLY))
    assert full == pytest.approx(float(rows[FULL]["max_score"])), rows[FULL]
    assert 0 < partly < full, rows

    # 5. What a student's account cannot read.
    other = hub.home(PARTLY) / NOTEBOOK
    inbound = hub.exchange / COURSE_ID / "inbound"
    for path in (
        hub.course_dir / "source",
        hub.course_dir / "gradebook.db",
        other,
        inbound,
        hub.prefix / "state",
    ):
        peek = hub.as_user(FULL, f"ls {path}/ || cat {path}")
        assert peek.returncode != 0, f"{FULL} can read {path}:\n{peek.stdout}"
    print(f"\nthe term on the hub took {time.monotonic() - started:.0f} s (after `make hub`)")
