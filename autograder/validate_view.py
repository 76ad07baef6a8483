"""A Validate result a student can read: one short entry per failing exercise, with a summary.

nbgrader's Validate button (and ``nbgrader validate``) lists every failing test cell with its whole
source and its whole traceback: on a partly solved chapter that is hundreds of lines, most of them
IPython's frames, and the one line that matters (what the check expected) is buried. The
workspace's ``nbgrader_config.py`` (written by ``python -m autograder workspace``) calls
``install()``, which wraps ``nbgrader.validator.Validator.validate`` so that each failing test cell
is reported as its exercise's title and the message of its check (or "not answered yet"), and the
first entry says how many exercises pass. Only what the visible checks printed is shown, so
nothing reaches the student that the notebook did not already show them.
"""

from __future__ import annotations

import html
import re
from typing import Any

from nbformat import NotebookNode

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The line of a traceback that names the exception: "AssertionError: ...", "ValueError", ...
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning))\b:?")
HEADING = re.compile(r"^#{2,4}\s+(Exercise\s+\S+.*)$", re.MULTILINE)
MAX_LINES = 6  # of a check's message
MAX_CHARS = 600
NOT_ANSWERED = "not answered yet: the answer cell still raises NotImplementedError"


def condense(error: str) -> str:
    """The exception line of a traceback and the few lines of message after it."""
    lines = [line.rstrip() for line in ANSI.sub("", error).splitlines()]
    starts = [i for i, line in enumerate(lines) if EXCEPTION_LINE.match(line)]
    if not starts:
        kept = [line for line in lines if line.strip()][-MAX_LINES:]
    else:
        kept = [line for line in lines[starts[-1] :] if line.strip()][:MAX_LINES]
    if kept and kept[0].startswith("NotImplementedError"):
        return NOT_ANSWERED
    text = "\n".join(kept)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."


def exercise_titles(nb: NotebookNode) -> dict[str, str]:
    """Test cell source (stripped) -> the title of the exercise above it ("Exercise 1.2 — ...")."""
    titles: dict[str, str] = {}
    current = ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = HEADING.findall(cell.source)
            if found:
                current = found[-1].strip()
                continue
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and current:
            titles[cell.source.strip()] = current
    return titles


def graded_tests(nb: NotebookNode) -> set[str]:
    """The sources (stripped) of the notebook's autograded test cells."""
    return {
        cell.source.strip()
        for cell in nb.cells
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    }


def readable(results: dict[str, Any], nb: NotebookNode | None) -> dict[str, Any]:
    """nbgrader's validate results with each failure shortened; other results unchanged."""
    failed = results.get("failed")
    if not failed or nb is None:
        return results
    titles = exercise_titles(nb)
    tests = graded_tests(nb)
    failing = sum(1 for entry in failed if entry.get("source", "").strip() in tests)
    entries = []
    for number, entry in enumerate(failed):
        source = entry.get("source", "")
        title = titles.get(source.strip(), "")
        if not title:  # not a test cell (validate_all): its first line says which cell it is
            title = f"the cell starting {source.strip().splitlines()[0][:80]!r}" if source else ""
        short = condense(entry.get("raw_error", ""))
        if number == 0 and tests:
            title = (
                f"{len(tests) - failing} of {len(tests)} exercise tests pass, {failing} fail. "
                "Fix them from the top:\na later test can fail because of an earlier answer.\n\n"
                f"{title}"
            )
        entries.append({"source": title, "error": html.escape(short), "raw_error": short})
    return {**results, "failed": entries}


def install() -> None:
    """Make nbgrader's Validator report failures readably (idempotent)."""
    from nbgrader.validator import Validator

    if getattr(Validator, "_course_readable", False):
        return
    original_preprocess = Validator._preprocess
    original_validate = Validator.validate

    def _preprocess(self: Any, nb: NotebookNode) -> NotebookNode:
        executed = original_preprocess(self, nb)
        self._course_executed = executed
        return executed

    def validate(self: Any, filename: str) -> dict[str, Any]:
        self._course_executed = None
        results = original_validate(self, filename)
        return readable(results, getattr(self, "_course_executed", None))

    Validator._preprocess = _preprocess
    Validator.validate = validate
    Validator._course_readable = True
