"""Prepare one machine for a class on JupyterHub, then start the hub (``python -m autograder hub``).

It runs as root: it creates accounts, and the hub starts each user's server under their account.
Every step can be repeated; nothing a person made is overwritten:

- **accounts**: one system account per roster line (created if missing), each home closed to
  every other account (mode 700), so no student reads another's work;
- **the shared environment** in PREFIX (default ``/opt/dlcourse-hub``), readable by every account:
  a virtual environment with the course's pinned packages and JupyterHub (made with a Python that
  every account can run, not one inside root's home), the course kernel, and JupyterHub's proxy
  installed from the pinned ``proxy/package-lock.json``; rebuilt only when the course changed;
- **nbgrader's exchange** (default ``/srv/nbgrader/exchange``), writable by all, with the sticky
  bit, as nbgrader documents;
- **the course directory** in the instructor's home: ``source/`` (solutions and hidden tests),
  ``release/`` and ``nbgrader_config.py``, readable by the instructor alone. The ``course`` and
  ``autograder`` packages are not copied there: every account imports the installed ones;
- **one Jupyter configuration per role** (``PREFIX/config/instructor`` and ``.../student``): the
  instructor gets nbgrader's formgrader pointed at the course directory; students get the
  Assignment List, the Course List and Validate, and none of the instructor's tools.

Then it replaces itself with ``jupyterhub``, which reads ``autograder.hub.config``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.paths import PACKAGE_ROOT, course_root
from autograder.settings import COURSE_ID, KERNEL_DISPLAY_NAME, KERNEL_NAME
from autograder.workspace import STUDENT_CONFIG

ROLES = ("instructor", "student")
# What POSIX and useradd accept as an account name (Debian's default NAME_REGEX, lowercase).
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
PROXY_FILES = Path(__file__).parent / "proxy"
STUDENT_LAB = PACKAGE_ROOT / "autograder" / "student_lab"
# What the instructor's course directory holds (the packages come from the shared environment).
COURSE_FILES = ("source", "release", "nbgrader_config.py")
# Jupyter's terminal runs a login shell under a hub, and Debian's /etc/profile then resets PATH,
# so `python` would no longer be the course's. A plain interactive bash keeps the server's PATH.
TERMINAL = {"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}}
# JupyterLab's defaults for every account of the hub: no prompt to fetch Jupyter's news over the
# first notebook a student opens, and no update check (the class machine may be offline).
LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}


class HubError(Exception):
    """The hub cannot be set up; the message says what to change."""


@dataclass(frozen=True)
class Roster:
    """Who uses the hub: one instructor and the students (system account names)."""

    instructor: str
    students: tuple[str, ...]

    @property
    def users(self) -> tuple[str, ...]:
        return (self.instructor, *self.students)


@dataclass
class HubSettings:
    """Everything the hub's configuration needs; written to PREFIX/state/hub.json."""

    prefix: str
    exchange: str
    course_dir: str
    instructor: str
    students: list[str]
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001

    @property
    def state(self) -> Path:
        return Path(self.prefix) / "state"


def read_roster(path: Path) -> Roster:
    """The roster CSV: a header with ``username`` and ``role`` (instructor or student) columns."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows, header = list(reader), reader.fieldnames or []
    except OSError as error:
        raise HubError(f"cannot read the roster {path}: {error.strerror}") from error
    if not {"username", "role"} <= set(header):
        raise HubError(f"{path}: the first line must name the columns username and role")
    instructors, students, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        name, role = (row.get("username") or "").strip(), (row.get("role") or "").strip().lower()
        if not USERNAME.match(name):
            raise HubError(f"{path}:{line}: {name!r} is not a valid account name")
        if role not in ROLES:
            raise HubError(f"{path}:{line}: role {role!r} is not one of {', '.join(ROLES)}")
        if name in seen:
            raise HubError(f"{path}:{line}: {name} appears twice")
        seen.add(name)
        (instructors if role == "instructor" else students).append(name)
    if len(instructors) != 1:
        raise HubError(f"{path}: the roster needs exactly one instructor, not {len(instructors)}")
    if not students:
        raise HubError(f"{path}: the roster has no student")
    return Roster(instructors[0], tuple(students))


def ensure_account(name: str, home_base: Path | None) -> pwd.struct_passwd:
    """The system account ``name`` (created with a home if missing), its home closed to others."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        command = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"]
        if home_base is not None:
            command += ["--base-dir", str(home_base)]
        _run([*command, name])
        entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    if not home.is_dir():
        raise HubError(f"the home of {name}, {home}, does not exist")
    home.chmod(0o700)
    return entry


