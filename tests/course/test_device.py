"""Tests for course.device: choice of device, the COURSE_DEVICE override, and moving objects."""

import re

import pytest
import torch
from torch import nn

from course import device as device_module
from course.data import DataSplit
from course.device import describe_device, get_device, to_device

HAS_ACCELERATOR = torch.cuda.is_available() or device_module._mps_available()


@pytest.fixture(autouse=True)
def clean_device(monkeypatch):
    """Every test starts without COURSE_DEVICE and with an empty cache, and leaves it so."""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    get_device.cache_clear()
    yield
    get_device.cache_clear()


def no_accelerator(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device_module, "_mps_available", lambda: False)


def fake_cuda(monkeypatch, count=1):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)


def test_cpu_when_no_accelerator(monkeypatch):
    no_accelerator(monkeypatch)
    assert get_device() == torch.device("cpu")


def test_prefers_cuda_then_mps(monkeypatch):
    fake_cuda(monkeypatch)
    monkeypatch.setattr(device_module, "_mps_available", lambda: True)
    assert get_device() == torch.device("cuda")
    get_device.cache_clear()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_device() == torch.device("mps")


@pytest.mark.parametrize("value", ["cpu", " CPU ", "Cpu"])
def test_env_overrides_available_gpu(monkeypatch, value):
    fake_cuda(monkeypatch)
    monkeypatch.setenv("COURSE_DEVICE", value)
    assert get_device() == torch.device("cpu")


def test_env_picks_a_cuda_index(monkeypatch):
    fake_cuda(monkeypatch, count=2)
    monkeypatch.setenv("COURSE_DEVICE", "cuda:1")
    assert get_device() == torch.device("cuda:1")


@pytest.mark.parametrize("value", ["GPU", "cuda:x", "cpu:0", "tpu", "mps:1"])
def test_unknown_value_names_allowed_values(monkeypatch, value):
    monkeypatch.setenv("COURSE_DEVICE", value)
    with pytest.raises(ValueError, match="Allowed values: cpu, cuda, cuda:N, mps") as info:
        get_device()
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(("value", "what"), [("cuda", "CUDA GPU"), ("mps", "Apple MPS")])
def test_unavailable_accelerator_says_how_to_unset(monkeypatch, value, what):
    no_accelerator(monkeypatch)
    monkeypatch.setenv("COURSE_DEVICE", value)
    with pytest.raises(RuntimeError, match=what) as info:
        get_device()
    assert "unset COURSE_DEVICE" in str(info.value)


def test_cuda_index_out_of_range(monkeypatch):
    fake_cuda(monkeypatch, count=1)
    monkeypatch.setenv("COURSE_DEVICE", "cuda:3")
    with pytest.raises(RuntimeError, match="only 1 CUDA GPU"):
        get_device()


def test_choice_is_cached_until_cleared(monkeypatch):
    no_accelerator(monkeypatch)
    first = get_device()
    monkeypatch.setenv("COURSE_DEVICE", "nonsense")
    assert get_device() is first
    get_device.cache_clear()
    with pytest.raises(ValueError):
        get_device()


def test_describe_cpu():
    text = describe_device(torch.device("cpu"))
    assert re.fullmatch(r"CPU \(\d+ cores?\), torch \d+\.\d+\.\d+", text), text
    assert "+" not in text


def test_describe_defaults_to_course_device(monkeypatch):
    no_accelerator(monkeypatch)
    assert describe_device() == describe_device(torch.device("cpu"))


def test_to_device_moves_nested_structures():
    obj = {
        "x": torch.ones(2),
        "pair": (torch.zeros(1), [torch.ones(3), 7]),
        "name": "kept",
        "none": None,
    }
    moved = to_device(obj, "meta")
    assert moved["x"].device.type == "meta"
    assert isinstance(moved["pair"], tuple)
    assert isinstance(moved["pair"][1], list)
    assert moved["pair"][0].device.type == "meta"
    assert moved["pair"][1][0].device.type == "meta"
    assert moved["pair"][1][1] == 7
    assert moved["name"] == "kept"
    assert moved["none"] is None
    assert obj["x"].device.type == "cpu"  # the input is not changed


def test_to_device_moves_modules_and_named_tuples():
    layer = nn.Linear(2, 3)
    assert to_device(layer, "meta") is layer
    assert layer.weight.device.type == "meta"
    part = DataSplit(torch.ones(2), torch.ones(1), torch.zeros(2), torch.zeros(1))
    moved = to_device(part, "meta")
    assert type(moved) is DataSplit
    assert all(t.device.type == "meta" for t in moved)


def test_to_device_defaults_to_course_device(monkeypatch):
    no_accelerator(monkeypatch)
    assert to_device(torch.ones(1)).device == torch.device("cpu")


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_ACCELERATOR, reason="needs a CUDA or Apple MPS device; none found")
def test_uses_the_accelerator_when_present():
    device = get_device()
    assert device.type in ("cuda", "mps")
    assert "GPU" in describe_device(device)
    assert to_device(torch.ones(2)).device.type == device.type
