"""Checks for notebook test cells: each raises AssertionError with a short, helpful message.

Messages are written for students. They go in stages (type, then shape, then dtype, then
device, then values) so that the first problem reported is the one to fix first, and they always
say what was expected and what was got.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.overrides import TorchFunctionMode

_TYPE_NAMES = {
    Tensor: "torch.Tensor",
    np.ndarray: "numpy.ndarray",
    torch.nn.Module: "torch.nn.Module",
}


def _type_name(t: type) -> str:
    if t in _TYPE_NAMES:
        return _TYPE_NAMES[t]
    module = t.__module__ or ""
    if module == "builtins":
        return t.__name__
    if module.startswith("torch.nn"):
        return f"torch.nn.{t.__name__}"
    root = module.split(".")[0]
    return f"{root}.{t.__name__}" if root in ("torch", "numpy") else t.__name__


def _article(name: str) -> str:
    return f"an {name}" if name[0].lower() in "aeiou" else f"a {name}"


def _describe_value_type(value: Any) -> str:
    return "None" if value is None else _article(_type_name(type(value)))


def _fmt_shape(shape: Any) -> str:
    dims = tuple("?" if d is None else int(d) for d in shape)
    return "(" + ", ".join(map(str, dims)) + ("," if len(dims) == 1 else "") + ")"


def _fmt_index(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, index)) + "]"


def _num(x: float) -> str:
    return f"{x:.6g}"


def check_type(value: Any, expected_type: type | tuple[type, ...], name: str = "result") -> None:
    """Fail unless `value` is an instance of `expected_type` (a type or a tuple of types).

    A bool does not count as an int or a float unless bool is asked for.
    """
    types = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if ok:
        return
    wanted = " or ".join(_article(_type_name(t)) for t in types)
    message = f"{name} should be {wanted}, but it is {_describe_value_type(value)}."
    if value is None:
        message += " Did the function forget to `return` its result?"
    elif isinstance(value, Tensor) and value.numel() == 1 and (float in types or int in types):
        message += " Use .item() to turn a one-element tensor into a Python number."
    elif Tensor in types and isinstance(value, list | tuple | np.ndarray | float | int):
        message += " Build the result with torch operations so that it stays a tensor."
    raise AssertionError(message)


def check_shape(value: Any, expected_shape: tuple[int | None, ...], name: str = "result") -> None:
    """Fail unless `value.shape` equals `expected_shape` (None in it matches any size)."""
    if not hasattr(value, "shape"):
        raise AssertionError(
            f"{name} should have shape {_fmt_shape(expected_shape)}, but it is "
            f"{_describe_value_type(value)}, which has no shape."
        )
    got = tuple(int(d) for d in value.shape)
    want = tuple(expected_shape)
    if len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want, strict=True)):
        return
    message = f"{name} should have shape {_fmt_shape(want)}, but it has shape {_fmt_shape(got)}."
    if len(got) == len(want) == 2 and got == want[::-1]:
        message += " It looks transposed."
    elif (
        len(got) == len(want) + 1
        and 1 in got
        and tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1)
    ):
        message += " It has an extra dimension of size 1 (see squeeze, keepdim)."
    elif (
        len(got) + 1 == len(want)
        and 1 in want
        and tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1)
    ):
        message += " It lacks a dimension of size 1 (see unsqueeze, keepdim=True)."
    raise AssertionError(message)


def _as_float64(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value.detach().cpu()
        if value.is_complex():
            return value.numpy()
        return value.to(torch.float64).numpy()
    return np.asarray(value, dtype=np.float64)


def _compare_values(
    actual: Any, expected: Any, name: str, rtol: float, atol: float, expected_label: str
) -> None:
    a = _as_float64(actual)
    e = _as_float64(expected)
    if a.shape != e.shape:
        check_shape(a, e.shape, name)
    same_special = (np.isnan(a) & np.isnan(e)) | (np.isinf(a) & (a == e))
    bad = ~np.isfinite(a) & ~same_special
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {_fmt_index(index)}" if index else ""
        kind = "NaN" if np.isnan(a[index]) else "infinity"
        raise AssertionError(
            f"{name} contains {kind}{where} (the expected value there is {_num(e[index])}). "
            "Look for a division by zero, log of 0, or exp of a large number."
        )
    with np.errstate(invalid="ignore"):  # inf - inf where both agree; masked out just below
        diff = np.where(same_special, 0.0, np.abs(a - e))
    wrong = diff > atol + rtol * np.where(same_special, 0.0, np.abs(e))
    if not wrong.any():
        return
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    where = f"at index {_fmt_index(index)} " if index else ""
    count = f" ({int(wrong.sum())} of {wrong.size} values are off)" if wrong.size > 1 else ""
    raise AssertionError(
        f"{name} has wrong values{count}: {where}it is {_num(a[index])}, but {expected_label} "
        f"{_num(e[index])}. The largest absolute difference is {_num(float(diff.max()))} "
        f"(tolerance: atol={atol:g}, rtol={rtol:g})."
    )


def check_close(
    actual: Any, expected: Any, name: str = "result", rtol: float = 1e-5, atol: float = 1e-6
) -> None:
    """Fail unless `actual` matches `expected` elementwise within atol + rtol * |expected|.

    Works on tensors, arrays and numbers. Shapes must match exactly (no broadcasting), and NaN or
    infinity in `actual` fails unless `expected` has the same value there.
    """
    _compare_values(actual, expected, name, rtol, atol, "the expected value is")


def _dtype_kind(dtype: torch.dtype) -> str:
    if dtype == torch.bool:
        return "boolean"
    if dtype.is_complex:
        return "complex"
    if dtype.is_floating_point:
        return "floating-point"
    return "integer"


def check_tensor(
    actual: Any,
    expected: Tensor,
    name: str = "result",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_device: bool = True,
) -> None:
    """Compare a tensor with the expected one in stages: type, shape, dtype kind, device, values.

    The dtype stage only asks for the same kind (floating-point, integer, boolean), so float32
    and float64 both pass against a float32 reference. The device stage catches results that
    were created on the CPU while the inputs live on a GPU.
    """
    check_type(actual, Tensor, name)
    check_shape(actual, tuple(expected.shape), name)
    want_kind, got_kind = _dtype_kind(expected.dtype), _dtype_kind(actual.dtype)
    if want_kind != got_kind:
        raise AssertionError(
            f"{name} should have a {want_kind} dtype like {expected.dtype}, but it has dtype "
            f"{actual.dtype}."
        )
    if check_device and actual.device != expected.device:
        raise AssertionError(
            f"{name} should be on device {expected.device} (where the inputs are), but it is on "
            f"{actual.device}. Create new tensors with device=x.device, or use torch.zeros_like."
        )
    check_close(actual, expected, name, rtol=rtol, atol=atol)


def check_finite(value: Any, name: str = "result") -> None:
    """Fail if `value` (tensor, array or number) contains NaN or infinity, saying where."""
    a = _as_float64(value)
    bad = ~np.isfinite(a)
    if not bad.any():
        return
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f" at index {_fmt_index(index)}" if index else ""
    kind = "NaN" if np.isnan(a[index]) else "infinity"
    count = f" ({int(bad.sum())} of {bad.size} values are not finite)" if bad.size > 1 else ""
    raise AssertionError(
        f"{name} should contain only finite numbers, but it contains {kind}{where}{count}. "
        "Look for a division by zero, log of 0, or exp of a large number."
    )


def _scalar(out: Any) -> float:
    if isinstance(out, Tensor):
        if out.numel() != 1:
            raise ValueError(
                f"f must return a single number, but it returned shape {_fmt_shape(out.shape)}."
            )
        return out.item()
    return float(out)


def numerical_gradient(f: Callable[[Tensor], Any], x: Tensor, eps: float = 1e-6) -> Tensor:
    """Estimate the gradient of a scalar function f at x by central differences, in float64.

    Returns a float64 tensor of x's shape on x's device (the CPU for Apple MPS, which lacks
    float64). Each component costs two calls of f on a fresh copy of x, so keep x small.
    """
    device = torch.device("cpu") if x.device.type == "mps" else x.device
    base = x.detach().to(device=device, dtype=torch.float64).clone()
    flat = base.reshape(-1)
    grad = torch.zeros_like(flat)
    with torch.no_grad():
        for i in range(flat.numel()):
            original = flat[i].item()
            flat[i] = original + eps
            f_plus = _scalar(f(base.clone()))
            flat[i] = original - eps
            f_minus = _scalar(f(base.clone()))
            flat[i] = original
            grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad.reshape(x.shape)


def check_gradient(
    f: Callable[[Tensor], Any],
    grad: Any,
    x: Tensor,
    name: str = "gradient",
    rtol: float = 1e-4,
    atol: float = 1e-6,
) -> None:
    """Fail unless `grad` matches the central-difference estimate of f's gradient at x.

    Staged: grad must be a tensor of x's shape with finite values before its values are compared.
    """
    check_type(grad, Tensor, name)
    check_shape(grad, tuple(x.shape), name)
    check_finite(grad, name)
    estimate = numerical_gradient(f, x)
    _compare_values(grad, estimate, name, rtol, atol, "the numerical estimate is")


class OpRecorder(TorchFunctionMode):
    """Record the PyTorch operations run inside a ``with OpRecorder() as ops:`` block.

    Test cells use it to tell students, for example, that their sigmoid calls the built-in one, or
    that an intermediate result overflowed. ``ops.names`` holds the name of every operation called
    ("exp", "add", "sigmoid", ...), whatever the spelling (``torch.sigmoid``, ``x.sigmoid()``,
    ``F.sigmoid``, a saved reference); ``ops.nonfinite`` lists, in order, the operations whose
    floating-point result held inf or NaN (PyTorch's silent overflow), except functions such as
    ``torch.empty_like`` whose fresh memory may hold anything until it is filled.
    """

    UNINITIALIZED = frozenset({"empty", "empty_like", "empty_strided", "new_empty"})

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.nonfinite: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        name = getattr(func, "__name__", str(func)).removeprefix("special_").strip("_")
        self.names.add(name)
        if (
            isinstance(result, Tensor)
            and result.is_floating_point()
            and name not in self.UNINITIALIZED
            and result.device.type != "meta"  # shapes only: there are no values to look at
            and not bool(torch.isfinite(result).all())
        ):
            self.nonfinite.append(name)
        return result

    def used(self, forbidden: set[str]) -> list[str]:
        """The operations from ``forbidden`` that were called, sorted."""
        return sorted(self.names & set(forbidden))
