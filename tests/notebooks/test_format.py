"""Chapter notebooks follow the course conventions (docs/authoring.md), and release/ is current."""

from __future__ import annotations

import re

import nbformat
import pytest

from autograder.judging import is_judge, load_judges
from autograder.notebook import (
    grade_id,
    is_graded,
    is_solution,
    is_test,
    is_written,
    points,
    write_notebook,
)
from autograder.paths import (
    assignments,
    course_root,
    notebooks,
    release_notebook,
)
from autograder.probing import probe_source
from autograder.release import check_release

CHAPTERS = assignments()
# Every released notebook, graded or not (00_start has no exercises but follows the same format).
NOTEBOOKS = notebooks()
HEADING = re.compile(
    r"^### Exercise (?P<chapter>\d+)\.(?P<number>\d+) — (?P<title>.+) "
    r"\((?P<points>\d+(?:\.\d+)?) points?\)\s*$",
    re.MULTILINE,
)
ANSWER_ID = re.compile(r"^ex(?P<chapter>\d+)_(?P<number>\d+)_[a-z0-9_]+$")
WRITTEN_ID = re.compile(r"^written_ex(?P<chapter>\d+)_(?P<number>\d+)_[a-z0-9_]+$")
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
SECTIONS = ("learning objectives", "time estimate", "prerequisites", "summary", "further reading")
# .pt: a small PyTorch checkpoint, which a chapter loads only after checking its SHA-256 and with
# torch.load(weights_only=True) (course/pretrained.py; tests/course/test_pretrained.py).
ALLOWED_DATA = {".csv", ".txt", ".json", ".npz", ".npy", ".png", ".jpg", ".pt"}
MAX_DATA_BYTES = 2 * 1024 * 1024
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "**Model answer", "**Rubric")


def source_path(name: str):
    return course_root() / "source" / name / f"{name}.ipynb"


def release_path(name: str):
    return course_root() / "release" / name / f"{name}.ipynb"


