"""Tests of autograder.sanitize.restore: protected cells come back from the reference notebook."""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output

from autograder.notebook import grade_id, is_graded, points
from autograder.sanitize import restore
from autograder.settings import TEXT_STUB
from tests.autograder.chapter import (
    HIDDEN_LINES,
    MODEL_ANSWER,
    WRONG_DOUBLE,
    answer,
    cell,
    without,
)


def _ids(nb: NotebookNode) -> list[str | None]:
    return [grade_id(c) for c in nb.cells]


def test_restoring_the_reference_itself_changes_nothing(source_nb: NotebookNode) -> None:
    restored = restore(source_nb, source_nb)
    assert [c.source for c in restored.cells] == [c.source for c in source_nb.cells]
    assert restored.metadata == source_nb.metadata


def test_answers_are_kept_and_an_edited_test_is_replaced(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = answer(release_nb, "ex0_1_double", WRONG_DOUBLE)
    test = cell(student, "test_ex0_1_double")
    test.source = "pass  # the test is gone"
    test.metadata.nbgrader["points"] = 100
    restored = restore(student, source_nb)
    assert cell(restored, "ex0_1_double").source == WRONG_DOUBLE
    assert cell(restored, "test_ex0_1_double").source == cell(source_nb, "test_ex0_1_double").source
    assert points(cell(restored, "test_ex0_1_double")) == 1.0


def test_a_deleted_test_comes_back_after_its_answer_with_hidden_tests(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    restored = restore(without(release_nb, "test_ex0_2_scale"), source_nb)
    ids = _ids(restored)
    assert ids.index("test_ex0_2_scale") == ids.index("ex0_2_scale") + 1
    assert HIDDEN_LINES[0] in cell(restored, "test_ex0_2_scale").source


def test_against_the_release_only_visible_tests_come_back(release_nb: NotebookNode) -> None:
    restored = restore(without(release_nb, "test_ex0_2_scale"), release_nb)
    assert "HIDDEN" not in cell(restored, "test_ex0_2_scale").source
    assert all(HIDDEN_LINES[0] not in c.source for c in restored.cells)


def test_duplicated_test_cells_are_dropped(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = copy.deepcopy(release_nb)
    test = cell(student, "test_ex0_1_double")
    student.cells.insert(0, copy.deepcopy(test))
    student.cells.append(copy.deepcopy(test))
    restored = restore(student, source_nb)
    ids = _ids(restored)
    assert ids.count("test_ex0_1_double") == 1
    assert ids[-1] == "test_ex0_1_double"  # the last copy stays, as in nbgrader


def test_a_copied_answer_cell_runs_but_claims_nothing(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = copy.deepcopy(release_nb)
    original = cell(student, "ex0_1_double")
    student.cells.insert(0, copy.deepcopy(original))
    original.source = WRONG_DOUBLE
    restored = restore(student, source_nb)
    assert _ids(restored).count("ex0_1_double") == 1
    assert restored.cells[0].source == cell(release_nb, "ex0_1_double").source
    assert "nbgrader" not in restored.cells[0].metadata
    assert cell(restored, "ex0_1_double").source == WRONG_DOUBLE


def test_forged_graded_cells_lose_their_metadata(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = copy.deepcopy(release_nb)
    forged = {"grade": True, "grade_id": "bonus", "points": 50, "solution": False, "locked": True}
    student.cells.append(new_code_cell("pass", metadata={"nbgrader": forged}))
    answer_cell = cell(student, "ex0_1_double")
    answer_cell.metadata.nbgrader.update(grade=True, points=100)  # an answer posing as a test
    restored = restore(student, source_nb)
    assert "bonus" not in _ids(restored)
    assert restored.cells[-1].source == "pass"
    assert not is_graded(cell(restored, "ex0_1_double"))


def test_read_only_and_retyped_cells_are_restored(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = copy.deepcopy(release_nb)
    cell(student, "summary").source = "my notes"
    test = cell(student, "test_ex0_1_double")
    test.cell_type = "markdown"
    del test["outputs"], test["execution_count"]
    restored = restore(student, source_nb)
    assert cell(restored, "summary").source == cell(source_nb, "summary").source
    assert cell(restored, "test_ex0_1_double").cell_type == "code"


def test_a_deleted_written_answer_comes_back_empty_not_as_the_model_answer(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    restored = restore(without(release_nb, "written_ex0_3_explain"), source_nb)
    assert cell(restored, "written_ex0_3_explain").source == TEXT_STUB
    assert all(MODEL_ANSWER not in c.source for c in restored.cells)


def test_student_cells_keep_their_place_and_outputs_are_cleared(
    release_nb: NotebookNode, source_nb: NotebookNode
) -> None:
    student = copy.deepcopy(release_nb)
    scratch = new_code_cell("print('trying things')")
    scratch.outputs = [new_output("stream", name="stdout", text="trying things\n")]
    position = _ids(student).index("ex0_2_scale")
    student.cells.insert(position, scratch)
    restored = restore(student, source_nb)
    assert restored.cells[position].source == scratch.source
    assert all(c.get("outputs", []) == [] for c in restored.cells)


def test_restore_is_idempotent(release_nb: NotebookNode, source_nb: NotebookNode) -> None:
    once = restore(without(release_nb, "test_ex0_1_double"), source_nb)
    assert restore(once, source_nb) == once
