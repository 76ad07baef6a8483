"""Grading a whole class: honest, blank, wrong and hostile submissions in ONE `grade` run.

Every fixture submission is built in code from the 00_demo chapter (tests/autograder/chapter.py);
each test below asserts what happened to one of them, while the rest of the class was graded
normally. One run grades them all, so the module costs one pool of kernels, not one per test.
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook

from autograder.grade import RESULT_FILE, Summary, grade_assignment
from autograder.gradebook import db_url, ensure_assignment
from autograder.sandbox import Limits, bwrap_works
from autograder.settings import COURSE_ID
from tests.autograder.chapter import (
    ASSIGNMENT,
    DATA_FILE,
    RIGHT_DOUBLE,
    RIGHT_SCALE,
    VISIBLE_ONLY_SCALE,
    WRONG_DOUBLE,
    answer,
    cell,
    tampered,
    visible_only,
)
from tests.autograder.conftest import nbgrader_autograde, save
from tests.timeouts import hang_guard

if not bwrap_works() and os.environ.get("CI"):
    pytest.fail("bubblewrap (bwrap) cannot run here; .ci/run installs it", pytrace=False)
pytestmark = pytest.mark.skipif(not bwrap_works(), reason="bubblewrap (bwrap) cannot run here")

LIMITS = Limits(
    cell_timeout=hang_guard(8),  # streaming 100 MB of output takes seconds on a busy 2-core machine
    notebook_timeout=hang_guard(15),
    memory_mb=700,
    max_processes=48,
    max_output_bytes=2 * 2**20,
)


def copy_course(course: Path, dest: Path) -> Path:
    """A private copy of a course (config, source, release, gradebook), with no submissions."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(course / "nbgrader_config.py", dest / "nbgrader_config.py")
    for part in ("source", "release"):
        shutil.copytree(course / part, dest / part)
    if (course / "gradebook.db").is_file():
        shutil.copyfile(course / "gradebook.db", dest / "gradebook.db")
    return dest


