"""Judges: the trusted half of a hidden test. They decide points in the grader's own process.

Every autograded test cell of a source notebook is followed by a *judge cell*: a code cell tagged
``judge`` that defines ``judge(probe)``. The grader reads judge cells from source/ (never from a
submission), compiles them here with asserts kept whatever Python's -O flag says, and calls each
with the record its probe sent from the kernel (:class:`Evidence`). The judge rebuilds the probe's
inputs from the same seed, computes the references itself and raises (``fail``, ``assert``, or the
staged checks of ``course.checks``) when the answer is wrong. Judge cells never reach a kernel, the
release or feedback.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from autograder.notebook import grade_id, is_solution, is_test
from autograder.records import BadRecord, Error, Opaque, TensorInfo, read_record
from autograder.static import defined_names, forbidden_uses
from course import checks
from course.probe import derive_seed

JUDGE_TAG = "judge"
_MESSAGE_LIMIT = 300


class JudgeFailure(AssertionError):
    """The answer is wrong; the message says how, for the student."""


class JudgeError(RuntimeError):
    """A judge cell is missing or broken: the course's fault, never a student's zero."""


def fail(message: str) -> None:
    """Fail the test with ``message`` (what was expected, what came back)."""
    raise JudgeFailure(message)


def is_judge(cell: Any) -> bool:
    """True for a judge cell (a code cell tagged ``judge``)."""
    tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell, dict) else []
    return cell.get("cell_type") == "code" and isinstance(tags, list) and JUDGE_TAG in tags


@dataclass
class Evidence:
    """What a judge gets: the probe's values, its seed, and the student's answer sources."""

    test_id: str
    seed: int
    values: dict[str, Any]
    answers: dict[str, str]

    def generator(self, stream: int = 0) -> torch.Generator:
        """The probe's ``generator(stream)``, rebuilt: draws give the kernel's inputs."""
        return torch.Generator(device="cpu").manual_seed(
            derive_seed(self.seed, self.test_id, stream)
        )

    def rng(self, stream: int = 0) -> np.random.Generator:
        """The probe's ``rng(stream)``, rebuilt."""
        return np.random.default_rng(derive_seed(self.seed, self.test_id, stream))

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def raw(self, key: str) -> Any:
        """The value under ``key`` as reported, errors included (an :class:`Error`)."""
        if key not in self.values:
            fail(f"the hidden tests did not get as far as '{key}'")
        return self.values[key]

    def __getitem__(self, key: str) -> Any:
        """The value under ``key``; fails the test if the student's code raised there."""
        value = self.raw(key)
        if isinstance(value, Error):
            fail(f"your code raised {value}")
        return value

    def error(self, key: str) -> Error | None:
        """The exception the student's code raised under ``key``, or None if it returned."""
        value = self.raw(key)
        return value if isinstance(value, Error) else None

    def tensor(self, key: str, name: str, **expected: Any) -> torch.Tensor:
        """The tensor under ``key`` on the CPU, after the staged checks of :func:`tensor_of`
        (``shape=``, ``dtype=``, ``device=``, ``exact_type=``)."""
        return tensor_of(self[key], name, **expected)

    def answer(self, answer_id: str) -> str:
        """The source the student wrote in answer cell ``answer_id`` ("" when missing)."""
        return self.answers.get(answer_id, "")

    def forbid(self, answer_id: str, names: Iterable[str], why: str) -> None:
        """Fail when answer cell ``answer_id`` names a forbidden built-in in any spelling the
        source shows (attribute, import, alias), or reaches around the runtime check (torch.ops,
        torch._C, getattr, eval, ...)."""
        own = set().union(
            *(defined_names(src) for gid, src in self.answers.items() if gid != answer_id)
        )
        found = forbidden_uses(self.answer(answer_id), set(names), own)
        if found:
            fail(f"{why} (found {found[0]})")

    def no_ops(self, key: str, names: Iterable[str], why: str) -> None:
        """Fail when the operations recorded under ``key`` (``Probe.ops``) include ``names``."""
        ops = self[key]
        used = sorted(set(ops.get("names", [])) & set(names)) if isinstance(ops, dict) else ["?"]
        if used:
            fail(f"{why} (your code called {', '.join(used)})")


