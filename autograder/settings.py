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

# How `python -m autograder submit` names a submission, and the regular expression nbgrader's
# `zip_collect` applies to every extracted file path (FileNameCollectorPlugin.named_regexp, which
# has no default). The zip ASSIGNMENT-STUDENT-STAMP.zip holds ASSIGNMENT.ipynb; nbgrader extracts
# it into a folder named after the zip, so the path ends in
# ".../ASSIGNMENT-STUDENT-STAMP/ASSIGNMENT.ipynb". A student id never contains "/" or spaces.
SUBMISSION_STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
SUBMISSION_NAMED_REGEXP = (
    r".*/\d{2}_[a-z0-9_]+-(?P<student_id>[A-Za-z0-9][A-Za-z0-9._@-]*)"
    r"-(?P<timestamp>\d{8}T\d{6}Z)/(?P<file_id>[^/]+\.ipynb)$"
)

# nbgrader's feedback chain with HideHiddenTests added, so that feedback never shows hidden tests
# (nbgrader #917, #1363). nbgrader_config.py sets it, and `python -m autograder feedback` passes it
# on the command line. Strings, not classes: nbconvert imports them when the feedback runs.
FEEDBACK_PREPROCESSORS = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "autograder.feedback.HideHiddenTests",
]

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
# grader's process) decide what SaveAutoGrades records.
AUTOGRADE_PREPROCESSORS = [
    "autograder.nbgrader_plugins.PrepareProbes",
    "autograder.nbgrader_plugins.ExecuteConfined",
    "autograder.nbgrader_plugins.JudgeProbes",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
