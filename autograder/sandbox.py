"""Confine a grading kernel: bubblewrap namespaces, resource limits and a watchdog.

With bubblewrap (``bwrap``) the kernel sees only the installed Python environment (read-only), its
working directory (a small tmpfs holding the chapter's data files, never the notebook with its
hidden tests) and a small private /tmp. It has no network (a new network namespace, so the kernel
talks to the grader over Unix sockets: jupyter's ``ipc`` transport), an empty environment, its own
process tree (killed with it) and no view of the gradebook, the sources or other students' work.

Without bubblewrap (``--sandbox none``) the kernel runs as an ordinary process with the same
limits on time, memory, processes and file size, but it can read what the grader can read.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import logging
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.settings import CELL_TIMEOUT

log = logging.getLogger(__name__)

SANDBOX_MODES = ("auto", "bwrap", "none")

# Files of /etc that programs in the kernel may need (dynamic linker, fonts, users, time zone).
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/fonts",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/alternatives",
    "/etc/matplotlibrc",
)
# Environment variables that reach the kernel: device selection only.
_PASSED_ENV = ("COURSE_DEVICE", "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")


class SandboxUnavailable(RuntimeError):
    """``--sandbox bwrap`` was asked for but bubblewrap cannot run here."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Memory counts the resident memory of the kernel's tree."""

    cell_timeout: int = CELL_TIMEOUT
    notebook_timeout: int = 3 * CELL_TIMEOUT
    memory_mb: int = 4096
    max_processes: int = 256
    max_output_bytes: int = 10 * 2**20
    max_file_bytes: int = 512 * 2**20
    tmp_bytes: int = 256 * 2**20  # each of /tmp and the working directory, in the sandbox

    def to_dict(self) -> dict[str, int]:
        """A plain dict (it travels to worker processes and Dask workers)."""
        return asdict(self)


@functools.cache
def bwrap_works() -> bool:
    """True when bubblewrap is installed and can create the namespaces we need here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def resolve_mode(mode: str) -> str:
    """``bwrap`` or ``none`` for a requested mode; SandboxUnavailable if bwrap is demanded."""
    if mode not in SANDBOX_MODES:
        raise ValueError(f"unknown sandbox mode {mode!r} (choose from {', '.join(SANDBOX_MODES)})")
    if mode == "none":
        return "none"
    if bwrap_works():
        return "bwrap"
    if mode == "bwrap":
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed or cannot create namespaces here; "
            "install it (apt-get install bubblewrap) or pass --sandbox none"
        )
    return "none"


def _readonly_roots() -> list[Path]:
    """Folders the kernel's Python needs: the interpreter's prefix, the venv, editable packages."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    spec = importlib.util.find_spec("course")
    if spec is not None and spec.submodule_search_locations:
        roots.update(Path(p).resolve() for p in spec.submodule_search_locations)
    return sorted(r for r in roots if not str(r).startswith("/usr/"))


def font_cache() -> list[Path]:
    """Matplotlib's font list, built once by the grader and given to every kernel, so that no
    kernel spends a second rebuilding it (each starts with an empty home)."""
    folder = Path.home() / ".cache" / "autograder" / "matplotlib"
    files = sorted(folder.glob("fontlist-*.json"))
    if files:
        return files
    folder.mkdir(parents=True, exist_ok=True)
    build = [sys.executable, "-c", "import matplotlib.font_manager"]
    env = {**os.environ, "MPLCONFIGDIR": str(folder)}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(build, env=env, capture_output=True, timeout=300, check=False)
    return sorted(folder.glob("fontlist-*.json"))


def kernel_env(home: Path) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's but device selection."""
    env = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OMP_NUM_THREADS": "1",
    }
    env.update({k: os.environ[k] for k in _PASSED_ENV if k in os.environ})
    return env


