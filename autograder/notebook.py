"""Read, normalize and write notebooks, and read nbgrader's cell metadata safely.

Submissions are untrusted: ``read_notebook`` turns every way a file can fail to be a notebook into
:class:`InvalidNotebook` with a plain reason, and the metadata helpers never raise on odd values.
``normalize`` makes the files we commit (sources, release) byte-for-byte stable.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4.rwbase import rejoin_lines, strip_transient

from autograder.settings import MAX_NOTEBOOK_BYTES

# nbformat 4.5's rule for cell ids.
_CELL_ID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

# Metadata written by running a notebook, not by its author.
_EXECUTION_CELL_METADATA = ("execution", "ExecuteTime")


class InvalidNotebook(Exception):
    """The file cannot be read as a notebook; the message says why, in plain words."""


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_notebook(path: Path | str, max_bytes: int = MAX_NOTEBOOK_BYTES) -> NotebookNode:
    """Read a notebook as nbformat 4.5 (ids filled in deterministically) or raise InvalidNotebook.

    The size is checked before anything is parsed, so a huge file costs nothing.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidNotebook(f"{path}: no such file")
    if not path.is_file():
        raise InvalidNotebook(f"{path}: not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InvalidNotebook(
            f"{path}: file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit"
        )
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidNotebook(f"{path}: not a notebook (the file is not UTF-8 text)") from None
    except OSError as exc:
        raise InvalidNotebook(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidNotebook(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file may be truncated or corrupted"
        ) from None
    except RecursionError:
        raise InvalidNotebook(f"{path}: not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise InvalidNotebook(f"{path}: not a Jupyter notebook (no nbformat version)")
    major = data["nbformat"]
    if major > 4:
        raise InvalidNotebook(f"{path}: nbformat {major} is newer than this grader supports (4)")
    cells = data.get("cells")
    if major == 4 and not (isinstance(cells, list) and all(isinstance(c, dict) for c in cells)):
        raise InvalidNotebook(f"{path}: not a Jupyter notebook (malformed list of cells)")
    try:
        if major < 4:
            nb = nbformat.reads(text, as_version=4)
        else:
            nb = nbformat.from_dict(data)
            _upgrade_minor(nb)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(nb)
        # Multi-line strings are stored as lists of lines in the file; join them as nbformat does.
        nb = strip_transient(rejoin_lines(nb))
    except nbformat.ValidationError as exc:
        raise InvalidNotebook(f"{path}: not a valid notebook ({_short(exc.message)})") from None
    except Exception as exc:  # nbformat raises many types on malformed input
        raise InvalidNotebook(f"{path}: not a valid notebook ({_short(exc)})") from None
    return nb


def _upgrade_minor(nb: NotebookNode) -> None:
    """Bring a 4.x notebook to 4.5 in place, with deterministic ids rather than random ones."""
    if nb.get("nbformat_minor", 0) < 5 or any(
        isinstance(c, dict) and "id" not in c for c in nb.cells
    ):
        nb["nbformat_minor"] = max(5, nb.get("nbformat_minor", 0))
        _assign_ids(nb)


def _assign_ids(nb: NotebookNode) -> None:
    """Keep valid unique ids; graded cells get their grade_id, others a hash of position+content."""
    used: set[str] = set()
    keep: list[bool] = []
    for cell in nb.cells:
        cid = cell.get("id")
        ok = isinstance(cid, str) and bool(_CELL_ID_RE.match(cid)) and cid not in used
        if ok:
            used.add(cid)
        keep.append(ok)
    for index, (cell, ok) in enumerate(zip(nb.cells, keep, strict=True)):
        if ok:
            continue
        gid = grade_id(cell)
        if gid is not None and _CELL_ID_RE.match(gid) and gid not in used:
            new = gid
        else:
            seed = f"{index}\n{cell.get('cell_type')}\n{_source(cell)}"
            new = hashlib.sha1(seed.encode("utf-8")).hexdigest()[:12]
            while new in used:
                new = hashlib.sha1((seed + new).encode("utf-8")).hexdigest()[:12]
        cell["id"] = new
        used.add(new)


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def normalize(nb: NotebookNode) -> NotebookNode:
    """A copy with no outputs or execution counts, nbformat 4.5, stable ids, no widget state.

    Idempotent: normalizing a normalized notebook changes nothing.
    """
    nb = copy.deepcopy(nb)
    nb["nbformat"] = 4
    nb["nbformat_minor"] = 5
    nb.setdefault("metadata", {}).pop("widgets", None)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        for key in _EXECUTION_CELL_METADATA:
            cell.setdefault("metadata", {}).pop(key, None)
    _assign_ids(nb)
    return nb


def notebook_bytes(nb: NotebookNode) -> bytes:
    """The exact bytes ``write_notebook`` writes: the normalized notebook as nbformat JSON."""
    text = nbformat.writes(normalize(nb), version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def write_notebook(nb: NotebookNode, path: Path | str) -> None:
    """Write the normalized notebook, so that diffs only show what the author changed."""
    Path(path).write_bytes(notebook_bytes(nb))


def _nbgrader(cell: Any) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    data = meta.get("nbgrader") if isinstance(meta, dict) else None
    return data if isinstance(data, dict) else {}


def grade_id(cell: Any) -> str | None:
    """The cell's nbgrader grade_id, or None when it has none (or a malformed one)."""
    gid = _nbgrader(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def is_graded(cell: Any) -> bool:
    """True for cells that carry points (test cells and written answers)."""
    return bool(_nbgrader(cell).get("grade", False))


def is_solution(cell: Any) -> bool:
    """True for cells the student writes in (answer cells and written answers)."""
    return bool(_nbgrader(cell).get("solution", False))


def is_locked(cell: Any) -> bool:
    """True for cells a student may not change (nbgrader: graded or read-only, not a solution)."""
    data = _nbgrader(cell)
    if not data or is_solution(cell):
        return False
    return is_graded(cell) or bool(data.get("locked", False))


def is_test(cell: Any) -> bool:
    """True for autograded test cells: graded, not a solution, code."""
    return is_graded(cell) and not is_solution(cell) and cell.get("cell_type") == "code"


def is_written(cell: Any) -> bool:
    """True for written answers graded by hand: graded solution markdown cells."""
    return is_graded(cell) and is_solution(cell) and cell.get("cell_type") == "markdown"


def points(cell: Any) -> float:
    """The points a graded cell is worth (0 when missing or malformed)."""
    value = _nbgrader(cell).get("points", 0)
    if isinstance(value, bool):
        return 0.0
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if math.isfinite(result) and result >= 0 else 0.0
