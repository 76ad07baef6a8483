"""The untrusted step of grading: run one sanitized notebook in a fresh, confined kernel.

``run_task`` is the unit of work a local process pool or a Dask worker executes. It takes and
returns plain data (the notebook as JSON text, the data files as bytes), so it needs no access to
the course directory, and everything that could go wrong in the kernel comes back as outputs in
the notebook, never as an exception. Only an infrastructure fault (no kernel could be started)
is reported as such, so that nobody is given zero for it.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
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
from nbclient import NotebookClient
from nbformat import NotebookNode
from nbformat.v4 import new_output

from autograder.execute import (
    InfrastructureError,
    KernelStartError,
    own_python_kernel_spec,
    run_cells,
)
from autograder.notebook import is_test
from autograder.probing import infrastructure_fault
from autograder.sandbox import (
    Limits,
    Watchdog,
    become_subreaper,
    bwrap_prefix,
    descendants,
    font_cache,
    kernel_env,
    kill_new_processes,
    set_rlimits,
)
from autograder.settings import STARTUP_TIMEOUT
from course.probe import MAX_RECORD_CHARS, MIME_TYPE

log = logging.getLogger(__name__)


class _ConfinedKernelManager(AsyncKernelManager):
    """Starts ipykernel (with this Python) behind an optional sandbox prefix, with an empty
    environment, resource limits, and a watchdog on the kernel's memory and total time."""

    def __init__(
        self,
        prefix: list[str],
        env: dict[str, str],
        limits: Limits,
        watch: dict[str, Any],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._prefix = prefix
        self._env = env
        self._limits = limits
        self._watch = watch  # what the watchdog needs besides the pid: before, mounts, sockets
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
            self.watchdog = Watchdog(pid, self._limits, **self._watch)
            self.watchdog.start()


# Kernel messages that become (or change) outputs, and widget traffic: all count in the budget.
_OUTPUT_MESSAGES = frozenset(
    {
        "stream",
        "display_data",
        "update_display_data",
        "execute_result",
        "error",
        "comm_open",
        "comm_msg",
    }
)


def _size(content: Any) -> int:
    """An upper bound on the bytes a message's content adds to the notebook (ASCII JSON)."""
    return len(json.dumps(content, default=str))


class _LimitedClient(NotebookClient):
    """nbclient that keeps at most ``max_output_bytes`` of output for the whole notebook, counted
    over every kind of output message (text, data, metadata, display updates, errors, widget
    messages), plus one probe record per test cell (each within its own size limit)."""

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
        if not isinstance(data, dict) or list(data) != [MIME_TYPE] or size > MAX_RECORD_CHARS:
            return False
        if content.get("transient") or cell_index in self._recorded:
            return False
        cells = self.nb.cells
        return 0 <= cell_index < len(cells) and is_test(cells[cell_index])

    def process_message(self, msg, cell, cell_index):  # noqa: ANN001, ANN201 (nbclient's API)
        kind = msg.get("msg_type")
        if kind not in _OUTPUT_MESSAGES:
            return super().process_message(msg, cell, cell_index)
        content = msg.get("content") or {}
        size = _size(content)
        if kind == "display_data" and self._is_record(content, cell_index, size):
            self._recorded.add(cell_index)
            return super().process_message(msg, cell, cell_index)
        self._used += size
        if self._used > self._budget:
            if cell_index not in self._flagged:
                self._flagged.add(cell_index)
                limit = self._budget / 2**20
                cell.outputs.append(
                    _error("OutputLimit", f"the notebook printed more than {limit:g} MB; cut here")
                )
            return None
        return super().process_message(msg, cell, cell_index)


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


async def _run_then_stop(
    client: NotebookClient,
    nb: NotebookNode,
    km: _ConfinedKernelManager,
    timeout: int,
    before: set[int],
) -> None:
    """Run the cells, then stop the kernel and everything the notebook started."""
    try:
        await run_cells(client, nb, timeout)
    finally:
        if km.watchdog is not None:
            km.watchdog.stop()
        if client.kc is not None:
            client.kc.stop_channels()
        # nbclient leaves a kernel manager it was handed running: stop the kernel here, or it
        # lives (with everything the notebook allocated) as long as this process does.
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
        # and whatever the notebook started that outlived the kernel (a daemon, a child it
        # detached): nothing a submission started runs on after its notebook
        kill_new_processes(before)


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
        become_subreaper()
        before = descendants()
        watch = {
            "before": before,
            # the sandbox's tmpfs mounts hold memory; without a sandbox these are the host's
            "mounts": ("/tmp", "/dev/shm", str(scratch)) if sandbox == "bwrap" else (),
            "sockets": sockets,
        }
        km = _ConfinedKernelManager(prefix, kernel_env(home), limits, watch)
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
            store_widget_state=False,
            resources={"metadata": {"path": str(scratch)}},
            log=log,
            max_output_bytes=limits.max_output_bytes,
        )
        # A private event loop: a grading worker is forked, and the loop it would inherit (the
        # parent's, shared through jupyter_core's run_sync) still watches the parent's ZMQ
        # sockets, which in a child fail with EINTR forever and hang the run.
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(_run_then_stop(client, nb, km, limits.cell_timeout, before))
        finally:
            loop.close()
        if km.watchdog is not None and km.watchdog.reason:
            _explain_kill(nb, km.watchdog.reason)
    return nb


def execute_graded(
    nb: NotebookNode,
    files: dict[str, bytes],
    sandbox: str,
    limits: Limits,
    trusted: int = 0,
) -> NotebookNode:
    """``execute_confined``, tried once more when the kernel does not start or one of the first
    ``trusted`` cells (the course's own code, see ``probing.trusted_prefix``) fails or times out.

    Raises InfrastructureError (KernelStartError for a kernel) when the second try fails too:
    that is the grading environment's fault, and nothing may be recorded as the student's.
    """
    for attempt in (1, 2):
        try:
            executed = execute_confined(copy.deepcopy(nb), files, sandbox, limits)
        except KernelStartError as exc:  # no student code has run yet: one more try is safe
            if attempt == 2:
                raise
            log.warning("%s; trying once more", exc)
            time.sleep(1.0)
            continue
        fault = infrastructure_fault(executed, trusted)
        if fault is None:
            return executed
        if attempt == 2:
            raise InfrastructureError(fault)
        log.warning("%s; trying once more", fault)
    raise AssertionError("unreachable")


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Execute one sanitized submission; the function local workers and Dask workers run.

    ``task``: key, notebook (JSON text), files ({relative path: bytes}), sandbox, limits (dict),
    trusted (how many leading cells are the course's own code). Returns key, status ("executed"
    or "infrastructure"), notebook (JSON text or None), reason, seconds.
    """
    start = time.monotonic()
    nb = nbformat.reads(task["notebook"], as_version=4)
    limits = Limits(**task["limits"])
    result: dict[str, Any] = {"key": task["key"], "notebook": None, "reason": None}
    try:
        executed = execute_graded(
            nb, task["files"], task["sandbox"], limits, int(task.get("trusted", 0))
        )
    except InfrastructureError as exc:
        result.update(status="infrastructure", reason=str(exc))
    except Exception as exc:  # anything else in the harness is our fault, not the student's
        result.update(status="infrastructure", reason=f"{type(exc).__name__}: {exc}")
    else:
        result.update(status="executed", notebook=nbformat.writes(executed))
    result["seconds"] = round(time.monotonic() - start, 3)
    return result
