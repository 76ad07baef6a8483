"""Describe the machine a benchmark runs on, and name its results file after it.

Numbers mean little without the hardware they came from, so every results file carries the CPU
model, cores, memory, accelerator, OS and versions, and the README prints them next to the tables.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
from pathlib import Path

import psutil


def cpu_model() -> str:
    """The CPU's marketing name (from /proc/cpuinfo on Linux), or what platform knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def accelerator() -> dict[str, str | float] | None:
    """The GPU PyTorch would use ({"kind", "name", "memory_gb"}), or None on a CPU-only machine."""
    import torch

    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return {
            "kind": "cuda",
            "name": props.name,
            "memory_gb": round(props.total_memory / 2**30, 1),
        }
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return {"kind": "mps", "name": "Apple MPS", "memory_gb": 0.0}
    return None


def describe_machine() -> dict:
    """Everything about this machine that explains a benchmark number."""
    import torch

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count() or 1,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "gpu": accelerator(),
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "torch": torch.__version__.split("+")[0],
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_label(machine: dict) -> str:
    """A file name for this machine's results: "cpu-2core", or the GPU's name ("nvidia-h100")."""
    gpu = machine.get("gpu")
    if gpu:
        slug = re.sub(r"[^a-z0-9]+", "-", str(gpu["name"]).lower()).strip("-")
        return slug or str(gpu["kind"])
    return f"cpu-{machine['cores']}core"


def summary(machine: dict) -> str:
    """One line for people: CPU, cores, memory, GPU, OS, Python, torch, date."""
    gpu = machine.get("gpu")
    gpu_text = f"GPU {gpu['name']} ({gpu['memory_gb']:g} GB)" if gpu else "no GPU"
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']:g} GB RAM, "
        f"{gpu_text}; {machine['os']}, Python {machine['python']}, torch {machine['torch']}; "
        f"{machine['date']}"
    )
