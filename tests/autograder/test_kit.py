"""The student kit (`python -m autograder kit DEST`): everything a student needs, no solutions."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from autograder.kit import KitError, build_kit
from autograder.notebook import read_notebook, write_notebook
from autograder.paths import assignments
from tests.timeouts import hang_guard

REPO = Path(__file__).resolve().parents[2]
WHERE = "import autograder, course; print(autograder.__file__, course.__file__)"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory):
    """The kit of this repository (built once; the release must match source/)."""
    return build_kit(tmp_path_factory.mktemp("kit") / "dl-course-kit", REPO)


def test_kit_holds_what_students_use_and_nothing_else(kit) -> None:
    top = sorted(p.name for p in kit.folder.iterdir())
    assert top == [
        "LICENSE",
        "Makefile",
        "README.md",
        "autograder",
        "course",
        "environment.yml",
        "pyproject.toml",
        "release",
    ]
    released = sorted(p.relative_to(REPO) for p in (REPO / "release").rglob("*.ipynb"))
    assert sorted(p.relative_to(kit.folder) for p in kit.notebooks) == released
    for chapter in assignments(REPO):
        assert (kit.folder / "release" / chapter / f"{chapter}.ipynb").is_file()
    names = {p.name for p in kit.folder.rglob("*")}
    assert not names & {"source", "tests", "bench", "nbgrader_config.py", "gradebook.db"}
    assert not [p for p in kit.folder.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]


def test_no_solution_hidden_test_or_judge_reaches_the_kit(kit) -> None:
    for path in kit.folder.rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for mark in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", '"judge"'):
            assert mark not in text, f"{path} holds {mark}"

    # The source solutions themselves: no solution region of a source answer cell appears in
    # the kit as a whole (lines compared stripped, in order; single lines may be common idioms).
    def lines_of(path: Path) -> list[str]:
        if path.suffix == ".ipynb":
            text = "\n".join(cell.source for cell in read_notebook(path).cells)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        return [line.strip() for line in text.splitlines() if line.strip()]

    everything = "\n".join(
        line for p in kit.folder.rglob("*") if p.is_file() for line in lines_of(p)
    )
    checked = 0
    for chapter in assignments(REPO):
        nb = read_notebook(REPO / "source" / chapter / f"{chapter}.ipynb")
        for cell in nb.cells:
            if "### BEGIN SOLUTION" not in cell.source or cell.cell_type != "code":
                continue
            body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION")[0]
            lines = [line.strip() for line in body.splitlines() if line.strip()]
            if len(lines) >= 2:
                checked += 1
                assert "\n".join(lines) not in everything, cell.metadata["nbgrader"]["grade_id"]
    assert checked >= 30


def test_the_zip_unpacks_to_the_same_folder(kit) -> None:
    with zipfile.ZipFile(kit.archive) as zf:
        names = sorted(n for n in zf.namelist() if not n.endswith("/"))
        assert all(n.startswith(f"{kit.folder.name}/") for n in names)
        for name in names[:50]:
            relative = Path(name).relative_to(kit.folder.name)
            assert zf.read(name) == (kit.folder / relative).read_bytes()
    files = sorted(
        f"{kit.folder.name}/{p.relative_to(kit.folder).as_posix()}"
        for p in kit.folder.rglob("*")
        if p.is_file()
    )
    assert names == files


def test_set_up_files_pin_the_repository_versions_without_the_test_extra(kit) -> None:
    ours = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    theirs = tomllib.loads((kit.folder / "pyproject.toml").read_text(encoding="utf-8"))
    assert theirs["project"]["dependencies"] == ours["dependencies"]
    assert "optional-dependencies" not in theirs["project"]
    environment = (kit.folder / "environment.yml").read_text(encoding="utf-8")
    for pin in ours["dependencies"]:
        assert f"      - {pin}\n" in environment
    assert "pytest" not in environment and "playwright" not in environment
    # The repository's Makefile, whose `setup` installs no test tools (tests/test_environment.py).
    assert (kit.folder / "Makefile").read_bytes() == (REPO / "Makefile").read_bytes()
    readme = (kit.folder / "README.md").read_text(encoding="utf-8")
    assert "make setup" in readme and "make lab" in readme


def test_the_kit_builds_as_a_package_and_its_commands_use_its_own_files(kit, tmp_path) -> None:
    """pip can build the kit (its pyproject is valid and ships both packages), and the student
    commands run from the kit read the kit's release/, not this repository's."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path / "wheel"), str(kit.folder)],
        capture_output=True,
        text=True,
        timeout=hang_guard(120),
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    assert {"course/__init__.py", "autograder/cli.py", "course/chapter_times.json"} <= shipped

    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "PYTHONPATH")}
    workspace = tmp_path / "workspace"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "workspace", "--dest", str(workspace)],
        cwd=kit.folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=hang_guard(60),
    )
    assert done.returncode == 0, done.stderr
    assert (workspace / "01_neurons" / "01_neurons.ipynb").read_bytes() == (
        kit.folder / "release" / "01_neurons" / "01_neurons.ipynb"
    ).read_bytes()
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import autograder, course; print(autograder.__file__, course.__file__)",
        ],
        cwd=kit.folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=hang_guard(60),
    )
    assert all(Path(p).is_relative_to(kit.folder) for p in where.stdout.split()), where.stdout


def _course(root: Path) -> Path:
    """A minimal course directory: the repository's set-up files and a one-chapter release."""
    root.mkdir()
    for name in ("pyproject.toml", "LICENSE", "Makefile", "nbgrader_config.py"):
        (root / name).write_bytes((REPO / name).read_bytes())
    (root / "source").mkdir()
    chapter = root / "release" / "01_neurons"
    chapter.mkdir(parents=True)
    nb = read_notebook(REPO / "release" / "01_neurons" / "01_neurons.ipynb")
    write_notebook(nb, chapter / "01_neurons.ipynb")
    return root


@pytest.mark.parametrize(
    "secret",
    [
        "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION",
        "### BEGIN HIDDEN TESTS\nassert x == 2\n### END HIDDEN TESTS",
        "judge-tag",
    ],
)
def test_a_release_holding_instructor_material_is_refused(tmp_path, secret: str) -> None:
    root = _course(tmp_path / "course")
    path = root / "release" / "01_neurons" / "01_neurons.ipynb"
    nb = read_notebook(path)
    if secret == "judge-tag":
        nb.cells[3].metadata["tags"] = ["judge"]
    else:
        nb.cells[3].source = secret
    write_notebook(nb, path)
    with pytest.raises(KitError, match="instructor material"):
        build_kit(tmp_path / "kit", root, check=False)
    assert not (tmp_path / "kit").exists() and not (tmp_path / "kit.zip").exists()


def test_existing_or_nested_destinations_are_refused(tmp_path) -> None:
    root = _course(tmp_path / "course")
    (tmp_path / "taken").mkdir()
    with pytest.raises(KitError, match="already exists"):
        build_kit(tmp_path / "taken", root, check=False)
    with pytest.raises(KitError, match="outside the course directory"):
        build_kit(root / "kit", root, check=False)
    assert build_kit(tmp_path / "fine", root, check=False).archive.is_file()