def world_can_run(python: Path) -> bool:
    """True when every account can run ``python``: each folder on its real path is open to all."""
    real = python.resolve()
    if not os.access(real, os.X_OK) or not real.stat().st_mode & stat.S_IXOTH:
        return False
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in real.parents)


def environment_stamp(repo: Path, python: Path) -> str:
    """A hash of what the shared environment is built from: the packages, their pins, the proxy."""
    digest = hashlib.sha256(str(python.resolve()).encode())
    files = [repo / "pyproject.toml", PROXY_FILES / "package-lock.json"]
    for package in ("course", "autograder"):
        files += sorted(
            p for p in (repo / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for path in files:
        digest.update(
            str(path.relative_to(repo) if path.is_relative_to(repo) else path.name).encode()
        )
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_environment(
    prefix: Path, repo: Path, python: Path, say: Callable[[str], None] = print
) -> Path:
    """The shared virtual environment PREFIX/venv and proxy PREFIX/proxy; returns the venv."""
    if not world_can_run(python):
        raise HubError(
            f"the hub's users cannot run {python} (a folder on its path is closed to them, "
            "e.g. root's home): name a system Python with HUB_PYTHON=/usr/bin/python3"
        )
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)
    venv, stamp_file = prefix / "venv", prefix / "venv.stamp"
    stamp = environment_stamp(repo, python)
    if stamp_file.is_file() and stamp_file.read_text() == stamp:
        say(f"shared environment {venv}: up to date")
        return venv
    say(f"shared environment {venv}: installing the course's packages (minutes the first time)")
    if not (venv / "bin" / "python").exists():
        _run([str(python), "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    with tempfile.TemporaryDirectory() as tmp:
        # A copy of just the distribution's files: a build in the checkout would leave build/ and
        # *.egg-info behind, and the course directory must not come along.
        project = Path(tmp) / "project"
        project.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy2(repo / name, project / name)
        for package in ("course", "autograder"):
            shutil.copytree(
                repo / package, project / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        _run([*pip, f"{project}[hub]"])
        _run([*pip, "--no-deps", "--force-reinstall", str(project)])
    _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "ipykernel",
            "install",
            "--sys-prefix",
            "--name",
            KERNEL_NAME,
            "--display-name",
            KERNEL_DISPLAY_NAME,
        ]
    )
    proxy = prefix / "proxy"
    proxy.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(PROXY_FILES / name, proxy / name)
    npm = shutil.which("npm")
    if npm is None:
        raise HubError(
            "npm is not installed: JupyterHub's proxy is a Node.js package (apt-get install npm)"
        )
    _run([npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"], cwd=proxy)
    settings = venv / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2) + "\n")
    stamp_file.write_text(stamp)
    return venv


def prepare_exchange(exchange: Path) -> None:
    """nbgrader's exchange: every account may write, only a file's owner may remove it."""
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)


def prepare_course(repo: Path, course_dir: Path, owner: pwd.struct_passwd) -> bool:
    """Copy the course into the instructor's home, closed to everyone else; False if it exists.

    An existing course directory is the instructor's (their gradebook, their edits) and is left
    alone.
    """
    if course_dir.exists():
        return False
    tmp = course_dir.with_name(course_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(mode=0o700)
    for name in COURSE_FILES:
        src = repo / name
        if src.is_dir():
            shutil.copytree(src, tmp / name, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        else:
            shutil.copy2(src, tmp / name)
    for folder, _dirs, files in os.walk(tmp):
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        for name in files:
            os.chown(Path(folder) / name, owner.pw_uid, owner.pw_gid)
    tmp.chmod(0o700)
    tmp.rename(course_dir)
    return True


def _nbgrader_config(lines: list[str]) -> str:
    return "\n".join(["c = get_config()  # noqa: F821", *lines, ""])


def write_role_configs(settings: HubSettings) -> dict[str, Path]:
    """PREFIX/config/ROLE: the Jupyter and nbgrader configuration of each role's servers."""
    root = Path(settings.prefix) / "config"
    exchange = f"c.Exchange.root = {settings.exchange!r}"
    course = f"c.CourseDirectory.course_id = {COURSE_ID!r}"
    folders = {role: root / role for role in ROLES}
    for folder in folders.values():
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)

    # The student's Lab of `make lab`, with the hub's student tools switched back on.
    server = json.loads((STUDENT_LAB / "jupyter_server_config.json").read_text())
    extensions = server["ServerApp"]["jpserver_extensions"]
    for name in ("assignment_list", "course_list"):
        extensions[f"nbgrader.server_extensions.{name}"] = True
    server["ServerApp"].update(TERMINAL["ServerApp"])
    page = json.loads((STUDENT_LAB / "labconfig" / "page_config.json").read_text())
    for plugin in ("menu", "assignment-list", "course-list"):
        page["disabledExtensions"].pop(f"@jupyter/nbgrader:{plugin}", None)
    student = folders["student"]
    (student / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    (student / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    (student / "nbgrader_config.py").write_text(
        STUDENT_CONFIG + "\n" + _nbgrader_config([exchange, course])
    )

    instructor = folders["instructor"]
    (instructor / "jupyter_server_config.json").write_text(json.dumps(TERMINAL, indent=2) + "\n")
    (instructor / "nbgrader_config.py").write_text(
        _nbgrader_config([exchange, course, f"c.CourseDirectory.root = {settings.course_dir!r}"])
    )
    for folder, _dirs, files in os.walk(root):
        Path(folder).chmod(0o755)
        for name in files:
            (Path(folder) / name).chmod(0o644)
    return folders


def deploy(
    roster_path: Path,
    prefix: Path,
    exchange: Path,
    python: Path,
    home_base: Path | None = None,
    ports: tuple[int, int, int] = (8000, 8081, 8001),
    ip: str = "127.0.0.1",
    say: Callable[[str], None] = print,
) -> HubSettings:
    """Every step before the hub starts; returns the settings written to PREFIX/state/hub.json."""
    if os.geteuid() != 0:
        raise HubError(
            "the hub creates accounts and starts each user's server as that user, so it runs "
            "as root: sudo make hub"
        )
    repo = course_root()
    roster = read_roster(roster_path)
    accounts = {name: ensure_account(name, home_base) for name in roster.users}
    say(f"accounts: {roster.instructor} (instructor), {len(roster.students)} students")
    build_environment(prefix, repo, python, say)
    prepare_exchange(exchange)
    owner = accounts[roster.instructor]
    course_dir = Path(owner.pw_dir) / COURSE_ID
    if prepare_course(repo, course_dir, owner):
        say(f"course directory {course_dir}: copied from {repo} (readable by {owner.pw_name} only)")
    else:
        say(f"course directory {course_dir}: kept as it is")
    settings = HubSettings(
        prefix=str(prefix),
        exchange=str(exchange),
        course_dir=str(course_dir),
        instructor=roster.instructor,
        students=list(roster.students),
        ip=ip,
        port=ports[0],
        hub_port=ports[1],
        proxy_api_port=ports[2],
    )
    write_role_configs(settings)
    settings.state.mkdir(mode=0o700, exist_ok=True)
    settings.state.chmod(0o700)
    (settings.state / "hub.json").write_text(json.dumps(asdict(settings), indent=2) + "\n")
    (settings.state / "jupyterhub_config.py").write_text(
        "from autograder.hub.config import configure\n\n"
        f"configure(get_config(), {str(settings.state / 'hub.json')!r})  # noqa: F821\n"
    )
    return settings


def start(settings: HubSettings) -> None:
    """Replace this process with JupyterHub (Ctrl+C stops it and every user's server)."""
    jupyterhub = Path(settings.prefix) / "venv" / "bin" / "jupyterhub"
    config = settings.state / "jupyterhub_config.py"
    os.chdir(settings.state)
    sys.stdout.flush()
    os.execv(jupyterhub, [str(jupyterhub), "-f", str(config)])


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-3000:]
        raise HubError(f"`{' '.join(command)}` failed ({result.returncode}):\n{output}")
