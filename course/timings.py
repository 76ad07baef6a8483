"""How long each chapter takes to run, measured on a reference machine and scaled to this one.

The measured times live in ``course/chapter_times.json`` (written by the benchmark script)::

    {"reference": "<machine>", "device": "cpu", "probe_seconds": 0.4,
     "seconds": {"01_neurons": 18.0, ...}}

``probe_seconds`` is what :func:`speed_probe` took on the reference machine. Running the same
probe here gives a speed ratio, so the 00_start notebook can tell a student roughly how long each
chapter will take on their own computer. It is an estimate: a probe of a fraction of a second
cannot capture disk speed, other programs, or how well a particular chapter uses many cores.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import torch

TIMES_FILE = Path(__file__).with_name("chapter_times.json")
# A speed ratio outside this range means the probe was disturbed (or the machine is exotic); the
# estimate is then clamped rather than trusted blindly.
MIN_RATIO, MAX_RATIO = 0.2, 10.0


@dataclass(frozen=True)
class ChapterTimes:
    """Measured top-to-bottom seconds per chapter, and the machine they were measured on."""

    reference: str
    device: str
    seconds: dict[str, float]
    probe_seconds: float | None = None


def load_chapter_times(path: Path | str | None = None) -> ChapterTimes:
    """Read chapter_times.json (the packaged one by default); ValueError says what is malformed."""
    path = Path(path) if path is not None else TIMES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    reference, device, seconds = data.get("reference"), data.get("device"), data.get("seconds")
    if not isinstance(reference, str) or not isinstance(device, str):
        raise ValueError(f"{path}: 'reference' and 'device' must be strings")
    if not isinstance(seconds, dict) or not all(
        isinstance(k, str) and _positive(v) for k, v in seconds.items()
    ):
        raise ValueError(f"{path}: 'seconds' must map chapter ids to positive numbers")
    probe = data.get("probe_seconds")
    if probe is not None and not _positive(probe):
        raise ValueError(f"{path}: 'probe_seconds' must be a positive number when present")
    return ChapterTimes(
        reference=reference,
        device=device,
        seconds={k: float(v) for k, v in sorted(seconds.items())},
        probe_seconds=None if probe is None else float(probe),
    )


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def speed_probe(repeats: int = 5) -> float:
    """Seconds this CPU needs for a fixed small training workload (best of ``repeats``).

    The workload looks like the chapters' demos: a couple of hundred optimizer steps of a small
    MLP. It runs on the CPU on one thread (several threads on a busy machine make the timing
    jumpy), with a private generator, and restores the thread count, so the notebook's state is
    left alone.
    """
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(256, 32, generator=generator)
    y = torch.randn(256, 1, generator=generator)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    best = float("inf")
    try:
        for _ in range(repeats + 1):  # the first round warms up and is not counted
            w1 = (torch.randn(32, 64, generator=generator) * 0.1).requires_grad_()
            w2 = (torch.randn(64, 1, generator=generator) * 0.1).requires_grad_()
            start = time.perf_counter()
            for _ in range(200):
                loss = ((torch.tanh(x @ w1) @ w2 - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    for w in (w1, w2):
                        w -= 0.01 * w.grad
                        w.grad = None
            best = min(best, time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    return best


def speed_ratio(times: ChapterTimes, probe_seconds: float) -> float | None:
    """How many times slower than the reference this machine is (None when it cannot be said).

    Only CPU reference times with a reference probe can be scaled; the ratio is clamped to
    [MIN_RATIO, MAX_RATIO].
    """
    if times.device != "cpu" or times.probe_seconds is None or probe_seconds <= 0:
        return None
    return min(MAX_RATIO, max(MIN_RATIO, probe_seconds / times.probe_seconds))


def estimate_seconds(times: ChapterTimes, probe_seconds: float | None) -> dict[str, float]:
    """Expected seconds per chapter here: the reference times scaled by the speed ratio, or the
    reference times unchanged when no ratio can be computed."""
    ratio = speed_ratio(times, probe_seconds) if probe_seconds is not None else None
    return {k: v * (ratio or 1.0) for k, v in times.seconds.items()}


def format_seconds(seconds: float) -> str:
    """A duration rounded for people: "8 s", "45 s", "2 min 10 s"."""
    whole = max(1, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(5 * round(whole / 5), 60)
    return f"{minutes} min" if rest == 0 else f"{minutes} min {rest} s"
