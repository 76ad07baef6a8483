"""Tests for course.plot: each figure draws what it should, with labelled axes and a title."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from torch import nn  # noqa: E402

from course import data  # noqa: E402
from course.plot import (  # noqa: E402
    plot_decision_boundary,
    plot_functions,
    plot_image_grid,
    plot_training_curves,
)
from course.train import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def moons():
    return data.moons(n=60, device="cpu")


def assert_labelled(ax: Axes, title: str | None = None) -> None:
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    if title is not None:
        assert ax.get_title() == title


def colorbar_label(ax: Axes) -> str | None:
    others = [a for a in ax.figure.axes if a is not ax]
    return others[0].get_ylabel() if others else None


class Probability(nn.Module):
    """P(class 1) rises along x1: a fixed binary model with a boundary at x1 = 0.5."""

    def forward(self, x):
        return torch.sigmoid(4 * (x[:, :1] - 0.5))


def test_decision_boundary_binary_module(moons):
    X, y = moons
    ax = plot_decision_boundary(Probability(), X, y, resolution=30)
    assert isinstance(ax, Axes)
    assert_labelled(ax, "Decision boundary")
    assert colorbar_label(ax) == "P(class 1)"
    assert len(ax.collections) >= 4  # filled contour, boundary line, one scatter per class
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    x_lo, x_hi = ax.get_xlim()
    assert x_lo == pytest.approx(X[:, 0].min().item() - 0.5)
    assert x_hi == pytest.approx(X[:, 0].max().item() + 0.5)


def test_decision_boundary_without_colorbar_leaves_a_shared_one_to_the_caller(moons):
    X, y = moons
    fig, axes = plt.subplots(1, 2)
    for ax in axes:
        plot_decision_boundary(Probability(), X, y, ax=ax, resolution=20, colorbar=False)
    assert len(fig.axes) == 2  # no colour bar axes added
    bar = fig.colorbar(axes[0].collections[0], ax=axes, label="P(class 1)")
    assert bar.vmin == 0 and bar.vmax == 1


def test_decision_boundary_on_given_axes_with_title(moons):
    X, y = moons
    _, ax = plt.subplots()
    out = plot_decision_boundary(lambda t: (t[:, 0] > 0).float(), X, y, ax=ax, title="rule")
    assert out is ax
    assert_labelled(ax, "rule")


def test_decision_boundary_logits_and_multiclass():
    X, y = data.spirals(n=90, device="cpu")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    model.train()
    ax = plot_decision_boundary(model, X, y, resolution=25)
    assert_labelled(ax)
    assert len(ax.figure.axes) == 1  # regions coloured by class, no colour bar
    assert len(ax.get_legend().get_texts()) == 3
    assert model.training  # mode restored


@pytest.mark.parametrize(
    ("estimator", "meaning"),
    [(LogisticRegression(), "P(class 1)"), (LinearSVC(), "sigmoid(decision function)")],
)
def test_decision_boundary_sklearn(moons, estimator, meaning):
    X, y = moons
    estimator.fit(data.to_numpy(X), data.to_numpy(y))
    ax = plot_decision_boundary(estimator, X, y, resolution=25)
    assert_labelled(ax)
    assert colorbar_label(ax) == meaning


def test_decision_boundary_label_predictor(moons):
    class Predictor:
        def predict(self, grid):
            return (grid[:, 1] > 0).astype(int)

    X, y = moons
    ax = plot_decision_boundary(Predictor(), X, y, resolution=25)
    assert colorbar_label(ax) == "predicted class"


def test_decision_boundary_constant_model_warns_nothing(moons):
    X, y = moons
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_decision_boundary(lambda t: torch.full((len(t),), 0.3), X, y, resolution=20)


def test_decision_boundary_rejects_bad_inputs(moons):
    X, y = moons
    with pytest.raises(ValueError, match=r"X of shape \(n, 2\)"):
        plot_decision_boundary(Probability(), torch.zeros(5, 3), torch.zeros(5))
    with pytest.raises(ValueError, match="class labels 0, 1"):
        plot_decision_boundary(Probability(), X, y * 2 - 1)
    with pytest.raises(TypeError, match="nn.Module"):
        plot_decision_boundary("model", X, y)


def test_training_curves_with_validation():
    history = History([1.0, 0.5, 0.3], [1.1, 0.7, 0.6], [0.5, 0.7, 0.8], 1.0, "cpu")
    ax = plot_training_curves(history)
    assert_labelled(ax, "Training curves")
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert len(ax.get_lines()) == 2
    twin = [a for a in ax.figure.axes if a is not ax]
    assert len(twin) == 1 and twin[0].get_ylabel() == "validation accuracy"
    labels = [t.get_text() for t in twin[0].get_legend().get_texts()]
    assert labels == ["training loss", "validation loss", "validation accuracy"]
    assert list(ax.get_lines()[0].get_xdata()) == [1, 2, 3]


def test_training_curves_training_only():
    ax = plot_training_curves(History([0.9, 0.4]), title="Only training")
    assert_labelled(ax, "Only training")
    assert len(ax.figure.axes) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training loss"]


@pytest.mark.parametrize("shape", [(5, 8, 8), (5, 1, 8, 8), (5, 3, 8, 8), (5, 64)])
def test_image_grid_shapes(shape):
    images = torch.rand(shape, generator=torch.Generator().manual_seed(0))
    axes = plot_image_grid(images, ncols=3, title="Samples")
    assert len(axes) == 5
    fig = axes[0].figure
    assert fig._suptitle.get_text() == "Samples"
    assert len(fig.axes) == 6  # 2 rows of 3, the last one empty
    assert axes[0].get_images()[0].get_array().shape[:2] == (8, 8)


def test_image_grid_marks_wrong_predictions_in_red():
    axes = plot_image_grid(
        np.zeros((3, 4, 4)), labels=torch.tensor([1, 2, 3]), predictions=[1.0, 5, 3]
    )
    titles = [ax.get_title() for ax in axes]
    assert titles == ["pred 1", "pred 5 (true 2)", "pred 3"]
    assert matplotlib.colors.same_color(axes[1].title.get_color(), "red")
    assert matplotlib.colors.same_color(axes[0].title.get_color(), "black")
    assert axes[0].figure._suptitle.get_text() == "Images"


def test_image_grid_labels_only():
    axes = plot_image_grid(np.zeros((2, 4, 4)), labels=[7, 8])
    assert [ax.get_title() for ax in axes] == ["7", "8"]


@pytest.mark.parametrize(
    ("images", "kwargs", "message"),
    [
        (np.zeros((3, 4, 4)), {"labels": [1, 2]}, "3 images but 2 labels"),
        (np.zeros((101, 2, 2)), {}, "images\\[:32\\]"),
        (np.zeros((3, 2, 4, 4)), {}, "shape \\(n, H, W\\)"),
        (np.zeros((3, 10)), {}, "length 10 as squares"),
    ],
)
def test_image_grid_rejects_bad_inputs(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_image_grid(images, **kwargs)


def test_plot_functions():
    ax = plot_functions({"tanh": torch.tanh, "relu": torch.relu}, x_range=(-2, 3))
    assert_labelled(ax, "tanh, relu")
    assert ax.get_xlabel() == "x" and ax.get_ylabel() == "f(x)"
    tanh_line = next(line for line in ax.get_lines() if line.get_label() == "tanh")
    xs = tanh_line.get_xdata()
    assert xs[0] == -2 and xs[-1] == 3
    assert np.allclose(tanh_line.get_ydata(), np.tanh(xs), atol=1e-6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh", "relu"]


def test_plot_functions_custom_labels_and_grad_functions():
    weight = torch.tensor(2.0, requires_grad=True)
    ax = plot_functions({"scaled": lambda x: weight * x}, title="Scaled", xlabel="z", ylabel="g(z)")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Scaled", "z", "g(z)")


def test_plot_functions_rejects_wrong_output_shape():
    with pytest.raises(ValueError, match=r"functions\['total'\] returned shape \(\)"):
        plot_functions({"total": lambda x: x.sum()})
