"""Score one submitted notebook without a gradebook: restore, execute, grade.

The submission's test cells are restored from the instructor SOURCE notebook (hidden tests
included), the notebook runs in a fresh kernel in a scratch directory that holds only the chapter's
data files (never the notebook with its hidden tests), its probes report to the grader, and the
judges of the source notebook decide every test cell (see ``autograder.probing``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from nbformat import NotebookNode

from autograder.execute import execute
from autograder.grading import Report, grade_notebook
from autograder.judging import load_judges
from autograder.notebook import grade_id, read_notebook
from autograder.paths import (
    UnknownAssignment,
    assignments,
    course_root,
    data_contents,
    source_notebook,
)
from autograder.probing import apply_verdicts, new_seed, prepare, trusted_prefix
from autograder.runner import execute_graded
from autograder.sandbox import Limits, resolve_mode
from autograder.sanitize import restore
from autograder.settings import CELL_TIMEOUT


def identify_assignment(nb: NotebookNode, path: Path, root: Path | None = None) -> str:
    """The chapter a submission belongs to: its file name if that is a chapter id, else the chapter
    sharing the most grade_ids with it (students rename files: "01_neurons (1).ipynb")."""
    known = assignments(root)
    if Path(path).stem in known:
        return Path(path).stem
    ids = {grade_id(cell) for cell in nb.cells} - {None}
    overlap: dict[str, int] = {}
    for assignment in known:
        reference = read_notebook(source_notebook(assignment, root))
        overlap[assignment] = len(ids & ({grade_id(c) for c in reference.cells} - {None}))
    best = max(overlap.values(), default=0)
    matches = [a for a, n in overlap.items() if n == best]
    if best == 0 or len(matches) != 1:
        raise UnknownAssignment(
            f"cannot tell which chapter {Path(path).name} belongs to; name it after its chapter "
            f"or pass --assignment (chapters: {', '.join(known) or 'none'})"
        )
    return matches[0]


def _execute_with_files(
    nb: NotebookNode, files: list[Path], folder: Path, timeout: int
) -> NotebookNode:
    # Student code may leave files it made undeletable; that must not lose the result.
    with tempfile.TemporaryDirectory(prefix="autograder-", ignore_cleanup_errors=True) as scratch:
        workdir = Path(scratch)
        for file in files:
            target = workdir / file.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
        return execute(nb, workdir, timeout=timeout)


def run_submission(
    submission: NotebookNode,
    reference: NotebookNode,
    files: list[Path],
    folder: Path,
    timeout: int = CELL_TIMEOUT,
) -> NotebookNode:
    """Restore the submission against ``reference`` (the release: visible tests only) and execute
    it in a scratch directory holding ``files`` (paths under ``folder``, same relative layout)."""
    return _execute_with_files(restore(submission, reference), files, folder, timeout)


def judge_submission(
    submission: NotebookNode,
    reference: NotebookNode,
    data: dict[str, bytes],
    timeout: int = CELL_TIMEOUT,
    seed: int | None = None,
    sandbox: str = "auto",
) -> NotebookNode:
    """Restore the submission against the instructor ``reference``, run its probes on inputs
    seeded afresh (or by ``seed``) in the same confined kernel as ``grade`` (``sandbox``: auto,
    bwrap or none), and return it with the judges' verdicts in its test cells.

    Raises InfrastructureError when no kernel starts or the course's own cells fail twice
    (nothing was graded).
    """
    restored = restore(submission, reference)
    judges = load_judges(reference)
    seed = new_seed() if seed is None else seed
    limits = Limits(cell_timeout=timeout)
    prepared = prepare(restored, seed)
    trusted = trusted_prefix(prepared, reference)
    executed = execute_graded(prepared, data, resolve_mode(sandbox), limits, trusted)
    return apply_verdicts(executed, restored, judges, seed)


def score_notebook(
    path: Path | str,
    assignment: str | None = None,
    timeout: int = CELL_TIMEOUT,
    root: Path | None = None,
    sandbox: str = "auto",
) -> Report:
    """Score a submission with the hidden tests; written answers are listed for manual grading.
    The kernel runs confined as in ``grade`` (bubblewrap where it works, unless ``sandbox``
    says "none"), so it cannot read the course directory.

    Raises InvalidNotebook (not a readable notebook), UnknownAssignment (no such chapter),
    SandboxUnavailable (``sandbox="bwrap"`` here) or InfrastructureError.
    """
    root = course_root(root)
    nb = read_notebook(path)
    assignment = assignment or identify_assignment(nb, Path(path), root)
    reference = read_notebook(source_notebook(assignment, root))
    executed = judge_submission(
        nb, reference, data_contents(assignment, root), timeout, sandbox=sandbox
    )
    return grade_notebook(executed, assignment)
