"""Grading pipeline of the course: release, score, grade, check and normalize chapter notebooks.

nbgrader stays the standard pipeline; this package adds a gradebook-free path (score one notebook,
let a student check their own work), parallel sandboxed class grading, and builds the student
release deterministically. Importing the package is cheap on purpose: ``nbgrader_config.py``
imports :mod:`autograder.settings`.

The verdict path, by who runs what:

- in the student's kernel (untrusted, sandboxed): each test cell's probe, ``course/probe.py``,
  reports plain data; nothing there decides a point;
- in the grader's process (trusted): ``sanitize`` restores the test cells from ``source/``,
  ``probing.prepare`` seeds the probes and cuts test cells to them, ``runner`` executes,
  ``records`` reads each record strictly, ``judging`` runs the judges of the source notebook
  (``static`` reads answer cells for forbidden built-ins), ``probing.apply_verdicts`` writes each
  verdict into its test cell, and ``grading`` turns verdicts into points the way nbgrader does;
- the same steps run inside ``nbgrader autograde`` through ``nbgrader_plugins`` (configured in
  ``nbgrader_config.py``), for ``score`` (``score.judge_submission``) and for ``grade``.

Students' tools (``check``, ``submit``, ``workspace``) run visible tests only and decide nothing.
"""
