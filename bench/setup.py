"""Time the set-up a student goes through: a fresh virtual environment and the project installed.

    .venv/bin/python bench/setup.py [--no-cache]

Does what ``make setup`` (and so ``make lab``) does on a fresh clone, in a temporary directory:
``python -m venv``, ``pip install --upgrade pip``, ``pip install -e .`` of a copy of this
project (what a student installs: no test tools), and the course's kernel. Reports the seconds
and the environment's size on disk. The project's own ``.venv`` and checkout are never touched.
pip's cache is used unless ``--no-cache`` (so the time is that of a machine that has installed the
course before, or of a local mirror).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What `pip install -e .` needs from the checkout: the build configuration and the packages.
PROJECT_FILES = ("pyproject.toml", "README.md", "course", "autograder")
KERNEL_ARGS = ["--name", "dlcourse", "--display-name", "Python 3 (deep-learning course)"]


def folder_size(path: Path) -> int:
    """Bytes of the regular files under ``path`` (links are not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def copy_project(dest: Path) -> Path:
    """A copy of the parts of the checkout that the install reads (no .venv, no results)."""
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copyfile(source, dest / name)
    return dest


def measure_setup(python: str | None = None, use_cache: bool = True) -> dict:
    """Create a venv and install the project into it; return seconds per step, total, size."""
    python = python or shutil.which("python3") or sys.executable
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    if not use_cache:
        env["PIP_NO_CACHE_DIR"] = "1"
    steps: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-setup-") as scratch:
        project = copy_project(Path(scratch) / "project")
        venv = project / ".venv"
        py = str(venv / "bin" / "python")
        commands = {
            "venv": [python, "-m", "venv", str(venv)],
            "upgrade pip": [py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            "install": [py, "-m", "pip", "install", "--quiet", "-e", "."],
            "kernel": [py, "-m", "ipykernel", "install", "--sys-prefix", *KERNEL_ARGS],
        }
        for name, command in commands.items():
            print(f"[setup] {name} ...", flush=True)
            start = time.perf_counter()
            subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
            steps.append({"step": name, "seconds": round(time.perf_counter() - start, 1)})
        size = folder_size(venv)
    return {
        "seconds": round(sum(s["seconds"] for s in steps), 1),
        "steps": steps,
        "size_mb": round(size / 2**20),
        "pip_cache": use_cache,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cache", action="store_true", help="install without pip's cache")
    args = parser.parse_args()
    print(json.dumps(measure_setup(use_cache=not args.no_cache), indent=2))


if __name__ == "__main__":
    main()