def load(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(source_path(chapter), as_version=4)


def number_of(chapter: str) -> int:
    return int(chapter.split("_")[0])


def test_there_is_a_chapter():
    assert "01_neurons" in CHAPTERS


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_notebook_is_stored_normalized(chapter, tmp_path):
    path = source_path(chapter)
    nb = load(chapter)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    for cell in nb.cells:
        assert not cell.get("outputs"), f"cell {cell.id} has stored outputs"
        assert cell.get("execution_count") is None, f"cell {cell.id} has an execution count"
        assert CELL_ID.match(cell.id), f"cell id {cell.id!r} is not a stable readable id"
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids are not unique"
    rewritten = tmp_path / path.name
    write_notebook(nb, rewritten)
    assert rewritten.read_bytes() == path.read_bytes(), (
        "the notebook is not stored in normalized form: run python -m autograder normalize on it"
    )
    assert nb.metadata.kernelspec.name == "dlcourse"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_the_required_sections(chapter):
    nb = load(chapter)
    title = f"# Chapter {number_of(chapter)} — "
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(title), (
        f"{chapter}'s first cell must start with its title, {title!r}..."
    )
    headings = " ".join(
        line.lower()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    )
    for section in SECTIONS:
        assert section in headings, f"{chapter} has no '{section}' heading"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_headings_match_graded_cells(chapter):
    nb = load(chapter)
    chapter_number = number_of(chapter)
    headings: dict[int, float] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_graded(cell):
            for m in HEADING.finditer(cell.source):
                assert int(m["chapter"]) == chapter_number, m.group(0)
                assert int(m["number"]) not in headings, f"exercise {m['number']} twice"
                headings[int(m["number"])] = float(m["points"])
    assert headings, "no exercise headings"
    assert sorted(headings) == list(range(1, len(headings) + 1)), "exercises are not numbered 1..N"

    graded: dict[int, float] = {}
    answered: set[int] = set()
    for i, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if is_solution(cell) and cell.cell_type == "code":
            m = ANSWER_ID.match(gid or "")
            assert m, f"answer cell grade_id {gid!r} does not follow exC_N_slug"
            assert int(m["chapter"]) == chapter_number
            answered.add(int(m["number"]))
            following = nb.cells[i + 1]
            assert is_test(following) and grade_id(following) == f"test_{gid}", (
                f"{gid} is not followed by its test cell test_{gid}"
            )
        elif is_test(cell):
            m = ANSWER_ID.match((gid or "").removeprefix("test_"))
            assert gid.startswith("test_") and m, f"test cell grade_id {gid!r}"
            assert "### BEGIN HIDDEN TESTS" in cell.source, f"{gid} has no hidden tests"
            number = int(m["number"])
            graded[number] = graded.get(number, 0) + points(cell)
        elif is_written(cell):
            m = WRITTEN_ID.match(gid or "")
            assert m, f"written answer grade_id {gid!r} does not follow written_exC_N_slug"
            assert "rubric" in cell.source.lower(), f"{gid} has no rubric"
            graded[int(m["number"])] = graded.get(int(m["number"]), 0) + points(cell)
    assert graded == headings, f"points in headings {headings} != points in metadata {graded}"
    assert answered <= set(graded)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_test_cell_has_a_probe_and_a_judge(chapter):
    """Grades are decided by judges outside the kernel (docs/authoring.md, "Test cells")."""
    nb = load(chapter)
    judges = load_judges(nb, name=chapter)
    for i, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if is_test(cell):
            probe = probe_source(cell.source)
            assert f'course.probe.Probe("{gid}")' in probe, f"{gid}: no Probe({gid!r}) in its probe"
            assert "_probe.send()" in probe, f"{gid}: its probe never sends its record"
            assert gid in judges, f"{gid} has no judge cell right after it"
        if is_judge(cell):
            assert i > 0 and is_test(nb.cells[i - 1]), f"judge cell {cell.id} follows no test cell"
        if is_test(cell) or "setup" in cell.metadata.get("tags", []):
            # Built-ins are forbidden by the judges (Probe.ops + a static check), never by
            # swapping module attributes, which a name imported in the answer cell bypasses.
            assert "setattr(" not in cell.source, f"cell {cell.id} swaps attributes"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_release_holds_no_judge(chapter):
    nb = nbformat.read(release_path(chapter), as_version=4)
    assert not [c.id for c in nb.cells if is_judge(c) or "def judge(probe)" in c.source]


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_source_folder_holds_only_the_notebook_and_small_data(chapter):
    folder = source_path(chapter).parent
    for path in folder.rglob("*"):
        if path.is_dir() or path == source_path(chapter):
            continue
        assert path.suffix in ALLOWED_DATA, f"{path.name} would be copied into the release"
        assert path.stat().st_size <= MAX_DATA_BYTES, f"{path.name} is too large to ship"


@pytest.mark.parametrize("chapter", NOTEBOOKS)
def test_release_holds_no_solution_or_hidden_test(chapter):
    folder = release_path(chapter).parent
    assert release_path(chapter).exists()
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in MARKERS:
                assert marker not in text, f"{path} contains {marker!r}"


def test_start_notebook_is_released_but_not_an_assignment():
    assert sorted(set(NOTEBOOKS) - set(CHAPTERS)) == ["00_start"]
    assert "00_start" not in CHAPTERS
    nb = load("00_start")
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    graded = [cell.id for cell in nb.cells if cell.metadata.get("nbgrader")]
    assert not graded, f"00_start has nbgrader cells: {graded}"
    # Nothing to clear: the student gets exactly the source.
    assert nbformat.read(release_path("00_start"), as_version=4) == nb
    with pytest.raises(LookupError, match="not graded"):
        release_notebook("00_start")


def test_release_is_current():
    problems = check_release(course_root())
    assert not problems, "release/ is stale; run python -m autograder release:\n" + "\n".join(
        problems
    )
