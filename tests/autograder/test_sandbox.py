"""The bubblewrap command line keeps the Python environment visible wherever it is installed."""

from __future__ import annotations

import sys
from pathlib import Path

from autograder.sandbox import Limits, bwrap_prefix


def test_environment_is_mounted_after_the_private_tmp(tmp_path: Path) -> None:
    # A virtual environment under /tmp (a CI checkout, say) would be hidden by the kernel's
    # private /tmp if it were mounted first: bubblewrap applies mounts in order.
    args = bwrap_prefix(tmp_path / "scratch", tmp_path / "sockets", Limits())
    pairs = list(zip(args, args[1:], strict=False))
    tmpfs = pairs.index(("--tmpfs", "/tmp"))
    prefix = str(Path(sys.prefix).resolve())
    binds = [i for i, (flag, path) in enumerate(pairs) if flag == "--ro-bind" and path == prefix]
    assert binds, f"{prefix} is not mounted in the sandbox"
    assert min(binds) > tmpfs
