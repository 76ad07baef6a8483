"""One graded demo term (`python -m autograder demo`: 8 students, chapter 09_ethics, 6 submissions,
two of them hostile), built once per session and shared by the demo's own tests and the
formgrader's browser test; both run in the xdist group "autograder", so it is built once."""

from __future__ import annotations

from pathlib import Path

from autograder.demo import DemoResult, run_demo
from autograder.paths import PACKAGE_ROOT
from autograder.sandbox import Limits
from tests.timeouts import hang_guard

CHAPTER = "09_ethics"
STUDENTS = 8
SUBMISSIONS = 6
# 09_ethics runs in about 11 s (its longest cell 3 s) when idle. The limits are hang guards for
# the correct submissions (30 s and 240 s at the default scale of 2, more on a loaded machine);
# the infinite loop exceeds any limit, and costs one cell limit.
LIMITS = Limits(cell_timeout=hang_guard(15), notebook_timeout=hang_guard(120))
# What a demo run must never touch: the repository's own course directory.
COURSE_OUTPUTS = ("gradebook.db", "submitted", "autograded", "feedback", "grades.csv")


def build(dest: Path) -> tuple[DemoResult, list[str]]:
    """The demo term at ``dest``, with the lines it printed."""
    printed: list[str] = []
    before = [(PACKAGE_ROOT / name).exists() for name in COURSE_OUTPUTS]
    result = run_demo(
        dest,
        students=STUDENTS,
        chapters=[CHAPTER],
        submissions=SUBMISSIONS,
        workers=2,
        limits=LIMITS,
        say=printed.append,
    )
    after = [(PACKAGE_ROOT / name).exists() for name in COURSE_OUTPUTS]
    assert after == before, "the demo wrote into the repository's own course directory"
    return result, printed
