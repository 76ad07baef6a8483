"""Grading pipeline of the course: release, score, check and normalize chapter notebooks.

nbgrader stays the standard pipeline; this package adds a gradebook-free path (score one notebook,
let a student check their own work) and builds the student release deterministically. Importing the
package is cheap on purpose: ``nbgrader_config.py`` imports :mod:`autograder.settings`.
"""
