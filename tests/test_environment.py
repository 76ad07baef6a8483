"""The conda environment and the pip install (pyproject.toml) pin the same packages."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^\s*-\s+(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s#]+)\s*$")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned with =="
        pins[normalized(name)] = version
    return pins


def environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = PIN.match(line)
        if m:
            pins[normalized(m["name"])] = m["version"]
    return pins


def test_environment_yml_pins_what_pyproject_pins():
    assert environment_pins() == pyproject_pins()


def test_environment_yml_installs_the_project_and_python_3_11():
    text = (ROOT / "environment.yml").read_text()
    assert "- python=3.11" in text
    assert "--editable ." in text


def test_pin_parser_sees_a_mismatch(tmp_path):
    # The comparison above must be able to fail: a changed version is a different mapping.
    pins = environment_pins()
    pins["torch"] = "0.0.0"
    assert pins != pyproject_pins()


def _dry_run(target: str, tmp_path: Path) -> str:
    """The commands `make TARGET` would run for a brand-new virtual environment."""
    if shutil.which("make") is None:
        pytest.skip("GNU make is not installed")
    done = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_students_install_without_the_test_tools(tmp_path):
    """`make lab` (through `setup`) installs the course only; `make test` adds the test extra."""
    setup = _dry_run("setup", tmp_path)
    assert "pip install -e .\n" in setup
    assert "[test]" not in setup
    assert "pip install --quiet -e '.[test]'" in _dry_run("test-setup", tmp_path)
    assert "[test]" not in _dry_run("workspace", tmp_path)
