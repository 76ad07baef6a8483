"""Command line of the grading pipeline: ``python -m autograder COMMAND``.

Commands:
  release [--check]   generate release/ from source/ with nbgrader (--check: exit 1 if it is stale)
  score NOTEBOOK      score a submission with the hidden tests, no gradebook needed (instructors)
  check NOTEBOOK      run the visible tests on your own notebook and say what fails (students)
  workspace [--dest]  copy release/ into a workspace without overwriting anyone's work (students)
  kit DEST            the student kit: release/, the course package, set-up files; no solutions
  submit ASSIGNMENT   pack your notebook into a zip to upload, as zip_collect reads it (students)
  normalize NB ...    rewrite notebooks in the committed form: no outputs, stable ids (authors)
  grade ASSIGNMENT    grade every submission of a chapter into the gradebook, in parallel, sandboxed
  report ASSIGNMENT   class report from the gradebook: totals, pass rates, histogram, LMS CSV
  late ASSIGNMENT     apply the late-penalty plugin of nbgrader_config.py to graded submissions
  feedback ASSIGNMENT nbgrader's feedback HTML without the hidden tests, checked page by page
  demo [--dest DIR]   a whole term in a separate course directory: enrol, submit, grade, report
  hub --roster CSV    set up this machine for a class and start JupyterHub (as root; `make hub`)

Exit status: 0 when the command did its job (whatever the score), 1 when ``release --check`` finds
differences, 2 when a file cannot be graded (the reason goes to stderr as "error: ..."), 3 when
``grade`` stops for an infrastructure fault (kernels cannot start; nobody was given zero).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.notebook import InvalidNotebook, notebook_bytes, read_notebook
from autograder.paths import UnknownAssignment
from autograder.settings import CELL_TIMEOUT

if TYPE_CHECKING:
    from autograder.grading import CellResult, Report

# The grading stack (nbclient, nbgrader) is imported by the commands that need it, so that quick
# commands such as `workspace` start in a fraction of a second.


def _expected() -> tuple[type[BaseException], ...]:
    """Failures that mean "this cannot be done", reported in one line without a traceback."""
    from autograder.execute import InfrastructureError
    from autograder.gradebook import GradebookError
    from autograder.hub.deploy import HubError
    from autograder.judging import JudgeError
    from autograder.kit import KitError
    from autograder.release import ReleaseError
    from autograder.sandbox import SandboxUnavailable
    from autograder.submit import SubmitError

    return (
        InvalidNotebook,
        UnknownAssignment,
        OSError,
        InfrastructureError,
        ReleaseError,
        GradebookError,
        JudgeError,
        SandboxUnavailable,
        SubmitError,
        KitError,
        HubError,
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per job."""
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Release, score and check the course's notebooks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    release = commands.add_parser("release", help="generate release/ from source/ with nbgrader")
    release.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if release/ is not up to date"
    )

    for name, text in (
        ("score", "score a notebook with all tests, hidden ones included (instructors)"),
        ("check", "run the visible tests on your notebook (students)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("notebook", type=Path, help="the .ipynb file")
        command.add_argument("--json", action="store_true", help="print only a JSON report")
        command.add_argument(
            "--assignment", help="chapter id, e.g. 01_neurons (default: from the file)"
        )
        command.add_argument(
            "--timeout",
            type=_positive_int,
            default=CELL_TIMEOUT,
            help=f"seconds per cell (default {CELL_TIMEOUT})",
        )
        if name == "score":
            command.add_argument(
                "--sandbox",
                choices=("auto", "bwrap", "none"),
                default="auto",
                help="confine the kernel as `grade` does (auto: bubblewrap where it works)",
            )

    workspace = commands.add_parser(
        "workspace", help="copy the student notebooks into a workspace, keeping existing files"
    )
    workspace.add_argument(
        "--dest", type=Path, default=Path("workspace"), help="(default: %(default)s)"
    )

    submit = commands.add_parser(
        "submit",
        help="pack your notebook into a zip to upload (students without JupyterHub)",
        description=(
            "Check your notebook and write ASSIGNMENT-STUDENT-TIME.zip and its SHA-256 checksum "
            "into the workspace's submissions/ folder, replacing your older zips of the same "
            "chapter there. Upload the zip unchanged; instructors unpack a class's zips with "
            "`nbgrader zip_collect ASSIGNMENT`."
        ),
    )
    submit.add_argument("assignment", help="chapter id, e.g. 01_neurons")
    submit.add_argument(
        "--student",
        metavar="ID",
        help="your student id, as your instructor knows you; remembered in the workspace's "
        ".student_id for next time (default: $COURSE_STUDENT_ID, else the remembered id)",
    )
    submit.add_argument(
        "--notebook",
        type=Path,
        help="the notebook to submit (default: ASSIGNMENT/ASSIGNMENT.ipynb here or in workspace/)",
    )
    submit.add_argument(
        "--dest", type=Path, help="folder for the zip (default: the workspace's submissions/)"
    )

    normalize = commands.add_parser(
        "normalize", help="rewrite notebooks without outputs and with stable cell ids"
    )
    normalize.add_argument("notebooks", type=Path, nargs="+", metavar="NOTEBOOK")

    grade = commands.add_parser(
        "grade",
        help="grade all submissions of a chapter into the gradebook (parallel, sandboxed)",
        description="Grade submitted/*/ASSIGNMENT/ into nbgrader's gradebook and autograded/.",
    )
    grade.add_argument("assignment", help="chapter id, e.g. 01_neurons")
    grade.add_argument(
        "--workers", type=_positive_int, default=None, help="kernels at once (default: cores)"
    )
    grade.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the kernels on a Dask cluster, e.g. tcp://10.0.0.5:8786 (default: local pool)",
    )
    grade.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="auto: bubblewrap when it works here (default); none: no isolation",
    )
    grade.add_argument(
        "--timeout",
        type=_positive_int,
        default=CELL_TIMEOUT,
        help=f"seconds per cell (default {CELL_TIMEOUT}); a notebook gets 3x this in all",
    )
    grade.add_argument(
        "--memory", type=_positive_int, default=4096, help="MB per kernel (default 4096)"
    )
    grade.add_argument(
        "--student", action="append", metavar="ID", help="grade only this student (repeatable)"
    )
    grade.add_argument(
        "--force", action="store_true", help="regrade submissions that are already graded"
    )

    report = commands.add_parser(
        "report",
        help="class report of a chapter from the gradebook (totals, pass rates, histogram, CSV)",
    )
    report.add_argument("assignment", help="chapter id, e.g. 01_neurons")
    report.add_argument(
        "--format", choices=("md", "csv", "html"), default="md", help="printed format (md)"
    )
    report.add_argument(
        "--output",
        type=Path,
        default=Path("reports"),
        help="folder for ASSIGNMENT.html (the report as one page that opens offline), "
        "ASSIGNMENT.csv and ASSIGNMENT_scores.png (default: %(default)s)",
    )
    _add_instructor_commands(commands)
    return parser


