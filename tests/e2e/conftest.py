"""Fixtures for the end-to-end tests: a `make lab` server and a page in headless Debian chromium."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import (
    CHROMIUM_ARGS,
    NOTEBOOK,
    REPO,
    Lab,
    free_port,
    make_env,
    missing,
)
from tests.timeouts import hang_guard, hang_guard_ms

# Milliseconds any single browser step may take: a hang guard (Playwright's `expect` defaults to
# 5 s, too short for a JupyterLab page on a loaded 2-core machine).
UI_TIMEOUT_MS = hang_guard_ms(30)


@pytest.fixture(scope="session")
def course_ready() -> Path:
    """Check that `make` exists, `make setup` is up to date and the chapter is released.

    A stale setup would make `make lab` reinstall the venv inside the test; say so instead.
    """
    if shutil.which("make") is None:
        missing("GNU make is not installed (apt-get install make)")
    if not (REPO / "release" / NOTEBOOK).is_file():
        pytest.fail(f"release/{NOTEBOOK} is missing: run `make release`", pytrace=False)
    stale = subprocess.run(
        ["make", "-C", str(REPO), "-q", "setup"],
        env=make_env(),
        capture_output=True,
        timeout=hang_guard(30),
    )
    if stale.returncode != 0:
        missing("the virtual environment is not set up or is stale: run `make setup` first")
    return REPO


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium (never a browser downloaded by `playwright install`)."""
    path = shutil.which("chromium")
    if path is None:
        missing("chromium is not installed (apt-get install chromium)")
    return path


# Screenshots and server logs land here (git-ignored) unless $E2E_ARTIFACTS names another folder.
ARTIFACTS = REPO / "tests" / "e2e" / "artifacts"


def artifacts_folder() -> Path:
    """The folder for screenshots and logs ($E2E_ARTIFACTS, else tests/e2e/artifacts/)."""
    folder = Path(os.environ.get("E2E_ARTIFACTS") or ARTIFACTS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and logs, kept after the run so that a person can look at them."""
    return artifacts_folder()


@contextmanager
def running_lab(course_ready: Path, scratch: Path, log: Path) -> Iterator[Lab]:
    """`make lab` on a fresh workspace under ``scratch``, on a free port with a random token,
    logging to ``log``; stopped when the block ends."""
    workspace = scratch / "workspace"
    port = free_port()
    token = secrets.token_hex(16)
    lab_args = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
    ]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses to start without this
        lab_args.append("--allow-root")
    command = ["make", "-C", str(course_ready), "lab", f"WORKSPACE={workspace}"]
    command.append(f"LAB_ARGS={' '.join(lab_args)}")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=make_env(scratch / "jupyter-home"),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: teardown ends make and jupyter
        )
    server = Lab(f"http://127.0.0.1:{port}", token, workspace, log, process)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
def lab(
    course_ready: Path, tmp_path: Path, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[Lab]:
    """`make lab` on a fresh workspace, for one test."""
    log = artifacts / f"{request.node.name}-lab.log"
    with running_lab(course_ready, tmp_path, log) as server:
        yield server


@pytest.fixture
def page(chromium_path: str, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A Playwright page in headless chromium; when the test fails, a screenshot is saved."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=UI_TIMEOUT_MS
        )
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            tab.set_default_timeout(UI_TIMEOUT_MS)
            yield tab
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                shot = artifacts / f"{request.node.name}-failure.png"
                tab.screenshot(path=str(shot))
                print(f"\nscreenshot at failure: {shot}")
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so that fixtures can see whether it failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
