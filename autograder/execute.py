"""Run a notebook top to bottom in a fresh kernel, recording every failure instead of raising.

The kernel is ipykernel on the Python running the autograder (no kernelspec needs to be installed),
started in ``workdir`` with this process's environment (so COURSE_DEVICE passes through). A kernel
that dies or a cell that times out is written into the notebook as an error output on that cell;
the cells after it are marked as not run, so that their tests fail instead of passing silently.
"""

from __future__ import annotations

import copy
import logging
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output

from autograder.settings import CELL_TIMEOUT, KERNEL_DISPLAY_NAME, STARTUP_TIMEOUT

log = logging.getLogger(__name__)


class InfrastructureError(RuntimeError):
    """Grading failed for a reason that is not the student's (no kernel, a course cell that
    failed): nothing may be recorded for the submission."""


class KernelStartError(InfrastructureError):
    """The kernel could not be started: an infrastructure fault, not the student's."""


def own_python_kernel_spec(prefix: list[str] | None = None) -> KernelSpec:
    """ipykernel on the Python running the autograder (behind an optional sandbox ``prefix``),
    whatever kernel the notebook names, so no kernelspec needs to be installed."""
    argv = [
        sys.executable,
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        # Keeps the kernel's own start-up chatter (transport warnings) out of our stderr.
        "--IPKernelApp.log_level=ERROR",
    ]
    return KernelSpec(
        argv=[*(prefix or []), *argv], display_name=KERNEL_DISPLAY_NAME, language="python"
    )


class _OwnPythonKernelManager(AsyncKernelManager):
    """Starts ipykernel with sys.executable, whatever kernel the notebook names."""

    @property
    def kernel_spec(self) -> KernelSpec:
        return own_python_kernel_spec()


def _error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


async def _execute_cell(
    client: NotebookClient, cell: NotebookNode, index: int, timeout: int
) -> str:
    """Run one cell; return why the run must stop ("" to go on)."""
    try:
        await client.async_execute_cell(cell, index, execution_count=index + 1)
    except DeadKernelError:
        reason = "the kernel died while running this cell (it crashed, ran out of memory or exited)"
        cell.outputs.append(_error("KernelDied", reason))
        return f"the kernel died in cell {index}"
    except CellTimeoutError:
        cell.outputs.append(
            _error("CellTimeout", f"the cell ran longer than {timeout} s and was stopped")
        )
        return f"cell {index} timed out"
    return ""


async def run_cells(client: NotebookClient, nb: NotebookNode, timeout: int) -> None:
    """Run every cell in a kernel the client starts; record deaths and timeouts as outputs."""
    started = finished = False
    try:
        # The kernel echoes fd-level output (subprocesses, C extensions) to its own stdout, which
        # would mix with ours (``score --json``); the notebook keeps a copy of it anyway.
        async with client.async_setup_kernel(stdout=subprocess.DEVNULL):
            started = True
            for index, cell in enumerate(nb.cells):
                stopped = await _execute_cell(client, cell, index, timeout)
                if stopped:
                    for later in nb.cells[index + 1 :]:
                        if later.cell_type == "code" and later.source.strip():
                            later.outputs = [_error("NotRun", f"not run because {stopped}")]
                    break
            finished = True
    except Exception as exc:
        if not started:
            raise KernelStartError(f"could not start the kernel: {exc}") from exc
        if not finished:
            raise
        log.warning("the kernel did not shut down cleanly: %s", exc)


def execute(
    nb: NotebookNode,
    workdir: Path,
    timeout: int = CELL_TIMEOUT,
    startup_timeout: int = STARTUP_TIMEOUT,
) -> NotebookNode:
    """An executed copy of ``nb``, run in a fresh kernel whose working directory is ``workdir``.

    Errors in cells do not stop the run (nbgrader's allow_errors). Raises KernelStartError only when
    no kernel could be started at all.
    """
    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb,
        timeout=timeout,
        startup_timeout=startup_timeout,
        allow_errors=True,
        interrupt_on_timeout=False,
        kernel_manager_class=_OwnPythonKernelManager,
        kernel_name="python3",  # makes nbclient keep IPython's history in memory, not on disk
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(workdir)}},
        log=log,
    )
    run_sync(run_cells)(client, nb, timeout)
    return nb
