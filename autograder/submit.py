"""Pack a student's notebook for upload to a learning platform, in the form zip_collect reads.

Without JupyterHub, students hand in files through Moodle, Canvas and the like. ``submit`` writes
``ASSIGNMENT-STUDENT-STAMP.zip`` holding ``ASSIGNMENT.ipynb`` (byte for byte as saved) and a small
``SUBMISSION.json`` manifest with the notebook's SHA-256, plus ``ZIP.sha256`` beside the zip in
``sha256sum`` format. The instructor unpacks the platform's download of all submissions into
``downloaded/ASSIGNMENT/archive/`` and runs ``nbgrader zip_collect ASSIGNMENT``, whose plugins
(autograder/collect.py) take the student id and the time from the platform's names and roster.
The id and time in the zip's name and manifest are only the student's claim: zip_collect reports
them when they disagree with the platform, and never uses them.

The student id comes from ``--student``, else $COURSE_STUDENT_ID, else the id saved in the
workspace's ``.student_id`` file by an earlier ``--student``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nbformat import NotebookNode

from autograder.notebook import (
    InvalidNotebook,
    grade_id,
    is_solution,
    read_notebook,
)
from autograder.paths import course_root, release_notebook
from autograder.settings import SUBMISSION_STAMP_FORMAT, TEXT_STUB

STUDENT_ENV = "COURSE_STUDENT_ID"
STUDENT_FILE = ".student_id"
SUBMISSIONS_DIR = "submissions"
MANIFEST = "SUBMISSION.json"
# Ids nbgrader can use as folder names and the zip name can carry without ambiguity.
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_UNANSWERED_CODE = "raise NotImplementedError()"


class SubmitError(Exception):
    """The submission cannot be made; the message says what to do."""


@dataclass
class Submission:
    """What ``submit`` wrote: the zip, its checksum file, and what the student should know."""

    zip_path: Path
    checksum_path: Path
    sha256: str
    student: str
    unanswered: list[str] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)


def find_notebook(assignment: str, cwd: Path | None = None) -> Path:
    """The student's notebook: ASSIGNMENT/ASSIGNMENT.ipynb under the working directory, its
    workspace/ folder, or the course directory's workspace/ (first that exists)."""
    cwd = Path.cwd() if cwd is None else cwd
    relative = Path(assignment) / f"{assignment}.ipynb"
    candidates = [cwd / relative, cwd / "workspace" / relative]
    candidates.append(course_root() / "workspace" / relative)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise SubmitError(f"no notebook found for {assignment} (looked at {tried}); pass --notebook")


def workspace_of(notebook: Path, assignment: str) -> Path:
    """The workspace folder a notebook belongs to: the parent of its ASSIGNMENT/ folder."""
    folder = notebook.resolve().parent
    return folder.parent if folder.name == assignment else folder


def resolve_student(given: str | None, workspace: Path) -> str:
    """--student (saved in the workspace for next time), else $COURSE_STUDENT_ID, else the saved
    id; SubmitError when there is none or it is not a usable id."""
    saved = workspace / STUDENT_FILE
    if given:
        student = given.strip()
        source = "--student"
    elif os.environ.get(STUDENT_ENV, "").strip():
        student = os.environ[STUDENT_ENV].strip()
        source = f"${STUDENT_ENV}"
    elif saved.is_file():
        student = saved.read_text(encoding="utf-8").strip()
        source = str(saved)
    else:
        raise SubmitError(
            "no student id: pass --student YOUR_ID (it is remembered for next time) "
            f"or set {STUDENT_ENV}"
        )
    if not STUDENT_RE.match(student):
        raise SubmitError(
            f"student id {student!r} (from {source}) is not usable: use letters, digits and "
            ". _ @ - only, starting with a letter or digit, at most 64 characters"
        )
    if given and (not saved.is_file() or saved.read_text(encoding="utf-8").strip() != student):
        saved.write_text(student + "\n", encoding="utf-8")
    return student


def unanswered(nb: NotebookNode) -> list[str]:
    """grade_ids of answer cells still holding the release's placeholder."""
    found = []
    for cell in nb.cells:
        if not is_solution(cell):
            continue
        source = cell.get("source", "")
        code = cell.get("cell_type") == "code" and _UNANSWERED_CODE in source
        text = cell.get("cell_type") == "markdown" and source.strip() == TEXT_STUB
        if code or text:
            found.append(grade_id(cell) or cell.get("id", "?"))
    return found


def _check_belongs(nb: NotebookNode, notebook: Path, assignment: str, root: Path) -> None:
    """Refuse a notebook that shares no graded cell with the assignment's release."""
    release = release_notebook(assignment, root)  # UnknownAssignment for a wrong id
    if not release.is_file():
        return
    expected = {grade_id(c) for c in read_notebook(release).cells} - {None}
    if expected and not expected & ({grade_id(c) for c in nb.cells} - {None}):
        raise InvalidNotebook(
            f"{notebook}: this is not the {assignment} notebook (none of its exercises are in it)"
        )


def _zip_bytes(members: dict[str, bytes], when: datetime) -> bytes:
    buffer = io.BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def submit(
    assignment: str,
    student: str | None = None,
    notebook: Path | None = None,
    dest: Path | None = None,
    now: datetime | None = None,
    root: Path | None = None,
) -> Submission:
    """Validate the notebook and write ASSIGNMENT-STUDENT-STAMP.zip and its .sha256 into ``dest``
    (default: the workspace's submissions/ folder), replacing this student's older zips there.

    Raises SubmitError, InvalidNotebook (unreadable or wrong notebook) or UnknownAssignment.
    """
    root = course_root(root)
    notebook = Path(notebook) if notebook is not None else find_notebook(assignment)
    nb = read_notebook(notebook)
    _check_belongs(nb, notebook, assignment, root)
    workspace = workspace_of(notebook, assignment)
    student = resolve_student(student, workspace)
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    stamp = when.strftime(SUBMISSION_STAMP_FORMAT)
    dest = Path(dest) if dest is not None else workspace / SUBMISSIONS_DIR
    dest.mkdir(parents=True, exist_ok=True)

    data = notebook.read_bytes()
    missing = unanswered(nb)
    manifest = {
        "assignment": assignment,
        "student": student,
        "submitted_at": when.isoformat(),
        "notebook": f"{assignment}.ipynb",
        "sha256": hashlib.sha256(data).hexdigest(),
        "unanswered": missing,
    }
    members = {
        f"{assignment}.ipynb": data,
        MANIFEST: (json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
    }
    archive = _zip_bytes(members, when)
    digest = hashlib.sha256(archive).hexdigest()
    zip_path = dest / f"{assignment}-{student}-{stamp}.zip"
    checksum_path = zip_path.with_name(zip_path.name + ".sha256")

    older = re.compile(rf"^{re.escape(assignment)}-{re.escape(student)}-\d{{8}}T\d{{6}}Z\.zip$")
    replaced = sorted(p for p in dest.iterdir() if older.match(p.name) and p != zip_path)
    _write_atomically(zip_path, archive)
    _write_atomically(checksum_path, f"{digest}  {zip_path.name}\n".encode())
    for path in replaced:
        path.unlink()
        path.with_name(path.name + ".sha256").unlink(missing_ok=True)
    return Submission(zip_path, checksum_path, digest, student, missing, replaced)
