"""Tests of autograder.notebook: safe reading, normalization and nbgrader metadata helpers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.notebook import (
    InvalidNotebook,
    grade_id,
    is_graded,
    is_locked,
    is_solution,
    is_test,
    is_written,
    normalize,
    notebook_bytes,
    points,
    read_notebook,
    write_notebook,
)
from tests.autograder.chapter import cell, demo_notebook


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- read_notebook ---------------------------------------------------------------------------


def test_reads_a_notebook_and_joins_multiline_sources(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    nbformat.write(demo_notebook(), str(path))  # stores sources as lists of lines
    nb = read_notebook(path)
    assert nb.nbformat_minor == 5
    assert isinstance(cell(nb, "ex0_1_double").source, str)
    assert "def double(x):\n" in cell(nb, "ex0_1_double").source


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"cells": [', "not valid JSON"),
        ("", "not valid JSON"),
        ('{"hello": "world"}', "not a Jupyter notebook"),
        ("[1, 2, 3]", "not a Jupyter notebook"),
        ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "not a Jupyter notebook"),
        ('{"nbformat": 9, "nbformat_minor": 0, "cells": []}', "newer than"),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, '
            '"cells": [{"cell_type": "bogus", "id": "a", "metadata": {}, "source": ""}]}',
            "not a valid notebook",
        ),
    ],
)
def test_bad_files_raise_invalid_notebook_with_a_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = _write(tmp_path / "bad.ipynb", content)
    with pytest.raises(InvalidNotebook, match=reason):
        read_notebook(path)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "image.ipynb"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(InvalidNotebook, match="not UTF-8"):
        read_notebook(binary)
    with pytest.raises(InvalidNotebook, match="no such file"):
        read_notebook(tmp_path / "missing.ipynb")
    with pytest.raises(InvalidNotebook, match="not a file"):
        read_notebook(tmp_path)


def test_size_is_checked_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.ipynb", "x" * 2000)  # not JSON: the size check must come first
    with pytest.raises(InvalidNotebook, match="over the .* limit"):
        read_notebook(path, max_bytes=1000)


def test_old_minor_version_is_upgraded_with_deterministic_ids(tmp_path: Path) -> None:
    data = json.loads(nbformat.writes(demo_notebook()))
    data["nbformat_minor"] = 4
    for c in data["cells"]:
        del c["id"]
    path = _write(tmp_path / "old.ipynb", json.dumps(data))
    first, second = read_notebook(path), read_notebook(path)
    assert first.nbformat_minor == 5
    assert [c.id for c in first.cells] == [c.id for c in second.cells]
    assert cell(first, "test_ex0_1_double").id == "test_ex0_1_double"


# --- normalize -------------------------------------------------------------------------------


def _executed() -> nbformat.NotebookNode:
    nb = demo_notebook()
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    code = cell(nb, "ex0_1_double")
    code.execution_count = 7
    code.outputs = [new_output("stream", name="stdout", text="hi\n")]
    code.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    return nb


def test_normalize_clears_execution_artifacts() -> None:
    nb = normalize(_executed())
    code = cell(nb, "ex0_1_double")
    assert code.outputs == [] and code.execution_count is None
    assert "execution" not in code.metadata
    assert "widgets" not in nb.metadata
    assert nb.nbformat == 4 and nb.nbformat_minor == 5
    nbformat.validate(nb)


def test_normalize_does_not_modify_its_argument() -> None:
    nb = _executed()
    before = copy.deepcopy(nb)
    normalize(nb)
    assert nb == before


def test_normalize_is_idempotent() -> None:
    once = normalize(_executed())
    assert normalize(once) == once
    assert notebook_bytes(once) == notebook_bytes(normalize(once))


def test_ids_are_stable_kept_when_valid_and_unique() -> None:
    nb = new_notebook()
    nb.cells = [
        new_code_cell("a = 1"),
        new_code_cell("b = 2"),
        new_code_cell("c = 3", metadata={"nbgrader": {"grade_id": "test_c", "grade": True}}),
        new_markdown_cell("text"),
    ]
    nb.cells[0]["id"] = "keep-me"
    nb.cells[1]["id"] = "keep-me"  # duplicate: the second one gets a new id
    del nb.cells[2]["id"]  # graded cell without id: gets its grade_id
    nb.cells[3]["id"] = "not valid!"  # invalid: replaced
    first = normalize(nb)
    ids = [c.id for c in first.cells]
    assert ids[0] == "keep-me"
    assert ids[2] == "test_c"
    assert len(set(ids)) == 4
    assert [c.id for c in normalize(nb).cells] == ids  # derived from position and content


def test_write_notebook_gives_stable_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    write_notebook(_executed(), a)
    write_notebook(read_notebook(a), b)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes().endswith(b"}\n")


# --- metadata helpers ------------------------------------------------------------------------


def test_metadata_helpers_on_the_demo_chapter() -> None:
    nb = demo_notebook()
    test, answer = cell(nb, "test_ex0_2_scale"), cell(nb, "ex0_2_scale")
    written, summary = cell(nb, "written_ex0_3_explain"), cell(nb, "summary")
    assert grade_id(test) == "test_ex0_2_scale"
    assert is_test(test) and is_graded(test) and is_locked(test) and points(test) == 2.0
    assert is_solution(answer) and not is_graded(answer) and not is_locked(answer)
    assert is_written(written) and not is_test(written) and points(written) == 1.0
    assert is_locked(summary) and not is_graded(summary)
    plain = nb.cells[0]
    assert grade_id(plain) is None and not is_graded(plain) and not is_locked(plain)


@pytest.mark.parametrize(
    "nbgrader",
    ["not a dict", {"grade_id": 5, "grade": True, "points": "many"}, {"points": float("nan")}],
)
def test_metadata_helpers_never_raise_on_odd_values(nbgrader: object) -> None:
    odd = new_code_cell("pass", metadata={"nbgrader": nbgrader})
    assert grade_id(odd) is None
    assert points(odd) == 0.0
    assert not is_written(odd)
