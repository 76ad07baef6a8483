"""course.probe: what a probe reports, and that the grader reads back exactly that."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autograder.records import Error, Opaque, decode
from course import probe as probe_module
from course.probe import MIME_TYPE, Probe, derive_seed, encode


def roundtrip(value):
    return decode(encode(value))


@pytest.mark.parametrize(
    "dtype",
    [
        torch.float32,
        torch.float64,
        torch.float16,
        torch.bfloat16,
        torch.int64,
        torch.int32,
        torch.uint8,
        torch.bool,
    ],
)
def test_tensors_come_back_bit_for_bit(dtype):
    x = (torch.randn(3, 4, generator=torch.Generator().manual_seed(0)) * 10).to(dtype)
    back = roundtrip(x)
    assert back.dtype == dtype and back.shape == x.shape
    assert torch.equal(back, x)
    assert back.record_info.device == "cpu" and back.record_info.type == "torch.Tensor"


def test_a_tensor_reports_its_device_type_and_grad_without_values_on_meta():
    x = torch.ones(2, 3, device="meta", requires_grad=True)
    back = roundtrip(x)
    assert back.device.type == "meta" and tuple(back.shape) == (2, 3)
    assert back.record_info.device == "meta" and back.record_info.requires_grad


def test_a_tensor_subclass_is_reported_as_such():
    class Fake(torch.Tensor):
        pass

    back = roundtrip(torch.ones(2).as_subclass(Fake))
    assert back.record_info.type.endswith("Fake")


def test_containers_numbers_and_errors_keep_their_kind():
    value = {
        "t": (1, 2.5, [True, None]),
        3: float("nan"),
        "inf": -math.inf,
        "a": np.arange(4, dtype=np.int16),
        "s": np.float32(1.5),
        "err": ValueError("bad input"),
        "obj": object(),
    }
    back = roundtrip(value)
    assert back["t"] == (1, 2.5, [True, None]) and isinstance(back["t"], tuple)
    assert math.isnan(back[3]) and back["inf"] == -math.inf
    assert back["a"].dtype == np.int16 and back["a"].tolist() == [0, 1, 2, 3]
    assert back["s"].shape == () and float(back["s"]) == 1.5
    assert back["err"] == Error("ValueError", "bad input")
    assert back["obj"] == Opaque("builtins.object")


def test_the_seed_comes_from_the_grader_and_the_judge_derives_the_same(monkeypatch):
    monkeypatch.setenv(probe_module.SEED_VARIABLE, "12345")
    p = Probe("test_x")
    assert p.seed == 12345
    expected = torch.Generator().manual_seed(derive_seed(12345, "test_x", 2))
    assert torch.equal(torch.randn(5, generator=p.generator(2)), torch.randn(5, generator=expected))
    assert derive_seed(12345, "test_x") != derive_seed(12346, "test_x")
    assert derive_seed(1, "test_x") != derive_seed(1, "test_y")


def test_call_reports_results_and_exceptions_with_where_they_happened():
    p = Probe("test_x")

    def broken(x):
        return [1][x]

    assert p.call("ok", lambda x: x + 1, 1) == 2
    assert p.call("bad", broken, 5) is None
    assert p.values["ok"] == 2
    assert p.values["bad"]["__error__"]["type"] == "IndexError"
    assert "return [1][x]" in p.values["bad.where"]


def test_ops_records_every_spelling():
    p = Probe("test_x")
    saved = torch.sigmoid
    with p.ops("ops"):
        saved(torch.zeros(2))
        torch.zeros(2).exp()
    assert {"sigmoid", "exp"} <= set(p.values["ops"]["__dict__"][0][1])


def test_send_displays_one_record_of_the_probe_mime_type(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw: shown.append(obj))
    p = Probe("test_x")
    p.record("v", 1)
    p.send()
    assert shown == [{MIME_TYPE: {"test": "test_x", "seed": p.seed, "values": {"v": 1}}}]
