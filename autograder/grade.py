"""Grade a whole class: sanitize (trusted), execute (untrusted, in parallel), record (trusted).

``grade_assignment`` reads every ``submitted/STUDENT/ASSIGNMENT/`` folder of the course, restores
each notebook's protected cells from the instructor source, runs the submissions in a pool of
worker processes (each in a fresh, sandboxed kernel, test cells cut to their probes), lets the
judges of the source notebook decide every test cell here, and records the results as the single
writer: scores into nbgrader's gradebook, then ``autograded/STUDENT/ASSIGNMENT/`` by one atomic
rename. That folder, with the fingerprint of the notebook it graded, is what "graded" means: a
re-run skips exactly the unchanged submissions (unless forced), so a run killed halfway regrades
what it had not finished, and a resubmission is graded again.

Canaries (the instructor's solution and the blank release) run before and after the class in the
same environment; if they do not score full marks and zero, nothing of the run is kept.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory

from autograder import gradebook
from autograder.grading import Report, grade_notebook
from autograder.inert import inert_notebook
from autograder.judging import load_judges
from autograder.notebook import InvalidNotebook, grade_id, is_solution, read_notebook
from autograder.paths import course_root, data_contents, release_notebook, source_notebook
from autograder.probing import apply_verdicts, new_seed, prepare, trusted_prefix
from autograder.runner import run_task
from autograder.sandbox import Limits, die_with_parent, font_cache, resolve_mode
from autograder.sanitize import restore
from autograder.settings import MAX_NOTEBOOK_BYTES

log = logging.getLogger(__name__)

RESULT_FILE = "autograder.json"


class GradingAborted(RuntimeError):
    """Grading stopped for an infrastructure fault (e.g. no kernel starts); nothing was zeroed."""


@dataclass
class Outcome:
    """What happened to one student's submission in this run."""

    student: str
    status: str  # "graded", "invalid", "infrastructure", "skipped"
    score: float | None = None
    max_score: float | None = None
    reason: str | None = None
    seconds: float = 0.0


@dataclass
class Summary:
    """The result of a grading run, for the closing summary and for tests."""

    assignment: str
    sandbox: str
    workers: int
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole run, canaries included
    canary_seconds: float = 0.0  # of which the canaries before and after the class
    late: dict[str, float] = field(default_factory=dict)  # late student -> penalty (points)
    late_error: str | None = None  # why the late penalties could not be applied
    changed: list[str] = field(default_factory=list)  # regraded: changed since graded

    def of(self, status: str) -> list[Outcome]:
        """The outcomes with this status."""
        return [o for o in self.outcomes if o.status == status]

    def by_student(self) -> dict[str, Outcome]:
        """Outcomes keyed by student id."""
        return {o.student: o for o in self.outcomes}

    @property
    def per_minute(self) -> float:
        """Submissions graded (or rejected) per minute of wall time."""
        done = len(self.of("graded")) + len(self.of("invalid"))
        return 60.0 * done / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        """The human-readable summary printed at the end of ``grade``."""
        lines = [
            f"{self.assignment}: {len(self.of('graded'))} graded, {len(self.of('invalid'))} "
            f"invalid, {len(self.of('infrastructure'))} infrastructure errors, "
            f"{len(self.of('skipped'))} skipped (already graded)",
            f"time {self.seconds:.1f} s, {self.per_minute:.1f} submissions per minute, "
            f"{self.workers} workers, sandbox: {self.sandbox}",
        ]
        if self.changed:
            lines.append(
                f"regraded {len(self.changed)} submissions that changed since they were graded"
            )
        if self.late:
            lines.append(
                f"late: {len(self.late)} submissions, penalties from nbgrader_config.py applied"
            )
        if self.late_error:
            lines.append(
                f"WARNING: late penalties NOT applied ({self.late_error}); fix the "
                f"configuration, then run `python -m autograder late {self.assignment}`"
            )
        if self.sandbox == "none":
            lines.append("WARNING: graded WITHOUT a sandbox: student code ran with your rights")
        for outcome in self.of("invalid"):
            lines.append(f"  invalid {outcome.student}: {outcome.reason}")
        for outcome in self.of("infrastructure"):
            lines.append(f"  not recorded {outcome.student} (infrastructure): {outcome.reason}")
        return lines