@pytest.fixture(scope="module")
def prepared(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course with 00_demo already in its gradebook (nbgrader generate_assignment, once)."""
    root = copy_course(course, tmp_path_factory.mktemp("prepared"))
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    return root


def right(release: NotebookNode) -> NotebookNode:
    return answer(answer(release, "ex0_1_double", RIGHT_DOUBLE), "ex0_2_scale", RIGHT_SCALE)


def with_double(release: NotebookNode, body: str) -> NotebookNode:
    """Right answers, where the 0.1 answer cell first runs ``body`` (the hostile part)."""
    return answer(right(release), "ex0_1_double", body + "\n\n\n" + RIGHT_DOUBLE)


def partly_wrong(release: NotebookNode) -> NotebookNode:
    """0.1 right; 0.2 passes its visible test but fails the hidden ones."""
    return answer(right(release), "ex0_2_scale", VISIBLE_ONLY_SCALE)


def retyped(release: NotebookNode) -> NotebookNode:
    nb = right(release)
    test = cell(nb, "test_ex0_2_scale")
    index = nb.cells.index(test)
    nb.cells[index] = new_markdown_cell("pass", metadata=copy.deepcopy(test.metadata))
    nb.cells[index]["id"] = test["id"]
    return nb


def renamed_ids(release: NotebookNode) -> NotebookNode:
    nb = answer(right(release), "ex0_1_double", WRONG_DOUBLE)
    test = cell(nb, "test_ex0_1_double")
    test.source = "pass"
    test.metadata.nbgrader["grade_id"] = "my_own_test"
    return nb


def schema_edited(release: NotebookNode) -> NotebookNode:
    nb = right(release)
    for c in nb.cells:
        if "nbgrader" in c.metadata:
            c.metadata.nbgrader["schema_version"] = 99
    return nb


def other_kernel(release: NotebookNode) -> NotebookNode:
    nb = right(release)
    nb.metadata["kernelspec"] = {"name": "evil", "display_name": "Evil", "language": "python"}
    return nb


def faked_outputs(release: NotebookNode) -> NotebookNode:
    nb = copy.deepcopy(release)  # no answers at all, but outputs that look like a pass
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="all tests passed")]
            c.execution_count = 1
    return nb


def duplicated_tests(release: NotebookNode) -> NotebookNode:
    nb = answer(right(release), "ex0_1_double", WRONG_DOUBLE)
    copies = []
    for gid in ("test_ex0_1_double", "test_ex0_2_scale"):
        twin = copy.deepcopy(cell(nb, gid))
        twin.source = "pass"
        twin["id"] = f"twin-{gid}"
        copies.append(twin)
    nb.cells.extend(copies)  # the last copy of a test cell counts; restored from the source
    return nb


# Hostile answer-cell bodies; {root} is the course directory, {other} another student's file.
HOSTILE = {
    "sys_exit": "import sys\nsys.exit(0)",
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
    "snoop": (
        "import os\n"
        "for path in [{root!r} + '/gradebook.db', {root!r} + '/source', {other!r}]:\n"
        "    assert not os.path.exists(path), 'visible: ' + path"
    ),
    "escape": (
        "for path in [{root!r} + '/pwned', '/tmp/pwned-by-student', '/usr/pwned']:\n"
        "    try:\n"
        "        open(path, 'w').write('x')\n"
        "    except OSError:\n"
        "        pass"
    ),
    "network": (
        "import socket\n"
        "for address in [('127.0.0.1', 22), ('1.1.1.1', 80)]:\n"
        "    try:\n"
        "        socket.create_connection(address, timeout=2).close()\n"
        "        raise AssertionError(f'network reachable: {{address}}')\n"
        "    except OSError:\n"
        "        pass"
    ),
    "environment": (
        "import os\n"
        "assert 'COURSE_ROOT' not in os.environ and 'SECRET_TOKEN' not in os.environ\n"
        f"assert sorted(os.listdir('.')) == [{DATA_FILE!r}], os.listdir('.')"
    ),
    "huge_output": "print('x' * (100 * 2**20))",
    "disk_fill": (
        "try:\n    open('big.bin', 'wb').write(b'0' * (300 * 2**20))\n"
        "    raise AssertionError('wrote 300 MB into the working directory')\n"
        "except OSError:\n    pass"
    ),
}

# Answer cells that break the kernel: the whole notebook scores 0, the class goes on.
FATAL = {
    "os_exit": "import os\nos._exit(1)",
    "infinite_loop": "while True:\n    pass",
    "memory_bomb": (
        "blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 2**20))\n"
        "    blocks[-1][::4096] = b'x' * len(blocks[-1][::4096])"
    ),
    "fork_bomb": (
        "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(60)\n"
        "        os._exit(0)"
    ),
}

INVALID = {
    "corrupt": b'{"nbformat": 4, "cells": [{"cell_type": ',
    "not_utf8": b'{"nbformat": 4, "cells": [], "metadata": {"name": "\xff\xfe"}}',
    "not_a_notebook": b"[1, 2, 3]",
}


@pytest.fixture(scope="module")
def graded(prepared: Path, tmp_path_factory: pytest.TempPathFactory, release_nb: NotebookNode):
    """A class of submissions graded in one run: (course root, summary)."""
    root = copy_course(prepared, tmp_path_factory.mktemp("class"))

    def submit(student: str, nb: NotebookNode) -> Path:
        return save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")

    other = submit("alice", right(release_nb))
    submit("bob", release_nb)
    submit("carol", tampered(release_nb))
    submit("dave", visible_only(release_nb))
    submit("partly", partly_wrong(release_nb))
    submit("retyped", retyped(release_nb))
    submit("renamed_ids", renamed_ids(release_nb))
    submit("schema_edited", schema_edited(release_nb))
    submit("other_kernel", other_kernel(release_nb))
    submit("faked_outputs", faked_outputs(release_nb))
    submit("duplicated_tests", duplicated_tests(release_nb))
    for student, body in HOSTILE.items():
        submit(student, with_double(release_nb, body.format(root=str(root), other=str(other))))
    for student, body in FATAL.items():
        submit(student, answer(right(release_nb), "ex0_1_double", body))
    shadow = submit("shadowing", with_double(release_nb, "import os\nimport json"))
    for name in ("torch.py", "sitecustomize.py", "json.py"):
        (shadow.parent / name).write_text("raise SystemExit('shadowed')\n")
    for student, data in INVALID.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_bytes(data)
    truncated = submit("truncated", right(release_nb))
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    link = root / "submitted" / "symlink" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    link.parent.mkdir(parents=True)
    link.symlink_to(other)
    missing = root / "submitted" / "missing" / ASSIGNMENT
    missing.mkdir(parents=True)
    (missing / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")
    v3 = root / "submitted" / "nbformat3" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    v3.parent.mkdir(parents=True)
    v3.write_text(nbformat.writes(nbformat.convert(right(release_nb), 3), version=3))
    renamed = submit("renamed_file", right(release_nb))
    renamed.rename(renamed.with_name(f"{ASSIGNMENT} (1).ipynb"))

    os.environ["SECRET_TOKEN"] = "the grader's secret"  # must not reach any kernel
    try:
        summary = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox="bwrap", limits=LIMITS)
    finally:
        del os.environ["SECRET_TOKEN"]
    return root, summary


def _score(root: Path, student: str) -> float:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        return gb.find_submission(ASSIGNMENT, student).score


def _result(root: Path, student: str) -> dict:
    path = root / "autograded" / student / ASSIGNMENT / RESULT_FILE
    return json.loads(path.read_text())


EXPECTED = {
    "alice": 3,
    "bob": 0,
    "carol": 2,
    "dave": 1,
    "partly": 1,
    "retyped": 3,
    "renamed_ids": 2,
    "schema_edited": 3,
    "other_kernel": 3,
    "faked_outputs": 0,
    "duplicated_tests": 2,
    "shadowing": 3,
    "nbformat3": 3,
    "renamed_file": 3,
    **{student: 3 for student in HOSTILE},
    **{student: 0 for student in FATAL},
    "sys_exit": 2,  # SystemExit stops the cell before `double` is defined; the kernel lives on
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_its_score_in_the_gradebook(graded, student: str) -> None:
    root, summary = graded
    outcome = summary.by_student()[student]
    assert outcome.status == "graded", outcome.reason
    assert outcome.score == EXPECTED[student]
    assert _score(root, student) == EXPECTED[student]
    assert _result(root, student)["score"] == EXPECTED[student]
    assert (root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


@pytest.mark.parametrize(
    ("student", "reason"),
    [
        ("corrupt", "not valid JSON"),
        ("truncated", "not valid JSON"),
        ("not_utf8", "not UTF-8"),
        ("not_a_notebook", "not a Jupyter notebook"),
        ("missing", "no notebook submitted"),
        ("symlink", "symbolic link"),
    ],
)
def test_unreadable_submissions_are_invalid_with_a_reason_and_zero(graded, student, reason):
    root, summary = graded
    outcome = summary.by_student()[student]
    assert outcome.status == "invalid"
    assert reason in outcome.reason
    assert str(root) not in outcome.reason  # the student sees no grader paths
    assert _score(root, student) == 0
    assert _result(root, student)["reason"] == outcome.reason


@pytest.mark.parametrize(
    ("student", "message"),
    [
        ("infinite_loop", "timed out"),
        ("memory_bomb", "more than 700 MB of memory"),
        ("fork_bomb", "processes|memory"),  # whichever the watchdog sees first
        ("os_exit", "kernel died"),
    ],
)
def test_a_notebook_that_breaks_a_limit_says_which(graded, student: str, message: str) -> None:
    root, _ = graded
    errors = [c["error"] or "" for c in _result(root, student)["cells"]]
    assert any(re.search(message, e) for e in errors), errors


def test_huge_output_is_cut_at_the_limit(graded) -> None:
    root, _ = graded
    notebook = root / "autograded" / "huge_output" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert notebook.stat().st_size < 4 * 2**20
    assert "printed more than 2 MB" in notebook.read_text()


def test_nothing_escaped_the_sandbox(graded) -> None:
    root, _ = graded
    assert not (root / "pwned").exists()
    assert not Path("/tmp/pwned-by-student").exists()


def test_the_summary_counts_everything_and_names_the_sandbox(graded) -> None:
    _, summary = graded
    assert isinstance(summary, Summary)
    assert len(summary.of("graded")) == len(EXPECTED)
    assert len(summary.of("invalid")) == 6
    assert not summary.of("infrastructure")
    text = "\n".join(summary.lines())
    assert "sandbox: bwrap" in text and "submissions per minute" in text
    assert "invalid missing: no notebook submitted" in text


def test_hidden_tests_and_data_reach_the_autograded_notebook_not_the_extras(graded) -> None:
    root, _ = graded
    folder = root / "autograded" / "shadowing" / ASSIGNMENT
    assert "BEGIN HIDDEN TESTS" in (folder / f"{ASSIGNMENT}.ipynb").read_text()
    assert (folder / DATA_FILE).is_file()
    assert not list((root / "autograded").glob("*/.*"))  # no half-written folders


def test_nbgrader_feedback_and_export_work_on_the_results(graded) -> None:
    root, _ = graded
    env_bin = str(Path(sys.executable).parent)
    env = {"PATH": f"{env_bin}:/usr/bin:/bin", "HOME": str(root)}
    for command in (["generate_feedback", ASSIGNMENT, "--student", "alice"], ["export"]):
        subprocess.run(
            [sys.executable, "-m", "nbgrader", *command, "--log-level=ERROR"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
            timeout=hang_guard(300),
        )
    assert (root / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    rows = (root / "grades.csv").read_text().splitlines()
    alice = next(r for r in rows if ",alice," in r).split(",")
    assert float(alice[7]) == 3.0  # raw_score


def test_a_rerun_skips_what_is_graded_and_force_regrades(graded) -> None:
    root, _ = graded
    before = _result(root, "alice")
    again = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox="bwrap", limits=LIMITS)
    assert {o.status for o in again.outcomes} == {"skipped"}
    forced = grade_assignment(
        ASSIGNMENT, root=root, sandbox="bwrap", limits=LIMITS, students=["alice"], force=True
    )
    assert [(o.student, o.status, o.score) for o in forced.outcomes] == [("alice", "graded", 3)]
    assert _result(root, "alice")["score"] == before["score"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == len(EXPECTED) + 6


@pytest.fixture
def small_class(prepared: Path, tmp_path: Path, release_nb: NotebookNode) -> Path:
    root = copy_course(prepared, tmp_path / "course")
    for student, nb in (("alice", right(release_nb)), ("bob", release_nb)):
        save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return root


def test_without_a_sandbox_grading_works_and_says_so(small_class: Path) -> None:
    summary = grade_assignment(ASSIGNMENT, root=small_class, sandbox="none", limits=LIMITS)
    assert {o.student: o.score for o in summary.of("graded")} == {"alice": 3, "bob": 0}, "\n".join(
        summary.lines()
    )
    assert any("WITHOUT a sandbox" in line for line in summary.lines())


def test_kernels_that_cannot_start_stop_the_run_without_zeros(
    small_class: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autograder import grade, runner
    from autograder.execute import KernelStartError

    def broken(*args, **kwargs):
        raise KernelStartError("could not start the kernel: no such interpreter")

    monkeypatch.setattr(runner, "execute_confined", broken)
    with pytest.raises(grade.GradingAborted, match="canary check.*could not start the kernel"):
        grade_assignment(ASSIGNMENT, root=small_class, workers=2, sandbox="none", limits=LIMITS)
    assert not list((small_class / "autograded").glob(f"*/{ASSIGNMENT}"))
    with Gradebook(f"sqlite:///{small_class / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.find_assignment(ASSIGNMENT).submissions == []


def test_the_cli_grades_and_prints_the_summary(small_class: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--timeout", str(hang_guard(20))],
        cwd=small_class,
        capture_output=True,
        text=True,
        timeout=hang_guard(300),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 graded, 0 invalid, 0 infrastructure errors" in result.stdout


def test_scores_match_nbgrader_autograde(graded, prepared: Path, tmp_path: Path, release_nb):
    """nbgrader's own autograde, on the same right, blank and partly wrong submissions, gives
    every graded cell the same score as our pipeline."""
    ours, _ = graded
    root = copy_course(prepared, tmp_path / "nbgrader")
    students = {"alice": right(release_nb), "bob": release_nb, "partly": partly_wrong(release_nb)}
    for student, nb in students.items():
        save(nb, root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader_autograde(root, ASSIGNMENT)

    def scores(course_root: Path) -> dict[tuple[str, str], float | None]:
        with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}", COURSE_ID) as gb:
            return {
                (student, grade.name): grade.auto_score
                for student in students
                for grade in gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            }

    theirs = scores(root)
    assert theirs == {key: value for key, value in scores(ours).items() if key in theirs}
    assert theirs[("partly", "test_ex0_2_scale")] == 0  # the hidden tests ran in both


def test_a_grader_killed_halfway_loses_and_duplicates_nothing(
    small_class: Path, release_nb: NotebookNode
) -> None:
    """SIGKILL the grader while it works through a class, run it again: every submission ends
    graded exactly once, with the right score, and the gradebook is intact."""
    import signal
    import sqlite3
    import time

    expected = {"alice": 3, "bob": 0}
    for index in range(6):
        student = f"student{index}"
        save(right(release_nb), small_class / "submitted" / student / ASSIGNMENT / "00_demo.ipynb")
        expected[student] = 3
    command = [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "--workers", "1"]
    process = subprocess.Popen(
        command, cwd=small_class, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + hang_guard(240)
    done = small_class / "autograded"
    while len(list(done.glob(f"*/{ASSIGNMENT}"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=hang_guard(30))
    finished = len(list(done.glob(f"*/{ASSIGNMENT}")))
    assert 3 <= finished < len(expected)

    rerun = grade_assignment(ASSIGNMENT, root=small_class, workers=2, sandbox="auto", limits=LIMITS)
    assert len(rerun.of("skipped")) == finished
    assert len(rerun.of("graded")) == len(expected) - finished
    assert {p.parent.name for p in done.glob(f"*/{ASSIGNMENT}")} == set(expected)
    assert not list(done.glob("*/.*"))
    with Gradebook(f"sqlite:///{small_class / 'gradebook.db'}", COURSE_ID) as gb:
        submissions = gb.find_assignment(ASSIGNMENT).submissions
        assert sorted(s.student.id for s in submissions) == sorted(expected)
        assert {s.student.id: s.score for s in submissions} == expected
    with sqlite3.connect(small_class / "gradebook.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path: Path):
    """A real `dask scheduler` and two `dask worker` processes on loopback; yields the address."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    dask = [str(Path(sys.executable).parent / "dask")]
    common = {"cwd": tmp_path, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    port = address.rsplit(":", 1)[1]
    processes = [
        subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
            **common,
        )
    ]
    for _ in range(2):
        processes.append(
            subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--no-dashboard"], **common
            )
        )
    try:
        from distributed import Client

        with Client(address, timeout=f"{hang_guard(60)}s") as client:
            client.wait_for_workers(2, timeout=hang_guard(120))
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=hang_guard(30))
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_dask_cluster_gives_the_same_scores(small_class: Path, dask_cluster: str) -> None:
    from autograder.grade import dask_executor

    summary = grade_assignment(
        ASSIGNMENT, root=small_class, limits=LIMITS, executor=dask_executor(dask_cluster)
    )
    assert {o.student: o.score for o in summary.of("graded")} == {"alice": 3, "bob": 0}, "\n".join(
        summary.lines()
    )
    assert _score(small_class, "alice") == 3


