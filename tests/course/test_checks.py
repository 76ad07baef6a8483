"""Tests for course.checks: staged checks pass right answers and explain wrong ones."""

import math
import re

import numpy as np
import pytest
import torch

from course.checks import (
    check_close,
    check_finite,
    check_gradient,
    check_shape,
    check_tensor,
    check_type,
    numerical_gradient,
)


def fails(message: str):
    """pytest.raises(AssertionError) matching `message` literally."""
    return pytest.raises(AssertionError, match=re.escape(message))


# check_type


@pytest.mark.parametrize(
    ("value", "expected"),
    [(torch.ones(2), torch.Tensor), (1.5, float), (3, int), (2, (float, int)), (True, bool)],
)
def test_check_type_passes(value, expected):
    check_type(value, expected)


def test_check_type_message():
    with fails("result should be a torch.Tensor, but it is a list."):
        check_type([1, 2], torch.Tensor)


def test_check_type_names_and_hints():
    with fails("weights should be a torch.Tensor, but it is None. Did the function forget"):
        check_type(None, torch.Tensor, name="weights")
    with fails("result should be a float or an int, but it is a torch.Tensor. Use .item()"):
        check_type(torch.tensor(1.0), (float, int))
    with fails("result should be an int, but it is a bool."):
        check_type(True, int)
    with fails("result should be a torch.Tensor, but it is a numpy.ndarray."):
        check_type(np.zeros(2), torch.Tensor)
    with fails("result should be a torch.nn.Module, but it is a str."):
        check_type("layer", torch.nn.Module)


# check_shape


def test_check_shape_passes():
    check_shape(torch.zeros(4, 3), (4, 3))
    check_shape(np.zeros((7, 3)), (None, 3))
    check_shape(torch.tensor(1.0), ())


def test_check_shape_message_and_hints():
    with fails("result should have shape (4, 3), but it has shape (3, 4). It looks transposed."):
        check_shape(torch.zeros(3, 4), (4, 3))
    with fails("result should have shape (5,), but it has shape (5, 1). It has an extra"):
        check_shape(torch.zeros(5, 1), (5,))
    with fails("out should have shape (5, 1), but it has shape (5,). It lacks a dimension"):
        check_shape(torch.zeros(5), (5, 1), name="out")
    with fails("should have shape (?, 3), but it has shape (2, 4)."):
        check_shape(torch.zeros(2, 4), (None, 3))
    with fails("result should have shape (2,), but it is a list, which has no shape."):
        check_shape([1, 2], (2,))


# check_close


def test_check_close_passes_within_tolerance():
    check_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    check_close(0.30000001, 0.3)
    check_close(np.array([1e6]), np.array([1e6 + 5]), rtol=1e-5)  # relative tolerance
    check_close(torch.tensor([float("nan"), -math.inf]), [float("nan"), -math.inf])


def test_check_close_reports_first_wrong_index_and_largest_difference():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    actual[1, 0] = 0.25
    with pytest.raises(AssertionError) as info:
        check_close(actual, expected)
    message = str(info.value)
    assert message.startswith("result has wrong values (2 of 6 values are off): at index [1, 0]")
    assert "it is 0.25, but the expected value is 0." in message
    assert "largest absolute difference is 0.5" in message


def test_check_close_scalar_message():
    with fails("loss has wrong values: it is 2, but the expected value is 1."):
        check_close(2.0, 1.0, name="loss")


@pytest.mark.parametrize(("bad", "kind"), [(float("nan"), "NaN"), (math.inf, "infinity")])
def test_check_close_rejects_non_finite(bad, kind):
    with fails(f"result contains {kind} at index [1] (the expected value there is 2)."):
        check_close(torch.tensor([1.0, bad]), torch.tensor([1.0, 2.0]))


def test_check_close_never_broadcasts():
    with fails("result should have shape (3,), but it has shape (3, 1)."):
        check_close(torch.zeros(3, 1), torch.zeros(3))


# check_tensor


def test_check_tensor_passes_and_accepts_other_float_precision():
    expected = torch.tensor([0.5, 1.5])
    check_tensor(expected.clone(), expected)
    check_tensor(expected.double(), expected)


def test_check_tensor_stages_in_order():
    expected = torch.tensor([[1.0, 2.0]])
    with fails("result should be a torch.Tensor, but it is a list."):
        check_tensor([[1.0, 9.0]], expected)  # wrong type and values: type comes first
    with fails("should have shape (1, 2), but it has shape (2,)."):
        check_tensor(torch.tensor([7.0, 8.0]), expected)  # wrong shape and values
    with fails(
        "should have a floating-point dtype like torch.float32, but it has dtype torch.int64"
    ):
        check_tensor(torch.tensor([[1, 2]]), expected)
    with fails("result should be on device cpu (where the inputs are), but it is on meta."):
        check_tensor(torch.empty(1, 2, device="meta"), expected)
    with fails("at index [0, 1] it is 3, but the expected value is 2."):
        check_tensor(torch.tensor([[1.0, 3.0]]), expected)


