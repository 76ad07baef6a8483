"""Build the student release with nbgrader's own generate_assignment, byte-for-byte reproducibly.

nbgrader runs in a scratch copy of the course directory (config + the chapters' source folders)
with ``--no-db``: the release is computed without opening any gradebook, so building it can never
touch an instructor's real one. The notebooks it writes are then normalized, which makes a rebuild
give the same bytes, and lets ``--check`` tell a stale release/ from a fresh build.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.nbgrader_command import NbgraderFailed, run_nbgrader
from autograder.notebook import notebook_bytes, read_notebook, write_notebook
from autograder.paths import IGNORED, UnknownAssignment, course_root, is_ignored
from autograder.paths import notebooks as all_notebooks


class ReleaseError(RuntimeError):
    """nbgrader could not generate the release (the message holds its log)."""


def _generate(work: Path) -> None:
    args = [
        "generate_assignment",
        "*",
        "--force",
        "--no-db",
        f"--CourseDirectory.root={work}",
        f"--CourseDirectory.db_url=sqlite:///{work / 'gradebook.db'}",
        "--log-level=WARN",
    ]
    try:
        run_nbgrader(args, cwd=work)
    except NbgraderFailed as exc:
        raise ReleaseError(str(exc)) from exc


def build_release(
    root: Path | None = None, assignments: list[str] | None = None
) -> dict[Path, bytes]:
    """The student release of the given notebooks (default: all, ungraded ones included) as
    {path under release/: bytes}."""
    root = course_root(root)
    known = all_notebooks(root)
    chosen = known if assignments is None else list(assignments)
    for assignment in chosen:
        if assignment not in known:
            raise UnknownAssignment(
                f"unknown chapter {assignment!r} (chapters: {', '.join(known)})"
            )
    if not chosen:
        return {}
    built: dict[Path, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
        work = Path(scratch)
        shutil.copyfile(root / "nbgrader_config.py", work / "nbgrader_config.py")
        for assignment in chosen:
            folder = work / "source" / assignment
            shutil.copytree(
                root / "source" / assignment, folder, ignore=shutil.ignore_patterns(*IGNORED)
            )
            # Normalized input: cells without ids get deterministic ids, not nbformat's random ones.
            for notebook in folder.glob("*.ipynb"):
                write_notebook(read_notebook(notebook), notebook)
        _generate(work)
        release = work / "release"
        for path in sorted(release.rglob("*")):
            relative = path.relative_to(release)
            if not path.is_file() or is_ignored(relative):
                continue
            if path.suffix == ".ipynb":
                built[relative] = notebook_bytes(read_notebook(path))
            else:
                built[relative] = path.read_bytes()
    return built


def _existing(root: Path) -> dict[Path, Path]:
    """Files now under release/ (nbgrader's ignored files aside), keyed by relative path."""
    release = root / "release"
    if not release.is_dir():
        return {}
    found = {p.relative_to(release): p for p in release.rglob("*") if p.is_file()}
    return {rel: p for rel, p in sorted(found.items()) if not is_ignored(rel)}


def _hidden(relative: Path) -> bool:
    return relative.name.startswith(".")


def write_release(root: Path | None = None) -> list[str]:
    """Make release/ equal a fresh build; return what changed ("wrote ...", "removed ...")."""
    root = course_root(root)
    built = build_release(root)
    release = root / "release"
    changes: list[str] = []
    for relative, data in built.items():
        target = release / relative
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            changes.append(f"wrote release/{relative.as_posix()}")
    for relative, path in _existing(root).items():
        if relative not in built and not _hidden(relative):
            path.unlink()
            changes.append(f"removed release/{relative.as_posix()}")
    if release.is_dir():
        for folder in sorted((p for p in release.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    return changes


def check_release(root: Path | None = None) -> list[str]:
    """How release/ differs from a fresh build: "stale: ...", "missing: ...", "extra: ..." lines."""
    root = course_root(root)
    built = build_release(root)
    existing = _existing(root)
    problems: list[str] = []
    for relative in sorted(set(built) | set(existing)):
        name = f"release/{relative.as_posix()}"
        if relative not in existing:
            problems.append(f"missing: {name}")
        elif relative not in built:
            if not _hidden(relative):
                problems.append(f"extra: {name}")
        elif existing[relative].read_bytes() != built[relative]:
            problems.append(f"stale: {name}")
    return problems
