"""Command line of the grading pipeline: ``python -m autograder COMMAND``.

Commands:
  release [--check]   generate release/ from source/ with nbgrader (--check: exit 1 if it is stale)
  score NOTEBOOK      score a submission with the hidden tests, no gradebook needed (instructors)
  check NOTEBOOK      run the visible tests on your own notebook and say what fails (students)
  workspace [--dest]  copy release/ into a workspace without overwriting anyone's work (students)
  normalize NB ...    rewrite notebooks in the committed form: no outputs, stable ids (authors)

Exit status: 0 when the command did its job (whatever the score), 1 when ``release --check`` finds
differences, 2 when a file cannot be graded (the reason goes to stderr as "error: ...").
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
    from autograder.execute import KernelStartError
    from autograder.release import ReleaseError

    return (InvalidNotebook, UnknownAssignment, OSError, KernelStartError, ReleaseError)


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

    workspace = commands.add_parser(
        "workspace", help="copy the student notebooks into a workspace, keeping existing files"
    )
    workspace.add_argument(
        "--dest", type=Path, default=Path("workspace"), help="(default: %(default)s)"
    )

    normalize = commands.add_parser(
        "normalize", help="rewrite notebooks without outputs and with stable cell ids"
    )
    normalize.add_argument("notebooks", type=Path, nargs="+", metavar="NOTEBOOK")
    return parser


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

    report = score_notebook(args.notebook, assignment=args.assignment, timeout=args.timeout)
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


_COMMANDS = {
    "score": _score,
    "check": _check,
    "release": _release,
    "workspace": _workspace,
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
