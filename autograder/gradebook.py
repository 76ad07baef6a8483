"""Record grades in nbgrader's own gradebook, so its formgrader, feedback and export work as usual.

Only the trusted grading process writes here, one submission at a time. The assignment's cells are
put into the gradebook by nbgrader's ``generate_assignment`` (run in a scratch copy of the course,
so release/ is not touched), exactly as an instructor's ``nbgrader generate_assignment`` would.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
import warnings
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

from autograder.grading import Report
from autograder.nbgrader_command import NbgraderFailed, alembic_on_path, run_nbgrader
from autograder.notebook import grade_id, is_graded, read_notebook
from autograder.paths import IGNORED
from autograder.settings import COURSE_ID


class GradebookError(RuntimeError):
    """The gradebook could not be prepared for this assignment (the message says why)."""


def db_url(root: Path) -> str:
    """The gradebook URL of the course: ``CourseDirectory.db_url`` of its nbgrader_config.py."""
    default = f"sqlite:///{root / 'gradebook.db'}"
    config_file = root / "nbgrader_config.py"
    if not config_file.is_file():
        return default
    config = PyFileConfigLoader(config_file.name, path=str(root)).load_config()
    url = config.get("CourseDirectory", {}).get("db_url")
    return str(url) if url else default


def open_gradebook(url: str) -> Gradebook:
    """nbgrader's Gradebook on ``url`` for this course (the caller closes it)."""
    alembic_on_path()
    return Gradebook(url, COURSE_ID)


def _graded_ids(nb: NotebookNode) -> set[str]:
    return {gid for cell in nb.cells if is_graded(cell) and (gid := grade_id(cell))}


def _up_to_date(url: str, assignment: str, source: NotebookNode) -> bool:
    with open_gradebook(url) as gb:
        try:
            notebook = gb.find_notebook(assignment, assignment)
        except MissingEntry:
            return False
        return {cell.name for cell in notebook.grade_cells} == _graded_ids(source)


def ensure_assignment(root: Path, url: str, assignment: str) -> None:
    """Make the gradebook know the assignment, its notebook and cells (nbgrader's own way)."""
    source = read_notebook(root / "source" / assignment / f"{assignment}.ipynb")
    if _up_to_date(url, assignment, source):
        return
    with tempfile.TemporaryDirectory(prefix="autograder-db-") as scratch:
        work = Path(scratch)
        shutil.copyfile(root / "nbgrader_config.py", work / "nbgrader_config.py")
        shutil.copytree(
            root / "source" / assignment,
            work / "source" / assignment,
            ignore=shutil.ignore_patterns(*IGNORED),
        )
        args = [
            "generate_assignment",
            assignment,
            "--force",
            f"--CourseDirectory.root={work}",
            f"--CourseDirectory.db_url={url}",
            "--log-level=WARN",
        ]
        try:
            run_nbgrader(args, cwd=work)
        except NbgraderFailed as exc:
            raise GradebookError(f"the gradebook could not be filled: {exc}") from exc


def record(
    gb: Gradebook,
    assignment: str,
    student: str,
    report: Report | None,
    timestamp: datetime.datetime | None,
    unanswered: set[str] = frozenset(),
) -> None:
    """Write one student's scores. ``report`` None means the file could not be graded (invalid):
    every autograded cell gets 0 and is flagged for the instructor to look at.

    Manual scores given earlier are kept (as nbgrader does), and then the cell needs review.
    ``unanswered`` holds the answer cells the student left as released ("No response.").
    """
    with warnings.catch_warnings():
        # nbgrader's models trip a harmless SQLAlchemy 2 warning when a submission is created.
        warnings.simplefilter("ignore", SAWarning)
        _record(gb, assignment, student, report, timestamp, unanswered)


def _record(
    gb: Gradebook,
    assignment: str,
    student: str,
    report: Report | None,
    timestamp: datetime.datetime | None,
    unanswered: set[str],
) -> None:
    gb.update_or_create_student(student)
    if timestamp is not None:
        gb.update_or_create_submission(assignment, student, timestamp=timestamp)
    else:
        gb.update_or_create_submission(assignment, student)
    earned = {c.grade_id: c for c in report.cells} if report is not None else {}
    notebook = gb.find_notebook(assignment, assignment)
    for cell in notebook.grade_cells:
        grade = gb.find_grade(cell.name, assignment, assignment, student)
        result = earned.get(cell.name)
        if result is not None and result.kind == "manual":
            # nbgrader: a written answer left as released scores 0; any other waits for a human.
            grade.auto_score = 0.0 if cell.name in unanswered else None
        elif result is not None:
            grade.auto_score = result.points
        else:  # invalid file, or a cell the grader found nowhere: nothing earned
            grade.auto_score = 0.0 if cell.cell_type == "code" else None
        grade.needs_manual_grade = (
            report is None or grade.manual_score is not None or grade.auto_score is None
        )
    for cell in notebook.solution_cells:
        comment = gb.find_comment(cell.name, assignment, assignment, student)
        comment.auto_comment = "No response." if cell.name in unanswered else None
    gb.db.commit()


def clear_auto_scores(gb: Gradebook, assignment: str, student: str) -> None:
    """Forget the automatic scores of one submission (they came from a broken environment):
    its autograded cells wait for grading again; manual scores are kept."""
    try:
        submission = gb.find_submission_notebook(assignment, assignment, student)
    except MissingEntry:
        return
    for grade in submission.grades:
        if grade.cell_type == "code" and grade.manual_score is None:
            grade.auto_score = None
            grade.needs_manual_grade = True
    gb.db.commit()
