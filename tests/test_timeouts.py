"""The hang guards of tests/timeouts.py: how the scale is chosen, and that every time-out in the
suite is derived from it (a bare number there would fail the suite on a busy machine again)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests import timeouts
from tests.timeouts import DEFAULT_SCALE, SCALE_VARIABLE, timeout_scale

TESTS = Path(__file__).resolve().parent
# Written on the line of a time-out that is what a test checks (a hostile cell's short limit, an
# invalid value the CLI must reject), not a guard against a hang.
EXEMPT = "# not a hang guard"
TIMEOUT_KEYWORDS = {"timeout", "startup_timeout", "cell_timeout", "notebook_timeout"}
TIMEOUT_NAME = re.compile(r"(TIMEOUT|TIMEOUT_MS|GRACE|DEADLINE)$")


def test_the_variable_sets_the_scale() -> None:
    assert timeout_scale({SCALE_VARIABLE: "5"}) == 5.0
    assert timeout_scale({SCALE_VARIABLE: " 0.5 "}) == 0.5


@pytest.mark.parametrize("value", ["0", "-1", "abc", "nan", "inf"])
def test_a_scale_that_is_not_a_positive_number_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match=SCALE_VARIABLE):
        timeout_scale({SCALE_VARIABLE: value})


def test_unset_the_scale_is_generous_and_grows_with_the_load(monkeypatch) -> None:
    monkeypatch.setattr(timeouts, "usable_cores", lambda: 2)
    monkeypatch.setattr(timeouts.os, "getloadavg", lambda: (0.3, 0.2, 0.1))
    assert timeout_scale({}) == DEFAULT_SCALE >= 2
    assert timeout_scale({SCALE_VARIABLE: ""}) == DEFAULT_SCALE
    monkeypatch.setattr(timeouts.os, "getloadavg", lambda: (40.0, 20.0, 10.0))
    assert timeout_scale({}) == 20.0  # 40 runnable processes on 2 cores: 20 times slower


def test_guards_are_whole_seconds_and_milliseconds_rounded_up(monkeypatch) -> None:
    monkeypatch.setattr(timeouts, "SCALE", 1.5)
    assert timeouts.hang_guard(60) == 90
    assert timeouts.hang_guard(5) == 8
    assert timeouts.hang_guard_ms(30) == 45_000


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _is_bare(node: ast.AST | None) -> bool:
    """A number, or a string holding one ("60s", "20"), written as is."""
    if node is None:
        return False
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if _is_number(node):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(re.fullmatch(r"\d+(\.\d+)?\s*(ms|s)?", node.value))
    )


def _is_clock(node: ast.AST) -> bool:
    """A call of time.monotonic() or time.time() (the start of a hand-made deadline)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"monotonic", "time", "perf_counter"}
    )


def bare_timeouts(source: str) -> list[int]:
    """Lines of ``source`` that set a time-out to a number written as is (not a scaled guard)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in TIMEOUT_KEYWORDS:
            found += [node.value.lineno] if _is_bare(node.value) else []
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                is_key = isinstance(key, ast.Constant) and key.value in TIMEOUT_KEYWORDS
                found += [value.lineno] if is_key and _is_bare(value) else []
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any(TIMEOUT_NAME.search(n.upper()) for n in names) and _is_bare(node.value):
                found.append(node.lineno)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults))
            defaults += node.args.defaults + node.args.kw_defaults
            for arg, default in zip(arguments, defaults, strict=True):
                if arg.arg in TIMEOUT_KEYWORDS and _is_bare(default):
                    found.append(default.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if _is_clock(node.left) and _is_bare(node.right):
                found.append(node.lineno)
        elif isinstance(node, ast.List | ast.Tuple):
            for flag, value in zip(node.elts, node.elts[1:], strict=False):
                if isinstance(flag, ast.Constant) and flag.value == "--timeout":
                    found += [value.lineno] if _is_bare(value) else []
    lines = source.splitlines()
    return sorted(n for n in set(found) if EXEMPT not in lines[n - 1])


def test_the_checker_finds_bare_timeouts_and_accepts_guards() -> None:
    bad = (
        "import subprocess, time\n"
        "UI_TIMEOUT_MS = 30_000\n"
        "subprocess.run(['x'], timeout=120)\n"
        "Limits(cell_timeout=15, notebook_timeout=hang_guard(30))\n"
        "Client(address, timeout='60s')\n"
        "run = {'check': True, 'timeout': 120}\n"
        "deadline = time.monotonic() + 240\n"
        "def autograde(root, timeout: int = 600): ...\n"
        "argv = ['grade', 'x', '--timeout', '20']\n"
    )
    assert bare_timeouts(bad) == [2, 3, 4, 5, 6, 7, 8, 9]
    good = (
        "UI_TIMEOUT_MS = hang_guard_ms(30)\n"
        "subprocess.run(['x'], timeout=hang_guard(120))\n"
        "time.sleep(0.25)\n"
        "score(nb, timeout=2)  # not a hang guard: the sleeping cell must be stopped\n"
        "argv = ['grade', 'x', '--timeout', str(hang_guard(20))]\n"
        "def autograde(root, timeout: int = NBGRADER_TIMEOUT): ...\n"
    )
    assert bare_timeouts(good) == []


def test_every_timeout_in_the_suite_is_a_scaled_hang_guard() -> None:
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        lines = bare_timeouts(path.read_text(encoding="utf-8"))
        if lines:
            found[path.relative_to(TESTS.parent).as_posix()] = lines
    assert not found, (
        f"time-outs written as bare numbers (file: lines): {found}. A time-out in a test is a "
        "hang guard: write hang_guard(seconds) or hang_guard_ms(seconds) from tests/timeouts.py, "
        f"or mark a limit that the test itself checks with {EXEMPT!r}"
    )
