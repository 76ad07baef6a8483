"""Tests for course.data: generated and bundled data sets, splitting, conversion to NumPy."""

import numpy as np
import pytest
import torch

from course import data
from course.data import DataSplit

BINARY_SETS = [data.xor, data.moons, data.circles]


@pytest.mark.parametrize("make", BINARY_SETS)
def test_binary_sets_shapes_dtypes_and_labels(make):
    X, y = make(n=120, device="cpu")
    assert X.shape == (120, 2) and X.dtype == torch.float32
    assert y.shape == (120,) and y.dtype == torch.float32
    assert set(y.tolist()) == {0.0, 1.0}
    assert X.device.type == "cpu" and y.device.type == "cpu"


@pytest.mark.parametrize("make", [*BINARY_SETS, data.spirals])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=3, device="cpu")
    X2, y2 = make(seed=3, device="cpu")
    X3, _ = make(seed=4, device="cpu")
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    assert not torch.equal(X1, X3)


@pytest.mark.parametrize("make", [*BINARY_SETS, data.spirals])
def test_device_is_respected(make):
    X, y = make(device="meta")
    assert X.device.type == "meta" and y.device.type == "meta"


def test_xor_labels_are_xor_of_corners():
    X, y = data.xor(n=200, noise=0.0, device="cpu")
    corners = X.round()
    assert torch.equal(X, corners)  # without noise every point is a corner
    assert torch.equal(y, (corners[:, 0] != corners[:, 1]).float())
    assert y.sum().item() == 100  # balanced


def test_xor_noise_moves_points_but_keeps_nearest_corner():
    X, y = data.xor(n=400, noise=0.1, device="cpu")
    assert X.std(dim=0).min() > 0.4  # spread over both corners
    nearest = X.round()
    agree = (nearest[:, 0] != nearest[:, 1]).float() == y
    assert agree.float().mean() > 0.95


def test_circles_factor_controls_inner_radius():
    X, y = data.circles(n=400, noise=0.0, factor=0.3, device="cpu")
    radius = X.norm(dim=1)
    assert torch.allclose(radius[y == 1], torch.tensor(0.3), atol=1e-5)
    assert torch.allclose(radius[y == 0], torch.tensor(1.0), atol=1e-5)


def test_spirals_labels_and_range():
    X, y = data.spirals(n=600, n_classes=4, device="cpu")
    assert X.shape == (600, 2) and X.dtype == torch.float32
    assert y.dtype == torch.int64
    assert torch.equal(torch.bincount(y), torch.tensor([150, 150, 150, 150]))
    assert X.abs().max() <= 1.0


@pytest.mark.parametrize(
    ("make", "kwargs"), [(data.spirals, {"n_classes": 1}), (data.xor, {"n": 3})]
)
def test_invalid_sizes_raise(make, kwargs):
    with pytest.raises(ValueError, match="must be at least"):
        make(**kwargs)


def test_digits_flat():
    part = data.digits(device="cpu")
    assert isinstance(part, DataSplit)
    assert part.X_train.shape[1:] == (64,)
    assert len(part.X_train) + len(part.X_test) == 1797
    assert len(part.X_test) == round(0.25 * 1797)
    assert part.X_train.dtype == torch.float32 and part.y_train.dtype == torch.int64
    assert part.X_train.min() >= 0 and part.X_train.max() == 1
    assert set(part.y_test.tolist()) == set(range(10))


def test_digits_images_match_flat_version():
    flat = data.digits(seed=1, device="cpu")
    images = data.digits(seed=1, device="cpu", flatten=False)
    assert images.X_test.shape[1:] == (1, 8, 8)
    assert torch.equal(images.X_test.reshape(-1, 64), flat.X_test)
    assert torch.equal(images.y_test, flat.y_test)


def test_split_partitions_rows_and_keeps_pairs():
    X = torch.arange(100, dtype=torch.float32).unsqueeze(1)
    y = (torch.arange(100) % 4).float()
    part = data.split(X, y, test_size=0.2, seed=0)
    assert len(part.X_test) == 20 and len(part.X_train) == 80
    ids = torch.cat([part.X_train, part.X_test]).flatten().long()
    assert torch.equal(ids.sort().values, torch.arange(100))  # every row exactly once
    for Xp, yp in ((part.X_train, part.y_train), (part.X_test, part.y_test)):
        assert torch.equal(yp, (Xp.flatten().long() % 4).float())  # rows stay with their label


def test_split_is_stratified_and_shuffled():
    X = torch.arange(200).unsqueeze(1)
    y = torch.cat([torch.zeros(150), torch.ones(50)]).long()
    part = data.split(X, y, test_size=0.2)
    assert torch.equal(torch.bincount(part.y_test), torch.tensor([30, 10]))
    for labels in (part.y_train, part.y_test):  # classes are mixed, not in blocks
        assert not torch.equal(labels, labels.sort().values)
    assert not torch.equal(part.X_train.flatten(), part.X_train.flatten().sort().values)


def test_split_without_stratification_and_continuous_targets():
    X = torch.randn(50, 3, generator=torch.Generator().manual_seed(0))
    y = X[:, 0] * 0.5  # regression target: not class labels
    part = data.split(X, y, test_size=0.3, seed=2, stratify=True)
    assert len(part.X_test) == 15
    assert torch.equal(part.y_test, part.X_test[:, 0] * 0.5)
    plain = data.split(X, y.round(), test_size=0.3, seed=2, stratify=False)
    assert len(plain.y_test) == 15


def test_split_is_deterministic():
    X, y = data.moons(n=100, device="cpu")
    a, b = data.split(X, y, seed=5), data.split(X, y, seed=5)
    c = data.split(X, y, seed=6)
    assert all(torch.equal(s, t) for s, t in zip(a, b, strict=True))
    assert not torch.equal(a.X_test, c.X_test)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test_size": 0.0}, "between 0 and 1"),
        ({"test_size": 1.5}, "between 0 and 1"),
        ({"test_size": 0.01}, "empty part"),
    ],
)
def test_split_rejects_bad_test_size(kwargs, message):
    X, y = torch.zeros(10, 2), torch.zeros(10)
    with pytest.raises(ValueError, match=message):
        data.split(X, y, **kwargs)


def test_split_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length, but they have 10 and 9"):
        data.split(torch.zeros(10, 2), torch.zeros(9))


def test_to_numpy():
    t = torch.ones(2, 3, requires_grad=True) * 2
    arr = data.to_numpy(t)
    assert isinstance(arr, np.ndarray) and arr.shape == (2, 3)
    assert np.array_equal(data.to_numpy([1, 2]), np.array([1, 2]))
