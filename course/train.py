"""A small, readable training loop with progress, timing and accuracy helpers.

Chapters write their own loops while teaching; once a loop is understood they call `fit` so the
demos stay short. Accuracy helpers work for binary (one output) and multi-class (k outputs) models.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn
from tqdm.auto import tqdm

from course.device import get_device

LossFn = Callable[[Tensor, Tensor], Tensor]


@dataclass
class History:
    """What happened during `fit`: one loss (and accuracy) value per epoch, time and device."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0
    device: str = "cpu"


class Timer:
    """Elapsed wall-clock time; `seconds` grows while running and is frozen after the block."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._end: float | None = None

    @property
    def seconds(self) -> float:
        end = self._end if self._end is not None else time.perf_counter()
        return end - self._start

    def stop(self) -> None:
        _synchronize()
        self._end = time.perf_counter()


def _synchronize() -> None:
    """Wait for queued GPU work so that timings measure the computation, not just its launch."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
    mps = getattr(torch, "mps", None)
    if mps is not None and torch.backends.mps.is_available():
        mps.synchronize()


@contextmanager
def timer() -> Iterator[Timer]:
    """Time a block: `with timer() as t: ...` then read `t.seconds` (GPU work included)."""
    t = Timer()
    try:
        yield t
    finally:
        t.stop()


def _align(output: Tensor, target: Tensor) -> Tensor:
    """Let a binary model output (n, 1) meet targets of shape (n,) without silent broadcasting."""
    if output.ndim == 2 and output.shape[1] == 1 and target.ndim == 1:
        return output.squeeze(1)
    return output


def _uses_logits(loss_fn: LossFn) -> bool | None:
    """True/False when `loss_fn` says whether binary outputs are logits; None if unknown."""
    functional = nn.functional
    if isinstance(loss_fn, nn.BCEWithLogitsLoss | nn.CrossEntropyLoss):
        return True
    if loss_fn in (functional.binary_cross_entropy_with_logits, functional.cross_entropy):
        return True
    if isinstance(loss_fn, nn.BCELoss | nn.NLLLoss) or loss_fn in (
        functional.binary_cross_entropy,
        functional.nll_loss,
    ):
        return False
    return None


def _model_device(model: nn.Module | Callable[[Tensor], Tensor]) -> torch.device | None:
    """The device of a module's first parameter or buffer; None for functions and empty modules."""
    if isinstance(model, nn.Module):
        tensors = (*model.parameters(), *model.buffers())
        return tensors[0].device if tensors else None
    return None


def fit(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    X_val: Tensor | None = None,
    y_val: Tensor | None = None,
    device: torch.device | str | None = None,
    generator: torch.Generator | None = None,
    progress: bool = True,
    desc: str = "training",
) -> History:
    """Train `model` on (X, y) and return its History.

    Moves model and data to `device` (default: the course device). Full-batch gradient descent
    when `batch_size` is None, else shuffled minibatches drawn with `generator` (pass one for
    reproducible runs). With validation data it records validation loss, and accuracy for
    classification losses (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss). With
    `progress` it shows a tqdm bar and prints one summary line; with `progress=False` it prints
    nothing, which keeps test cells free of output.
    """
    if epochs < 0:
        raise ValueError(f"epochs must be 0 or more, but it is {epochs}.")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be a positive number or None, but it is {batch_size}.")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, but they have {len(X)} and {len(y)}.")
    if len(X) == 0:
        raise ValueError("fit needs at least one training example, but X is empty.")
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")

    device = torch.device(device) if device is not None else get_device()
    model.to(device)
    X, y = X.to(device), y.to(device)
    if X_val is not None and y_val is not None:
        X_val, y_val = X_val.to(device), y_val.to(device)
    logits = _uses_logits(loss_fn)
    was_training = model.training
    history = History(device=str(device))
    n = len(X)

    with timer() as t:
        bar = tqdm(range(epochs), desc=desc, disable=not progress, unit="epoch")
        for _ in bar:
            model.train()
            if batch_size is None:
                batches = [None]
            else:
                order = torch.randperm(n, generator=generator).to(device)
                batches = list(torch.split(order, batch_size))
            total = torch.zeros((), device=device)  # summed on the device: one sync per epoch
            for idx in batches:
                xb, yb = (X, y) if idx is None else (X[idx], y[idx])
                optimizer.zero_grad()
                loss = loss_fn(_align(model(xb), yb), yb)
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(xb)
            history.train_loss.append(total.item() / n)
            postfix = {"loss": f"{history.train_loss[-1]:.4f}"}
            if X_val is not None and y_val is not None:
                model.eval()
                with torch.no_grad():
                    out = model(X_val)
                    history.val_loss.append(loss_fn(_align(out, y_val), y_val).item())
                postfix["val_loss"] = f"{history.val_loss[-1]:.4f}"
                is_multiclass = out.ndim == 2 and out.shape[1] > 1
                if logits is not None or is_multiclass:
                    acc = _fraction_correct(_labels_from_output(out, bool(logits)), y_val)
                    history.val_accuracy.append(acc)
                    postfix["val_acc"] = f"{acc:.3f}"
            bar.set_postfix(postfix, refresh=False)
        bar.close()
    model.train(was_training)
    history.seconds = t.seconds
    if progress:
        print(f"Trained {epochs} epochs in {history.seconds:.2f} s on {device}")
    return history


def _labels_from_output(output: Tensor, logits: bool) -> Tensor:
    """Turn model outputs into labels: threshold for one output, argmax for several."""
    if output.ndim == 1 or (output.ndim == 2 and output.shape[1] == 1):
        threshold = 0.0 if logits else 0.5
        return (output.reshape(-1) > threshold).float()
    if output.ndim == 2:
        return output.argmax(dim=1)
    raise ValueError(
        f"Expected model outputs of shape (n,), (n, 1) or (n, k), but got {tuple(output.shape)}."
    )


def _fraction_correct(labels: Tensor, y: Tensor) -> float:
    """Fraction of `labels` equal to the class labels `y` (any shape with one label per row)."""
    target = y.reshape(-1).to(labels.device)
    if len(target) != len(labels):
        raise ValueError(
            f"y has {len(target)} labels for {len(labels)} predictions; "
            "pass one class label per example (not one-hot vectors)."
        )
    if len(target) == 0:
        raise ValueError("accuracy needs at least one example.")
    return (labels.double() == target.double()).double().mean().item()


def predict_labels(
    model: nn.Module | Callable[[Tensor], Tensor], X: Tensor, logits: bool = False
) -> Tensor:
    """Predicted class labels for X, on X's device.

    One output per example: threshold 0.5 on probabilities (0 on logits when `logits=True`),
    float labels 0./1. Several outputs: the argmax class, int64. Runs in eval mode without
    gradients and restores the model's mode afterwards.
    """
    device = _model_device(model)
    inputs = X.to(device) if device is not None else X
    was_training = model.training if isinstance(model, nn.Module) else False
    if isinstance(model, nn.Module):
        model.eval()
    try:
        with torch.no_grad():
            output = model(inputs)
    finally:
        if isinstance(model, nn.Module):
            model.train(was_training)
    return _labels_from_output(output, logits).to(X.device)


def accuracy(
    model: nn.Module | Callable[[Tensor], Tensor], X: Tensor, y: Tensor, logits: bool = False
) -> float:
    """Fraction (0 to 1) of examples in X whose predicted label equals y."""
    return _fraction_correct(predict_labels(model, X, logits=logits), y)
