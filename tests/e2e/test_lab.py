"""End-to-end: `make lab` serves chapter 1 in JupyterLab, with the course kernel and nbgrader.

A student's first five minutes, in a real (headless) browser: the workspace is created, the
chapter opens, the course kernel starts, the first code cell runs and prints the device, and
nbgrader's Validate button is there, but none of the instructor's tools (formgrader, create
assignment) nor, without a hub, the exchange's Assignment and Course Lists. `make workspace` never
overwrites the student's work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from course.device import describe_device
from tests.e2e.server import (
    KERNEL_DISPLAY_NAME,
    KERNEL_IDLE,
    KERNEL_NAME,
    KERNEL_START_TIMEOUT_MS,
    NOTEBOOK,
    REPO,
    RUN_TIMEOUT_MS,
    Lab,
    make_env,
    run_make,
)
from tests.timeouts import hang_guard

# What nbgrader 0.9.6's lab extension adds to JupyterLab 4 besides the "Validate" button: an
# "Nbgrader" main menu with these commands, and a "Create Assignment" notebook tool. The student
# Lab (autograder/student_lab) has none of them, and nbgrader's server handlers behind them
# (formgrader, the exchange's lists) are off, so no "exchange directory does not exist" errors.
INSTRUCTOR_PLUGINS = {
    "@jupyter/nbgrader:menu",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
}
INSTRUCTOR_URLS = ("/formgrader", "/assignments", "/courses")


def first_code_source(notebook: Path) -> str:
    """Source of the first code cell of a notebook file."""
    cells = json.loads(notebook.read_text())["cells"]
    source = next(cell["source"] for cell in cells if cell["cell_type"] == "code")
    return "".join(source)


@pytest.mark.browser
@pytest.mark.slow
def test_make_lab_opens_chapter_with_course_kernel_and_nbgrader(
    lab: Lab, page: Any, artifacts: Path
) -> None:
    notebook = lab.workspace / NOTEBOOK
    assert notebook.is_file(), f"`make lab` did not put {NOTEBOOK} into the workspace"

    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
    panel = page.locator(".jp-NotebookPanel")
    expect(panel.locator(".jp-Cell").first).to_be_visible()
    page.wait_for_function(KERNEL_IDLE, timeout=KERNEL_START_TIMEOUT_MS)

    # The notebook runs on the course kernel that `make setup` installed in the venv.
    expect(panel.locator(".jp-Toolbar-kernelName")).to_have_text(KERNEL_DISPLAY_NAME)
    sessions = lab.api("/api/sessions")
    assert [(s["path"], s["kernel"]["name"]) for s in sessions] == [(NOTEBOOK, KERNEL_NAME)]

    # Run the first code cell the way a student does, and wait for it to finish.
    cell = panel.locator(".jp-CodeCell").first
    expect(cell.locator(".jp-InputArea-editor")).to_contain_text(
        first_code_source(notebook).splitlines()[0].strip()
    )
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputArea-prompt")).to_have_text("[1]:", timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE)
    outputs = cell.locator(".jp-OutputArea-output")
    expect(outputs.first).to_be_visible()
    # JupyterLab renders both stderr streams and exceptions with the stderr mime type.
    stderr = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    printed = "\n".join(outputs.all_inner_texts())
    assert stderr.count() == 0, f"the first code cell wrote to stderr or raised:\n{printed}"
    expected = describe_device()  # the kernel inherits this process's environment
    assert expected in printed, (
        f"the first code cell should print {expected!r}, it printed:\n{printed}"
    )

    # nbgrader's lab extension: the Validate button in the notebook toolbar ...
    validate = panel.locator(".jp-NotebookPanel-toolbar jp-button.validate-button")
    expect(validate).to_be_visible()
    expect(validate).to_have_text("Validate")
    cell.scroll_into_view_if_needed()
    shot = artifacts / "lab_notebook.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of the notebook: {shot}")

    # ... and nothing else of nbgrader's: no menu, no instructor commands, no handlers behind them.
    menus = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Nbgrader")
    expect(menus).to_have_count(0)
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    disabled = set(config.get("disabledExtensions", []))
    missing = INSTRUCTOR_PLUGINS - disabled
    assert not missing, f"enabled in the student Lab: {missing}"
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    for url in INSTRUCTOR_URLS:
        status = page.request.get(f"{lab.url}{url}?token={lab.token}").status
        assert status == 404, f"{url} answered {status} in the student Lab"
    shot = artifacts / "lab_menus.png"
    page.screenshot(path=str(shot))
    print(f"screenshot of the menus: {shot}")

    # A student must not see errors in the terminal that runs `make lab`.
    errors = lab.logged_errors()
    assert not errors, "JupyterLab or nbgrader logged errors:\n" + "\n".join(errors)


@pytest.mark.slow
def test_make_workspace_twice_keeps_student_edits(course_ready: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    release = REPO / "release"
    env = make_env(tmp_path / "jupyter-home")

    first = run_make("workspace", f"WORKSPACE={workspace}", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    notebook = workspace / NOTEBOOK
    assert notebook.read_bytes() == (release / NOTEBOOK).read_bytes()

    # The student solves something and keeps notes next to the notebook.
    content = json.loads(notebook.read_text())
    code = next(cell for cell in content["cells"] if cell["cell_type"] == "code")
    code["source"] = "".join(code["source"]) + "\n# my own edit: keep me\n"
    notebook.write_text(json.dumps(content, indent=1))
    edited = notebook.read_bytes()
    notes = workspace / NOTEBOOK.split("/")[0] / "my_notes.txt"
    notes.write_text("student notes\n")

    second = run_make("workspace", f"WORKSPACE={workspace}", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert notebook.read_bytes() == edited, "`make workspace` overwrote the student's notebook"
    assert notes.read_text() == "student notes\n"
    released = {p.relative_to(release) for p in release.rglob("*") if p.is_file()}
    missing = {p for p in released if not p.name.startswith(".") and not (workspace / p).is_file()}
    assert not missing, f"files of release/ not copied into the workspace: {sorted(missing)}"


def run_in_terminal(lab: Lab, command: str, timeout: float) -> str:
    """Type ``command`` into a new JupyterLab terminal (over its websocket, as Lab's terminal
    panel does) and return what the shell printed until the command finished."""
    import asyncio

    from tornado.websocket import websocket_connect

    name = lab.api("/api/terminals", method="POST")["name"]
    done = "TERMINAL-DONE-$((40+2))"  # the echoed command never holds the expanded marker

    async def talk() -> str:
        url = f"{lab.url.replace('http', 'ws', 1)}/terminals/websocket/{name}?token={lab.token}"
        socket = await websocket_connect(url)
        socket.write_message(json.dumps(["stdin", f"{command}; echo {done}\r"]))
        printed = ""
        while "TERMINAL-DONE-42" not in printed:
            message = await asyncio.wait_for(socket.read_message(), timeout)
            if message is None:
                break
            kind, *rest = json.loads(message)
            if kind == "stdout":
                printed += rest[0]
        socket.close()
        return printed

    try:
        return asyncio.run(talk())
    finally:
        lab.api(f"/api/terminals/{name}", method="DELETE")


@pytest.mark.browser
@pytest.mark.slow
def test_lab_terminal_starts_in_the_workspace_beside_the_course_python(lab: Lab) -> None:
    """00_start tells students to type `../.venv/bin/python -m autograder check
    01_neurons/01_neurons.ipynb` in Lab's terminal: it must open in the workspace, one folder
    below the course's virtual environment."""
    # `make lab` puts workspace/ in the course folder, beside .venv; this test's workspace lives
    # in a scratch folder, so the scratch folder gets the same layout.
    (lab.workspace.parent / ".venv").symlink_to(REPO / ".venv")
    printed = run_in_terminal(
        lab,
        "pwd; ../.venv/bin/python -m autograder check --help | head -n 1; "
        f"test -f {NOTEBOOK} && echo NOTEBOOK-IS-HERE",
        timeout=hang_guard(60),
    )
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", printed)  # the terminal's control sequences
    lines = [line.strip() for line in plain.replace("\r", "").splitlines()]
    assert str(lab.workspace.resolve()) in lines, printed
    assert any(line.startswith("usage: python -m autograder check") for line in lines), printed
    assert "NOTEBOOK-IS-HERE" in lines, printed