def _add_instructor_commands(commands: argparse._SubParsersAction) -> None:
    """The ``late``, ``feedback``, ``kit`` and ``demo`` subcommands."""
    late = commands.add_parser(
        "late", help="apply the late-penalty plugin of nbgrader_config.py after `grade`"
    )
    late.add_argument("assignment", help="chapter id, e.g. 01_neurons")

    feedback = commands.add_parser(
        "feedback",
        help="generate feedback HTML without the hidden tests (nbgrader's feedback); a page "
        "that would still show them is withheld for that student",
    )
    feedback.add_argument("assignment", help="chapter id, e.g. 01_neurons")
    feedback.add_argument(
        "--student", action="append", metavar="ID", help="only this student (repeatable)"
    )

    kit = commands.add_parser(
        "kit",
        help="build the student kit (DEST and DEST.zip): notebooks, course package, set-up; "
        "no solutions, hidden tests or instructor files",
    )
    kit.add_argument("dest", type=Path, help="new folder for the kit (DEST.zip is written beside)")

    demo = commands.add_parser(
        "demo",
        help="a whole term on invented students, in a separate course directory",
        description="Build a course directory, enrol a generated class, create and grade "
        "submissions for every chapter, then feedback, export and reports.",
    )
    demo.add_argument(
        "--dest", type=Path, default=Path("demo"), help="course directory (default: %(default)s)"
    )
    demo.add_argument(
        "--students", type=_positive_int, default=30, help="class size (default %(default)s)"
    )
    demo.add_argument(
        "--chapters", nargs="+", metavar="CHAPTER", help="chapter ids (default: all of them)"
    )
    demo.add_argument(
        "--submissions",
        type=_positive_int,
        default=9,
        help="students who submit each chapter (default %(default)s; the others get zero)",
    )
    demo.add_argument(
        "--workers", type=_positive_int, default=None, help="kernels at once (default: cores)"
    )
    demo.add_argument(
        "--sandbox", choices=("auto", "bwrap", "none"), default="auto", help="as for `grade`"
    )
    demo.add_argument(
        "--force", action="store_true", help="delete an earlier demo at --dest and rebuild it"
    )
    _add_hub_command(commands)


def _port(text: str) -> int:
    value = int(text)
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be a TCP port (1-65535)")
    return value


