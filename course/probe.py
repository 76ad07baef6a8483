"""Probes: the kernel half of a hidden test. They call the student's code and report plain data.

A hidden test is split in two. The *probe* runs in the student's kernel: it draws inputs from a
generator seeded by the grader, calls the student's functions on them and reports what came back,
as one record of plain data (numbers, strings, tensors as dtype + shape + raw bytes). The *judge*
runs in the grader's own process, rebuilds the same inputs from the same seed, computes the
references itself and decides the points (see ``autograder.judging``). Nothing a probe reports
can pass a test by itself: student code may patch this module, and the judge assumes it did.

Written for the probe part of a test cell::

    _probe = course.probe.Probe("test_ex1_2_sigmoid")
    _z = torch.randn(50, generator=_probe.generator())
    with _probe.ops("ops"):
        _probe.call("out", sigmoid, _z)
    _probe.send()
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import math
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import torch

# The MIME type of a probe record in a cell's outputs; the grader reads nothing else.
MIME_TYPE = "application/vnd.dlcourse.probe.v1+json"
# Records larger than this (JSON characters) are refused by the grader; keep probes small.
MAX_RECORD_CHARS = 4 * 2**20
MAX_STRING_CHARS = 2_000
MAX_DEPTH = 12

# Tensor dtypes a record carries, and how their bytes are read back (numpy dtype of the same size).
TENSOR_DTYPES: dict[str, str] = {
    "float64": "<f8",
    "float32": "<f4",
    "float16": "<f2",
    "bfloat16": "<u2",
    "int64": "<i8",
    "int32": "<i4",
    "int16": "<i2",
    "int8": "|i1",
    "uint8": "|u1",
    "bool": "|b1",
}
ARRAY_KINDS = "fiub"  # numpy arrays of floats, signed and unsigned integers, and booleans

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

# The grader's first cell puts the submission's seed here (0 when a notebook runs outside grading).
SEED_VARIABLE = "DLCOURSE_PROBE_SEED"


def current_seed() -> int:
    """The submission's seed, as the grader set it for this kernel."""
    try:
        return int(os.environ.get(SEED_VARIABLE, "0"))
    except ValueError:
        return 0


def derive_seed(seed: int, test_id: str, stream: int = 0) -> int:
    """The seed of one stream of random inputs of one test, from the submission's seed.

    The grader's judge derives the same number, so both sides draw the same inputs.
    """
    digest = hashlib.sha256(f"{int(seed)}/{test_id}/{int(stream)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _short(text: str) -> str:
    return text if len(text) <= MAX_STRING_CHARS else text[: MAX_STRING_CHARS - 1] + "…"


def _tensor(value: torch.Tensor) -> dict[str, Any]:
    import torch

    # Outside any Probe.ops recorder (and any subclass's __torch_function__): reading the tensor
    # is the probe's work, not the answer's.
    with torch._C.DisableTorchFunction():
        dtype = str(value.dtype).removeprefix("torch.")
        out: dict[str, Any] = {
            "type": f"{type(value).__module__}.{type(value).__qualname__}",
            "dtype": dtype,
            "shape": [int(n) for n in value.shape],
            "device": str(value.device),
            "requires_grad": bool(value.requires_grad),
            "data": None,
        }
        if dtype in TENSOR_DTYPES and value.device.type != "meta":
            plain = value.detach().to("cpu").contiguous()
            if dtype == "bfloat16":
                plain = plain.view(torch.int16)
            out["data"] = base64.b64encode(plain.numpy().tobytes()).decode("ascii")
    return out


def _array(value: np.ndarray) -> dict[str, Any]:
    import numpy as np

    out: dict[str, Any] = {"dtype": value.dtype.str, "shape": list(value.shape), "data": None}
    if value.dtype.kind in ARRAY_KINDS:
        out["data"] = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")
    return out


def encode(value: Any, depth: int = 0) -> Any:
    """Plain JSON for a value: tensors and arrays as raw bytes, never pickles.

    Containers are tagged so that a tuple, a list and a dict come back as what they were; objects
    of any other type are reported by their type name only.
    """
    if depth > MAX_DEPTH:
        return {"__object__": "nested too deeply"}
    if value is None or isinstance(value, bool | str):
        return _short(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else {"__float__": repr(float(value))}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    torch, np = sys.modules.get("torch"), sys.modules.get("numpy")  # no tensor without them
    if torch is not None and isinstance(value, torch.Tensor):
        return {"__tensor__": _tensor(value)}
    if np is not None and isinstance(value, np.ndarray):
        return {"__array__": _array(value)}
    if np is not None and isinstance(value, np.generic):
        return {"__array__": _array(np.asarray(value))}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {
            "__dict__": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]
        }
    if isinstance(value, BaseException):
        return {"__error__": {"type": type(value).__name__, "message": _short(str(value))}}
    return {"__object__": f"{type(value).__module__}.{type(value).__qualname__}"}


class Probe:
    """Collects what one hidden test observed, then sends it to the grader as one record."""

    def __init__(self, test_id: str) -> None:
        self.test_id = test_id
        self.seed = current_seed()
        self.values: dict[str, Any] = {}

    def generator(self, stream: int = 0) -> torch.Generator:
        """A CPU torch.Generator that the judge can rebuild: draw every random input from it."""
        import torch

        return torch.Generator(device="cpu").manual_seed(
            derive_seed(self.seed, self.test_id, stream)
        )

    def rng(self, stream: int = 0) -> np.random.Generator:
        """A numpy Generator that the judge can rebuild."""
        import numpy as np

        return np.random.default_rng(derive_seed(self.seed, self.test_id, stream))

    def record(self, key: str, value: Any) -> None:
        """Report ``value`` under ``key`` (encoded now, so later changes to it do not count)."""
        self.values[str(key)] = encode(value)

    def call(self, key: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call the student's ``function``, report its result (or the exception it raised) under
        ``key``, and return the result (None when it raised)."""
        try:
            result = function(*args, **kwargs)
        except Exception as exc:  # the student's exception is a result to report, not a crash
            self.values[str(key)] = encode(exc)
            self.values[f"{key}.where"] = _short(_last_frame(exc))
            return None
        self.record(key, result)
        return result

    @contextlib.contextmanager
    def ops(self, key: str) -> Iterator[Any]:
        """Report the PyTorch operations run inside the block (any spelling) and those whose
        result held inf or NaN, as ``{"names": [...], "nonfinite": [...]}``."""
        from course.checks import OpRecorder

        recorder = OpRecorder()
        try:
            with recorder:
                yield recorder
        finally:
            self.record(key, {"names": sorted(recorder.names), "nonfinite": recorder.nonfinite})

    def send(self) -> None:
        """Display the record in this cell's outputs, where the grader reads it."""
        from IPython.display import display

        record = {"test": self.test_id, "seed": self.seed, "values": self.values}
        display({MIME_TYPE: record}, raw=True)


def _last_frame(exc: BaseException) -> str:
    """The innermost line of the notebook's own code (not of this package or a library)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [
        f
        for f in frames
        if not f.filename.startswith(_PACKAGE_DIR) and "site-packages" not in f.filename
    ]
    if not (own or frames):
        return ""
    frame = (own or frames)[-1]
    return f"line {frame.lineno}: {frame.line or ''}".strip()
