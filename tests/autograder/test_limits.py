"""Limits without holes: what a grading kernel holds, writes, prints and leaves behind is bounded.

Each test runs a small hostile notebook through ``runner.execute_confined``, the function every
grader (``grade``, ``score``, nbgrader's ExecuteConfined) runs a submission with.
"""

from __future__ import annotations

import json
import uuid

import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.runner import execute_confined
from autograder.sandbox import Limits, bwrap_works
from tests.timeouts import hang_guard

needs_bwrap = pytest.mark.skipif(not bwrap_works(), reason="the sandbox (bubblewrap) is needed")
MODES = [pytest.param("bwrap", marks=needs_bwrap), "none"]
MB = 2**20


def run(*sources: str, sandbox: str = "bwrap", files: dict[str, bytes] | None = None, **limits):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    return execute_confined(nb, files or {}, sandbox, Limits(**limits))


def texts(nb) -> list[str]:
    """Per cell: its stdout, then every error as 'Name: value'."""
    found = []
    for cell in nb.cells:
        parts = [o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"]
        parts += [
            f"{o['ename']}: {o['evalue']}" for o in cell.outputs if o.get("output_type") == "error"
        ]
        found.append("".join(parts))
    return found


def alive(token: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if token in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


DETACHED_CHILD = """
import subprocess, sys
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(600)", "{token}"],
    start_new_session=True, stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
print("started")
"""


@pytest.mark.parametrize("sandbox", MODES)
def test_a_detached_daemon_does_not_outlive_its_notebook(sandbox: str) -> None:
    token = f"daemon-{uuid.uuid4().hex}"
    nb = run(DETACHED_CHILD.format(token=token), "print('done')", sandbox=sandbox)
    assert texts(nb) == ["started\n", "done\n"]
    assert not alive(token), "a process the notebook started is still running"


@pytest.mark.parametrize("sandbox", MODES)
def test_a_timed_out_kernel_is_gone_with_everything_it_started(sandbox: str) -> None:
    token = f"spinner-{uuid.uuid4().hex}"
    nb = run(
        DETACHED_CHILD.format(token=token),
        "while True:\n    pass",  # the hostile cell: no limit is long enough for it
        "print('never')",
        sandbox=sandbox,
        cell_timeout=hang_guard(1.5),
    )
    assert "CellTimeout" in texts(nb)[1]
    assert "NotRun" in texts(nb)[2]
    assert not alive(token), "the timed-out notebook's processes are still running"


@needs_bwrap
def test_shared_memory_and_dev_are_bounded() -> None:
    nb = run(
        "def fill(path, mb):\n"
        "    try:\n"
        "        with open(path, 'wb') as f:\n"
        "            for _ in range(mb):\n"
        "                f.write(b'x' * 2**20)\n"
        "        return 'wrote'\n"
        "    except OSError as e:\n"
        "        return type(e).__name__ + ' ' + str(e.errno)\n"
        "print(fill('/dev/shm/big', 64))",
        "print(fill('/dev/big', 1))",
        tmp_bytes=16 * MB,
    )
    shm, dev = texts(nb)
    assert shm.startswith("OSError 28"), f"/dev/shm took 64 MB past a 16 MB limit: {shm}"
    assert dev.startswith("OSError 30"), f"/dev is writable: {dev}"


@needs_bwrap
def test_data_files_are_read_only_in_the_sandbox() -> None:
    nb = run(
        "try:\n    open('data.txt', 'a').write('x' * 100)\n    print('appended')\n"
        "except OSError as e:\n    print('refused', e.errno)",
        "print(open('data.txt').read())",
        files={"data.txt": b"given"},
    )
    assert texts(nb) == ["refused 30\n", "given\n"]


@pytest.mark.parametrize("sandbox", MODES)
def test_memfds_count_as_memory(sandbox: str) -> None:
    nb = run(
        "import os, time\n"
        "fd = os.memfd_create('hoard')\n"
        "for _ in range(300):\n"
        "    os.write(fd, b'x' * 2**20)\n"
        "print('held 300 MB')\n"
        "time.sleep(20)",
        "print('after')",
        sandbox=sandbox,
        memory_mb=200,
        cell_timeout=hang_guard(60),
    )
    assert "LimitExceeded" in texts(nb)[0] and "memory" in texts(nb)[0], texts(nb)


@needs_bwrap
def test_tmpfs_files_count_as_memory() -> None:
    # each tmpfs alone is within its size limit; together they hold more than the memory limit
    nb = run(
        "import time\n"
        "for path in ('/tmp/a', '/dev/shm/b', 'c'):\n"
        "    with open(path, 'wb') as f:\n"
        "        for _ in range(90):\n"
        "            f.write(b'x' * 2**20)\n"
        "print('held 270 MB')\n"
        "time.sleep(20)",
        memory_mb=200,
        tmp_bytes=128 * MB,
        cell_timeout=hang_guard(60),
    )
    assert "LimitExceeded" in texts(nb)[0] and "memory" in texts(nb)[0], texts(nb)


@pytest.mark.parametrize("sandbox", MODES)
def test_the_socket_folder_is_not_storage(sandbox: str) -> None:
    nb = run(
        "import os, time, ipykernel\n"
        "folder = os.path.dirname(ipykernel.get_connection_file())\n"
        "with open(os.path.join(folder, 'stash'), 'wb') as f:\n"
        "    for _ in range(8):\n"
        "        f.write(b'x' * 2**20)\n"
        "time.sleep(20)",
        "print('after')",
        sandbox=sandbox,
        cell_timeout=hang_guard(60),
    )
    assert "LimitExceeded" in texts(nb)[0] and "socket" in texts(nb)[0], texts(nb)


HUGE = 3 * MB  # each hostile cell tries to add this much; the budget is 1 MB
OUTPUT_FLOODS = {
    "stream": "print('x' * {n})",
    "display_data": (
        "from IPython.display import display\ndisplay({{'text/plain': 'x' * {n}}}, raw=True)"
    ),
    "update_display_data": (
        "from IPython.display import display, update_display\n"
        "display({{'text/plain': 'start'}}, raw=True, display_id='d')\n"
        "for i in range(30):\n"
        "    update_display({{'text/plain': str(i) + 'x' * ({n} // 10)}}, raw=True, display_id='d')"
    ),
    "metadata": (
        "from IPython.display import display\n"
        "display({{'text/plain': 'small'}}, metadata={{'junk': 'x' * {n}}}, raw=True)"
    ),
    "execute_result": "'x' * {n}",
    "error": "raise ValueError('x' * {n})",
    "many small outputs": "for i in range(4000):\n    print('y' * 1000, flush=True)",
}


@pytest.mark.parametrize("kind", list(OUTPUT_FLOODS))
def test_every_kind_of_output_counts_in_the_budget(kind: str) -> None:
    source = OUTPUT_FLOODS[kind].format(n=HUGE)
    nb = run(source, source, "print('after')", sandbox="none", max_output_bytes=MB)
    size = len(json.dumps([c.outputs for c in nb.cells]))
    assert size < 1.5 * MB, f"{kind}: {size / MB:.1f} MB of output kept with a 1 MB budget"
    assert any("OutputLimit" in t for t in texts(nb)), texts(nb)


@pytest.mark.parametrize("sandbox", MODES)
def test_the_kernel_never_inherits_the_graders_python_flags(
    sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PYTHONOPTIMIZE would strip the asserts of the probes; PYTHONPATH could shadow packages
    monkeypatch.setenv("PYTHONOPTIMIZE", "2")
    monkeypatch.setenv("PYTHONPATH", "/nonexistent-shadow")
    monkeypatch.setenv("PYTHONWARNINGS", "error")
    nb = run(
        "import os, sys\n"
        "names = sorted(k for k in os.environ if k.startswith('PYTHON'))\n"
        "print(sys.flags.optimize, __debug__, names)",
        sandbox=sandbox,
    )
    assert texts(nb) == ["0 True ['PYTHONDONTWRITEBYTECODE', 'PYTHONNOUSERSITE']\n"]
