"""Fixtures of the autograder tests: a temporary course directory holding the 00_demo chapter.

Building a release runs nbgrader (seconds) and grading starts a kernel (about a second), so the
course and its release are built once per session and graded notebooks are shared per module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from autograder.notebook import read_notebook
from autograder.release import write_release
from tests.autograder.chapter import ASSIGNMENT, make_course
from tests.timeouts import hang_guard

NBGRADER_TIMEOUT = hang_guard(600)  # a hang guard for one `nbgrader autograde` of a class


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep these tests on one xdist worker, so the course and its release are built only once.

    A module that names its own group (a long test that should run beside the others) keeps it.
    """
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group("autograder"))


@pytest.fixture(scope="session")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course directory with source/00_demo/ and its freshly generated release/00_demo/."""
    root = make_course(tmp_path_factory.mktemp("course"))
    write_release(root)
    return root


@pytest.fixture(scope="session")
def source_nb(course: Path) -> NotebookNode:
    return read_notebook(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="session")
def release_nb(course: Path) -> NotebookNode:
    return read_notebook(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def save(nb: NotebookNode, path: Path) -> Path:
    """Write ``nb`` as is (no normalization), the way JupyterLab saves a student's file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def nbgrader_autograde(root: Path, assignment: str, timeout: int = NBGRADER_TIMEOUT) -> None:
    """Run plain ``nbgrader autograde ASSIGNMENT`` in the course at ``root``, as an instructor
    types it (the course's nbgrader_config.py applies), with a clean environment."""
    env_bin = str(Path(sys.executable).parent)
    subprocess.run(
        [sys.executable, "-m", "nbgrader", "autograde", assignment, "--log-level=ERROR"],
        cwd=root,
        env={"PATH": f"{env_bin}:/usr/bin:/bin", "HOME": str(root)},
        check=True,
        capture_output=True,
        timeout=timeout,
    )
