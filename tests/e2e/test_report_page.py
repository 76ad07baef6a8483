"""End-to-end: the class report (`python -m autograder report`) opens offline in Chromium.

The page is one file: its styles and the histogram are inside it, and it asks the network for
nothing (every request other than the page itself is recorded and refused). Written answers not
yet graded by hand read "awaiting hand grading", students are sorted, and the LMS CSV is linked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from autograder.report import ClassReport, Exercise

pytestmark = [pytest.mark.browser]


def class_report() -> ClassReport:
    """A class of four: three submitted, one did not; the written answer is not graded yet."""
    rows = []
    for sid, score, submitted in (("zoe", 6.0, True), ("amir", 9.0, True), ("lin", 3.0, True)):
        rows.append(
            {"student_id": sid, "first_name": sid.title(), "last_name": "Test", "score": score}
            | {"submitted": submitted, "late_submission_penalty": 1.0 if sid == "lin" else 0.0}
        )
    rows.append({"student_id": "bo", "score": 0.0, "submitted": False})
    exercises = [
        Exercise("test_ex1_1_neuron", 1.0, [1.0, 1.0, 0.0]),
        Exercise("test_ex1_2_sigmoid", 2.0, [2.0, 0.0, 0.0]),
        Exercise("ex1_12_written", 2.0, [], manual=True, awaiting=3),
    ]
    return ClassReport("01_neurons", 14.0, rows, exercises)


def test_report_page_is_self_contained_and_readable(
    page: Any, tmp_path: Path, artifacts: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "01_neurons.csv").write_text("student_id,score\n", encoding="utf-8")
    html_file = folder / "01_neurons.html"
    html_file.write_text(class_report().html("01_neurons.csv"), encoding="utf-8")

    requested: list[str] = []

    def refuse(route: Any) -> None:
        url = route.request.url
        if url == html_file.as_uri() or url.startswith("data:"):
            route.continue_()
        else:
            requested.append(url)
            route.abort()

    page.route("**/*", refuse)
    page.goto(html_file.as_uri())
    expect(page.locator("h1")).to_have_text("01_neurons: class report")
    histogram = page.locator("img")
    expect(histogram).to_have_count(1)
    assert page.evaluate("document.querySelector('img').naturalWidth") > 0
    expect(page.locator("tr.written")).to_contain_text("awaiting hand grading")
    expect(page.locator("tr", has_text="test_ex1_1_neuron")).to_contain_text("67%")
    ids = page.locator("h2:has-text('Students') + table tbody tr td:first-child").all_inner_texts()
    assert ids == ["amir", "bo", "lin", "zoe"]
    expect(page.locator("tr.missing")).to_contain_text("no submission")
    expect(page.locator("a[href='01_neurons.csv']")).to_have_count(1)
    # The styles are applied: a table header has the page's background colour.
    background = page.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor")
    assert background == "rgb(240, 243, 246)"
    assert requested == [], f"the report asked for {requested}"
    shot = artifacts / "class_report.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot of the class report: {shot}")