def bwrap_prefix(scratch: Path, sockets: Path, limits: Limits) -> list[str]:
    """The bubblewrap command line that runs a kernel confined to ``scratch``.

    ``sockets`` holds the connection file and the kernel's Unix sockets; it is shared with the
    grader, which is the only way in or out (there is no network).
    """
    args = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--clearenv",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for top in ("/bin", "/lib", "/lib64", "/lib32", "/sbin"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in _ETC_FILES:
        args += ["--ro-bind-try", name, name]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for device in sorted(Path("/dev").glob("nvidia*")):  # a GPU, where there is one
        args += ["--dev-bind", str(device), str(device)]
    # Every writable place is a size-limited tmpfs: /dev/shm (POSIX shared memory, PyTorch's
    # shared tensors) and /tmp here, the working directory below; /dev itself is made read-only.
    args += ["--size", str(limits.tmp_bytes), "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
    args += ["--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    # After the private /tmp, so that an environment installed under /tmp stays visible.
    for root in _readonly_roots():
        args += ["--ro-bind", str(root), str(root)]
    for cache in font_cache():
        args += ["--ro-bind", str(cache), f"/tmp/matplotlib/{cache.name}"]
    # The working directory is a size-limited tmpfs at the scratch path holding the data files,
    # so a notebook can write there but cannot fill the grader's disk.
    args += ["--size", str(limits.tmp_bytes), "--tmpfs", str(scratch)]
    for file in sorted(p for p in scratch.rglob("*") if p.is_file()):
        args += ["--ro-bind", str(file), str(file)]
    args += ["--bind", str(sockets), str(sockets), "--chdir", str(scratch)]
    for key, value in kernel_env(Path("/tmp")).items():
        args += ["--setenv", key, value]
    return [*args, "--"]


def set_rlimits(limits: Limits) -> None:
    """Per-process limits, applied in the kernel's process just before it starts (preexec_fn)."""
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes, limits.max_file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
# Bytes of anything but sockets and the connection file that the kernel may leave in its socket
# folder (shared with the grader, on the grader's disk): it is a door, not storage.
SOCKET_DIR_BYTES = 2**20


def _prctl(option: int, value: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def become_subreaper() -> None:
    """Make this process adopt the orphans of its descendants (Linux), so that a daemon a
    notebook double-forks stays in our process tree, where the watchdog counts and kills it."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent() -> None:
    """Make this process receive SIGKILL when its parent dies (Linux): a grading worker (and,
    through bwrap, its kernel) never outlives the grader."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def descendants() -> set[int]:
    """The process ids of everything this process started, directly or not."""
    import psutil

    try:
        return {p.pid for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        return set()


def kill_new_processes(before: set[int]) -> int:
    """Kill (and reap) every descendant of this process that is not in ``before``; their count."""
    import psutil

    try:
        strays = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    except psutil.Error:
        return 0
    for process in strays:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(strays, timeout=10)
    return len(strays)


def _memfd_bytes(pid: int, seen: set[tuple[int, int]]) -> int:
    """Bytes held by the memfds a process has open (anonymous files: not in any file system)."""
    total = 0
    folder = f"/proc/{pid}/fd"
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            with contextlib.suppress(OSError):
                if not os.readlink(f"{folder}/{name}").startswith("/memfd:"):
                    continue
                info = os.stat(f"{folder}/{name}")
                if (info.st_dev, info.st_ino) not in seen:
                    seen.add((info.st_dev, info.st_ino))
                    total += info.st_size
    return total


def _tmpfs_bytes(pids: list[int], mounts: tuple[str, ...]) -> int:
    """Bytes used in the sandbox's own tmpfs mounts (memory, not disk), seen through a sandboxed
    process's root; each mount counted once."""
    total = 0
    seen: set[int] = set()
    for mount in mounts:  # the host's own file systems at these paths are not the sandbox's
        with contextlib.suppress(OSError):
            seen.add(os.stat(mount).st_dev)
    for pid in pids:
        for mount in mounts:
            path = f"/proc/{pid}/root{mount}"
            with contextlib.suppress(OSError):
                device = os.stat(path).st_dev
                if device in seen:
                    continue
                usage = os.statvfs(path)
                seen.add(device)
                total += (usage.f_blocks - usage.f_bfree) * usage.f_frsize
    return total


def _folder_bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (sockets take no space)."""
    total = 0
    for top, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                info = os.lstat(os.path.join(top, name))
                if stat.S_ISREG(info.st_mode):
                    total += info.st_size
    return total


class Watchdog(threading.Thread):
    """Kills a kernel and everything it started when its memory, its processes, the notebook's
    time or its socket folder run over.

    The kernel's processes are every descendant of this process started after ``before`` (with
    ``become_subreaper``, a double-forked daemon stays one). Memory counts their resident memory,
    the memfds they hold, and the sandbox's tmpfs mounts (``mounts``, inside its namespace).
    ``reason`` then says which limit was hit, so the grader can tell the student.
    """

    def __init__(
        self,
        pid: int,
        limits: Limits,
        before: set[int],
        mounts: tuple[str, ...] = (),
        sockets: Path | None = None,
        interval: float = 0.25,
    ) -> None:
        super().__init__(daemon=True, name=f"watchdog-{pid}")
        self.pid = pid
        self.limits = limits
        self.before = set(before)
        self.mounts = mounts
        self.sockets = sockets
        self.interval = interval
        self.reason: str | None = None
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Stop watching (the kernel has finished)."""
        self._stop_event.set()

    def _tree(self) -> list[int]:
        return sorted(descendants() - self.before) or [self.pid]

    def usage(self) -> tuple[int, int]:
        """(bytes of memory held, number of processes) of the kernel's processes."""
        import psutil

        pids = self._tree()
        total = 0
        memfds: set[tuple[int, int]] = set()
        for pid in pids:
            with contextlib.suppress(psutil.Error):
                total += psutil.Process(pid).memory_info().rss
            total += _memfd_bytes(pid, memfds)
        if self.mounts:
            total += _tmpfs_bytes(pids, self.mounts)
        return total, len(pids)

    def _kill(self, reason: str) -> None:
        self.reason = reason
        log.info("stopping kernel %d: %s", self.pid, reason)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(os.getpgid(self.pid), signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signal.SIGKILL)
        kill_new_processes(self.before)

    def run(self) -> None:
        start = time.monotonic()
        limit = self.limits.memory_mb * 2**20
        while not self._stop_event.wait(self.interval):
            if time.monotonic() - start > self.limits.notebook_timeout:
                self._kill(f"the notebook ran longer than {self.limits.notebook_timeout} s")
                return
            if self.sockets is not None and _folder_bytes(self.sockets) > SOCKET_DIR_BYTES:
                self._kill("the notebook wrote files into the grader's socket folder")
                return
            held, processes = self.usage()
            if processes > self.limits.max_processes:
                self._kill(f"the notebook started more than {self.limits.max_processes} processes")
                return
            if held > limit:
                self._kill(f"the notebook used more than {self.limits.memory_mb} MB of memory")
                return
