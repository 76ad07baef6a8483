"""Tests for course.seed: reproducible global seeding and private generators."""

import random

import numpy as np
import torch

from course import make_generator, seed_everything


def draws() -> tuple[float, float, torch.Tensor]:
    return random.random(), float(np.random.rand()), torch.rand(3)


def test_make_generator_is_reproducible_and_on_cpu():
    g1, g2 = make_generator(42), make_generator(42)
    assert g1.device == torch.device("cpu")
    assert torch.equal(torch.randn(5, generator=g1), torch.randn(5, generator=g2))


def test_make_generator_seeds_differ():
    a = torch.randn(5, generator=make_generator(1))
    b = torch.randn(5, generator=make_generator(2))
    assert not torch.equal(a, b)


def test_make_generator_ignores_global_state():
    torch.manual_seed(0)
    a = torch.randn(4, generator=make_generator(7))
    torch.rand(100)  # move the global state on
    b = torch.randn(4, generator=make_generator(7))
    assert torch.equal(a, b)


def test_seed_everything_seeds_every_library():
    seed_everything(3)
    first = draws()
    seed_everything(3)
    second = draws()
    assert first[:2] == second[:2]
    assert torch.equal(first[2], second[2])
    seed_everything(4)
    assert draws()[:2] != first[:2]


def test_seed_everything_returns_a_fresh_generator():
    g = seed_everything(5)
    assert isinstance(g, torch.Generator)
    assert g.device == torch.device("cpu")
    assert torch.equal(torch.rand(3, generator=g), torch.rand(3, generator=make_generator(5)))


def test_seed_everything_accepts_large_seeds():
    seed_everything(2**40)  # NumPy only takes 32-bit seeds; this must not fail
