"""Every figure a notebook draws has a title and labelled axes, fits the notebook's width, and
uses legible text; training loops show progress.

A static check of the source notebooks, cheap enough to run on every change: a code cell that
creates a figure must give it a title and either label its axes or turn them off (a diagram), by
itself or through a helper that does (a function of the same notebook, or `course.plot`, whose
functions always label and title what they draw). A cell that loops over epochs must show
progress with tqdm or use `course.train.fit`, which does.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from autograder.paths import course_root, notebooks

NOTEBOOKS = notebooks()
NEW_FIGURE = re.compile(r"\bplt\.(subplots|figure|subplot_mosaic)\(")
TITLE = re.compile(r"\.set_title\(|\.suptitle\(|\bplt\.title\(|\btitle=")
LABELS = re.compile(
    r"\.set_xlabel\(|\.set_ylabel\(|\bxlabel=|\bplt\.xlabel\(|\.axis\(\"off\"\)|\.set_axis_off\("
)
COURSE_PLOT = re.compile(r"\bcourse\.plot\.\w+\(|\bplot\.\w+\(")
EPOCH_LOOP = re.compile(r"^\s*for\s+epoch\b.*:", re.MULTILINE)
PROGRESS = re.compile(r"\btqdm\b|\bfit\(|\bcourse\.train\.")
# A figure wider than this many inches is shrunk to the notebook's width until its text is too
# small to read; smaller font sizes than this (points) are hard to read at the usual 90 dpi.
MAX_WIDTH_INCHES = 12
MIN_FONT_POINTS = 7
FIGSIZE = re.compile(r"figsize\s*=\s*\(\s*([0-9.]+)\s*,")
FONTSIZE = re.compile(r"fontsize\s*=\s*([0-9.]+)")


def code_cells(name: str) -> list[nbformat.NotebookNode]:
    path = course_root() / "source" / name / f"{name}.ipynb"
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def helpers(cells: list[nbformat.NotebookNode], rule: re.Pattern[str]) -> set[str]:
    """Names of the notebook's functions whose body satisfies ``rule``."""
    names: set[str] = set()
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and rule.search(
                ast.get_source_segment(cell.source, node) or ""
            ):
                names.add(node.name)
    return names


def uses(source: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(name)}\(", source) for name in names)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_figure_has_a_title_and_labelled_axes(name):
    cells = code_cells(name)
    titled, labelled = helpers(cells, TITLE), helpers(cells, LABELS)
    missing = []
    for cell in cells:
        if not NEW_FIGURE.search(cell.source):
            continue
        helped = COURSE_PLOT.search(cell.source) is not None
        if not (TITLE.search(cell.source) or helped or uses(cell.source, titled)):
            missing.append(f"{cell.id}: no title")
        if not (LABELS.search(cell.source) or helped or uses(cell.source, labelled)):
            missing.append(f"{cell.id}: axes not labelled (or turned off for a diagram)")
    assert not missing, f"{name}: figures without a title or axis labels: {missing}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_training_loops_show_progress(name):
    silent = [
        cell.id
        for cell in code_cells(name)
        if EPOCH_LOOP.search(cell.source) and not PROGRESS.search(cell.source)
    ]
    assert not silent, f"{name}: epoch loops without tqdm or course.train.fit: {silent}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_figures_fit_the_notebook_width_with_legible_text(name):
    problems = []
    for cell in code_cells(name):
        for width in FIGSIZE.findall(cell.source):
            if float(width) > MAX_WIDTH_INCHES:
                problems.append(f"{cell.id}: figsize width {width} in > {MAX_WIDTH_INCHES}")
        for size in FONTSIZE.findall(cell.source):
            if float(size) < MIN_FONT_POINTS:
                problems.append(f"{cell.id}: fontsize {size} < {MIN_FONT_POINTS}")
    assert not problems, f"{name}: figures too wide or text too small: {problems}"
