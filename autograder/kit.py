"""The student kit: the course for a class without a hub, without a single solution in it.

``python -m autograder kit DEST`` builds the folder DEST and the archive DEST.zip beside it. A
student unpacks it and runs two commands (``make setup``, ``make lab``); what they get is exactly
what the repository's ``make lab`` gives them, minus everything an instructor keeps to themselves:

- ``release/``: the student notebooks and their data files, as nbgrader generated them;
- ``course/`` and ``autograder/``: the library the notebooks import, and the student commands
  (``workspace``, ``check``, ``submit``) with the grading code, which holds no answers;
- ``pyproject.toml`` and ``environment.yml`` with the same pinned packages, without the test extra;
- the repository's ``Makefile`` (``make setup`` installs no test tools), a ``README.md`` for
  students, and the licence.

Never in it: ``source/`` (solutions, hidden tests, judges), ``tests/`` (wrong-answer candidates
and the solutions' scores), ``bench/``, the instructor's ``nbgrader_config.py``, the gradebook and
any student data. The kit is built from a release that matches a fresh build of ``source/`` and
every notebook in it is scanned again for solution regions, hidden tests and judge cells.
"""

from __future__ import annotations

import json
import shutil
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.notebook import InvalidNotebook, read_notebook
from autograder.paths import PACKAGE_ROOT, course_root, is_ignored

# Marks that only the instructor's notebooks have: nbgrader's solution and hidden-test regions
# and the course's judge cells. None of them may appear in a kit.
SECRET_MARKS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
JUDGE_TAG = "judge"

# The Python packages a student needs; their bytecode and caches stay behind.
PACKAGES = ("course", "autograder")

README = """\
# Deep learning, from one neuron to Transformers: student kit

The course's notebooks, the `course` library they use and the tools to check and submit your
work. On Linux or macOS with Python 3.11 and `make`, in this folder:

```bash
make setup   # once: a virtual environment in .venv with the pinned packages (a few minutes)
make lab     # copies the notebooks into workspace/ and opens JupyterLab there
```

Open `00_start/00_start.ipynb` first: it checks your set-up and says how long each chapter takes
on your computer. Your work lives in `workspace/`; `make lab` never overwrites a notebook you
already have there. Conda users: `conda env create -f environment.yml`, then
`conda activate deep-learning-course` and the `python -m ipykernel install` line written at the
top of that file, then `python -m autograder workspace` and `jupyter lab` inside `workspace/`.

- **Check an exercise:** each exercise has a test cell under it; run it. The *Validate* button
  (or `.venv/bin/python -m autograder check workspace/01_neurons/01_neurons.ipynb` in a
  terminal) runs the whole notebook and summarizes which checks pass.
- **Hand in:** `.venv/bin/python -m autograder submit 01_neurons --student YOUR_ID` writes a zip
  of your notebook into `workspace/submissions/`; upload it where your instructor says.
- The visible checks help you; your grade comes from hidden tests that your instructor runs
  on other inputs. Passing every visible check is a good sign, not a promise.

This kit holds no solutions and no hidden tests. Built with `python -m autograder kit`.
"""


class KitError(RuntimeError):
    """The kit cannot be built (the message says what to fix); nothing was written."""


@dataclass
class Kit:
    """What ``build_kit`` wrote."""

    folder: Path
    archive: Path
    notebooks: list[Path]


def _secrets(path: Path) -> list[str]:
    """Why this notebook must not reach a student (empty when it is a clean student version)."""
    try:
        nb = read_notebook(path)
    except InvalidNotebook as exc:
        return [f"{path.name} cannot be read: {exc}"]
    found = []
    for index, cell in enumerate(nb.cells):
        text = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        marks = [mark for mark in SECRET_MARKS if mark in text]
        if marks:
            found.append(f"{path.name} cell {index} holds {', '.join(marks)}")
        if JUDGE_TAG in cell.get("metadata", {}).get("tags", []):
            found.append(f"{path.name} cell {index} is a judge cell")
    return found


