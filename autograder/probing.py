"""The verdict path: what the kernel runs, and how its records become points.

1. ``prepare`` (trusted, before execution): a fresh seed for this submission goes into a first
   cell of the grader's own; every test cell is cut down to its probe (the hidden region), so
   visible checks never stand between the probe and its record; judge cells are dropped.
2. The notebook runs in the student's (sandboxed) kernel. Probes send records.
3. ``apply_verdicts`` (trusted, after execution): each test cell's record goes to its judge (read
   from source/ by ``judging.load_judges``); the cell gets back its full source and, as its only
   output, the verdict: a line saying it passed, or an error saying why not. nbgrader's own rule
   (an error output scores 0) then records the judge's decision in the gradebook.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output

from autograder.feedback import BEGIN, END
from autograder.judging import Judge, Verdict, answer_sources, is_judge, judge_cell
from autograder.notebook import grade_id, is_solution, is_test
from course.probe import SEED_VARIABLE

# Marks the grader's seed cell, so that it is removed again after execution.
SEED_CELL_MARK = "dlcourse_probe_seed"
PASSED_TEXT = "Passed: the grader's hidden tests accept this answer.\n"


def new_seed() -> int:
    """A fresh seed for one submission's probe inputs."""
    return secrets.randbits(62)


def probe_source(source: str) -> str:
    """The hidden region of a test cell (its probe), without the marker lines."""
    lines: list[str] = []
    inside = False
    for line in source.splitlines():
        if not inside and BEGIN in line:
            inside = True
        elif inside and END in line:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)


def strip_judges(nb: NotebookNode) -> NotebookNode:
    """A copy without judge cells (they must never reach a kernel or a student)."""
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not is_judge(cell)]
    return nb


def prepare(restored: NotebookNode, seed: int) -> NotebookNode:
    """The notebook the kernel runs: seed cell first, test cells cut to their probes."""
    nb = strip_judges(restored)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = probe_source(cell.source)
    seed_cell = new_code_cell(
        source=f'__import__("os").environ["{SEED_VARIABLE}"] = "{int(seed)}"',
        metadata={SEED_CELL_MARK: True},
    )
    seed_cell["id"] = SEED_CELL_MARK
    nb.cells.insert(0, seed_cell)
    return nb


def trusted_prefix(prepared: NotebookNode, reference: NotebookNode) -> int:
    """How many leading cells of ``prepared`` are the course's own code: the seed cell, then the
    source's cells up to the first answer or test cell, or the first cell the student changed or
    added. No student code has run before them, so their failure is the grading environment's
    fault (a missing package, a slow disk), never the student's."""
    cells = prepared.cells
    count = 1 if cells and cells[0].get("metadata", {}).get(SEED_CELL_MARK) else 0
    for cell, ours in zip(cells[count:], strip_judges(reference).cells, strict=False):
        if is_test(cell) or is_solution(cell) or is_test(ours) or is_solution(ours):
            break
        if cell.cell_type != ours.cell_type or cell.source != ours.source:
            break
        count += 1
    return count


def infrastructure_fault(executed: NotebookNode, trusted: int) -> str | None:
    """Why one of the first ``trusted`` cells (the course's own code) failed, or None."""
    for cell in executed.cells[:trusted]:
        error = stopped_by(cell.get("outputs")) if cell.cell_type == "code" else None
        if error:
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            return f"the course's own cell `{first[:60]}` failed before student code ran: {error}"
    return None


def stopped_by(outputs: Any) -> str | None:
    """The first error a cell stopped with ("Name: first line"), or None."""
    for output in outputs or []:
        if isinstance(output, dict) and output.get("output_type") == "error":
            ename = str(output.get("ename") or "Error")
            evalue = str(output.get("evalue") or "").strip().splitlines()
            return f"{ename}: {evalue[0]}" if evalue else ename
    return None


def verdict_outputs(verdict: Verdict) -> list[NotebookNode]:
    """The outputs that show a verdict: nbgrader scores an error output 0, anything else full."""
    if verdict.passed:
        return [new_output("stream", name="stdout", text=PASSED_TEXT)]
    ename = "HiddenTestFailed"
    message = verdict.message or "the hidden tests failed"
    return [new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])]


def apply_verdicts(
    executed: NotebookNode,
    restored: NotebookNode,
    judges: dict[str, Judge],
    seed: int,
) -> NotebookNode:
    """The executed notebook as it is recorded: seed cell gone, test cells with their full
    source and the judge's verdict as their only output."""
    nb = copy.deepcopy(executed)
    nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(SEED_CELL_MARK)]
    full = {grade_id(c): c.source for c in restored.cells if is_test(c)}
    answers = answer_sources(restored)
    for cell in nb.cells:
        if not is_test(cell):
            continue
        gid = grade_id(cell)
        verdict = judge_cell(
            judges[gid], cell.get("outputs"), seed, answers, stopped_by(cell.outputs)
        )
        cell.source = full.get(gid, cell.source)
        cell.outputs = verdict_outputs(verdict)
    return nb