def _add_hub_command(commands: argparse._SubParsersAction) -> None:
    """The ``hub`` subcommand (``make hub``)."""
    hub = commands.add_parser(
        "hub",
        help="set up this machine for a class (accounts, shared environment, exchange, course "
        "directory) and start JupyterHub; runs as root",
    )
    hub.add_argument("--roster", type=Path, required=True, help="CSV with columns username,role")
    hub.add_argument(
        "--prefix",
        type=Path,
        default=Path("/opt/dlcourse-hub"),
        help="shared environment and hub state (default: %(default)s)",
    )
    hub.add_argument(
        "--exchange",
        type=Path,
        default=Path("/srv/nbgrader/exchange"),
        help="nbgrader's exchange (default: %(default)s)",
    )
    hub.add_argument(
        "--python",
        type=Path,
        default=Path("/usr/bin/python3"),
        help="a Python every account can run, for the shared environment (default: %(default)s)",
    )
    hub.add_argument(
        "--home-base", type=Path, default=None, help="where new accounts get their home (/home)"
    )
    hub.add_argument("--ip", default="127.0.0.1", help="address the hub listens on (%(default)s)")
    hub.add_argument("--port", type=_port, default=8000, help="the hub's port (%(default)s)")
    hub.add_argument(
        "--internal-ports",
        type=_port,
        nargs=2,
        default=(8081, 8001),
        metavar=("HUB", "PROXY_API"),
        help="loopback ports of the hub's API and the proxy's API (default: 8081 8001)",
    )
    hub.add_argument(
        "--setup-only", action="store_true", help="prepare everything but do not start the hub"
    )


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _status(cell: CellResult) -> str:
    if cell.passed is None:
        return "MANUAL"
    return "PASS" if cell.passed else "FAIL"


def _print_table(report: Report) -> None:
    width = max([len("grade_id"), *(len(c.grade_id) for c in report.cells)])
    print(f"{'grade_id':<{width}}  {'points':>6}  {'max':>5}  {'result':<6}  message")
    for cell in report.cells:
        message = "graded by hand" if cell.kind == "manual" else cell.error or ""
        print(
            f"{cell.grade_id:<{width}}  {_number(cell.points):>6}  {_number(cell.max_points):>5}  "
            f"{_status(cell):<6}  {message}".rstrip()
        )
    print(f"Score: {report.score:g} / {report.max_score:g}")
    manual = sum(c.max_points for c in report.cells if c.kind == "manual")
    if manual:
        print(f"(plus {manual:g} points of written answers, graded by hand)")


def _exercise(grade_id: str) -> str:
    return grade_id.removeprefix("test_")


def _hint(error: str | None) -> str:
    if error and error.startswith("NotImplementedError"):
        return "not answered yet (the answer cell still raises NotImplementedError)"
    return error or "failed"


def _print_check(report: Report) -> None:
    auto = [c for c in report.cells if c.kind == "autograded"]
    for cell in report.cells:
        if cell.kind == "manual":
            print(f"MANUAL {cell.grade_id}: written answer, graded by hand")
        elif cell.passed:
            print(f"PASS {_exercise(cell.grade_id)}")
        else:
            print(f"FAIL {_exercise(cell.grade_id)}: {_hint(cell.error)}")
    passed = sum(1 for c in auto if c.passed)
    print(
        f"{passed} of {len(auto)} exercises pass the visible tests. "
        "Hidden tests run when your work is graded, so passing here does not promise full marks."
    )


