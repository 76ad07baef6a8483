"""Pick the compute device once (CUDA, then Apple MPS, then CPU) and move things onto it.

Every notebook calls `get_device()` instead of hard-coding "cuda", so the same chapter runs on a
laptop CPU and on a GPU server. The environment variable COURSE_DEVICE overrides the choice.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import torch
from torch import nn

ENV_VAR = "COURSE_DEVICE"
ALLOWED = ("cpu", "cuda", "cuda:N", "mps")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _device_from_env(value: str) -> torch.device:
    """Parse and validate the COURSE_DEVICE value; raise a helpful error when it cannot be used."""
    text = value.strip().lower()
    unset = f"Unset it (for example `unset {ENV_VAR}` or `del os.environ['{ENV_VAR}']`)"
    kind, _, index = text.partition(":")
    if kind not in ("cpu", "cuda", "mps") or (index and (kind != "cuda" or not index.isdigit())):
        raise ValueError(
            f"{ENV_VAR}={value!r} is not a device this course knows. "
            f"Allowed values: {', '.join(ALLOWED)}."
        )
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"{ENV_VAR}={value!r} asks for a CUDA GPU, but PyTorch sees none on this machine. "
                f"{unset} to let the course pick a device."
            )
        if index and int(index) >= torch.cuda.device_count():
            raise RuntimeError(
                f"{ENV_VAR}={value!r} asks for GPU {index}, but only "
                f"{torch.cuda.device_count()} CUDA GPU(s) are visible. {unset} or pick another one."
            )
    if kind == "mps" and not _mps_available():
        raise RuntimeError(
            f"{ENV_VAR}={value!r} asks for Apple MPS, but it is not available on this machine. "
            f"{unset} to let the course pick a device."
        )
    return torch.device(text)


@functools.cache
def get_device() -> torch.device:
    """Return the device the course uses: $COURSE_DEVICE if set, else CUDA, else MPS, else CPU.

    The answer is cached so every cell agrees; call `get_device.cache_clear()` after changing the
    environment variable.
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return _device_from_env(value)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _torch_version() -> str:
    return torch.__version__.split("+")[0]


def describe_device(device: torch.device | None = None) -> str:
    """Describe a device in one plain sentence, e.g. "CPU (2 cores), torch 2.13.0"."""
    device = torch.device(device) if device is not None else get_device()
    version = _torch_version()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        gib = round(props.total_memory / 2**30)
        return f"CUDA GPU {props.name} ({gib} GiB), torch {version}"
    if device.type == "mps":
        return f"Apple MPS GPU, torch {version}"
    if device.type == "cpu":
        cores = os.cpu_count() or 1
        return f"CPU ({cores} {'core' if cores == 1 else 'cores'}), torch {version}"
    return f"{device.type.upper()} device, torch {version}"


def to_device(obj: Any, device: torch.device | str | None = None) -> Any:
    """Move a tensor, a module, or nested lists/tuples/dicts of them to `device`.

    The default device is `get_device()`. Anything else (numbers, strings, None) is returned
    unchanged. Modules are moved in place and returned, as `nn.Module.to` does.
    """
    device = torch.device(device) if device is not None else get_device()
    if isinstance(obj, torch.Tensor | nn.Module):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((key, to_device(value, device)) for key, value in obj.items())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # NamedTuple such as DataSplit
        return type(obj)(*(to_device(item, device) for item in obj))
    if isinstance(obj, list | tuple):
        return type(obj)(to_device(item, device) for item in obj)
    return obj
