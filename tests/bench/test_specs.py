"""The quality specs: one per chapter, valid Python, reading only names the chapter defines."""

from __future__ import annotations

import ast
import builtins
import textwrap

import pytest

from autograder.notebook import read_notebook
from autograder.paths import assignments, source_notebook
from bench.specs import MARKER, SPECS, higher_is_better, parse_quality, quality_cell

PRELUDE_NAMES = {"_bench_row", "_bench_time", "_bench_json", "_bench_rows", "_bench_torch"}


def defined_names(source: str) -> set[str]:
    """Every name a piece of code binds anywhere (assignments, loops, with, defs, imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def read_names(source: str) -> set[str]:
    return {
        n.id
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def test_every_chapter_has_a_spec():
    assert sorted(SPECS) == assignments()


@pytest.mark.parametrize("chapter", sorted(SPECS))
def test_spec_reads_only_what_the_chapter_defines(chapter):
    nb = read_notebook(source_notebook(chapter))
    chapter_names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            chapter_names |= defined_names(cell.source)
    spec = textwrap.dedent(SPECS[chapter])
    missing = read_names(spec) - defined_names(spec) - chapter_names - PRELUDE_NAMES
    missing -= set(dir(builtins))
    assert not missing, f"the {chapter} spec reads names the chapter does not define: {missing}"


@pytest.mark.parametrize("chapter", sorted(SPECS))
def test_quality_cell_compiles(chapter):
    compile(quality_cell(chapter), f"<{chapter} quality cell>", "exec")


def test_no_spec_gives_no_cell():
    assert quality_cell("99_nothing") is None


def run_cell(source: str, namespace: dict) -> str:
    """Run a quality cell as the kernel would and return what it printed."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_quality_cell_reports_rows(monkeypatch):
    monkeypatch.setitem(
        SPECS, "98_fake", '_bench_row("t", "m", "network", "test MSE", 0.123456, 2)'
    )
    printed = run_cell(quality_cell("98_fake"), {})
    data = parse_quality("some chapter output\n" + printed)
    assert data["error"] is None
    assert data["gpu_memory_mb"] is None  # no GPU used in this process
    assert data["rows"] == [
        {
            "task": "t",
            "model": "m",
            "kind": "network",
            "metric": "test MSE",
            "value": 0.1235,
            "seconds": 2.0,
            "higher_is_better": False,
        }
    ]


def test_quality_cell_survives_a_missing_variable(monkeypatch):
    monkeypatch.setitem(SPECS, "98_fake", "for r in renamed_results:\n    pass")
    printed = run_cell(quality_cell("98_fake"), {})
    assert printed.startswith(MARKER)
    data = parse_quality(printed)
    assert data["rows"] == []
    assert data["error"] == "NameError: name 'renamed_results' is not defined"


def test_parse_without_marker():
    assert parse_quality("nothing")["error"] == "the quality cell printed nothing"


@pytest.mark.parametrize(
    ("metric", "higher"),
    [
        ("test accuracy", True),
        ("sequence accuracy", True),
        ("test MSE", False),
        ("validation perplexity", False),
        ("validation nats/char", False),
    ],
)
def test_higher_is_better(metric, higher):
    assert higher_is_better(metric) is higher
