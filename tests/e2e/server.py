"""Helpers for the end-to-end tests: run the real `make` targets and drive a JupyterLab server.

Everything here is bounded in time: every wait has a timeout (a hang guard scaled by
$COURSE_TEST_TIMEOUT_SCALE, see tests/timeouts.py) and a server is ended with its whole process
group. Jupyter's user directories can point into a test's temporary folder, so a run neither
reads nor changes the developer's own JupyterLab settings and the course kernel must come from the
venv that `make setup` installed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.timeouts import hang_guard, hang_guard_ms

REPO = Path(__file__).resolve().parents[2]
CHAPTER = "01_neurons"
NOTEBOOK = f"{CHAPTER}/{CHAPTER}.ipynb"
KERNEL_NAME = "dlcourse"
KERNEL_DISPLAY_NAME = "Python 3 (deep-learning course)"
# Hang guards in seconds (milliseconds for Playwright's); each base value is ample when idle.
LAB_READY_TIMEOUT = hang_guard(60)  # from `make lab` to a server answering /api/status
MAKE_TIMEOUT = hang_guard(120)
API_TIMEOUT = hang_guard(10)  # one REST call to the server
STOP_GRACE = hang_guard(15)  # from SIGTERM to the server's whole process group gone
KILL_GRACE = hang_guard(5)  # the same after SIGKILL
KERNEL_START_TIMEOUT_MS = hang_guard_ms(60)  # torch makes the first start take a few seconds
RUN_TIMEOUT_MS = hang_guard_ms(120)  # a cell (or all of 00_start) run in the browser
# True in the page once the status bar reads "<kernel display name> | Idle" (the kernel started).
KERNEL_IDLE = f"document.body.innerText.includes('{KERNEL_DISPLAY_NAME} | Idle')"
# Flags that let Debian's chromium run headless in a container (REFERENCE.md). Playwright adds
# --headless and a fresh temporary profile (--user-data-dir) itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# "[E 2026-01-01 12:00:00.000 ServerApp] ..." (Jupyter) or "[NbGrader | ERROR] ..." (nbgrader).
ERROR_LINE = re.compile(r"^\[(?:[EC] \d|[^\]|]+\| (?:ERROR|CRITICAL)\])")
# Variables an outer `make test` exports; a nested make must not inherit its flags or variables.
_MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")


def missing(reason: str) -> NoReturn:
    """Fail when $CI is set (CI must prove the feature works), else skip with the reason."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def make_env(home: Path | None = None) -> dict[str, str]:
    """The environment for a nested `make`; with `home`, Jupyter's user directories live there."""
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARIABLES}
    env.pop("JUPYTER_PATH", None)  # kernels and extensions must come from the venv alone
    env.pop("MPLBACKEND", None)  # the suite sets Agg; a student's kernel draws plots inline
    if home is not None:
        config = home / "config"
        env.update(
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(home / "data"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            IPYTHONDIR=str(home / "ipython"),
        )
        # No "Would you like to get notified about official Jupyter news?" toast over the notebook.
        settings = config / "lab/user-settings/@jupyterlab/apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
    return env


def run_make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `make -C REPO ARGS...` to completion (bounded) and return its result."""
    return subprocess.run(
        ["make", "-C", str(REPO), *args],
        env=env if env is not None else make_env(),
        capture_output=True,
        text=True,
        timeout=MAKE_TIMEOUT,
        check=False,
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def group_alive(pgid: int) -> bool:
    """True while a process of the group still runs (zombies waiting to be reaped do not count).

    Waiting for `make` alone is not enough: it dies at once on SIGTERM while Jupyter, its child,
    may still be shutting down, and a server left behind would hold its port and its kernel.
    """
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel whether the group still exists
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        if int(group) == pgid and state != "Z":
            return True
    return False


@dataclass
class Lab:
    """A running `make lab` server."""

    url: str
    token: str
    workspace: Path
    log: Path
    process: subprocess.Popen[bytes]

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API with the token; return the decoded JSON (None if empty)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=API_TIMEOUT) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for failure messages."""
        return self.log.read_text(errors="replace")[-chars:]

    def logged_errors(self) -> list[str]:
        """Lines the server logged at level ERROR or CRITICAL (Jupyter's and nbgrader's formats)."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if ERROR_LINE.search(line)]

    def wait_ready(self, timeout: float = LAB_READY_TIMEOUT) -> None:
        """Poll /api/status until the server answers; fail early if `make lab` exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"`make lab` exited with {self.process.returncode}:\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                self.api("/api/status")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        pytest.fail(
            f"JupyterLab not ready after {timeout:.0f} s:\n{self.log_tail()}", pytrace=False
        )

    def stop(self) -> None:
        """Shut the kernels down, then end the server's whole process group (bounded)."""
        if self.process.poll() is None:
            try:
                for kernel in self.api("/api/kernels"):
                    self.api(f"/api/kernels/{kernel['id']}", method="DELETE")
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                pass  # the server is already going; the signal below ends it anyway
        pgid = self.process.pid  # the group leader is `make`, started in a new session
        for sig, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, KILL_GRACE)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + grace
            while group_alive(pgid) and time.monotonic() < deadline:
                self.process.poll()  # reap make as soon as it exits
                time.sleep(0.1)
            if not group_alive(pgid):
                break
            if sig == signal.SIGTERM:
                print(f"\nJupyterLab still ran {grace:.0f} s after SIGTERM; sending SIGKILL")
        self.process.wait(timeout=KILL_GRACE)
