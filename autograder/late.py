"""Late penalties, the nbgrader way: a LateSubmissionPlugin chosen in nbgrader_config.py.

``nbgrader autograde`` applies the penalty in its AssignLatePenalties preprocessor;
``python -m autograder grade`` calls ``apply_late_penalties`` after recording the scores, which runs
the same plugin over the gradebook (and ``python -m autograder late`` runs it again after manual
grading). Configure it with

    c.AssignLatePenalties.plugin_class = "autograder.late.PenaltyPerDay"
    c.PenaltyPerDay.percent_per_day = 10
"""

from __future__ import annotations

import math
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import Float
from traitlets.config.loader import PyFileConfigLoader

from autograder import gradebook
from autograder.paths import course_root


class PenaltyPerDay(LateSubmissionPlugin):
    """Take a share of the score for every started day late, down to zero at most."""

    percent_per_day = Float(10.0, help="percent of the score lost per started day late").tag(
        config=True
    )

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        """The points to subtract from ``score`` (None when on time)."""
        if total_seconds_late <= 0:
            return None
        days = math.ceil(total_seconds_late / 86400)
        return min(score, score * self.percent_per_day * days / 100)


def apply_late_penalties(assignment: str, root: Path | None = None) -> dict[str, float]:
    """Give every late submission of ``assignment`` its penalty from the course's configured
    plugin (nbgrader's LateSubmissionPlugin by default); return {student: penalty} of the late."""
    root = course_root(root)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    assigner = AssignLatePenalties(config=config)
    assigner.init_plugin()
    penalties: dict[str, float] = {}
    with gradebook.open_gradebook(gradebook.db_url(root)) as gb:
        for submission in gb.find_assignment(assignment).submissions:
            late = submission.total_seconds_late
            for notebook in submission.notebooks:
                penalty = None
                if late > 0:
                    penalty = assigner.plugin_inst.late_submission_penalty(
                        submission.student.id, notebook.score, late
                    )
                notebook.late_submission_penalty = (
                    None if penalty is None else assigner._check_late_penalty(notebook, penalty)
                )
                if late > 0:
                    penalties[submission.student.id] = float(notebook.late_submission_penalty or 0)
        gb.db.commit()
    return penalties