def _copy_tree(src: Path, dest: Path) -> None:
    """Copy a folder without caches, checkpoints, bytecode or dot files."""
    for path in sorted(src.rglob("*")):
        relative = path.relative_to(src)
        if is_ignored(relative) or any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and not path.is_symlink():
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _student_pyproject(project: dict) -> str:
    """The repository's pyproject.toml, cut to what a student installs (no test extra)."""
    meta = project["project"]
    pins = "".join(f'    "{pin}",\n' for pin in meta["dependencies"])
    scripts = "".join(f'{name} = "{target}"\n' for name, target in meta["scripts"].items())
    data = project["tool"]["setuptools"]["package-data"]
    package_data = "".join(f"{name} = {json.dumps(files)}\n" for name, files in data.items())
    return (
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{meta["name"]}-student"\nversion = "{meta["version"]}"\n'
        f'description = "{meta["description"].rstrip(".")} (student kit)"\nreadme = "README.md"\n'
        f'requires-python = "{meta["requires-python"]}"\nlicense = "{meta["license"]}"\n'
        f"# The course is tested with exactly these versions.\ndependencies = [\n{pins}]\n\n"
        f"[project.scripts]\n{scripts}\n"
        f'[tool.setuptools.packages.find]\ninclude = ["course*", "autograder*"]\n\n'
        f"[tool.setuptools.package-data]\n{package_data}"
    )


def _student_environment(project: dict) -> str:
    """environment.yml with the same pins as the kit's pyproject.toml."""
    pins = "".join(f"      - {pin}\n" for pin in project["project"]["dependencies"])
    return (
        "# Conda equivalent of `make setup`:\n"
        "#   conda env create -f environment.yml && conda activate deep-learning-course\n"
        '#   python -m ipykernel install --sys-prefix --name dlcourse --display-name "Python 3 '
        '(deep-learning course)"\n'
        "name: deep-learning-course\nchannels:\n  - conda-forge\ndependencies:\n"
        f"  - python=3.11\n  - pip\n  - pip:\n{pins}      - --editable .\n"
    )


def build_kit(dest: Path, root: Path | None = None, *, check: bool = True) -> Kit:
    """Write the student kit to ``dest`` (a new folder) and ``dest.zip``; return what was written.

    With ``check`` (the default) the release must equal a fresh build of ``source/``, so that a
    kit never carries an outdated notebook; every notebook is scanned for secrets either way.
    """
    root = course_root(root)
    dest = Path(dest).resolve()
    archive = dest.with_name(dest.name + ".zip")
    release = root / "release"
    if dest.exists() or archive.exists():
        raise KitError(f"{dest} or {archive.name} already exists: choose a new folder")
    if dest == root or root in dest.parents:
        raise KitError("build the kit outside the course directory, so that it never nests")
    if not release.is_dir():
        raise KitError(f"no release folder at {release}: run python -m autograder release")
    if check:
        from autograder.release import check_release

        stale = check_release(root)
        if stale:
            raise KitError(
                "release/ does not match source/ ("
                + "; ".join(stale[:3])
                + "): run python -m autograder release"
            )
    notebooks = sorted(p for p in release.rglob("*.ipynb") if not is_ignored(p.relative_to(root)))
    secrets = [line for nb in notebooks for line in _secrets(nb)]
    if secrets:
        raise KitError("the release holds instructor material: " + "; ".join(secrets[:5]))
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))

    staging = dest.with_name(f".{dest.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _copy_tree(release, staging / "release")
        for package in PACKAGES:
            _copy_tree(PACKAGE_ROOT / package, staging / package)
        # The repository's own Makefile: its setup, workspace and lab targets are the students'.
        for name in ("LICENSE", "Makefile"):
            shutil.copyfile(root / name, staging / name)
        (staging / "pyproject.toml").write_text(_student_pyproject(project), encoding="utf-8")
        (staging / "environment.yml").write_text(_student_environment(project), encoding="utf-8")
        (staging / "README.md").write_text(README, encoding="utf-8")
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _zip(dest, archive)
    return Kit(dest, archive, [dest / nb.relative_to(root) for nb in notebooks])


def _zip(folder: Path, archive: Path) -> None:
    """DEST.zip holding the folder DEST/ (unzipping gives the same folder)."""
    partial = archive.with_name(f".{archive.name}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(folder.name) / path.relative_to(folder))
    partial.rename(archive)
