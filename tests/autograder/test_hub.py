"""autograder.hub: the roster, the shared environment's checks, each role's configuration and
JupyterHub's. The whole hub, with accounts and a browser, is tests/e2e/test_hub.py."""

from __future__ import annotations

import json
import os
import pwd
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.hub import config as hub_config
from autograder.hub import deploy
from autograder.hub.deploy import (
    HubError,
    HubSettings,
    environment_stamp,
    prepare_course,
    read_roster,
    world_can_run,
    write_role_configs,
)
from autograder.settings import COURSE_ID
from tests.e2e.server import REPO, make_env


def roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_a_roster_has_one_instructor_and_students(tmp_path: Path) -> None:
    result = read_roster(
        roster(tmp_path, "username,role,email\nmlopez,Instructor,x\nab,student,y\n")
    )
    assert result.instructor == "mlopez"
    assert result.students == ("ab",)
    assert result.users == ("mlopez", "ab")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,role\nab,student\n", "must name the columns"),
        ("username,role\nmlopez,instructor\nAb Cd,student\n", "not a valid account name"),
        ("username,role\nmlopez,instructor\nab,teacher\n", "role 'teacher'"),
        ("username,role\nmlopez,instructor\nab,student\nab,student\n", "ab appears twice"),
        ("username,role\nab,student\n", "exactly one instructor, not 0"),
        ("username,role\na,instructor\nb,instructor\nc,student\n", "exactly one instructor, not 2"),
        ("username,role\nmlopez,instructor\n", "no student"),
        ("username,role\n", "exactly one instructor"),
    ],
)
def test_a_bad_roster_is_refused_with_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(HubError, match=message):
        read_roster(roster(tmp_path, text))


def test_a_missing_roster_says_so(tmp_path: Path) -> None:
    with pytest.raises(HubError, match="cannot read the roster"):
        read_roster(tmp_path / "nope.csv")


def test_a_python_inside_a_closed_folder_is_refused(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    python = closed / "python3"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    closed.chmod(0o700)
    assert not world_can_run(python)
    closed.chmod(0o755)
    tmp_path.chmod(0o755)
    opened = all(p.stat().st_mode & stat.S_IXOTH for p in python.resolve().parents)
    assert world_can_run(python) == opened
    with pytest.raises(HubError, match="HUB_PYTHON"):
        closed.chmod(0o700)
        deploy.build_environment(tmp_path / "prefix", REPO, python, say=lambda _line: None)


def test_the_environment_is_rebuilt_only_when_the_course_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name in ("course/data.py", "autograder/cli.py", "pyproject.toml"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("x = 1\n")
    python = Path("/usr/bin/python3")
    first = environment_stamp(repo, python)
    assert environment_stamp(repo, python) == first
    (repo / "course" / "__pycache__").mkdir()
    (repo / "course" / "__pycache__" / "data.pyc").write_bytes(b"cache")
    assert environment_stamp(repo, python) == first  # bytecode is no change
    (repo / "course" / "data.py").write_text("x = 2\n")
    assert environment_stamp(repo, python) != first


def settings(tmp_path: Path) -> HubSettings:
    return HubSettings(
        prefix=str(tmp_path / "prefix"),
        exchange=str(tmp_path / "exchange"),
        course_dir=str(tmp_path / "home" / "mlopez" / COURSE_ID),
        instructor="mlopez",
        students=["ab", "cd"],
        port=9000,
        hub_port=9001,
        proxy_api_port=9002,
    )


def test_each_role_gets_its_tools(tmp_path: Path) -> None:
    folders = write_role_configs(settings(tmp_path))
    student, instructor = folders["student"], folders["instructor"]

    server = json.loads((student / "jupyter_server_config.json").read_text())["ServerApp"]
    extensions = server["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    for name in ("assignment_list", "course_list", "validate_assignment"):
        assert extensions[f"nbgrader.server_extensions.{name}"] is True
    assert server["terminado_settings"]["shell_command"] == ["/bin/bash"]
    disabled = json.loads((student / "labconfig" / "page_config.json").read_text())
    disabled = disabled["disabledExtensions"]
    assert (
        disabled["@jupyter/nbgrader:formgrader"] and disabled["@jupyter/nbgrader:create-assignment"]
    )
    for plugin in ("menu", "assignment-list", "course-list"):
        assert f"@jupyter/nbgrader:{plugin}" not in disabled

    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(student)).load_config()
    assert loaded.Exchange.root == str(tmp_path / "exchange")
    assert loaded.CourseDirectory.course_id == COURSE_ID
    assert loaded.Execute.kernel_name == "dlcourse"
    assert "CourseDirectory" not in loaded or "root" not in loaded.CourseDirectory

    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(instructor)).load_config()
    assert loaded.CourseDirectory.root == str(tmp_path / "home" / "mlopez" / COURSE_ID)
    assert loaded.Exchange.root == str(tmp_path / "exchange")
    assert not (instructor / "labconfig" / "page_config.json").exists()  # every tool
    for path in (tmp_path / "prefix" / "config").rglob("*"):
        assert path.stat().st_mode & (stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))


