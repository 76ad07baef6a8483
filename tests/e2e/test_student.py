"""End-to-end: what a student does in JupyterLab, in a real (headless) browser.

One `make lab` server serves the whole module: 00_start opens and runs top to bottom; nbgrader's
Validate button reports failure for the unanswered chapter 1 and success for a solved copy; and the
chapter's ipywidgets explorer renders and redraws its plot when a slider moves. Screenshots go to
the artifacts folder (tests/e2e/artifacts/ unless $E2E_ARTIFACTS is set).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from autograder.notebook import grade_id, is_solution, read_notebook
from tests.e2e.conftest import artifacts_folder, running_lab
from tests.e2e.server import (
    CHAPTER,
    KERNEL_IDLE,
    KERNEL_START_TIMEOUT_MS,
    NOTEBOOK,
    REPO,
    RUN_TIMEOUT_MS,
    Lab,
)
from tests.timeouts import hang_guard_ms

START = "00_start/00_start.ipynb"
SOLVED = f"{CHAPTER}/solved.ipynb"
VALIDATE_TIMEOUT_MS = hang_guard_ms(300)  # Validate runs the whole chapter in a fresh kernel
RESULT = ".validation-success, .validation-failed, .validation-changed, .validation-type-changed"
PROMPT_DONE = re.compile(r"^\[\d+\]:$")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def student_lab(course_ready: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """One `make lab` server for every test of this module (each test opens its own page)."""
    log = artifacts_folder() / "student-lab.log"
    with running_lab(course_ready, tmp_path_factory.mktemp("student"), log) as server:
        yield server


def solved_copy(release: Path, source: Path) -> nbformat.NotebookNode:
    """The release notebook with every answer filled in as a student who solved it would."""
    nb = read_notebook(release)
    answers = {grade_id(c): c.source for c in read_notebook(source).cells if is_solution(c)}
    for cell in nb.cells:
        if not is_solution(cell):
            continue
        if cell.cell_type == "markdown":
            cell.source = "My answer, in my own words."
        else:
            lines = answers[grade_id(cell)].splitlines()
            cell.source = "\n".join(
                line for line in lines if "### " not in line or "SOLUTION" not in line
            )
    return nb


def open_notebook(page: Any, lab: Lab, path: str) -> Any:
    """Open ``path`` alone (a reset layout) and wait for its kernel; return the notebook panel."""
    page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel.locator(".jp-Cell").first).to_be_visible()
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_START_TIMEOUT_MS)
    return panel


def run_cell(page: Any, cell: Any) -> None:
    """Run one code cell the way a student does (click, Shift+Enter) and wait until it is done."""
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputArea-prompt")).to_have_text(PROMPT_DONE, timeout=RUN_TIMEOUT_MS)


def stderr_of(cell: Any) -> str:
    """Text of a cell's stderr or error outputs (JupyterLab gives both the stderr mime type)."""
    stderr = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    return "\n".join(stderr.all_inner_texts())


def validate(page: Any, panel: Any, shot: Path) -> tuple[str, str]:
    """Press Validate; return the result's CSS class and its text, and close the dialog."""
    panel.locator(".jp-NotebookPanel-toolbar jp-button.validate-button").click()
    dialog = page.locator(".jp-Dialog")
    result = dialog.locator(RESULT)
    expect(result).to_be_visible(timeout=VALIDATE_TIMEOUT_MS)
    expect(dialog.locator(".jp-Dialog-header")).to_contain_text("Validation Results")
    kind = next(
        name
        for name in (result.get_attribute("class") or "").split()
        if name.startswith("validation-")
    )
    text = result.inner_text()
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of the Validate dialog: {shot}")
    dialog.locator("button.jp-mod-accept").click()
    expect(dialog).to_have_count(0)
    return kind, text


