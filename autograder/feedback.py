"""Feedback for students that never shows the hidden tests.

nbgrader's ``generate_feedback`` renders the autograded notebook as it is: the test cells with
their ``### BEGIN HIDDEN TESTS`` regions, and the tracebacks of failing hidden asserts, whose frames
quote the failing line and its neighbours (nbgrader issues #917 and #1363). ``HideHiddenTests`` is
an nbconvert preprocessor that removes both while keeping what helps a student: the visible
checks, the name and message of each error, and the frames of the student's own code.

``nbgrader_config.py`` adds it to ``GenerateFeedback.preprocessors``, so the instructor's usual
``nbgrader generate_feedback`` gets it; ``generate_feedback`` below runs that command with the
preprocessor forced on and then checks every page it wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

from autograder.nbgrader_command import run_nbgrader
from autograder.paths import course_root
from autograder.settings import FEEDBACK_PREPROCESSORS

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"
# What replaces a hidden region in the feedback's copy of a test cell.
PLACEHOLDER = "# (hidden tests: run by the grader, not shown here)"
# Put where the frames of the test cell itself are dropped from a traceback.
FRAME_NOTE = "(the failing line is part of the hidden tests and is not shown)"
# Hidden lines shorter than this ("else:", ")") are too common to betray anything.
_MIN_LEAK = 8
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# IPython names a notebook cell in a traceback "Cell In[12], line 3" ("Input In [12]" before 8.0).
_CELL_FRAME = re.compile(r"^\s*(?:Cell In|Input In )\[(\d+)\]")
_GENERATE_TIMEOUT = 1800


class FeedbackLeak(RuntimeError):
    """A generated feedback page still shows hidden tests (the message names the files)."""


def split_hidden(source: str) -> tuple[str, list[str]]:
    """The source with each hidden region replaced by one placeholder line, and the hidden lines.

    An unterminated region hides everything after its BEGIN line (never shows too much).
    """
    kept: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in source.splitlines():
        if not inside and BEGIN in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(indent + PLACEHOLDER)
        elif inside:
            if END in line:
                inside = False
            else:
                hidden.append(line)
        else:
            kept.append(line)
    return "\n".join(kept), hidden


def _plain(text: str) -> str:
    return _ANSI.sub("", text)


def _leaks(entry: str, hidden: Iterable[str]) -> bool:
    text = _plain(entry)
    return any(len(h.strip()) >= _MIN_LEAK and h.strip() in text for h in hidden)


def scrub_traceback(traceback: list[str], hidden: list[str]) -> list[str]:
    """The traceback without the test cell's own frames and without any entry quoting a hidden
    line; the error's name and message (its last entry) are always kept.

    The outermost cell frame is the test cell itself (IPython numbers it by its own count, which
    need not match the notebook's execution_count); every frame with that number is dropped.
    """
    if not traceback:
        return traceback
    *frames, last = traceback
    numbers = [m[1] for e in frames if (m := _CELL_FRAME.match(_plain(e)))]
    own_number = numbers[0] if numbers else None
    kept: list[str] = []
    dropped = False
    for entry in frames:
        match = _CELL_FRAME.match(_plain(entry))
        own = match is not None and match[1] == own_number
        if own or _leaks(entry, hidden):
            if not dropped:
                kept.append(FRAME_NOTE)
            dropped = True
        else:
            kept.append(entry)
    if _leaks(last, hidden):  # a message that quotes a hidden line verbatim
        last = last.split(":", 1)[0] + ": (message hidden: it quotes a hidden test)"
    return [*kept, last]


class HideHiddenTests(Preprocessor):
    """Remove hidden test regions, and the traceback frames that quote them, from every cell."""

    # nbconvert registers preprocessors named in config as disabled unless they say otherwise.
    enabled = Bool(True).tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict, index: int
    ) -> tuple[NotebookNode, dict]:
        """Scrub one cell; cells without a hidden region are left alone."""
        if cell.cell_type != "code" or BEGIN not in cell.source:
            return cell, resources
        cell.source, hidden = split_hidden(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = scrub_traceback(list(output.get("traceback", [])), hidden)
        return cell, resources


def leaking_pages(pages: Iterable[Path]) -> list[Path]:
    """The HTML pages that still contain a hidden-test marker."""
    return [p for p in pages if BEGIN in (text := p.read_text(errors="replace")) or END in text]


def generate_feedback(
    assignment: str, root: Path | None = None, students: Iterable[str] | None = None
) -> list[Path]:
    """Run ``nbgrader generate_feedback`` with the hidden tests removed; return the pages written.

    The preprocessors are given on the command line, so this holds even for a course whose
    nbgrader_config.py lacks them. Raises FeedbackLeak if a page still shows a marker.
    """
    root = course_root(root)
    args = [
        "generate_feedback",
        assignment,
        "--force",
        f"--CourseDirectory.root={root}",
        f"--GenerateFeedback.preprocessors={FEEDBACK_PREPROCESSORS!r}",
        "--log-level=ERROR",
    ]
    for student in students or ():
        args += ["--student", student]
    run_nbgrader(args, cwd=root, timeout=_GENERATE_TIMEOUT)
    wanted = set(students or ())
    pages = sorted(
        p
        for p in (root / "feedback").glob(f"*/{assignment}/*.html")
        if not wanted or p.parent.parent.name in wanted
    )
    leaks = leaking_pages(pages)
    if leaks:
        raise FeedbackLeak("feedback still shows hidden tests: " + ", ".join(map(str, leaks)))
    return pages
