"""Figures the chapters reuse: decision boundaries, training curves, image grids, function plots.

Every function draws on a Matplotlib Axes (a new figure when `ax` is None), labels the axes,
sets a title and returns what it drew on, so a notebook can add to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from torch import Tensor, nn

from course.data import to_numpy
from course.train import History

_CLASS_COLORS = plt.get_cmap("tab10").colors
_BINARY_COLORS = ("#2166ac", "#b2182b")  # blue for class 0, red for class 1 (ends of RdBu)


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (5.5, 4.5)) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize)
    return ax


def _score_grid(model_or_fn: Any, grid: np.ndarray, like: Any) -> tuple[np.ndarray, str]:
    """Evaluate a model, a function or a scikit-learn estimator on grid points (m, 2).

    Returns the outputs and what a single output column means, for the colour bar's label.
    """
    if isinstance(model_or_fn, nn.Module):
        params = [*model_or_fn.parameters(), *model_or_fn.buffers()]
        device = params[0].device if params else torch.device("cpu")
        dtype = next((p.dtype for p in params if p.is_floating_point()), torch.float32)
        was_training = model_or_fn.training
        model_or_fn.eval()
        try:
            with torch.no_grad():
                out = model_or_fn(torch.as_tensor(grid, dtype=dtype, device=device))
        finally:
            model_or_fn.train(was_training)
        return to_numpy(out), "P(class 1)"
    if hasattr(model_or_fn, "predict"):  # a fitted scikit-learn estimator
        if hasattr(model_or_fn, "predict_proba"):
            proba = np.asarray(model_or_fn.predict_proba(grid))
            return (proba[:, 1] if proba.shape[1] == 2 else proba), "P(class 1)"
        if hasattr(model_or_fn, "decision_function"):
            return np.asarray(model_or_fn.decision_function(grid)), "sigmoid(decision function)"
        return np.asarray(model_or_fn.predict(grid), dtype=np.float64), "predicted class"
    if callable(model_or_fn):
        device = like.device if isinstance(like, Tensor) else torch.device("cpu")
        with torch.no_grad():
            out = model_or_fn(torch.as_tensor(grid, dtype=torch.float32, device=device))
        return to_numpy(out), "P(class 1)"
    raise TypeError(
        "plot_decision_boundary needs an nn.Module, a function of a (m, 2) tensor, or a fitted "
        f"scikit-learn estimator, but got {type(model_or_fn).__name__}."
    )


def plot_decision_boundary(
    model_or_fn: nn.Module | Callable[[Tensor], Tensor] | Any,
    X: Tensor | np.ndarray,
    y: Tensor | np.ndarray,
    ax: Axes | None = None,
    title: str | None = None,
    resolution: int = 200,
    padding: float = 0.5,
    colorbar: bool = True,
) -> Axes:
    """Shade what a 2-D classifier predicts everywhere and overlay the data points.

    Binary models (one output per point) show the probability of class 1 with the 0.5 contour;
    outputs outside [0, 1] are read as logits and passed through a sigmoid first. Multi-class
    models (k outputs) and label predictors show the predicted class as coloured regions.
    A grid of panels can pass ``colorbar=False`` and draw one shared colour bar for all of them
    from the first filled contour, ``ax.collections[0]``, which leaves each panel wider.
    """
    points = to_numpy(X).astype(np.float64)
    labels = to_numpy(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs X of shape (n, 2), but got {points.shape}.")
    ax = _new_axes(ax)
    lo, hi = points.min(axis=0) - padding, points.max(axis=0) + padding
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    scores, meaning = _score_grid(model_or_fn, grid, X)
    scores = scores.astype(np.float64)
    if scores.ndim == 2 and scores.shape[1] == 1:
        scores = scores[:, 0]

    classes = np.unique(labels).astype(int)
    if classes.min() < 0 or not np.array_equal(classes, np.unique(labels)):
        raise ValueError(
            f"y should hold class labels 0, 1, ..., k-1, but it holds {np.unique(labels)[:10]}."
        )
    is_binary = scores.ndim == 1 and len(classes) <= 2 and set(classes) <= {0, 1}
    if is_binary and (scores.min() < 0 or scores.max() > 1):
        scores = 1 / (1 + np.exp(-np.clip(scores, -50, 50)))  # logits or margins -> (0, 1)
    if is_binary:
        colors = _BINARY_COLORS
        filled = ax.contourf(
            xx, yy, scores.reshape(xx.shape), levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.5
        )
        if scores.min() < 0.5 < scores.max():  # a boundary exists inside the plotted area
            ax.contour(xx, yy, scores.reshape(xx.shape), levels=[0.5], colors="black")
        if colorbar:
            ax.figure.colorbar(filled, ax=ax, label=meaning)
    else:
        predicted = scores.argmax(axis=1) if scores.ndim == 2 else np.rint(scores).astype(int)
        n_regions = max(int(predicted.max()), int(classes.max())) + 1
        colors = tuple(_CLASS_COLORS[i % len(_CLASS_COLORS)] for i in range(n_regions))
        ax.contourf(
            xx,
            yy,
            predicted.reshape(xx.shape),
            levels=np.arange(n_regions + 1) - 0.5,
            cmap=ListedColormap(colors),
            alpha=0.35,
        )
    for c in classes:
        mask = labels == c
        ax.scatter(
            points[mask, 0],
            points[mask, 1],
            s=18,
            color=colors[c],
            edgecolors="black",
            linewidths=0.5,
        )
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=colors[c],
            markeredgecolor="black",
            label=f"class {c}",
        )
        for c in classes
    ]
    ax.legend(handles=handles, loc="best", fontsize="small")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title or "Decision boundary")
    return ax


def plot_training_curves(
    history: History, ax: Axes | None = None, title: str = "Training curves"
) -> Axes:
    """Plot training (and validation) loss per epoch; validation accuracy on a right-hand axis."""
    ax = _new_axes(ax, figsize=(6.5, 4))
    epochs = np.arange(1, len(history.train_loss) + 1)
    lines = ax.plot(epochs, history.train_loss, label="training loss", color="C0")
    if history.val_loss:
        lines += ax.plot(
            np.arange(1, len(history.val_loss) + 1),
            history.val_loss,
            label="validation loss",
            color="C1",
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    legend_ax, where = ax, "best"
    if history.val_accuracy:
        acc_ax = ax.twinx()
        lines += acc_ax.plot(
            np.arange(1, len(history.val_accuracy) + 1),
            history.val_accuracy,
            label="validation accuracy",
            color="C2",
            linestyle="--",
        )
        acc_ax.set_ylabel("validation accuracy")
        acc_ax.set_ylim(0, 1.02)
        legend_ax, where = acc_ax, "center right"  # drawn above the accuracy line, not under it
    legend_ax.legend(lines, [line.get_label() for line in lines], loc=where)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    return ax


def _image_stack(images: Tensor | np.ndarray) -> np.ndarray:
    """Return images as (n, H, W) or (n, H, W, 3) NumPy arrays ready for imshow."""
    arr = to_numpy(images)
    if arr.ndim == 2:  # flattened square images such as digits (n, 64)
        side = int(round(np.sqrt(arr.shape[1])))
        if side * side != arr.shape[1]:
            raise ValueError(f"Cannot show flattened images of length {arr.shape[1]} as squares.")
        return arr.reshape(-1, side, side)
    if arr.ndim == 3:
        return arr
    if arr.ndim == 4 and arr.shape[1] == 1:
        return arr[:, 0]
    if arr.ndim == 4 and arr.shape[1] == 3:
        arr = arr.transpose(0, 2, 3, 1)
    if arr.ndim == 4 and arr.shape[3] == 3:
        lo = arr.min(axis=(1, 2, 3), keepdims=True)
        hi = arr.max(axis=(1, 2, 3), keepdims=True)
        outside = (lo < 0) | (hi > 1)
        return np.where(outside, (arr - lo) / np.maximum(hi - lo, 1e-12), arr)
    raise ValueError(
        "plot_image_grid needs images of shape (n, H, W), (n, 1, H, W) or (n, 3, H, W), "
        f"but got {arr.shape}."
    )


def _label_text(value: Any) -> str:
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def plot_image_grid(
    images: Tensor | np.ndarray,
    labels: Sequence[Any] | Tensor | np.ndarray | None = None,
    predictions: Sequence[Any] | Tensor | np.ndarray | None = None,
    ncols: int = 8,
    title: str | None = None,
    cmap: str = "gray",
    max_images: int = 100,
) -> np.ndarray:
    """Show images in a grid, each titled with its label and/or prediction (wrong ones in red).

    Accepts (n, H, W), (n, 1, H, W), (n, 3, H, W) and flattened square images (n, H*W).
    Returns the array of the n Axes holding images.
    """
    stack = _image_stack(images)
    n = len(stack)
    if n == 0 or n > max_images:
        raise ValueError(
            f"plot_image_grid shows 1 to {max_images} images, but got {n}; pass a slice such "
            "as images[:32]."
        )
    label_list = None if labels is None else list(labels)
    pred_list = None if predictions is None else list(predictions)
    for what, values in (("labels", label_list), ("predictions", pred_list)):
        if values is not None and len(values) != n:
            raise ValueError(f"Got {n} images but {len(values)} {what}.")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, grid = plt.subplots(nrows, ncols, figsize=(1.4 * ncols, 1.6 * nrows + 0.4), squeeze=False)
    axes = grid.ravel()
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(stack[i], cmap=None if stack[i].ndim == 3 else cmap)
        true = None if label_list is None else _label_text(label_list[i])
        if pred_list is None:
            text, color = (true or ""), "black"
        else:
            pred = _label_text(pred_list[i])
            wrong = true is not None and pred != true
            text = f"pred {pred}" + (f" (true {true})" if wrong else "")
            color = "red" if wrong else "black"
        ax.set_title(text, fontsize=9, color=color)
    fig.suptitle(title or "Images")
    fig.tight_layout()
    return axes[:n]


def plot_functions(
    functions: Mapping[str, Callable[[Tensor], Tensor]],
    x_range: tuple[float, float] = (-5.0, 5.0),
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str = "x",
    ylabel: str = "f(x)",
) -> Axes:
    """Plot several functions of one tensor on the same axes, e.g. activation functions."""
    ax = _new_axes(ax, figsize=(6, 4))
    x = torch.linspace(float(x_range[0]), float(x_range[1]), 401)
    for label, fn in functions.items():
        with torch.no_grad():
            values = to_numpy(fn(x)).astype(np.float64)
        if values.shape != (len(x),):
            raise ValueError(
                f"functions[{label!r}] returned shape {values.shape} for an input of shape "
                f"({len(x)},); it should return one value per input."
            )
        ax.plot(to_numpy(x), values, label=label)
    ax.axhline(0, color="gray", linewidth=0.6)
    ax.axvline(0, color="gray", linewidth=0.6)
    ax.grid(alpha=0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title or ", ".join(functions))
    if functions:
        ax.legend(loc="best")
    return ax
