"""Read probe records out of an executed test cell, strictly: the grader trusts nothing else.

A record is the one output of MIME type ``course.probe.MIME_TYPE`` in a test cell. It is plain
JSON written by code in the student's kernel, so every field is checked here: its size, its
structure, the test it names and the submission seed it carries. Tensors and arrays are rebuilt
from their raw bytes; nothing is unpickled or evaluated.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from course.probe import (
    ARRAY_KINDS,
    MAX_DEPTH,
    MAX_RECORD_CHARS,
    MIME_TYPE,
    TENSOR_DTYPES,
)


class BadRecord(ValueError):
    """The cell holds no usable record; the message says why, for the student."""


@dataclass(frozen=True)
class Error:
    """An exception the student's code raised inside ``Probe.call``."""

    type: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        text = f"{self.type}: {self.message}" if self.message else self.type
        return f"{text} ({self.where})" if self.where else text


@dataclass(frozen=True)
class Opaque:
    """A value of a type a record cannot carry; only its type name is known."""

    type: str


@dataclass(frozen=True)
class TensorInfo:
    """What a record says about a tensor besides its values."""

    type: str
    dtype: str
    shape: tuple[int, ...]
    device: str
    requires_grad: bool


def _b64(data: Any, nbytes: int) -> bytes:
    if not isinstance(data, str):
        raise BadRecord("tensor data is not text")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise BadRecord(f"tensor data is not base64 ({exc})") from None
    if len(raw) != nbytes:
        raise BadRecord(f"tensor data has {len(raw)} bytes, its shape needs {nbytes}")
    return raw


def _shape(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2**31 for n in value
    ):
        raise BadRecord("malformed shape")
    if len(value) > 32:
        raise BadRecord("too many dimensions")
    return tuple(value)


def _count(shape: tuple[int, ...]) -> int:
    return math.prod(shape) if shape else 1


def _decode_tensor(spec: Any) -> torch.Tensor:
    if not isinstance(spec, dict):
        raise BadRecord("malformed tensor")
    dtype, shape = spec.get("dtype"), _shape(spec.get("shape"))
    info = TensorInfo(
        type=str(spec.get("type", "")),
        dtype=str(dtype),
        shape=shape,
        device=str(spec.get("device", "")),
        requires_grad=bool(spec.get("requires_grad", False)),
    )
    if spec.get("data") is None or dtype not in TENSOR_DTYPES:
        tensor = torch.empty(shape, device="meta")
    else:
        np_dtype = np.dtype(TENSOR_DTYPES[dtype])
        raw = _b64(spec["data"], _count(shape) * np_dtype.itemsize)
        array = np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()
        tensor = torch.from_numpy(array)
        if dtype == "bfloat16":
            tensor = tensor.view(torch.int16).view(torch.bfloat16)
    tensor.record_info = info  # what the kernel said besides the values (type, device, ...)
    return tensor


def _decode_array(spec: Any) -> np.ndarray | Opaque:
    if not isinstance(spec, dict) or not isinstance(spec.get("dtype"), str):
        raise BadRecord("malformed array")
    try:
        np_dtype = np.dtype(spec["dtype"])
    except TypeError:
        raise BadRecord("unknown array dtype") from None
    shape = _shape(spec.get("shape"))
    if np_dtype.kind not in ARRAY_KINDS or spec.get("data") is None:
        return Opaque(f"numpy.ndarray of {np_dtype}")
    raw = _b64(spec["data"], _count(shape) * np_dtype.itemsize)
    return np.frombuffer(raw, dtype=np_dtype).reshape(shape).copy()


def decode(value: Any, depth: int = 0) -> Any:
    """The Python value a record encodes (see ``course.probe.encode``); raises BadRecord."""
    if depth > MAX_DEPTH + 2:
        raise BadRecord("nested too deeply")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [decode(v, depth + 1) for v in value]
    if not isinstance(value, dict) or len(value) != 1:
        raise BadRecord("malformed value")
    ((tag, body),) = value.items()
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__tensor__":
        return _decode_tensor(body)
    if tag == "__array__":
        return _decode_array(body)
    if tag == "__tuple__" and isinstance(body, list):
        return tuple(decode(v, depth + 1) for v in body)
    if tag == "__dict__" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise BadRecord("malformed dict")
            key = decode(pair[0], depth + 1)
            try:
                out[key] = decode(pair[1], depth + 1)
            except TypeError:
                raise BadRecord("unhashable dict key") from None
        return out
    if tag == "__error__" and isinstance(body, dict):
        return Error(str(body.get("type", "Exception"))[:200], str(body.get("message", ""))[:2000])
    if tag == "__object__":
        return Opaque(str(body)[:200])
    raise BadRecord(f"unknown value tag {str(tag)[:40]!r}")


def _records(outputs: Any) -> list[Any]:
    found = []
    for output in outputs or []:
        if not isinstance(output, dict):
            continue
        if output.get("output_type") not in (
            "display_data",
            "execute_result",
            "update_display_data",
        ):
            continue
        data = output.get("data")
        if isinstance(data, dict) and MIME_TYPE in data:
            found.append(data[MIME_TYPE])
    return found


def read_record(outputs: Any, test_id: str, seed: int) -> dict[str, Any]:
    """The values of the one record of ``test_id`` in a cell's outputs; raises BadRecord.

    Exactly one record must be there, for this test and this submission's seed, within the size
    limit and well formed; anything else is no record at all.
    """
    found = _records(outputs)
    if not found:
        raise BadRecord("the hidden tests reported nothing")
    if len(found) > 1:
        raise BadRecord(f"the cell holds {len(found)} results of the hidden tests instead of one")
    record = found[0]
    if isinstance(record, str):  # a front end may store JSON as text
        if len(record) > MAX_RECORD_CHARS:
            raise BadRecord("the result of the hidden tests is over the size limit")
        try:
            record = json.loads(record)
        except ValueError:
            raise BadRecord("the result of the hidden tests is not valid JSON") from None
    try:
        size = len(json.dumps(record))
    except (TypeError, ValueError):
        raise BadRecord("the result of the hidden tests is not plain JSON") from None
    if size > MAX_RECORD_CHARS:
        raise BadRecord("the result of the hidden tests is over the size limit")
    if not isinstance(record, dict) or set(record) != {"test", "seed", "values"}:
        raise BadRecord("the result of the hidden tests is malformed")
    if record["test"] != test_id:
        raise BadRecord("the result of the hidden tests belongs to another test")
    if record["seed"] != seed or isinstance(record["seed"], bool):
        raise BadRecord("the result of the hidden tests was not made in this run")
    values = record["values"]
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise BadRecord("the result of the hidden tests is malformed")
    decoded: dict[str, Any] = {}
    for key, value in values.items():
        if key.endswith(".where"):
            continue
        item = decode(value)
        if isinstance(item, Error):
            where = values.get(f"{key}.where")
            item = Error(item.type, item.message, where if isinstance(where, str) else "")
        decoded[key] = item
    return decoded
