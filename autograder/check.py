"""A student's self-check: run the visible tests of a chapter on their notebook.

Test cells are restored from the RELEASE notebook, so only the tests a student can already see run
(hidden tests are neither executed nor shown); the result says which exercises pass and why the
others fail. Passing the check does not promise full marks: the hidden tests run at grading time.
"""

from __future__ import annotations

from pathlib import Path

from autograder.grading import Report, grade_notebook
from autograder.notebook import read_notebook
from autograder.paths import course_root, data_files, release_notebook
from autograder.score import identify_assignment, run_submission
from autograder.settings import CELL_TIMEOUT


def check_notebook(
    path: Path | str,
    timeout: int = CELL_TIMEOUT,
    assignment: str | None = None,
    root: Path | None = None,
) -> Report:
    """Grade a notebook against the visible tests of its chapter's release.

    Raises InvalidNotebook, UnknownAssignment, or FileNotFoundError when the release is missing.
    """
    root = course_root(root)
    nb = read_notebook(path)
    assignment = assignment or identify_assignment(nb, Path(path), root)
    release = release_notebook(assignment, root)
    if not release.is_file():
        raise FileNotFoundError(
            f"no release of {assignment} at {release}: run `python -m autograder release`"
        )
    reference = read_notebook(release)
    files = data_files(assignment, root, release=True)
    executed = run_submission(nb, reference, files, release.parent, timeout)
    return grade_notebook(executed, assignment)