@dataclass
class _Submission:
    student: str
    folder: Path
    timestamp: Any = None
    notebook: NotebookNode | None = None  # sanitized (restored from the source)
    seed: int = 0  # this submission's probe seed
    unanswered: set[str] = field(default_factory=set)
    reason: str | None = None  # why it is invalid


def _students(root: Path, assignment: str, only: Iterable[str] | None) -> list[tuple[str, Path]]:
    submitted = root / "submitted"
    found = sorted(
        (d.name, d / assignment)
        for d in (submitted.iterdir() if submitted.is_dir() else [])
        if d.is_dir() and not d.name.startswith(".") and (d / assignment).is_dir()
    )
    if only:
        wanted = set(only)
        found = [(s, p) for s, p in found if s in wanted]
    return found


def _notebook_file(folder: Path, assignment: str) -> Path:
    """The submitted notebook: ASSIGNMENT.ipynb, or the only notebook there (a renamed copy)."""
    expected = folder / f"{assignment}.ipynb"
    if expected.is_symlink():  # could point at the gradebook or another student's work
        raise InvalidNotebook(f"{assignment}.ipynb is a symbolic link, not a notebook file")
    if expected.exists():
        return expected
    others = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    if len(others) == 1:
        return others[0]
    if not others:
        raise InvalidNotebook(f"no notebook submitted (expected {assignment}.ipynb)")
    names = ", ".join(p.name for p in others)
    raise InvalidNotebook(f"no {assignment}.ipynb, and several other notebooks ({names})")


def _unanswered(restored: NotebookNode, release: NotebookNode | None) -> set[str]:
    """Answer cells whose source is still what the release gave the student."""
    if release is None:
        return set()
    given = {grade_id(c): c.source for c in release.cells if is_solution(c) and grade_id(c)}
    return {
        gid
        for c in restored.cells
        if is_solution(c) and (gid := grade_id(c)) and given.get(gid) == c.source
    }


def sanitize(
    student: str,
    folder: Path,
    assignment: str,
    reference: NotebookNode,
    release: NotebookNode | None,
    coursedir: CourseDirectory,
) -> _Submission:
    """Read and restore one submission in the trusted process; never raises for a bad file."""
    submission = _Submission(student, folder)
    try:
        submission.timestamp = coursedir.get_existing_timestamp(str(folder))
    except Exception:  # a malformed timestamp.txt is not worth a failed grade
        submission.timestamp = None
    try:
        nb = read_notebook(_notebook_file(folder, assignment))
        restored = restore(nb, reference)
    except InvalidNotebook as exc:
        submission.reason = str(exc).replace(f"{folder}/", "")
        return submission
    except Exception as exc:  # restore() on a strange but valid notebook
        submission.reason = f"the notebook could not be prepared for grading ({exc})"
        return submission
    submission.notebook = restored
    submission.seed = new_seed()
    submission.unanswered = _unanswered(restored, release)
    return submission


def _write_autograded(
    root: Path,
    submission: _Submission,
    assignment: str,
    executed: NotebookNode | None,
    result: dict[str, Any],
    data: dict[str, bytes],
) -> None:
    """Create autograded/STUDENT/ASSIGNMENT/ in one rename: all of it, or nothing. Only the
    submission's safe files are copied (``safe_files``); the result file lists the others."""
    parent = root / "autograded" / submission.student
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / assignment
    partial = parent / f".{assignment}.partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir()
    copied, refused = safe_files(submission.folder)
    result = {**result, "not_copied": [f"{name} ({why})" for name, why in refused]}
    for relative in copied:
        if relative.suffix == ".ipynb":
            continue
        target = partial / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        _copy_regular(submission.folder / relative, target)
    for name, content in data.items():  # the chapter's own data files win, as in nbgrader
        target = partial / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if executed is not None:
        (partial / f"{assignment}.ipynb").write_text(nbformat.writes(executed), encoding="utf-8")
    (partial / RESULT_FILE).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for file in partial.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
    if final.exists():
        trash = parent / f".{assignment}.old-{uuid.uuid4().hex[:8]}"
        final.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
    partial.rename(final)
    for name, why in refused:
        log.warning("%s: not copied from the submission: %s (%s)", submission.student, name, why)


