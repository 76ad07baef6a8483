"""Put a submission's protected cells back the way the instructor wrote them.

Runs in the trusted process before any student code does. nbgrader's OverwriteCells does this from
the gradebook; we do it from a reference notebook, so no database is needed: the instructor source
(hidden tests come back, for scoring) or the release (visible tests only, for a student's check).
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from autograder.notebook import grade_id, is_graded, is_locked, is_solution, normalize
from autograder.settings import CODE_STUB, TEXT_STUB


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _plain(cell: NotebookNode) -> NotebookNode:
    """A student's own cell, stripped of nbgrader metadata so that it can claim no points."""
    cell = copy.deepcopy(cell)
    cell.setdefault("metadata", {}).pop("nbgrader", None)
    return cell


def _answer(cell: NotebookNode, ref: NotebookNode) -> NotebookNode:
    """The student's answer (their source) with the reference's cell type and nbgrader metadata."""
    metadata = copy.deepcopy(cell.get("metadata", {}))
    metadata["nbgrader"] = copy.deepcopy(ref.metadata["nbgrader"])
    source = _source(cell)
    if ref.cell_type == "code":
        new = new_code_cell(source=source, metadata=metadata)
    elif ref.cell_type == "markdown":
        new = new_markdown_cell(source=source, metadata=metadata)
        if cell.get("cell_type") == "markdown" and "attachments" in cell:
            new["attachments"] = copy.deepcopy(cell["attachments"])
    else:
        new = new_raw_cell(source=source, metadata=metadata)
    if isinstance(cell.get("id"), str):
        new["id"] = cell["id"]
    return new


def _missing(ref: NotebookNode) -> NotebookNode:
    """A reference cell to re-insert; a written answer comes back empty, not as the model answer."""
    new = copy.deepcopy(ref)
    if is_solution(ref):
        new.source = CODE_STUB if ref.cell_type == "code" else TEXT_STUB
    return new


def restore(submission: NotebookNode, reference: NotebookNode) -> NotebookNode:
    """The submission with every protected cell taken from the reference, outputs cleared.

    Protected cells (test cells, read-only cells) are replaced by the reference's version, matched
    by grade_id; deleted ones are re-inserted after the cell that precedes them in the reference
    (their answer cell); of duplicates only the last copy stays, as in nbgrader. Answer cells keep
    the student's source under the reference's metadata. Student cells that claim an unknown
    grade_id lose their nbgrader metadata.
    """
    ref_cells: dict[str, NotebookNode] = {}
    for cell in reference.cells:
        gid = grade_id(cell)
        if gid is not None:
            ref_cells.setdefault(gid, cell)

    # Of several cells with one grade_id, the last one counts (as in nbgrader's DeduplicateIds).
    last = {grade_id(cell): index for index, cell in enumerate(submission.cells)}
    cells: list[NotebookNode] = []
    placed: dict[str, NotebookNode] = {}
    for index, cell in enumerate(submission.cells):
        gid = grade_id(cell)
        ref = ref_cells.get(gid) if gid is not None else None
        if ref is None:
            cells.append(_plain(cell))
        elif index != last[gid]:
            if not is_locked(ref):
                cells.append(_plain(cell))  # an extra copy of an answer runs, but earns nothing
        else:
            new = copy.deepcopy(ref) if is_locked(ref) else _answer(cell, ref)
            cells.append(new)
            placed[gid] = new

    anchor: NotebookNode | None = None
    for position, ref in enumerate(reference.cells):
        gid = grade_id(ref)
        if gid is None:
            continue
        if gid not in placed and (is_locked(ref) or is_graded(ref)):
            new = _missing(ref)
            if anchor is None:
                index = min(position, len(cells))
            else:
                index = next(i for i, c in enumerate(cells) if c is anchor) + 1
            cells.insert(index, new)
            placed[gid] = new
        if gid in placed:
            anchor = placed[gid]

    restored = new_notebook(metadata=copy.deepcopy(reference.metadata))
    restored.cells = cells
    return normalize(restored)
