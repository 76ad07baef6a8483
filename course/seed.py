"""Reproducible randomness: seed every library at once, or make a private generator."""

from __future__ import annotations

import random

import numpy as np
import torch


def make_generator(seed: int) -> torch.Generator:
    """Return a CPU `torch.Generator` seeded with `seed`.

    Tests use their own generator so that whatever a student did to the global RNG state does not
    change the inputs they are checked with.
    """
    return torch.Generator(device="cpu").manual_seed(int(seed))


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's `random`, NumPy, PyTorch (and CUDA) and return a fresh generator with `seed`.

    Call it at the top of a notebook so that a re-run gives the same numbers.
    """
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return make_generator(seed)
