"""Hang guards: every time-out in tests/ is a base value times one scale factor.

A time-out in a test only stops a test that hangs; it never checks speed (chapter budgets live in
bench/budgets.py and are reported by ``make bench``). Each base value leaves room on an idle 2-core
machine; on a busy one everything runs slower, so every guard is multiplied by
``COURSE_TEST_TIMEOUT_SCALE``. Unset, the scale is the larger of DEFAULT_SCALE and the machine's
load per core when the test process starts, so a loaded machine waits minutes where an idle one
waits seconds. A limit that a test proves stops hostile code (an infinite loop, a long sleep) may
stay short, but only where no correct notebook has to finish within it.
"""

from __future__ import annotations

import math
import os

SCALE_VARIABLE = "COURSE_TEST_TIMEOUT_SCALE"
DEFAULT_SCALE = 2.0


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def load_per_core() -> float:
    """The 1-minute load average divided by the usable cores (0 where the OS reports none)."""
    try:
        return os.getloadavg()[0] / usable_cores()
    except (AttributeError, OSError):
        return 0.0


def timeout_scale(environ: dict[str, str] | None = None) -> float:
    """The factor every hang guard is multiplied by: $COURSE_TEST_TIMEOUT_SCALE when set (a number
    above 0), else the larger of DEFAULT_SCALE and the load per core."""
    value = (os.environ if environ is None else environ).get(SCALE_VARIABLE, "").strip()
    if not value:
        return max(DEFAULT_SCALE, load_per_core())
    try:
        scale = float(value)
    except ValueError:
        scale = math.nan
    if not scale > 0 or math.isinf(scale):
        raise ValueError(f"{SCALE_VARIABLE} must be a number above 0, not {value!r}")
    return scale


SCALE = timeout_scale()  # once per process, so that every guard of a run agrees


def hang_guard(base_seconds: float) -> int:
    """``base_seconds`` (enough on an idle machine) scaled for this run, in whole seconds."""
    return math.ceil(base_seconds * SCALE)


def hang_guard_ms(base_seconds: float) -> int:
    """The same guard in milliseconds, for Playwright."""
    return math.ceil(base_seconds * SCALE * 1000)
