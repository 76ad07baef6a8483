"""The untrusted step of grading: run one sanitized notebook in a fresh, confined kernel.

``run_task`` is the unit of work a local process pool or a Dask worker executes. It takes and
returns plain data (the notebook as JSON text, the data files as bytes), so it needs no access to
the course directory, and everything that could go wrong in the kernel comes back as outputs in
the notebook, never as an exception. Only an infrastructure fault (no kernel could be started)
is reported as such, so that nobody is given zero for it.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_output

from autograder.execute import KernelStartError, own_python_kernel_spec, run_cells
from autograder.notebook import is_test
from autograder.sandbox import (
    Limits,
    Watchdog,
    bwrap_prefix,
    font_cache,
    kernel_env,
    set_rlimits,
)
from autograder.settings import STARTUP_TIMEOUT
from course.probe import MAX_RECORD_CHARS, MIME_TYPE

log = logging.getLogger(__name__)


class _ConfinedKernelManager(AsyncKernelManager):
    """Starts ipykernel (with this Python) behind an optional sandbox prefix, with an empty
    environment, resource limits, and a watchdog on the kernel's memory and total time."""

    def __init__(self, prefix: list[str], env: dict[str, str], limits: Limits, **kwargs: Any):
        super().__init__(**kwargs)
        self._prefix = prefix
        self._env = env
        self._limits = limits
        self.watchdog: Watchdog | None = None

    @property
    def kernel_spec(self) -> KernelSpec:
        return own_python_kernel_spec(self._prefix)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        kw["env"] = dict(self._env)
        kw["preexec_fn"] = functools.partial(set_rlimits, self._limits)
        kw["stdout"] = subprocess.DEVNULL
        kw["stderr"] = subprocess.DEVNULL
        await super()._async_launch_kernel(kernel_cmd, **kw)
        pid = getattr(self.provisioner, "pid", None)
        if pid is not None:
            self.watchdog = Watchdog(pid, self._limits)
            self.watchdog.start()


class _LimitedClient(NotebookClient):
    """nbclient that keeps at most ``max_output_bytes`` of output for the whole notebook, plus
    one probe record per test cell (each within its own size limit)."""

    def __init__(self, *args: Any, max_output_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._budget = max_output_bytes
        self._used = 0
        self._flagged: set[int] = set()
        self._recorded: set[int] = set()

    def _is_record(self, content: dict, cell_index: int, size: int) -> bool:
        """A test cell's first probe record within its size limit: it has a budget of its own,
        so that a notebook that printed too much still gets its hidden tests judged."""
        data = content.get("data") or {}
        if list(data) != [MIME_TYPE] or size > MAX_RECORD_CHARS or cell_index in self._recorded:
            return False
        cells = self.nb.cells
        return 0 <= cell_index < len(cells) and is_test(cells[cell_index])

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001, ANN201 (nbclient's API)
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in (content.get("data") or {}).values()
        )
        if msg.get("msg_type") == "display_data" and self._is_record(content, cell_index, size):
            self._recorded.add(cell_index)
            return super().output(outs, msg, display_id, cell_index)
        self._used += size
        if self._used > self._budget:
            if cell_index not in self._flagged:
                self._flagged.add(cell_index)
                limit = self._budget / 2**20
                outs.append(
                    _error("OutputLimit", f"the notebook printed more than {limit:g} MB; cut here")
                )
            return None
        return super().output(outs, msg, display_id, cell_index)


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _explain_kill(nb: NotebookNode, reason: str) -> None:
    """Say in the notebook which limit stopped the kernel, where it says that the kernel died."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") == "KernelDied":
                output["ename"] = "LimitExceeded"
                output["evalue"] = f"stopped: {reason}"
                output["traceback"] = [f"LimitExceeded: stopped: {reason}"]
            elif output.get("output_type") == "error" and output.get("ename") == "NotRun":
                output["evalue"] = f"not run because {reason}"
                output["traceback"] = [f"NotRun: not run because {reason}"]


def execute_confined(
    nb: NotebookNode,
    files: dict[str, bytes],
    sandbox: str,
    limits: Limits,
    startup_timeout: int = STARTUP_TIMEOUT,
) -> NotebookNode:
    """An executed copy of ``nb``, run in a scratch directory holding only ``files``.

    ``sandbox`` is "bwrap" or "none". Raises KernelStartError when no kernel could be started.
    """
    with tempfile.TemporaryDirectory(prefix="ag-", ignore_cleanup_errors=True) as tmp:
        scratch = Path(tmp) / "work"
        sockets = Path(tmp) / "sockets"
        scratch.mkdir()
        sockets.mkdir()
        for name, data in files.items():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        prefix = bwrap_prefix(scratch, sockets, limits) if sandbox == "bwrap" else []
        # HOME (IPython's profile, caches) is the sandbox's private /tmp, or a folder beside the
        # scratch directory: the scratch directory holds only the data files.
        home = Path("/tmp") if sandbox == "bwrap" else Path(tmp) / "home"
        if sandbox != "bwrap":
            (home / "matplotlib").mkdir(parents=True)
            for cache in font_cache():
                shutil.copyfile(cache, home / "matplotlib" / cache.name)
        km = _ConfinedKernelManager(prefix, kernel_env(home), limits)
        km.connection_file = str(sockets / "kernel.json")
        if sandbox == "bwrap" or os.name == "posix":
            # ZMQ over Unix sockets in the private folder: there is no network in the sandbox, and
            # without one, TCP ports picked at random can collide between kernels starting at once.
            km.transport = "ipc"
            km.ip = str(sockets / "k")
        client = _LimitedClient(
            nb,
            km=km,
            timeout=limits.cell_timeout,
            startup_timeout=startup_timeout,
            allow_errors=True,
            interrupt_on_timeout=False,
            kernel_name="python3",
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(scratch)}},
            log=log,
            max_output_bytes=limits.max_output_bytes,
        )
        try:
            run_sync(run_cells)(client, nb, limits.cell_timeout)
        finally:
            if km.watchdog is not None:
                km.watchdog.stop()
            # nbclient leaves a kernel manager it was handed running: stop the kernel here, or it
            # lives (with everything the notebook allocated) as long as this process does.
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        if km.watchdog is not None and km.watchdog.reason:
            _explain_kill(nb, km.watchdog.reason)
    return nb


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one sanitized submission; the function local workers and Dask workers run.

    ``task``: key, notebook (JSON text), files ({relative path: bytes}), sandbox, limits (dict).
    Returns key, status ("executed" or "infrastructure"), notebook (JSON text or None), reason,
    seconds.
    """
    start = time.monotonic()
    nb = nbformat.reads(task["notebook"], as_version=4)
    limits = Limits(**task["limits"])
    result: dict[str, Any] = {"key": task["key"], "notebook": None, "reason": None}
    try:
        try:
            executed = execute_confined(nb, task["files"], task["sandbox"], limits)
        except KernelStartError as exc:  # no student code has run yet: one more try is safe
            log.warning("%s; trying once more", exc)
            time.sleep(1.0)
            executed = execute_confined(nb, task["files"], task["sandbox"], limits)
    except KernelStartError as exc:
        result.update(status="infrastructure", reason=str(exc))
    except Exception as exc:  # anything else in the harness is our fault, not the student's
        result.update(status="infrastructure", reason=f"{type(exc).__name__}: {exc}")
    else:
        result.update(status="executed", notebook=nbformat.writes(executed))
    result["seconds"] = round(time.monotonic() - start, 3)
    return result