def test_the_course_folder_is_the_instructors_alone_and_kept(tmp_path: Path) -> None:
    owner = pwd.getpwuid(os.getuid())
    course_dir = tmp_path / COURSE_ID
    assert prepare_course(REPO, course_dir, owner)
    assert stat.S_IMODE(course_dir.stat().st_mode) == 0o700
    assert (course_dir / "source" / "01_neurons" / "01_neurons.ipynb").is_file()
    assert (course_dir / "release" / "01_neurons" / "01_neurons.ipynb").is_file()
    assert (course_dir / "nbgrader_config.py").is_file()
    # The packages come from the shared environment: a copy here would shadow them.
    assert not (course_dir / "course").exists() and not (course_dir / "autograder").exists()
    (course_dir / "gradebook.db").write_text("the instructor's")
    assert not prepare_course(REPO, course_dir, owner)
    assert (course_dir / "gradebook.db").read_text() == "the instructor's"


def test_the_hub_needs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(HubError, match="sudo make hub"):
        deploy.deploy(
            roster(tmp_path, "username,role\na,instructor\nb,student\n"),
            tmp_path / "p",
            tmp_path / "e",
            Path("/usr/bin/python3"),
        )


def test_jupyterhub_is_configured_for_the_roster(tmp_path: Path) -> None:
    hub = settings(tmp_path)
    state = tmp_path / "prefix" / "state"
    state.mkdir(parents=True)
    (state / "hub.json").write_text(json.dumps(hub.__dict__))
    c = Config()
    hub_config.configure(c, str(state / "hub.json"))
    assert c.JupyterHub.bind_url == "http://127.0.0.1:9000"
    assert c.JupyterHub.hub_bind_url == "http://127.0.0.1:9001"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:9002"
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.allowed_users == {"mlopez", "ab", "cd"}
    assert c.Authenticator.admin_users == {"mlopez"}
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert c.Spawner.cmd == [str(tmp_path / "prefix" / "venv" / "bin" / "jupyterhub-singleuser")]

    for user, role in (("mlopez", "instructor"), ("ab", "student")):
        spawner = SimpleNamespace(user=SimpleNamespace(name=user), environment={"KEEP": "1"})
        c.Spawner.pre_spawn_hook(spawner)
        assert spawner.environment["KEEP"] == "1"
        assert spawner.environment["JUPYTER_CONFIG_PATH"] == str(
            tmp_path / "prefix" / "config" / role
        )
        assert spawner.environment["PATH"].startswith(str(tmp_path / "prefix" / "venv" / "bin"))


def test_make_hub_passes_its_variables_on() -> None:
    result = subprocess.run(
        [
            "make",
            "-n",
            "-B",
            "-C",
            str(REPO),
            "hub",
            "HUB_ROSTER=r.csv",
            "HUB_PORT=9000",
            "HUB_ARGS=--setup-only",
        ],
        env=make_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.replace("\\\n", " ").splitlines()
    line = next(x for x in lines if "-m autograder hub" in x)
    for part in (
        "--roster r.csv",
        "--prefix /opt/dlcourse-hub",
        "--exchange /srv/nbgrader/exchange",
        "--python /usr/bin/python3",
        "--port 9000",
        "--setup-only",
    ):
        assert part in line, line
