"""Every exercise's test cell fails plausible wrong answers and passes correct ones.

The candidates live in tests/notebooks/candidates/<chapter>.py; the harness runs them in one kernel
per chapter (see harness.py), so the cost grows with the number of test cells, not of chapters.
"""

from __future__ import annotations

import functools

import nbformat
import pytest

from autograder.paths import assignments, source_notebook
from tests.notebooks.harness import Harness, HarnessError, exercises, load_candidates

CHAPTERS = assignments()


def chapter_exercises(chapter: str):
    return exercises(nbformat.read(source_notebook(chapter), as_version=4))


def cases():
    for chapter in CHAPTERS:
        candidates = load_candidates(chapter)
        try:
            found = chapter_exercises(chapter)
        except HarnessError as exc:  # reported as a failing test, not a collection error
            yield pytest.param(chapter, "", "broken", str(exc), id=f"{chapter}-broken")
            continue
        for ex in found:
            own = candidates.get(ex.answer_id, {})
            for kind in ("wrong", "right"):
                for name in own.get(kind, {}):
                    yield pytest.param(
                        chapter,
                        ex.answer_id,
                        kind,
                        name,
                        id=f"{chapter}-{ex.answer_id}-{kind}-{name[:40]}",
                        marks=pytest.mark.xdist_group(chapter),
                    )


@functools.cache
def harness_results(chapter: str):
    results = Harness(chapter).run(load_candidates(chapter))
    return {(r.exercise, r.kind, r.name): r for r in results}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_has_candidates(chapter):
    candidates = load_candidates(chapter)
    assert candidates, f"tests/notebooks/candidates/{chapter}.py is missing or empty"
    ids = {ex.answer_id for ex in chapter_exercises(chapter)}
    assert set(candidates) <= ids, (
        f"candidates for unknown exercises: {sorted(set(candidates) - ids)}"
    )
    for answer_id in sorted(ids):
        own = candidates.get(answer_id, {})
        assert len(own.get("wrong", {})) >= 2, f"{answer_id}: needs at least two wrong answers"
        assert len(own.get("right", {})) >= 1, f"{answer_id}: needs a different right answer"


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter", [pytest.param(c, marks=pytest.mark.xdist_group(c)) for c in CHAPTERS]
)
def test_source_solutions_pass_in_harness(chapter):
    results = harness_results(chapter)
    failing = [k for k, r in results.items() if r.kind == "solution" and not r.passed]
    assert not failing
    rejected = {k: r.visible for k, r in results.items() if r.kind == "solution" and r.visible}
    assert not rejected, f"visible checks reject the source solution: {rejected}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "chapter", [pytest.param(c, marks=pytest.mark.xdist_group(c)) for c in CHAPTERS]
)
def test_the_released_stub_earns_nothing(chapter):
    """The answer cell as a student first gets it (``raise NotImplementedError()``) scores 0 on
    its test, through the same probe and judge as grading: a blank submission earns no points."""
    stubs = {k: r for k, r in harness_results(chapter).items() if r.kind == "stub"}
    assert len(stubs) == len(chapter_exercises(chapter)), "the release lacks answer cells"
    earning = [k[0] for k, r in stubs.items() if r.passed]
    assert not earning, f"the unanswered stub earns the points of {earning}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter,exercise,kind,name", list(cases()))
def test_candidate(chapter, exercise, kind, name):
    if kind == "broken":
        pytest.fail(name)
    result = harness_results(chapter)[(exercise, kind, name)]
    if kind == "right":
        assert result.passed, f"a correct answer ({name}) loses the points: {result.message}"
        assert result.visible is None, (
            f"the visible checks reject a correct answer ({name}): {result.visible}"
        )
    else:
        assert not result.passed, f"a wrong answer ({name}) gets the points"
        assert not result.collateral, (
            f"a wrong answer ({name}) also costs points in other exercises: {result.collateral}"
        )
