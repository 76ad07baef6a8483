"""`make test` runs with `-n auto --dist loadgroup`: tests marked ``xdist_group(name)`` must share
one worker, or every worker builds the group's expensive module fixtures again (a course graded
twice, a chapter executed twice) and the suite takes several times longer.

pytest 9.2.0 stores a node's id where pytest-xdist 3.8.0 cannot append its ``@group`` suffix, so
with that pair the groups are silently ignored; the project pins pytest 9.1.1 for this reason. This
test runs a small suite under the same options and fails if its group is split.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.timeouts import hang_guard

SUITE = """
import os
import pytest


@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("i", range(8))
def test_grouped(i):
    print(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(SUITE, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "no:cacheprovider", "-c", str(tmp_path / "pytest.ini"), str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=hang_guard(120),
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    workers = re.findall(r"\[(gw\d+)\].*PASSED", run.stdout)
    assert len(workers) == 8, run.stdout
    assert len(set(workers)) == 1, (
        f"the group was split over workers {sorted(set(workers))}: pytest-xdist's loadgroup "
        "does not work with this pytest (see this module's docstring)\n" + run.stdout
    )
