"""Feedback for students that never shows the hidden tests or the judges.

nbgrader's ``generate_feedback`` renders the autograded notebook as it is: the test cells with
their ``### BEGIN HIDDEN TESTS`` regions, and the tracebacks of failing hidden asserts, whose frames
quote the failing line and its neighbours (nbgrader issues #917 and #1363). Student code can also
print what the kernel ran (``In``, the history, its own cells): the probes, which are the hidden
regions. ``HideHiddenTests`` is an nbconvert preprocessor that removes all of it while keeping what
helps a student: the visible checks, the name and message of each error, the frames of the
student's own code, and every output line that quotes no hidden line and no judge's line.

``nbgrader_config.py`` adds it to ``GenerateFeedback.preprocessors``, so the instructor's usual
``nbgrader generate_feedback`` gets it; ``generate_feedback`` below runs that command with the
preprocessors forced on and then checks every page it wrote. A page that still quotes a hidden
line, a judge's line or a marker is withheld (deleted) for that student alone, with the reason;
the rest of the class gets its feedback.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_notebook
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

from autograder.nbgrader_command import NbgraderFailed, run_nbgrader
from autograder.notebook import InvalidNotebook, is_test, read_notebook
from autograder.paths import course_root, source_notebook
from autograder.settings import FEEDBACK_PREPROCESSORS, html_template_dirs

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"
# What replaces a hidden region in the feedback's copy of a test cell.
PLACEHOLDER = "# (hidden tests: run by the grader, not shown here)"
# Put where the frames of the test cell itself are dropped from a traceback.
FRAME_NOTE = "(the failing line is part of the hidden tests and is not shown)"
# What replaces a line of output (or of a cell) that quotes the hidden tests or a judge.
LINE_NOTE = "(a line quoting the hidden tests was removed here)"
# What replaces a rich output (HTML, markdown, JSON) that quotes them.
OUTPUT_NOTE = "(this output quoted the hidden tests and is not shown)"
# Hidden lines shorter than this ("else:", ")") are too common to betray anything.
_MIN_LEAK = 8
# The same for any output or page (not only the test cell's own traceback): shorter lines of the
# hidden tests and judges ("finally:", "return {", "cases = [") also occur in library code that a
# traceback quotes, and betray next to nothing.
_MIN_SECRET = 20
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TAG = re.compile(r"<[^>]*>")
# IPython names a notebook cell in a traceback "Cell In[12], line 3" ("Input In [12]" before 8.0).
_CELL_FRAME = re.compile(r"^\s*(?:Cell In|Input In )\[(\d+)\]")
_GENERATE_TIMEOUT = 1800
# Why a graded student has no page although nbgrader ran (it logged the error and went on).
NOT_RENDERED = "nbgrader could not render it (see nbgrader's log)"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Withheld:
    """A student whose page was not written or was deleted, and why (for the instructor)."""

    student: str
    page: Path
    reason: str


@dataclass
class Feedback:
    """What ``generate_feedback`` did: the pages written, and the pages withheld."""

    written: list[Path] = field(default_factory=list)
    withheld: list[Withheld] = field(default_factory=list)


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


def _collapsed(text: str) -> str:
    """Runs of whitespace as one space, as a browser shows HTML text."""
    return " ".join(text.split())


def _quotes(text: str, secrets: Iterable[str]) -> bool:
    """True if the text shows a hidden-test marker or a secret line: as it is, or as a browser
    shows it (HTML tags removed, entities decoded, whitespace collapsed)."""
    shown = _collapsed(html.unescape(_TAG.sub("", text)))
    collapsed = [_collapsed(line) for line in secrets]
    return any(BEGIN in t or END in t for t in (text, shown)) or (
        _leaks(text, secrets) or _leaks(shown, collapsed)
    )


def secret_lines(
    nb: NotebookNode, source: NotebookNode | None = None, release: NotebookNode | None = None
) -> list[str]:
    """The lines a page for this notebook's student must not show: the hidden regions of the test
    cells of ``nb`` (the autograded notebook) and of ``source``, and every line of the source's
    judges; less short ones, and less those this student can read anyway (in the release or in
    their own cells).
    """
    from autograder.judging import is_judge  # imports torch: only once pages are checked

    candidates: list[str] = []
    for notebook in (nb, source):
        for cell in notebook.cells if notebook is not None else ():
            if is_judge(cell):
                candidates += cell.source.splitlines()
            elif is_test(cell):
                candidates += split_hidden(cell.source)[1]
    readable = [c.source for c in (release.cells if release is not None else ())]
    readable += [c.source for c in nb.cells if not is_test(c)]
    public = "\n".join(readable)
    lines = {line.strip() for line in candidates}
    return sorted(line for line in lines if len(line) >= _MIN_SECRET and line not in public)


def scrub_traceback(traceback: list[str], hidden: list[str], own_frames: bool = True) -> list[str]:
    """The traceback without the test cell's own frames and without any entry quoting a hidden
    line; the error's name and message (its last entry) are always kept.

    The outermost cell frame is the test cell itself (IPython numbers it by its own count, which
    need not match the notebook's execution_count); every frame with that number is dropped,
    unless ``own_frames`` is False (a student's cell: its frames help the student).
    """
    if not traceback:
        return traceback
    *frames, last = traceback
    numbers = [m[1] for e in frames if (m := _CELL_FRAME.match(_plain(e)))]
    own_number = numbers[0] if numbers and own_frames else None
    kept: list[str] = []
    dropped = False
    for entry in frames:
        match = _CELL_FRAME.match(_plain(entry))
        own = match is not None and match[1] == own_number
        if own or _quotes(entry, hidden):
            if not dropped:
                kept.append(FRAME_NOTE)
            dropped = True
        else:
            kept.append(entry)
    if _quotes(last, hidden):  # a message that quotes a hidden line verbatim
        last = last.split(":", 1)[0] + ": (message hidden: it quotes a hidden test)"
    return [*kept, last]


def scrub_lines(text: str, secrets: Iterable[str]) -> str:
    """The text with every line that quotes a secret line or a marker replaced by LINE_NOTE."""
    return "".join(
        LINE_NOTE + line[len(line.rstrip("\r\n")) :] if _quotes(line, secrets) else line
        for line in text.splitlines(keepends=True)
    )


def _scrub_text(text: str, secrets: list[str]) -> str:
    """Quoting lines replaced; if the rest still quotes (a line cut over two), all of it."""
    text = scrub_lines(text, secrets)
    return OUTPUT_NOTE if _quotes(text, secrets) else text


def _scrub_output(output: NotebookNode, secrets: list[str], test_cell: bool) -> None:
    kind = output.get("output_type")
    if kind == "error":
        traceback = [str(e) for e in output.get("traceback", [])]
        output["traceback"] = scrub_traceback(traceback, secrets, own_frames=test_cell)
        for key in ("ename", "evalue"):
            if _quotes(str(output.get(key, "")), secrets):
                output[key] = OUTPUT_NOTE
    elif kind == "stream":
        output["text"] = _scrub_text(str(output.get("text", "")), secrets)
    elif isinstance(output.get("data"), dict):
        data = output["data"]
        for mime, value in list(data.items()):
            if mime in ("text/plain", "text/latex") and isinstance(value, str):
                data[mime] = _scrub_text(value, secrets)
            elif _quotes(value if isinstance(value, str) else repr(value), secrets):
                data[mime] = OUTPUT_NOTE if isinstance(value, str) else {}


def hide_hidden_tests(cell: NotebookNode, secrets: list[str]) -> None:
    """Scrub one cell in place: its hidden regions, and every line of its source and outputs that
    quotes a secret line or a marker (see ``secret_lines``)."""
    hidden: list[str] = []
    if cell.get("cell_type") == "code" and BEGIN in cell.source:
        cell.source, hidden = split_hidden(cell.source)
    cell.source = scrub_lines(cell.source, secrets)
    for output in cell.get("outputs", []):
        _scrub_output(output, [*hidden, *secrets], test_cell=is_test(cell))


def _references(config, resources: dict) -> tuple[NotebookNode | None, NotebookNode | None]:
    """The source and release versions of the notebook nbgrader is rendering, where they exist."""
    info = resources.get("nbgrader") or {}
    if "assignment" not in info or "notebook" not in info:
        return None, None
    coursedir = CourseDirectory(config=config)
    found: list[NotebookNode | None] = []
    for folder in (coursedir.source_directory, coursedir.release_directory):
        path = Path(coursedir.format_path(folder, ".", info["assignment"]))
        try:
            found.append(read_notebook(path / f"{info['notebook']}.ipynb"))
        except InvalidNotebook:
            found.append(None)
    return found[0], found[1]


class HideHiddenTests(Preprocessor):
    """Remove hidden test regions, and everything that quotes them or a judge, from every cell."""

    # nbconvert registers preprocessors named in config as disabled unless they say otherwise.
    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """Scrub every cell. Under nbgrader, the judges and hidden lines of the source notebook
        count too (``resources["nbgrader"]`` names the assignment and the notebook)."""
        secrets = secret_lines(nb, *_references(self.config, resources))
        for cell in nb.cells:
            hide_hidden_tests(cell, secrets)
        return nb, resources


def page_leak(page: Path, secrets: Iterable[str]) -> str | None:
    """Why this HTML page must not reach its student (it shows a marker or a secret line), or
    None. The text is read as a browser shows it (tags removed, entities decoded, whitespace
    collapsed), and once more with its attributes (a title shows as a tooltip)."""
    raw = page.read_text(errors="replace")
    if BEGIN in raw or END in raw:
        return "it shows a hidden-test marker"
    texts = [_collapsed(html.unescape(t)) for t in (_TAG.sub("", raw), raw)]
    for line in secrets:
        if any(_collapsed(line) in text for text in texts):
            return f"it quotes hidden test or judge code: {line[:80]!r}"
    return None


def _notebook(path: Path) -> NotebookNode | None:
    try:
        return read_notebook(path)
    except InvalidNotebook:
        return None


def _check_pages(root: Path, assignment: str, graded: list[Path]) -> Feedback:
    """The page of each autograded notebook, written or withheld; a withheld page is deleted."""
    result = Feedback()
    references: dict[str, tuple[NotebookNode | None, NotebookNode | None]] = {}
    for notebook in graded:
        student, name = notebook.parents[1].name, notebook.stem
        page = root / "feedback" / student / assignment / f"{name}.html"
        if name not in references:
            references[name] = (
                _notebook(root / "source" / assignment / f"{name}.ipynb"),
                _notebook(root / "release" / assignment / f"{name}.ipynb"),
            )
        secrets = secret_lines(_notebook(notebook) or new_notebook(), *references[name])
        reason = page_leak(page, secrets) if page.is_file() else NOT_RENDERED
        if reason is None:
            result.written.append(page)
            continue
        page.unlink(missing_ok=True)
        log.warning("feedback withheld for %s (%s): %s", student, page, reason)
        result.withheld.append(Withheld(student, page, reason))
    return result


def generate_feedback(
    assignment: str, root: Path | None = None, students: Iterable[str] | None = None
) -> Feedback:
    """Run ``nbgrader generate_feedback`` with the course's feedback chain, then check each page.

    The preprocessors are given on the command line, so this holds even for a course whose
    nbgrader_config.py lacks them. Every autograded notebook should have a page: one that still
    quotes hidden tests or judges is deleted and listed as withheld, and so is one nbgrader could
    not render (nbgrader goes on with the rest of the class). Raises NbgraderFailed only when
    nbgrader failed and no page was written; UnknownAssignment for a chapter that does not exist.
    """
    root = course_root(root)
    source_notebook(assignment, root)
    wanted = sorted(set(students or ()))
    graded = sorted(
        p
        for p in (root / "autograded").glob(f"*/{assignment}/*.ipynb")
        if not wanted or p.parents[1].name in wanted
    )
    for notebook in graded:  # so that a page left by an earlier run never counts as written
        page = root / "feedback" / notebook.parents[1].name / assignment / f"{notebook.stem}.html"
        page.unlink(missing_ok=True)
    args = [
        "generate_feedback",
        assignment,
        "--force",
        f"--CourseDirectory.root={root}",
        f"--GenerateFeedback.preprocessors={FEEDBACK_PREPROCESSORS!r}",
        # A list trait on the command line: one flag per folder.
        *(f"--HTMLExporter.extra_template_basedirs={folder}" for folder in html_template_dirs()),
        "--log-level=ERROR",
    ]
    failures: list[NbgraderFailed] = []
    for student in wanted or [None]:  # nbgrader takes one --student at a time
        try:
            selected = [*args, "--student", student] if student else args
            run_nbgrader(selected, cwd=root, timeout=_GENERATE_TIMEOUT)
        except NbgraderFailed as exc:
            failures.append(exc)
    result = _check_pages(root, assignment, graded)
    if failures and not result.written:
        raise failures[0]
    for failure in failures:
        log.warning("%s", failure)
    return result