def test_the_class_report_reads_the_gradebook(graded, tmp_path: Path) -> None:
    from autograder.report import EXPORT_COLUMNS, build_report

    root, summary = graded
    report = build_report(ASSIGNMENT, root=root)
    rows = {r["student_id"]: r for r in report.rows}
    assert rows["alice"]["score"] == 3 and rows["alice"]["test_ex0_2_scale"] == 2
    assert rows["partly"]["test_ex0_2_scale"] == 0
    assert len(report.scores) == len(summary.outcomes)
    scale = next(e for e in report.exercises if e.grade_id == "test_ex0_2_scale")
    assert 0 < scale.pass_rate < 1
    header = report.csv().splitlines()[0].split(",")
    assert tuple(header[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS
    assert header[len(EXPORT_COLUMNS) :] == [e.grade_id for e in report.exercises]
    assert "| test_ex0_1_double |" in report.markdown() and "<table>" in report.html()
    assert [r["student_id"] for r in report.rows] == sorted(r["student_id"] for r in report.rows)
    # Written answers nobody has graded by hand yet are awaiting, not 0 points (nbgrader itself
    # gives 0 to an answer left as the stub, so those count as graded).
    (written,) = [e for e in report.exercises if e.manual]
    assert 0 < written.awaiting < len(report.scores)
    assert len(written.points) + written.awaiting == len(report.scores)
    assert f"({written.awaiting} awaiting hand grading)" in written.status
    assert f"| {written.grade_id} | 1 | {written.status} |" in report.markdown()
    page = report.html("00_demo.csv")
    assert "data:image/png;base64," in page and "href='00_demo.csv'" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from anywhere
    png = report.histogram(tmp_path / "scores.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.fixture
def postgres_url():
    """A throw-away PostgreSQL server on a Unix socket; yields its SQLAlchemy URL."""
    import tempfile

    # Debian keeps the server programs out of PATH, in /usr/lib/postgresql/VERSION/bin.
    search = os.pathsep.join([os.environ.get("PATH", ""), *glob.glob("/usr/lib/postgresql/*/bin")])
    initdb, pg_ctl = shutil.which("initdb", path=search), shutil.which("pg_ctl", path=search)
    if initdb is None or pg_ctl is None:
        reason = "PostgreSQL's server programs (initdb, pg_ctl) are not installed here"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs the postgresql package")
        pytest.skip(reason)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="pg-"))
    folder.chmod(0o755)
    data, sockets = folder / "data", folder / "run"
    sockets.mkdir()
    if as_user:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    run = {"check": True, "capture_output": True, "timeout": hang_guard(120)}
    try:
        subprocess.run([*as_user, initdb, "-D", data, "-A", "trust", "-U", "grader", "-N"], **run)
        options = f"-k {sockets} -c listen_addresses='' -F"
        start = [*as_user, pg_ctl, "-D", data, "-l", folder / "log", "-o", options, "-w", "start"]
        # The server inherits pg_ctl's output: no pipes, or run() would wait for the server.
        subprocess.run(start, check=True, timeout=hang_guard(120), stdout=subprocess.DEVNULL)
        yield f"postgresql+psycopg://grader@/postgres?host={sockets}"
    finally:
        stop = [*as_user, pg_ctl, "-D", data, "-m", "immediate", "stop"]
        subprocess.run(stop, check=False, capture_output=True, timeout=hang_guard(60))
        shutil.rmtree(folder, ignore_errors=True)


def test_a_postgresql_gradebook_works_like_sqlite(small_class: Path, postgres_url: str) -> None:
    config = small_class / "nbgrader_config.py"
    config.write_text(config.read_text() + f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    (small_class / "gradebook.db").unlink()
    summary = grade_assignment(ASSIGNMENT, root=small_class, workers=2, limits=LIMITS)
    assert {o.student: o.score for o in summary.of("graded")} == {"alice": 3, "bob": 0}, "\n".join(
        summary.lines()
    )
    with Gradebook(postgres_url, COURSE_ID) as gb:
        assert gb.find_submission(ASSIGNMENT, "alice").score == 3
        assert len(gb.find_assignment(ASSIGNMENT).submissions) == 2
    assert not (small_class / "gradebook.db").exists()
