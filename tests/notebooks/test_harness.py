"""The harness itself: its cross-check skips another exercise's test only when a wrong answer
cannot change it, and it still reports a wrong answer that costs another exercise its points."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell

from autograder.notebook import grade_id, read_notebook, write_notebook
from tests.autograder.chapter import ASSIGNMENT, make_course
from tests.notebooks.harness import Harness, only_defines, reachable


@pytest.mark.parametrize(
    "source",
    [
        "def f(x):\n    return x + 1",
        '"""A docstring."""\nimport math\nfrom torch import nn\n\nclass A:\n    n = 3\n'
        "    def g(self, x: int = 2) -> int:\n        return x",
        "def f(x, scale: float = 1.0, *, shape: tuple[int, int] = (2, 3)):\n    pass",
        "def f(:\n    broken",  # a cell that does not parse runs nothing
    ],
)
def test_cells_that_only_bind_names(source):
    assert only_defines(source)


@pytest.mark.parametrize(
    "source",
    [
        "X = 3\ndef f(x):\n    return x",
        "def f(x):\n    return x\ntorch.manual_seed(0)",
        "X -= X.mean()",
        "@functools.cache\ndef f(x):\n    return x",
        "def f(x, seed=torch.manual_seed(0)):\n    return x",
        "class A(make_base()):\n    pass",
        "class A:\n    table = load()",
        "from torch.nn.functional import *",
        "global X",
        "print('hello')",
    ],
)
def test_cells_that_do_more(source):
    assert not only_defines(source)


def test_reachable_follows_the_definitions_a_probe_calls():
    providers = [
        "def helper(x):\n    return inner(x) * FACTOR",
        "def inner(x):\n    return x",
        "def unrelated(x):\n    return other(x)",
    ]
    names = reachable("_probe.call('a', helper, 2)", providers)
    assert {"helper", "inner", "FACTOR"} <= names
    assert not {"unrelated", "other"} & names


def test_reachable_counts_names_looked_up_in_the_namespace():
    providers = ["def swap(**names):\n    globals().update(names)"]
    names = reachable("with swap(rnn_cell=_trusted):\n    f = globals().get('mine')", providers)
    assert {"rnn_cell", "mine", "swap"} <= names


@pytest.mark.parametrize("call", ["eval('f(1)')", "exec(code)", "get_ipython().run_cell(c)"])
def test_a_probe_that_runs_computed_code_reaches_everything(call):
    assert reachable(call, []) is None


def _demo_course(root: Path) -> Path:
    """The tests' 00_demo chapter (exercise 0.2 scales by FACTOR, read in a setup cell), with the
    setup cell repeated before exercise 0.2: a wrong answer of 0.1 that changes FACTOR then costs
    0.2 its points only where the harness cross-checks, not in its first pass."""
    make_course(root)
    path = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = read_notebook(path)
    setup = next(c for c in nb.cells if "setup" in c.metadata.get("tags", []))
    again = new_code_cell(setup.source, metadata={"tags": ["setup"]})
    again["id"] = "setup-again"
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "ex0_2_scale")
    nb.cells.insert(at, again)
    write_notebook(nb, path)
    return root


# Wrong answers of exercise 0.1 -> the other tests the cross-check must re-run for each.
WRONG = {
    # only defines double, which no other probe reaches: nothing else can change
    "def double(x):\n    return x + x + 1": [],
    # a top-level statement beside the function: every other test is re-run
    "FACTOR = 4\n\ndef double(x):\n    return 3 * x": ["test_ex0_2_scale"],
    # only definitions, but one of them is a name test 0.2's probe calls
    "def scale(values):\n    return values\n\ndef double(x):\n    return x": ["test_ex0_2_scale"],
}


@pytest.mark.slow
@pytest.mark.parametrize("wrong", list(WRONG))
def test_the_cross_check_skips_only_what_cannot_change(wrong: str, tmp_path: Path) -> None:
    root = _demo_course(tmp_path)
    candidates = {"ex0_1_double": {"wrong": {"wrong": wrong}, "right": {}}}
    [result] = [r for r in Harness(ASSIGNMENT, root).run(candidates) if r.kind == "wrong"]
    assert not result.passed
    assert result.cross_checked == WRONG[wrong]
    # what it re-ran, it saw fail: a wrong answer that costs 0.2 its points is reported
    assert sorted(result.collateral) == WRONG[wrong]


@pytest.mark.slow
def test_a_released_stub_that_earns_points_is_reported(tmp_path: Path) -> None:
    root = make_course(tmp_path)
    nb = read_notebook(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    stubs = {
        "ex0_1_double": "def double(x):\n    raise NotImplementedError()",
        # a release that gives the answer away: its "stub" earns the points
        "ex0_2_scale": "def scale(values):\n    return [3 * v for v in values]",
    }
    for cell in nb.cells:
        if grade_id(cell) in stubs:
            cell.source = stubs[grade_id(cell)]
    (root / "release" / ASSIGNMENT).mkdir(parents=True)
    write_notebook(nb, root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    results = Harness(ASSIGNMENT, root).run({})
    earned = {r.exercise: r.passed for r in results if r.kind == "stub"}
    assert earned == {"ex0_1_double": False, "ex0_2_scale": True}
