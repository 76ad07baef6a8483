"""Small offline data sets for the chapters, as float32/int64 tensors on the course device.

Everything is generated in code or read from scikit-learn's bundled files, so nothing is
downloaded. The same seed always gives the same data.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch
from sklearn.datasets import load_digits, make_circles, make_moons
from torch import Tensor

from course.device import get_device

DeviceLike = torch.device | str | None


class DataSplit(NamedTuple):
    """Train and test parts of a data set (unpack as `X_train, X_test, y_train, y_test`)."""

    X_train: Tensor
    X_test: Tensor
    y_train: Tensor
    y_test: Tensor


def to_numpy(t: Any) -> np.ndarray:
    """Return `t` as a NumPy array: detached from autograd and copied to the CPU if needed."""
    if isinstance(t, Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def _as_tensors(
    X: np.ndarray, y: np.ndarray, y_dtype: torch.dtype, device: DeviceLike
) -> tuple[Tensor, Tensor]:
    target = torch.device(device) if device is not None else get_device()
    X_t = torch.as_tensor(np.asarray(X, dtype=np.float32)).to(target)
    y_t = torch.as_tensor(np.asarray(y)).to(dtype=y_dtype, device=target)
    return X_t, y_t


def _check_n(n: int, minimum: int) -> None:
    if n < minimum:
        raise ValueError(f"n must be at least {minimum}, but it is {n}.")


def xor(
    n: int = 200, noise: float = 0.1, seed: int = 0, device: DeviceLike = None
) -> tuple[Tensor, Tensor]:
    """The XOR problem: four Gaussian blobs at the corners of the unit square.

    X is float32 (n, 2); y is float32 (n,) and is 1 exactly when the corner is (0, 1) or (1, 0).
    No straight line separates the classes, which is why a single neuron fails on it.
    """
    _check_n(n, 4)
    rng = np.random.default_rng(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n) % 4  # balanced: the corners take turns
    rng.shuffle(which)
    X = corners[which] + rng.normal(0.0, noise, size=(n, 2))
    y = (corners[which, 0] != corners[which, 1]).astype(np.float32)
    return _as_tensors(X, y, torch.float32, device)


def moons(
    n: int = 400, noise: float = 0.15, seed: int = 0, device: DeviceLike = None
) -> tuple[Tensor, Tensor]:
    """Two interleaving half circles (make_moons): X float32 (n, 2), y float32 in {0, 1}."""
    _check_n(n, 2)
    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _as_tensors(X, y, torch.float32, device)


def circles(
    n: int = 400,
    noise: float = 0.08,
    factor: float = 0.5,
    seed: int = 0,
    device: DeviceLike = None,
) -> tuple[Tensor, Tensor]:
    """A small circle inside a large one (make_circles): X float32 (n, 2), y float32 {0, 1}.

    `factor` is the radius of the inner circle relative to the outer one (between 0 and 1).
    """
    _check_n(n, 2)
    X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return _as_tensors(X, y, torch.float32, device)


def spirals(
    n: int = 600, n_classes: int = 3, noise: float = 0.2, seed: int = 0, device: DeviceLike = None
) -> tuple[Tensor, Tensor]:
    """Interleaved spiral arms, one per class: X float32 (n, 2) within about [-1, 1], y int64.

    Each arm winds once around the centre; `noise` jitters the angle (radians). A classic
    multi-class problem that needs a non-linear model.
    """
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, but it is {n_classes}.")
    _check_n(n, n_classes)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    t = rng.uniform(0.05, 1.0, size=n)  # position along the arm, centre to rim
    angle = 2 * math.pi * (y / n_classes + t) + rng.normal(0.0, noise, size=n)
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return _as_tensors(X, y, torch.int64, device)


def digits(
    test_size: float = 0.25, seed: int = 0, device: DeviceLike = None, flatten: bool = True
) -> DataSplit:
    """Handwritten digits 0-9 (scikit-learn's bundled 8x8 images), split into train and test.

    X is float32 scaled to [0, 1], shape (n, 64) or (n, 1, 8, 8) when `flatten` is False;
    y is int64. The split is stratified, so every digit appears in both parts.
    """
    bunch = load_digits()
    X = bunch.data / 16.0
    if not flatten:
        X = X.reshape(-1, 1, 8, 8)
    X_t, y_t = _as_tensors(X, bunch.target, torch.int64, device)
    return split(X_t, y_t, test_size=test_size, seed=seed, stratify=True)


def _is_labels(y: Tensor) -> bool:
    """Whether y holds class labels (1-D, integer or whole-number values) that can be stratified."""
    if y.ndim != 1 or y.numel() == 0:
        return False
    if y.is_floating_point():
        return bool(torch.all(y == torch.round(y)))
    return not y.is_complex()


def _stratified_test_indices(y: Tensor, n_test: int, generator: torch.Generator) -> Tensor:
    """Pick n_test indices so each class keeps (close to) its share, largest remainders first."""
    labels = y.detach().cpu()
    classes = torch.unique(labels)
    members = [torch.nonzero(labels == c).flatten() for c in classes]
    quotas = [len(m) * n_test / len(labels) for m in members]
    counts = [math.floor(q) for q in quotas]
    by_remainder = sorted(range(len(members)), key=lambda i: -(quotas[i] - counts[i]))
    for i in by_remainder[: n_test - sum(counts)]:
        counts[i] += 1
    picked = [
        m[torch.randperm(len(m), generator=generator)[:k]]
        for m, k in zip(members, counts, strict=True)
    ]
    return torch.cat(picked)


def split(
    X: Tensor, y: Tensor, test_size: float = 0.25, seed: int = 0, stratify: bool = True
) -> DataSplit:
    """Shuffle and split (X, y) into train and test parts, keeping the tensors' device.

    With `stratify`, each class keeps its share in both parts (only when y holds class labels;
    continuous targets get a plain random split). The test part has round(test_size * n) rows.
    """
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, but they have {len(X)} and {len(y)}.")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, but it is {test_size}.")
    n = len(X)
    n_test = round(test_size * n)
    if not 0 < n_test < n:
        raise ValueError(
            f"test_size={test_size} of {n} rows leaves an empty part; use more data "
            "or another test_size."
        )
    generator = torch.Generator(device="cpu").manual_seed(seed)
    if stratify and _is_labels(y):
        test_idx = _stratified_test_indices(y, n_test, generator)
    else:
        test_idx = torch.randperm(n, generator=generator)[:n_test]
    is_test = torch.zeros(n, dtype=torch.bool)
    is_test[test_idx] = True
    train_idx = torch.nonzero(~is_test).flatten()
    train_idx = train_idx[torch.randperm(len(train_idx), generator=generator)]
    test_idx = test_idx[torch.randperm(len(test_idx), generator=generator)]
    return DataSplit(
        X[train_idx.to(X.device)],
        X[test_idx.to(X.device)],
        y[train_idx.to(y.device)],
        y[test_idx.to(y.device)],
    )