def test_start_notebook_opens_and_runs(student_lab: Lab, page: Any, artifacts: Path) -> None:
    assert (student_lab.workspace / START).is_file(), "`make lab` did not copy 00_start"
    panel = open_notebook(page, student_lab, START)
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    code_cells = panel.locator(".jp-CodeCell")
    count = code_cells.count()
    assert count >= 2
    for index in range(count):
        prompt = code_cells.nth(index).locator(".jp-InputArea-prompt")
        expect(prompt).to_have_text(PROMPT_DONE, timeout=RUN_TIMEOUT_MS)
    printed = "\n".join(panel.locator(".jp-OutputArea-output").all_inner_texts())
    assert "Everything the course needs is in place." in printed, printed
    assert "here (estimate)" in printed
    expect(panel.locator(".jp-OutputArea-output img").first).to_be_visible()
    for index in range(count):
        assert not stderr_of(code_cells.nth(index)), stderr_of(code_cells.nth(index))
    page.screenshot(path=str(artifacts / "student_00_start.png"), full_page=True)


def test_validate_fails_unanswered_chapter_and_passes_solved_copy(
    student_lab: Lab, page: Any, artifacts: Path
) -> None:
    solved = solved_copy(REPO / "release" / NOTEBOOK, REPO / "source" / NOTEBOOK)
    nbformat.write(solved, str(student_lab.workspace / SOLVED))

    panel = open_notebook(page, student_lab, NOTEBOOK)
    kind, text = validate(page, panel, artifacts / "student_validate_unanswered.png")
    assert kind == "validation-failed", text
    assert "NotImplementedError" in text
    assert "HIDDEN" not in text and "BEGIN SOLUTION" not in text

    panel = open_notebook(page, student_lab, SOLVED)
    kind, text = validate(page, panel, artifacts / "student_validate_solved.png")
    assert kind == "validation-success", text
    assert "Success! Your notebook passes all the tests." in text


def test_chapter_slider_redraws_its_plot(student_lab: Lab, page: Any, artifacts: Path) -> None:
    panel = open_notebook(page, student_lab, NOTEBOOK)
    code = panel.locator(".jp-CodeCell")
    # What the widget cell needs: the setup cell, draw_neuron, then the widget itself.
    for marker in (
        "import course.checks",
        "def draw_neuron(",
        "neuron_widget = interactive_figure(",
    ):
        cell = code.filter(has_text=marker)
        expect(cell).to_have_count(1)
        run_cell(page, cell)
        assert not stderr_of(cell), stderr_of(cell)

    widget = cell.locator(".jp-OutputArea-output .widget-vbox")
    expect(widget).to_be_visible()
    picture = widget.locator("img.widget-image")
    expect(picture).to_be_visible()
    before_src = picture.get_attribute("src")
    before_png = picture.screenshot()
    slider = widget.locator(".widget-slider", has_text="w1")
    expect(slider).to_have_count(1)
    page.screenshot(path=str(artifacts / "student_widget_before.png"))
    # Sized for a laptop screen: the picture is not stretched to the cell's width, and a
    # slider's track is long enough to drag (in a row of four controls they used to shrink).
    picture_box, track_box = picture.bounding_box(), slider.locator(".slider").bounding_box()
    assert picture_box and picture_box["height"] <= 450, f"picture is {picture_box}"
    assert track_box and track_box["width"] >= 150, f"slider track is {track_box}"

    readout = slider.locator(".widget-readout")
    expect(readout).to_have_text("1.00")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("-4")
    page.keyboard.press("Enter")
    expect(readout).to_have_text(re.compile(r"^[-\u2212]4\.00$"))  # ipywidgets prints U+2212
    expect(picture).not_to_have_attribute("src", before_src or "", timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE)
    assert picture.screenshot() != before_png, "the picture did not change when w1 moved"
    page.screenshot(path=str(artifacts / "student_widget_after.png"))

    errors = student_lab.logged_errors()
    assert not errors, "JupyterLab or nbgrader logged errors:\n" + "\n".join(errors)
