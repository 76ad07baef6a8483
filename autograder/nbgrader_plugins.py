"""nbgrader preprocessors that give plain nbgrader the course's verdict path.

``nbgrader_config.py`` puts them into nbgrader's own pipelines, so an instructor's usual commands
reach the verdicts that ``python -m autograder score`` and ``grade`` reach:

- ``RemoveJudges`` first in ``generate_assignment``: judge cells never reach the release (nor the
  gradebook's copy of the source).
- ``PrepareProbes`` first in ``autograde``: a fresh seed cell, test cells cut to their probes
  (``autograder.probing.prepare``).
- ``ExecuteConfined`` instead of nbgrader's ``Execute``: the kernel runs as in ``grade`` (bubblewrap
  where it works, the chapter's data files only, the same limits), not with the instructor's rights
  beside the gradebook and the sources.
- ``JudgeProbes`` right after it: the judges, read from ``source/`` in this trusted process,
  decide each test cell, and ``SaveAutoGrades`` records what they decided.
"""

from __future__ import annotations

import copy
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool

from autograder.judging import load_judges
from autograder.notebook import read_notebook
from autograder.paths import data_contents
from autograder.probing import apply_verdicts, new_seed, prepare, strip_judges, trusted_prefix
from autograder.runner import execute_graded
from autograder.sandbox import Limits, resolve_mode

_KEY = "dlcourse_probes"


class RemoveJudges(Preprocessor):
    """Drop judge cells from a notebook (used when the release is generated)."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """The notebook without its judge cells."""
        return strip_judges(nb), resources


def _source_path(config, resources: dict) -> Path:
    coursedir = CourseDirectory(config=config)
    info = resources["nbgrader"]
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
    return folder / f"{info['notebook']}.ipynb"


class ExecuteConfined(Preprocessor):
    """Run the notebook in the grading sandbox, with the chapter's data files beside it."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """The executed notebook; raises InfrastructureError when no kernel starts or the
        course's own cells fail twice (then nbgrader records no grade, not a zero)."""
        root = Path(CourseDirectory(config=self.config).root)
        data = data_contents(resources["nbgrader"]["assignment"], root)
        trusted = resources.get(_KEY, {}).get("trusted", 0)
        return execute_graded(nb, data, resolve_mode("auto"), Limits(), trusted), resources


class PrepareProbes(Preprocessor):
    """Before execution: seed the probes and cut the test cells to them."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """The notebook the kernel runs; what the judges need stays in ``resources``."""
        reference = read_notebook(_source_path(self.config, resources))
        judges = load_judges(reference)
        seed = new_seed()
        prepared = prepare(nb, seed)
        resources[_KEY] = {
            "seed": seed,
            "restored": copy.deepcopy(nb),
            "judges": judges,
            "trusted": trusted_prefix(prepared, reference),
        }
        return prepared, resources


class JudgeProbes(Preprocessor):
    """After execution: the judges decide every test cell from its probe record."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """The notebook with each test cell's verdict as its only output."""
        state = resources.pop(_KEY)
        return apply_verdicts(nb, state["restored"], state["judges"], state["seed"]), resources