def _score(args: argparse.Namespace) -> int:
    from autograder.score import score_notebook

    report = score_notebook(
        args.notebook, assignment=args.assignment, timeout=args.timeout, sandbox=args.sandbox
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_table(report)
    return 0


def _check(args: argparse.Namespace) -> int:
    from autograder.check import check_notebook

    report = check_notebook(args.notebook, timeout=args.timeout, assignment=args.assignment)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_check(report)
    return 0


def _release(args: argparse.Namespace) -> int:
    from autograder.release import check_release, write_release

    if args.check:
        problems = check_release()
        for line in problems:
            print(line)
        if problems:
            print("release/ is out of date: run `python -m autograder release`", file=sys.stderr)
            return 1
        print("release/ is up to date")
        return 0
    changes = write_release()
    for line in changes:
        print(line)
    print("release/ was already up to date" if not changes else "release/ updated")
    return 0


def _normalize(args: argparse.Namespace) -> int:
    status = 0
    for path in args.notebooks:
        try:
            data = notebook_bytes(read_notebook(path))
        except InvalidNotebook as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        if path.read_bytes() == data:
            print(f"unchanged {path}")
        else:
            path.write_bytes(data)
            print(f"normalized {path}")
    return status


def _workspace(args: argparse.Namespace) -> int:
    from autograder.workspace import populate_workspace

    copied, kept = populate_workspace(args.dest)
    for path in copied:
        print(f"copied {path.as_posix()}")
    print(f"{args.dest}: {len(copied)} files copied, {len(kept)} of yours kept as they are")
    return 0


def _submit(args: argparse.Namespace) -> int:
    from autograder.submit import submit

    result = submit(args.assignment, args.student, args.notebook, args.dest)
    if result.unanswered:
        listed = ", ".join(result.unanswered)
        print(
            f"warning: {len(result.unanswered)} answer(s) still hold the placeholder: {listed}. "
            "Submitting anyway; run `submit` again after answering them.",
            file=sys.stderr,
        )
    for path in result.replaced:
        print(f"replaced your older submission {path.name}")
    print(f"submitted {args.assignment} as {result.student}: {result.zip_path}")
    print(f"SHA-256 {result.sha256} (also in {result.checksum_path.name})")
    print("Upload this zip file unchanged to your course's learning platform.")
    return 0


def _grade(args: argparse.Namespace) -> int:
    import logging

    from autograder.grade import GradingAborted, dask_executor, grade_assignment
    from autograder.sandbox import Limits

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    limits = Limits(
        cell_timeout=args.timeout, notebook_timeout=3 * args.timeout, memory_mb=args.memory
    )
    try:
        summary = grade_assignment(
            args.assignment,
            workers=args.workers,
            sandbox=args.sandbox,
            limits=limits,
            students=args.student,
            force=args.force,
            executor=dask_executor(args.scheduler) if args.scheduler else None,
            progress=sys.stderr.isatty(),
        )
    except GradingAborted as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    for line in summary.lines():
        print(line)
    return 0


def _report(args: argparse.Namespace) -> int:
    from autograder.report import build_report

    report = build_report(args.assignment)
    args.output.mkdir(parents=True, exist_ok=True)
    csv_name = f"{args.assignment}.csv"
    (args.output / csv_name).write_text(report.csv(), encoding="utf-8")
    report.histogram(args.output / f"{args.assignment}_scores.png")
    page = report.html(csv_name)
    (args.output / f"{args.assignment}.html").write_text(page, encoding="utf-8")
    text = {"md": report.markdown(), "csv": report.csv(), "html": page}[args.format]
    print(text, end="")
    return 0


def _late(args: argparse.Namespace) -> int:
    from autograder.late import apply_late_penalties

    penalties = apply_late_penalties(args.assignment)
    for student, penalty in sorted(penalties.items()):
        print(f"{student}: late, penalty {penalty:g} points")
    print(f"{args.assignment}: {len(penalties)} late submissions")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    """Exit 2 only when nobody got a page: nbgrader failed for all, or every page was withheld."""
    from autograder.feedback import generate_feedback

    try:
        result = generate_feedback(args.assignment, students=args.student)
    except RuntimeError as exc:  # nbgrader failed and wrote no page
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for withheld in result.withheld:
        print(f"{withheld.student}: feedback withheld: {withheld.reason}")
    print(
        f"{args.assignment}: {len(result.written)} feedback pages in feedback/, no hidden tests "
        f"in them; {len(result.withheld)} withheld"
    )
    return 2 if result.withheld and not result.written else 0


def _demo(args: argparse.Namespace) -> int:
    import logging

    from autograder.demo import DemoExists, run_demo

    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    try:
        run_demo(
            args.dest,
            students=args.students,
            chapters=args.chapters,
            submissions=args.submissions,
            workers=args.workers,
            force=args.force,
            sandbox=args.sandbox,
            say=lambda line: print(line, flush=True),
        )
    except DemoExists as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _kit(args: argparse.Namespace) -> int:
    from autograder.kit import build_kit

    kit = build_kit(args.dest)
    print(f"student kit: {kit.folder} ({len(kit.notebooks)} notebooks) and {kit.archive}")
    print("hand out the zip; students run `make setup` and `make lab` in the unzipped folder")
    return 0


def _hub(args: argparse.Namespace) -> int:
    from autograder.hub.deploy import deploy, start

    settings = deploy(
        args.roster,
        prefix=args.prefix.absolute(),
        exchange=args.exchange.absolute(),
        python=args.python,
        home_base=args.home_base,
        ports=(args.port, *args.internal_ports),
        ip=args.ip,
    )
    if args.setup_only:
        print(
            f"ready; start the hub with: {args.prefix}/venv/bin/jupyterhub -f "
            f"{settings.state / 'jupyterhub_config.py'}"
        )
        return 0
    print(f"JupyterHub at http://{args.ip}:{args.port}/ (Ctrl+C stops it)", flush=True)
    start(settings)
    return 0


_COMMANDS = {
    "hub": _hub,
    "late": _late,
    "kit": _kit,
    "feedback": _feedback,
    "demo": _demo,
    "grade": _grade,
    "report": _report,
    "score": _score,
    "check": _check,
    "release": _release,
    "workspace": _workspace,
    "submit": _submit,
    "normalize": _normalize,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status (argparse exits 2 itself on a usage error)."""
    args = build_parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except Exception as exc:
        if not isinstance(exc, _expected()):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