# A file name a submission's extra files may have: no leading dot, no odd characters.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._ -]{0,127}$")
_RECORDED = ("graded", "invalid")


def safe_files(folder: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The files of a submission folder that may be copied (paths relative to it), and the
    others with the reason: only regular files, not links (symbolic or hard: a hard link could
    be the gradebook or the solutions), with safe names, within the size limit."""
    copied: list[Path] = []
    refused: list[tuple[str, str]] = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        here = Path(top)
        for name in sorted(dirs):
            path = here / name
            if path.is_symlink() or not _SAFE_NAME.match(name):
                refused.append((str(path.relative_to(folder)), "a link or an unsafe folder name"))
                dirs.remove(name)
        for name in sorted(files):
            relative = (here / name).relative_to(folder)
            info = os.lstat(here / name)
            if not stat.S_ISREG(info.st_mode):
                refused.append((str(relative), "not a regular file"))
            elif info.st_nlink != 1:
                refused.append((str(relative), "a hard link"))
            elif not _SAFE_NAME.match(name):
                refused.append((str(relative), "an unsafe file name"))
            elif info.st_size > MAX_NOTEBOOK_BYTES:
                refused.append((str(relative), "too large"))
            else:
                copied.append(relative)
    return sorted(copied), refused


def _copy_regular(source: Path, target: Path) -> None:
    """Copy a file only if it is still the regular, unlinked file it was when listed (a file
    swapped meanwhile for a link, a pipe or nothing at all is skipped, never waited on)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
            return
        with open(target, "wb") as out:
            shutil.copyfileobj(handle, out)


def fingerprint(folder: Path, assignment: str) -> str:
    """What identifies the version of a submission that is graded: the SHA-256 of its notebook
    file and its timestamp.txt. A run regrades a submission whose fingerprint changed."""
    digest = hashlib.sha256()
    try:
        notebook = _notebook_file(folder, assignment)
    except InvalidNotebook as exc:
        digest.update(f"no notebook: {exc}".encode())
    else:
        with contextlib.suppress(OSError):
            digest.update(notebook.name.encode() + b"\0" + notebook.read_bytes())
    with contextlib.suppress(OSError):
        digest.update(b"\0timestamp\0" + (folder / "timestamp.txt").read_bytes())
    return digest.hexdigest()


def _graded_fingerprint(done: Path) -> str | None:
    """The fingerprint an earlier run recorded for autograded/STUDENT/ASSIGNMENT ("" when that
    folder has no readable one, e.g. made by nbgrader itself), None when it does not exist."""
    if not done.is_dir():
        return None
    try:
        return str(json.loads((done / RESULT_FILE).read_text(encoding="utf-8"))["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""


def _withdraw(root: Path, assignment: str, students: list[str], gb: Any) -> None:
    """Take back the results of this run (the environment failed its canaries after grading):
    remove their autograded/ folders and clear their automatic scores, manual ones kept."""
    for student in students:
        shutil.rmtree(root / "autograded" / student / assignment, ignore_errors=True)
        gradebook.clear_auto_scores(gb, assignment, student)


def _clean_partials(root: Path, assignment: str) -> None:
    """Remove half-written folders a killed run left behind."""
    autograded = root / "autograded"
    for stale in autograded.glob(f"*/.{assignment}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in autograded.glob(f"*/.{assignment}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)


Executor = Callable[[list[dict[str, Any]]], Iterable[dict[str, Any]]]


def _pool(workers: int) -> futures.ProcessPoolExecutor:
    # fork: the workers need nothing re-imported, and `python -m autograder` has no main guard.
    return futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent
    )


def local_executor(workers: int) -> Executor:
    """Run tasks in a local process pool; yields results as they finish.

    A submission that kills its worker process breaks the pool: the tasks in flight are then
    rerun one at a time, and the one that breaks its worker again is reported as the culprit.
    """

    def execute(tasks: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        suspects: list[dict[str, Any]] = []
        pool = _pool(workers)
        try:
            pending = {pool.submit(run_task, task): task for task in tasks}
            for future in futures.as_completed(pending):
                try:
                    yield future.result()
                except BrokenProcessPool:
                    suspects.append(pending[future])
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for task in suspects:
            single = _pool(1)
            try:
                yield single.submit(run_task, task).result()
            except BrokenProcessPool:
                yield {
                    "key": task["key"],
                    "status": "invalid",
                    "notebook": None,
                    "reason": "the submission killed the grading process that ran it",
                    "seconds": 0.0,
                }
            finally:
                single.shutdown(wait=True, cancel_futures=True)

    return execute


def dask_executor(address: str) -> Executor:
    """Run tasks on a Dask cluster (``dask scheduler`` + ``dask worker`` processes that have this
    package installed); the same task function as the local pool. A submission that kills the
    workers running it (Dask gives up after a few) is reported as such, not as a grade."""

    def execute(tasks: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        from distributed import Client, as_completed
        from distributed.scheduler import KilledWorker

        run_id = uuid.uuid4().hex[:8]
        with Client(address, timeout="60s") as client:
            submitted = [
                client.submit(run_task, task, key=f"grade-{run_id}-{task['key']}") for task in tasks
            ]
            owner = {f.key: task["key"] for f, task in zip(submitted, tasks, strict=True)}
            for future in as_completed(submitted):
                key = owner[future.key]
                try:
                    yield future.result()
                except KilledWorker:
                    yield {
                        "key": key,
                        "status": "invalid",
                        "notebook": None,
                        "reason": "the submission killed the Dask workers that ran it",
                        "seconds": 0.0,
                    }
                except Exception as exc:  # the cluster failed, not the student
                    yield {
                        "key": key,
                        "status": "infrastructure",
                        "notebook": None,
                        "reason": f"Dask: {type(exc).__name__}: {exc}",
                        "seconds": 0.0,
                    }

    return execute


def _task(
    key: str,
    restored: NotebookNode,
    seed: int,
    reference: NotebookNode,
    data: dict[str, bytes],
    mode: str,
    limits: Limits,
) -> dict[str, Any]:
    """The plain-data task a worker runs for one restored notebook."""
    prepared = prepare(restored, seed)
    return {
        "key": key,
        "notebook": nbformat.writes(prepared),
        "files": data,
        "sandbox": mode,
        "limits": limits.to_dict(),
        "trusted": trusted_prefix(prepared, reference),
    }


# Task keys of the canaries: a leading dot, which no student id (a folder of submitted/) has.
CANARY_SOLUTION = ".canary-solution"
CANARY_BLANK = ".canary-blank"


@dataclass
class Canaries:
    """The instructor's solution and the blank release, graded like submissions in the very same
    environment, sandbox and limits. The solution must score full marks and the blank zero;
    anything else (a shadowed or missing package, a data file that does not load, a setup cell
    that times out, a judge that broke) is the environment's fault, and grades recorded in such
    an environment would be wrong for everyone."""

    assignment: str
    reference: NotebookNode
    release: NotebookNode | None
    judges: dict[str, Any]
    data: dict[str, bytes]
    mode: str
    limits: Limits

    def _notebooks(self) -> dict[str, NotebookNode]:
        notebooks = {CANARY_SOLUTION: restore(self.reference, self.reference)}
        if self.release is not None:
            notebooks[CANARY_BLANK] = restore(self.release, self.reference)
        return notebooks

    def problems(self, run: Executor) -> list[str]:
        """What went wrong with the canaries (empty when the environment is sound)."""
        notebooks = self._notebooks()
        seeds = {key: new_seed() for key in notebooks}
        tasks = [
            _task(key, nb, seeds[key], self.reference, self.data, self.mode, self.limits)
            for key, nb in notebooks.items()
        ]
        found: list[str] = []
        for result in run(tasks):
            key = result["key"]
            what = "the instructor's solution" if key == CANARY_SOLUTION else "the blank release"
            if result.get("status") != "executed" or not result.get("notebook"):
                found.append(f"{what} could not be run ({result.get('reason')})")
                continue
            executed = nbformat.reads(result["notebook"], as_version=4)
            executed = apply_verdicts(executed, notebooks[key], self.judges, seeds[key])
            report = grade_notebook(executed, self.assignment)
            score, best = report.score, report.max_score
            if key == CANARY_SOLUTION and score != best:
                first = next((c for c in report.cells if c.passed is False), None)
                why = f": {first.grade_id}: {first.error}" if first is not None else ""
                found.append(f"{what} scored {score:g}/{best:g} instead of full marks{why}")
            elif key == CANARY_BLANK and score != 0:
                passed = [c.grade_id for c in report.cells if c.passed]
                found.append(f"{what} scored {score:g}/{best:g} instead of 0 ({', '.join(passed)})")
        return found

    def check(self, run: Executor, when: str) -> float:
        """Raise GradingAborted when the canaries fail; return the seconds they took."""
        started = time.monotonic()
        found = self.problems(run)
        if found:
            raise GradingAborted(
                f"canary check {when} failed: {'; '.join(found)}. The grading environment is "
                "broken (a package shadowed or missing, a course cell failing or timing out), "
                "so no grade of this run was kept."
            )
        return time.monotonic() - started


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="nb", disable=not enabled, dynamic_ncols=True, leave=True)


def grade_assignment(
    assignment: str,
    root: Path | None = None,
    workers: int | None = None,
    sandbox: str = "auto",
    limits: Limits | None = None,
    students: Iterable[str] | None = None,
    force: bool = False,
    executor: Executor | None = None,
    progress: bool = False,
) -> Summary:
    """Grade every submission of ``assignment`` and record the results; return the summary.

    Raises GradingAborted when kernels cannot start at all (nothing is recorded for them), and
    SandboxUnavailable when ``sandbox="bwrap"`` cannot run here.
    """
    started = time.monotonic()
    root = course_root(root)
    workers = workers or os.cpu_count() or 1
    limits = limits or Limits()
    mode = resolve_mode(sandbox)
    if mode == "none":
        log.warning("grading WITHOUT a sandbox: student code runs with this user's rights")
    font_cache()  # built once here, in the trusted process, before any kernel needs it
    summary = Summary(assignment, mode, workers)

    reference = read_notebook(source_notebook(assignment, root))
    judges = load_judges(reference, name=str(source_notebook(assignment, root)))
    release_path = release_notebook(assignment, root)
    release = read_notebook(release_path) if release_path.is_file() else None
    data = data_contents(assignment, root)
    coursedir = CourseDirectory(root=str(root))

    _clean_partials(root, assignment)
    todo: list[tuple[str, Path]] = []
    fingerprints: dict[str, str] = {}
    for student, path in _students(root, assignment, students):
        fingerprints[student] = fingerprint(path, assignment)
        graded = _graded_fingerprint(root / "autograded" / student / assignment)
        if not force and graded == fingerprints[student]:
            summary.outcomes.append(Outcome(student, "skipped"))
        else:
            todo.append((student, path))
            if graded is not None and not force:
                summary.changed.append(student)

    url = gradebook.db_url(root)
    if todo:
        gradebook.ensure_assignment(root, url, assignment)
    submissions = {
        student: sanitize(student, path, assignment, reference, release, coursedir)
        for student, path in todo
    }
    runnable = [s for s in submissions.values() if s.notebook is not None]
    tasks = [_task(s.student, s.notebook, s.seed, reference, data, mode, limits) for s in runnable]
    run = executor or local_executor(min(workers, max(1, len(tasks))))
    canaries = Canaries(assignment, reference, release, judges, data, mode, limits)
    if tasks:
        summary.canary_seconds += canaries.check(
            executor or local_executor(min(workers, 2)), "before grading"
        )
    bar = _progress(len(submissions), progress)
    gb = gradebook.open_gradebook(url)
    try:

        def save(submission: _Submission, result: dict[str, Any]) -> None:
            executed = None
            report: Report | None = None
            if result.get("notebook"):
                executed = nbformat.reads(result["notebook"], as_version=4)
                executed = apply_verdicts(executed, submission.notebook, judges, submission.seed)
                report = grade_notebook(executed, assignment)
            reason = submission.reason or result.get("reason")
            gradebook.record(
                gb,
                assignment,
                submission.student,
                report,
                submission.timestamp,
                submission.unanswered,
            )
            status = "graded" if report is not None else "invalid"
            outcome = Outcome(
                submission.student,
                status,
                report.score if report else 0.0,
                report.max_score if report else None,
                None if report else reason,
                float(result.get("seconds", 0.0)),
            )
            info = {
                "status": status,
                "score": outcome.score,
                "max_score": outcome.max_score,
                "reason": outcome.reason,
                "sandbox": mode,
                "seconds": outcome.seconds,
                "cells": report.to_dict()["cells"] if report else [],
                "fingerprint": fingerprints[submission.student],
            }
            if executed is not None:
                executed = inert_notebook(executed)
            _write_autograded(root, submission, assignment, executed, info, data)
            summary.outcomes.append(outcome)
            bar.update(1)

        for submission in submissions.values():
            if submission.notebook is None:
                save(submission, {"seconds": 0.0})

        infra: list[Outcome] = []
        succeeded = 0
        for result in run(tasks):
            submission = submissions[result["key"]]
            if result["status"] == "infrastructure":
                outcome = Outcome(submission.student, "infrastructure", reason=result["reason"])
                infra.append(outcome)
                summary.outcomes.append(outcome)
                bar.update(1)
                if succeeded == 0 and len(infra) >= min(workers, len(tasks)):
                    raise GradingAborted(
                        f"no kernel could be started ({result['reason']}); nothing was recorded "
                        "for these submissions: fix the grading environment and run again"
                    )
                continue
            if result["status"] == "invalid":
                submission.reason = result["reason"]
                result = {**result, "notebook": None}
            else:
                succeeded += 1
            save(submission, result)
        if tasks:
            try:
                summary.canary_seconds += canaries.check(
                    executor or local_executor(min(workers, 2)), "after grading"
                )
            except GradingAborted as exc:
                withdrawn = [o.student for o in summary.outcomes if o.status in _RECORDED]
                _withdraw(root, assignment, withdrawn, gb)
                raise GradingAborted(
                    f"{exc} The {len(withdrawn)} results of this run were withdrawn (their "
                    "autograded/ folders removed and automatic scores cleared), so that the "
                    "next run grades them again."
                ) from exc
    finally:
        bar.close()
        gb.close()
        summary.seconds = time.monotonic() - started
    if todo:
        _late_penalties(summary, root)
    return summary


def _late_penalties(summary: Summary, root: Path) -> None:
    """Apply the course's late-penalty plugin, as ``nbgrader autograde`` does after grading.

    The scores are already recorded, so a broken plugin configuration is reported, not raised.
    """
    from autograder.late import apply_late_penalties

    try:
        summary.late = apply_late_penalties(summary.assignment, root)
    except Exception as exc:
        log.error("late penalties not applied: %s", exc)
        summary.late_error = f"{type(exc).__name__}: {exc}"
