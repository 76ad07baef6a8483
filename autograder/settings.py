"""Constants of the grading pipeline, shared by our code and by ``nbgrader_config.py``.

One place for every knob, so that nbgrader and ``python -m autograder`` grade the same way.
"""

from __future__ import annotations

COURSE_ID = "deep-learning-course"

# The Jupyter kernel the notebooks declare and nbgrader's autograder uses.
KERNEL_NAME = "dlcourse"
KERNEL_DISPLAY_NAME = "Python 3 (deep-learning course)"

# Seconds a single cell may run (training cells take minutes on a 2-core CPU), and seconds a
# kernel may take to start (importing torch on a cold disk is slow).
CELL_TIMEOUT = 600
STARTUP_TIMEOUT = 180

# Harmless stderr lines. nbgrader scores ANY stderr output of a test cell as a failure, so lines
# that say nothing about the student's answer are dropped first. Deliberately no anchors: nbgrader's
# IgnorePattern applies re.search to a whole stream output, our grading applies it to each line.
IGNORE_STDERR_PATTERN = "|".join(
    [
        # Matplotlib's first import on a fresh machine or sandbox.
        r"Matplotlib is building the font cache",
        r"Matplotlib created a temporary cache directory",
        # A plain-text tqdm progress bar ("epoch 3:  40%|####      | 4/10 [00:01<00:02, ...]").
        r"\d+%\|[^|\n]*\|\s*\d+/\d+",
    ]
)

# Submissions larger than this are refused before parsing (a notebook full of images, a JSON bomb).
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024

# What nbgrader's ClearSolutions writes in place of a solution (nbgrader's own defaults, pinned so
# that a restored written answer and the release agree).
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"

# How `python -m autograder submit` stamps a submission's name (ASSIGNMENT-STUDENT-STAMP.zip).
# The student id and the time in that name are the student's claim only: zip_collect reports them
# when they disagree with the learning platform, which decides (autograder/collect.py).
SUBMISSION_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"

# nbgrader's `zip_collect` with the course's plugins: each upload unpacked safely (a bad archive is
# reported and skipped), student id and time taken from the learning platform's names and roster.
ZIP_EXTRACTOR = "autograder.collect.SafeExtractor"
ZIP_COLLECTOR = "autograder.collect.LmsCollector"

# nbgrader's feedback chain with HideHiddenTests added, so that feedback never shows hidden tests
# (nbgrader #917, #1363), and InertOutputs after it, so that no student HTML or script runs in the
# page. nbgrader_config.py sets it, and `python -m autograder feedback` passes it on the command
# line. Strings, not classes: nbconvert imports them when the feedback runs. MathToMathML comes
# last: it writes the (now inert) markdown's math as MathML, so the page needs no MathJax.
FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.HideHiddenTests",
    "autograder.inert.InertOutputs",
    "autograder.mathml.MathToMathML",
]


def html_template_dirs() -> list[str]:
    """nbconvert template folders for nbgrader's HTML pages: ours first, then nbgrader's.

    Ours replace one macro, ``mathjax``: feedback pages load no MathJax (their math is MathML) and
    the formgrader loads the MathJax its own server serves, never a CDN (autograder/templates).
    nbgrader adds its own folder only when none is configured, so it is listed here.
    """
    from pathlib import Path

    import nbgrader

    formgrader = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
    return [str(Path(__file__).parent / "templates"), str(formgrader / "templates")]


# nbgrader's release chain with judge cells removed first: judges never reach students (or the
# gradebook's copy of the source). nbgrader_config.py sets it, so our `release` and a plain
# `nbgrader generate_assignment` agree.
GENERATE_PREPROCESSORS = [
    "autograder.nbgrader_plugins.RemoveJudges",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# nbgrader's autograde chain with the verdict path: the kernel runs only probes, confined as in
# `grade` (ExecuteConfined replaces nbgrader's Execute), and the judges (read from source/ by the
# grader's process) decide what SaveAutoGrades records. InertOutputs then makes the student's
# outputs and markdown inert, since the formgrader renders the autograded notebook as HTML.
AUTOGRADE_PREPROCESSORS = [
    "autograder.nbgrader_plugins.PrepareProbes",
    "autograder.nbgrader_plugins.ExecuteConfined",
    "autograder.nbgrader_plugins.JudgeProbes",
    "autograder.inert.InertOutputs",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
