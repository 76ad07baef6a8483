"""A tiny synthetic chapter, 00_demo, and the student submissions the autograder tests grade.

Built in code so that each test says plainly what a student did. The chapter has a setup cell that
reads a data file, two exercises (the second with hidden tests), a written answer and a read-only
cell; it imports nothing heavy, so a kernel runs it in about a second.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.notebook import grade_id, normalize, write_notebook
from autograder.settings import KERNEL_DISPLAY_NAME, KERNEL_NAME

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "00_demo"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
# Two hand-in times of one day, for submissions, zips and rosters.
EARLY = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 1, 17, 30, 5, tzinfo=UTC)
DATA_FILE = "factor.json"
HIDDEN_MESSAGE = "hidden: scale([]) should be []"
MODEL_ANSWER = "Doubling is scaling by two"
# The probe lines of test_ex0_2_scale's hidden region (they must never reach a student).
HIDDEN_LINES = ('_probe.call("empty", scale, [])', '_probe.call("pair", scale, [1, -2])')


def _meta(gid: str, *, grade: bool, solution: bool, locked: bool, points: float = 0) -> dict:
    meta = {
        "grade": grade,
        "grade_id": gid,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def demo_notebook() -> NotebookNode:
    """The instructor source of 00_demo: solutions, one visible-only test, one with hidden tests."""
    cells = [
        new_markdown_cell(
            "# Chapter 0 — A demo chapter\n\nUsed only by the autograder's tests. Exercise 0.2 "
            "multiplies each $x_i$ by a factor: $$y_i = k \\, x_i.$$"
        ),
        new_code_cell(
            "import json\nfrom pathlib import Path\n\n"
            f'FACTOR = json.loads(Path("{DATA_FILE}").read_text())["factor"]',
            metadata={"tags": ["setup"]},
        ),
        new_markdown_cell("### Exercise 0.1 — Double (1 point)"),
        new_code_cell(
            'def double(x):\n    """Return twice x."""\n'
            "    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=_meta("ex0_1_double", grade=False, solution=True, locked=False),
        ),
        new_code_cell(
            'assert double(2) == 4, "double(2) should be 4"\n'
            "### BEGIN HIDDEN TESTS\n"
            "import course.probe\n\n"
            '_probe = course.probe.Probe("test_ex0_1_double")\n'
            "for _i, _x in enumerate(_probe.rng().integers(-99, 99, size=3).tolist()):\n"
            '    _probe.call(f"double {_i}", double, _x)\n'
            "_probe.send()\n"
            "### END HIDDEN TESTS",
            metadata=_meta("test_ex0_1_double", grade=True, solution=False, locked=True, points=1),
        ),
        new_code_cell(
            "def judge(probe):\n"
            "    for i, x in enumerate(probe.rng().integers(-99, 99, size=3).tolist()):\n"
            '        got = probe[f"double {i}"]\n'
            '        assert got == 2 * x and type(got) is int, f"double({x}) gave {got!r}"\n',
            metadata={"tags": ["judge"]},
        ),
        new_markdown_cell("### Exercise 0.2 — Scale (2 points)"),
        new_code_cell(
            'def scale(values):\n    """Multiply every value by FACTOR."""\n'
            "    ### BEGIN SOLUTION\n    return [FACTOR * v for v in values]\n    ### END SOLUTION",
            metadata=_meta("ex0_2_scale", grade=False, solution=True, locked=False),
        ),
        new_code_cell(
            'assert scale([1]) == [3], "scale([1]) should be [3]"\n'
            "### BEGIN HIDDEN TESTS\n"
            "import course.probe\n\n"
            '_probe = course.probe.Probe("test_ex0_2_scale")\n'
            f"{HIDDEN_LINES[0]}\n"
            f"{HIDDEN_LINES[1]}\n"
            "_probe.send()\n"
            "### END HIDDEN TESTS",
            metadata=_meta("test_ex0_2_scale", grade=True, solution=False, locked=True, points=2),
        ),
        new_code_cell(
            "def judge(probe):\n"
            f'    assert probe["empty"] == [], {HIDDEN_MESSAGE!r}\n'
            '    assert probe["pair"] == [3, -6], "hidden: scale([1, -2]) should be [3, -6]"\n',
            metadata={"tags": ["judge"]},
        ),
        new_markdown_cell(
            "### Exercise 0.3 — Explain (1 point)\n\nHow is doubling related to scaling?"
        ),
        new_markdown_cell(
            f"**Model answer.** {MODEL_ANSWER}.\n\n"
            "**Rubric (1 point).** 1 point: says doubling is scaling by 2.",
            metadata=_meta(
                "written_ex0_3_explain", grade=True, solution=True, locked=False, points=1
            ),
        ),
        new_markdown_cell(
            "## Summary\n\nRead-only: students cannot change this cell.",
            metadata=_meta("summary", grade=False, solution=False, locked=True),
        ),
    ]
    for new in cells:
        del new["id"]  # random; normalize derives stable ones (graded cells get their grade_id)
    kernelspec = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME, "language": "python"}
    nb = new_notebook(metadata={"kernelspec": kernelspec})
    nb.cells = cells  # assigned after new_notebook, whose validation would add random ids
    return normalize(nb)


def make_course(root: Path) -> Path:
    """A course directory at ``root``: the real nbgrader_config.py and source/00_demo/."""
    folder = root / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copyfile(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    write_notebook(demo_notebook(), folder / f"{ASSIGNMENT}.ipynb")
    (folder / DATA_FILE).write_text(json.dumps({"factor": 3}) + "\n")
    return root


def cell(nb: NotebookNode, gid: str) -> NotebookNode:
    """The first cell of ``nb`` with this grade_id."""
    return next(c for c in nb.cells if grade_id(c) == gid)


def answer(nb: NotebookNode, gid: str, source: str) -> NotebookNode:
    """A copy of ``nb`` whose answer cell ``gid`` holds ``source``."""
    nb = copy.deepcopy(nb)
    cell(nb, gid).source = source
    return nb


def without(nb: NotebookNode, gid: str) -> NotebookNode:
    """A copy of ``nb`` with the cell ``gid`` deleted."""
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if grade_id(c) != gid]
    return nb


RIGHT_DOUBLE = "def double(x):\n    return x + x"
WRONG_DOUBLE = "def double(x):\n    return x + 1"
RIGHT_SCALE = "def scale(values):\n    return [v * FACTOR for v in values]"
# Passes the visible test, fails the hidden ones (crashes on an empty list).
VISIBLE_ONLY_SCALE = "def scale(values):\n    return [FACTOR * values[0]]"

FONT_CACHE_LINE = "Matplotlib is building the font cache; this may take a moment."


def tampered(release: NotebookNode) -> NotebookNode:
    """A student who breaks the rules: a wrong answer to 0.1 whose test they edited to pass, worth
    100 points, and copied; a right answer to 0.2 (printing a harmless stderr line) whose test they
    deleted; and a forged 50-point cell. Worth 2 of 3 points once restored."""
    nb = answer(release, "ex0_1_double", WRONG_DOUBLE)
    test = cell(nb, "test_ex0_1_double")
    test.source = "pass"
    test.metadata.nbgrader["points"] = 100
    duplicate = copy.deepcopy(test)
    duplicate["id"] = "copy-of-the-test"  # JupyterLab gives a pasted cell a new id
    nb.cells.append(duplicate)
    nb = answer(
        nb,
        "ex0_2_scale",
        "import sys\n\n\ndef scale(values):\n"
        f"    print({FONT_CACHE_LINE!r}, file=sys.stderr)  # so the test cell gets it\n"
        "    return [v * FACTOR for v in values]",
    )
    nb = without(nb, "test_ex0_2_scale")
    forged = {"grade": True, "grade_id": "bonus", "points": 50, "solution": False, "locked": True}
    nb.cells.append(new_code_cell("pass", metadata={"nbgrader": forged}))
    return nb


def visible_only(release: NotebookNode) -> NotebookNode:
    """A right answer to 0.1 (which also checks that the scratch directory holds only the data
    file), and an answer to 0.2 that passes the visible test but not the hidden ones."""
    nb = answer(
        release,
        "ex0_1_double",
        "import os\n\n\ndef double(x):\n"
        f"    assert sorted(os.listdir('.')) == [{DATA_FILE!r}], os.listdir('.')\n"
        "    return 2 * x",
    )
    return answer(nb, "ex0_2_scale", VISIBLE_ONLY_SCALE)