def tensor_of(
    value: Any,
    name: str,
    *,
    shape: Iterable[int] | None = None,
    dtype: torch.dtype | None = None,
    device: str | None = None,
    exact_type: bool = True,
) -> torch.Tensor:
    """``value`` if it is a reported tensor meeting the given expectations (staged messages)."""
    if isinstance(value, Error):
        fail(f"{name}: your code raised {value}")
    if not isinstance(value, torch.Tensor):
        got = value.type if isinstance(value, Opaque) else type(value).__name__
        fail(f"{name} should be a torch.Tensor, but it is {got}")
    info: TensorInfo = value.record_info
    if exact_type and info.type != "torch.Tensor":
        fail(f"{name} should be a plain torch.Tensor, but it is a {info.type}")
    if shape is not None and tuple(info.shape) != tuple(shape):
        fail(f"{name} should have shape {tuple(shape)}, but it has shape {tuple(info.shape)}")
    if dtype is not None and info.dtype != str(dtype).removeprefix("torch."):
        fail(f"{name} should have dtype {dtype}, but it has dtype torch.{info.dtype}")
    if device is not None and info.device.split(":")[0] != str(device).split(":")[0]:
        fail(f"{name} should be on the {device} device of its inputs, but it is on {info.device}")
    if value.device.type == "meta" and str(device) != "meta":
        fail(f"{name} holds no values the grader can read (dtype torch.{info.dtype})")
    return value


# What every judge can use without importing it.
JUDGE_GLOBALS: dict[str, Any] = {
    "torch": torch,
    "np": np,
    "math": math,
    "nn": torch.nn,
    "F": torch.nn.functional,
    "fail": fail,
    "tensor_of": tensor_of,
    "Error": Error,
    "checks": checks,
}


@dataclass
class Judge:
    """One test cell's judge, compiled."""

    test_id: str
    function: Callable[[Evidence], Any]


@dataclass
class Verdict:
    """The decision on one test cell."""

    passed: bool
    message: str | None = None


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def load_judges(reference: Any, name: str = "source") -> dict[str, Judge]:
    """The judges of a source notebook, by test cell grade_id; raises JudgeError when a test cell
    has no judge right after it or a judge cell does not define ``judge(probe)``."""
    judges: dict[str, Judge] = {}
    cells = reference.cells
    for index, cell in enumerate(cells):
        if not is_test(cell):
            continue
        test_id = grade_id(cell)
        following = cells[index + 1] if index + 1 < len(cells) else None
        if following is None or not is_judge(following):
            raise JudgeError(f"{name}: test cell {test_id} has no judge cell right after it")
        namespace = dict(JUDGE_GLOBALS)
        try:
            # optimize=0 keeps assert statements even when the grader runs under python -O.
            code = compile(following.source, f"<judge of {test_id}>", "exec", optimize=0)
            exec(code, namespace)
        except Exception as exc:
            raise JudgeError(f"{name}: the judge of {test_id} does not load: {exc}") from exc
        function = namespace.get("judge")
        if not callable(function):
            raise JudgeError(f"{name}: the judge cell of {test_id} defines no judge(probe)")
        judges[test_id] = Judge(test_id, function)
    return judges


def answer_sources(nb: Any) -> dict[str, str]:
    """The source of every answer cell of a (restored) notebook, by grade_id."""
    return {
        gid: cell.source
        for cell in nb.cells
        if is_solution(cell) and cell.get("cell_type") == "code" and (gid := grade_id(cell))
    }


def judge_cell(
    judge: Judge, outputs: Any, seed: int, answers: dict[str, str], stopped: str | None = None
) -> Verdict:
    """Decide one executed test cell from its probe record alone.

    No valid record, no points: ``stopped`` (the error the cell stopped with, if any) only
    explains to the student why the record is missing.
    """
    try:
        values = read_record(outputs, judge.test_id, seed)
    except BadRecord as exc:
        reason = str(exc)
        if stopped:
            reason = f"{reason}: the test cell stopped with {stopped}"
        return Verdict(False, _short(reason))
    evidence = Evidence(judge.test_id, seed, values, answers)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            judge.function(evidence)
    except AssertionError as exc:
        return Verdict(False, _short(str(exc) or "the hidden tests failed"))
    except Exception as exc:
        # The judge tripped on something the student returned (a wrong type, a missing key).
        return Verdict(
            False,
            _short(f"the hidden tests could not use your result ({type(exc).__name__}: {exc})"),
        )
    return Verdict(True)
