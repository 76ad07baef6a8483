"""nbgrader configuration of the course; this folder is the nbgrader course directory.

Every value comes from autograder.settings, so that nbgrader and `python -m autograder` grade alike.
"""

from pathlib import Path

from autograder import settings

c = get_config()  # noqa: F821 (nbgrader injects get_config)
ROOT = Path(__file__).resolve().parent

# The course's id in the gradebook and in the exchange directory.
c.CourseDirectory.course_id = settings.COURSE_ID
# The gradebook: SQLite next to this file (git-ignored). Point it at a server database for big
# classes, e.g. "postgresql+psycopg://user:password@host/dlcourse".
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"

# Seconds one cell may run while autograding; nbgrader's default of 30 would kill training cells.
c.Execute.timeout = settings.CELL_TIMEOUT
# Seconds the kernel may take to start (a cold import of torch can be slow).
c.Execute.startup_timeout = settings.STARTUP_TIMEOUT
# The kernel the autograder runs submissions with, whatever kernel the student's file names.
c.Execute.kernel_name = settings.KERNEL_NAME

# nbgrader fails a test cell on ANY stderr output; drop the harmless lines first. IgnorePattern is
# disabled by default, so it must be switched on as well as given a pattern.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = settings.IGNORE_STDERR_PATTERN

# Put back test cells a student deleted (nbgrader's default would silently skip them).
c.OverwriteCells.add_missing_cells = True

# `nbgrader zip_collect ASSIGNMENT` collects the learning platform's bulk download, unpacked in
# downloaded/ASSIGNMENT/archive/: each bad archive is reported and skipped, and the student id and
# time come from the platform's names and its roster CSV (downloaded/ASSIGNMENT/roster.csv), never
# from the student's zip. Columns and time source: c.LmsCollector.* (docs/instructor-guide.md).
c.ZipCollectApp.extractor_plugin = settings.ZIP_EXTRACTOR
c.ZipCollectApp.collector_plugin = settings.ZIP_COLLECTOR

# What replaces a solution in the student release (nbgrader's defaults, pinned).
c.ClearSolutions.code_stub = {"python": settings.CODE_STUB}
c.ClearSolutions.text_stub = settings.TEXT_STUB

# Feedback must not show the hidden tests (nbgrader #917, #1363): nbgrader's own feedback chain,
# then autograder.feedback.HideHiddenTests, which removes the hidden regions and the traceback
# frames that quote them.
c.GenerateFeedback.preprocessors = settings.FEEDBACK_PREPROCESSORS

# Math in feedback and in the formgrader without a CDN (autograder/templates, autograder/mathml.py).
c.HTMLExporter.extra_template_basedirs = settings.html_template_dirs()

# Judge cells never reach the release: nbgrader's release chain with RemoveJudges first.
c.GenerateAssignment.preprocessors = settings.GENERATE_PREPROCESSORS
# Grades are decided outside the student's kernel: the kernel runs each test cell's probe, and the
# judges in source/ decide in nbgrader's own process (autograder/probing.py explains the path).
c.Autograde.autograde_preprocessors = settings.AUTOGRADE_PREPROCESSORS