def test_check_tensor_integer_and_boolean_kinds():
    check_tensor(torch.tensor([1, 2], dtype=torch.int32), torch.tensor([1, 2]))
    with fails("should have a boolean dtype like torch.bool, but it has dtype torch.float32"):
        check_tensor(torch.tensor([1.0, 0.0]), torch.tensor([True, False]))


# check_finite


def test_check_finite():
    check_finite(torch.tensor([1.0, -2.0]))
    check_finite(3.0)
    with fails("x should contain only finite numbers, but it contains NaN at index [0, 1]"):
        check_finite(torch.tensor([[0.0, float("nan")], [math.inf, 1.0]]), name="x")
    with fails("but it contains infinity. Look for"):
        check_finite(math.inf)


# numerical_gradient and check_gradient


def test_numerical_gradient_of_sum_of_squares():
    x = torch.tensor([[1.0, -2.0, 0.5], [3.0, 0.0, -0.25]])
    grad = numerical_gradient(lambda t: (t**2).sum(), x)
    assert grad.shape == x.shape and grad.dtype == torch.float64
    assert (grad - 2 * x.double()).abs().max() < 1e-7


def test_numerical_gradient_of_sin():
    x = torch.linspace(-3, 3, 7)
    grad = numerical_gradient(lambda t: torch.sin(t).sum(), x)
    assert (grad - torch.cos(x.double())).abs().max() < 1e-8


def test_numerical_gradient_accepts_python_numbers_and_protects_x():
    x = torch.tensor([2.0, 3.0])
    grad = numerical_gradient(lambda t: float(t[0] * t[1]), x)
    assert torch.allclose(grad, torch.tensor([3.0, 2.0], dtype=torch.float64))
    grad = numerical_gradient(lambda t: t.mul_(5).sum(), x)  # f edits its input in place
    assert torch.allclose(grad, torch.full((2,), 5.0, dtype=torch.float64))
    assert x.tolist() == [2.0, 3.0]


def test_numerical_gradient_needs_a_scalar_function():
    with pytest.raises(ValueError, match=r"single number, but it returned shape \(3,\)"):
        numerical_gradient(lambda t: t * 2, torch.ones(3))


def test_check_gradient_accepts_the_true_gradient():
    x = torch.tensor([0.3, -1.2, 2.0])
    check_gradient(lambda t: (t**2).sum(), 2 * x, x)
    check_gradient(lambda t: torch.sin(t).sum(), torch.cos(x), x)


def test_check_gradient_explains_wrong_gradients():
    x = torch.tensor([0.3, -1.2, 2.0])
    with fails(
        "gradient has wrong values (3 of 3 values are off): at index [0] it is 0.3, but "
        "the numerical estimate is 0.6"
    ):
        check_gradient(lambda t: (t**2).sum(), x, x)  # forgot the factor 2
    with fails("dW should be a torch.Tensor, but it is a list."):
        check_gradient(lambda t: (t**2).sum(), [0.6], x, name="dW")
    with fails("gradient should have shape (3,), but it has shape (1, 3)."):
        check_gradient(lambda t: (t**2).sum(), 2 * x.unsqueeze(0), x)
    with fails("gradient should contain only finite numbers, but it contains NaN at index [2]"):
        check_gradient(lambda t: (t**2).sum(), torch.tensor([0.6, -2.4, math.nan]), x)


def test_op_recorder_sees_every_spelling_of_an_operation():
    from course.checks import OpRecorder

    saved = torch.sigmoid
    x = torch.tensor([0.5, -0.5])
    for call in (torch.sigmoid, lambda t: t.sigmoid(), torch.nn.functional.sigmoid, saved):
        with OpRecorder() as ops:
            call(x)
        assert ops.used({"sigmoid", "tanh"}) == ["sigmoid"]
    with OpRecorder() as ops:
        torch.tanh(x)
    assert ops.used({"sigmoid"}) == []


def test_op_recorder_reports_overflow_in_intermediate_results():
    from course.checks import OpRecorder

    with OpRecorder() as ops:
        big = torch.exp(torch.tensor([1000.0]))
        (1 / (1 + big)).sum()
    assert ops.nonfinite == ["exp", "add"]
    with OpRecorder() as ops:
        torch.empty_like(torch.zeros(3))
        torch.exp(torch.tensor([1.0]))
    assert ops.nonfinite == []
