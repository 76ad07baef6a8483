"""Validate's result, made readable (autograder.validate_view): one line or a few per failure."""

from __future__ import annotations

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.validate_view import NOT_ANSWERED, condense, readable

TRACEBACK = "\n".join(
    [
        "\x1b[0;31m-----------------------------------------------------------------------\x1b[0m",
        "\x1b[0;31mAssertionError\x1b[0m                 Traceback (most recent call last)",
        "Cell \x1b[0;32mIn[7], line 3\x1b[0m",
        *[f"      {i} frame line of IPython's" for i in range(40)],
        "\x1b[0;31mAssertionError\x1b[0m: sigmoid(x) has the wrong values:",
        "  expected 0.7311 at index 0, got 0.5",
        "  (largest difference 0.23)",
    ]
)


def test_condense_keeps_the_exception_and_its_message() -> None:
    assert condense(TRACEBACK) == (
        "AssertionError: sigmoid(x) has the wrong values:\n"
        "  expected 0.7311 at index 0, got 0.5\n"
        "  (largest difference 0.23)"
    )


def test_condense_says_not_answered_for_the_stub() -> None:
    stub = "\x1b[0;31mNotImplementedError\x1b[0m    Traceback\n...\nNotImplementedError: "
    assert condense(stub) == NOT_ANSWERED


def test_condense_bounds_a_long_message() -> None:
    long = "ValueError: " + "x" * 5000 + "\n" + "\n".join(f"line {i}" for i in range(50))
    short = condense(long)
    assert len(short) <= 600 and len(short.splitlines()) <= 6
    assert condense("You did not provide a response.") == "You did not provide a response."


def _chapter():
    def test(source: str, grade_id: str):
        return new_code_cell(
            source,
            metadata={"nbgrader": {"grade": True, "grade_id": grade_id, "points": 1}},
        )

    return new_notebook(
        cells=[
            new_markdown_cell("### Exercise 1.1 — A neuron (1 point)"),
            new_code_cell("def neuron(): ..."),
            test("assert neuron() == 1", "test_1"),
            new_markdown_cell("### Exercise 1.2 — A sigmoid that never overflows (2 points)"),
            test("assert sigmoid(0) == 0.5", "test_2"),
            new_markdown_cell("### Exercise 1.3 — ReLU (1 point)"),
            test("assert relu(-1) == 0", "test_3"),
        ]
    )


def test_readable_titles_each_failure_and_counts_the_passes() -> None:
    results = {
        "failed": [
            {"source": "assert sigmoid(0) == 0.5", "error": "<html>", "raw_error": TRACEBACK},
            {"source": "assert relu(-1) == 0", "error": "", "raw_error": "NotImplementedError"},
        ]
    }
    shown = readable(results, _chapter())["failed"]
    assert shown[0]["source"].startswith("1 of 3 exercise tests pass, 2 fail.")
    assert shown[0]["source"].endswith("Exercise 1.2 — A sigmoid that never overflows (2 points)")
    assert shown[0]["raw_error"].startswith("AssertionError: sigmoid(x) has the wrong values:")
    assert shown[1] == {
        "source": "Exercise 1.3 — ReLU (1 point)",
        "error": NOT_ANSWERED,
        "raw_error": NOT_ANSWERED,
    }


def test_readable_escapes_html_and_leaves_other_results_alone() -> None:
    results = {"failed": [{"source": "assert neuron() == 1", "raw_error": "ValueError: <b>"}]}
    (shown,) = readable(results, _chapter())["failed"]
    assert shown["error"] == "ValueError: &lt;b&gt;"  # the lab extension sets it as innerHTML
    changed = {"changed": [{"source": "assert neuron() == 1"}]}
    assert readable(changed, _chapter()) == changed
    assert readable(results, None) == results
