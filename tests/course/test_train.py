"""Tests for course.train: the fit loop, label prediction, accuracy and the timer."""

import time

import pytest
import torch
from torch import nn

from course import data
from course.train import History, accuracy, fit, predict_labels, timer

HAS_ACCELERATOR = torch.cuda.is_available() or torch.backends.mps.is_available()


class Fixed(nn.Module):
    """A 'model' that ignores its input and returns a fixed output; records how it was called."""

    def __init__(self, output: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("output", output)
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.output


class CountingSGD(torch.optim.SGD):
    steps = 0

    def step(self, closure=None):
        self.steps += 1
        return super().step(closure)


def mlp(outputs: int = 1, sigmoid: bool = True, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    layers = [nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, outputs)]
    return nn.Sequential(*layers, nn.Sigmoid()) if sigmoid else nn.Sequential(*layers)


def test_fit_learns_xor_with_probabilities(capsys):
    X, y = data.xor(n=200, device="cpu")
    model = mlp()
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(model, X, y, nn.BCELoss(), opt, epochs=150, device="cpu", progress=False)
    assert isinstance(history, History)
    assert len(history.train_loss) == 150
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_loss == [] and history.val_accuracy == []
    assert history.device == "cpu" and history.seconds > 0
    assert accuracy(model, X, y) > 0.95
    assert capsys.readouterr() == ("", "")  # progress=False prints nothing at all


def test_fit_with_logits_records_validation_accuracy():
    X, y = data.moons(n=200, device="cpu")
    X_tr, X_va, y_tr, y_va = data.split(X, y)
    model = mlp(sigmoid=False)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(
        model,
        X_tr,
        y_tr,
        nn.BCEWithLogitsLoss(),
        opt,
        epochs=60,
        X_val=X_va,
        y_val=y_va,
        device="cpu",
        progress=False,
    )
    assert len(history.val_loss) == len(history.val_accuracy) == 60
    assert history.val_accuracy[-1] == pytest.approx(accuracy(model, X_va, y_va, logits=True))
    assert history.val_accuracy[-1] > 0.85


def test_fit_multiclass_cross_entropy():
    X, y = data.spirals(n=300, device="cpu")
    model = mlp(outputs=3, sigmoid=False)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    history = fit(
        model,
        X,
        y,
        nn.CrossEntropyLoss(),
        opt,
        epochs=100,
        batch_size=64,
        X_val=X,
        y_val=y,
        generator=torch.Generator().manual_seed(0),
        device="cpu",
        progress=False,
    )
    assert history.val_accuracy[-1] > 0.6  # chance is 1/3
    assert history.val_accuracy[-1] == pytest.approx(accuracy(model, X, y))


def test_fit_regression_has_no_accuracy():
    X = torch.linspace(-1, 1, 40).unsqueeze(1)
    y = 3 * X[:, 0] + 1
    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    history = fit(model, X, y, nn.MSELoss(), opt, epochs=100, X_val=X, y_val=y, progress=False)
    assert history.val_accuracy == []
    assert history.val_loss[-1] < 1e-4  # (n, 1) output met (n,) targets without broadcasting
    assert model.weight.item() == pytest.approx(3, abs=1e-2)


def run_minibatch(seed: int) -> list[float]:
    X, y = data.xor(n=100, device="cpu")
    model = mlp(seed=1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    history = fit(
        model,
        X,
        y,
        nn.BCELoss(),
        opt,
        epochs=5,
        batch_size=16,
        generator=torch.Generator().manual_seed(seed),
        device="cpu",
        progress=False,
    )
    return history.train_loss


def test_fit_is_deterministic_given_a_generator():
    assert run_minibatch(0) == run_minibatch(0)
    assert run_minibatch(0) != run_minibatch(1)


def test_fit_takes_one_step_per_minibatch():
    X, y = data.xor(n=50, device="cpu")
    model = mlp()
    opt = CountingSGD(model.parameters(), lr=0.1)
    fit(model, X, y, nn.BCELoss(), opt, epochs=3, batch_size=16, progress=False)
    assert opt.steps == 3 * 4  # 50 rows -> batches of 16, 16, 16, 2
    opt.steps = 0
    fit(model, X, y, nn.BCELoss(), opt, epochs=3, progress=False)
    assert opt.steps == 3  # full batch


def test_fit_restores_training_mode():
    X, y = data.xor(n=20, device="cpu")
    model = mlp()
    model.eval()
    fit(
        model,
        X,
        y,
        nn.BCELoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        epochs=1,
        progress=False,
    )
    assert not model.training


def test_fit_progress_prints_one_summary_line(capsys):
    X, y = data.xor(n=20, device="cpu")
    model = mlp()
    fit(
        model,
        X,
        y,
        nn.BCELoss(),
        torch.optim.SGD(model.parameters(), lr=0.1),
        epochs=3,
        device="cpu",
        desc="demo",
    )
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Trained 3 epochs in ") and lines[0].endswith(" s on cpu")
    assert "demo" in err  # the tqdm bar (stderr in a terminal, a widget in Jupyter)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": -1}, "epochs must be 0 or more"),
        ({"batch_size": 0}, "batch_size must be a positive number"),
        ({"X_val": torch.zeros(2, 2)}, "both X_val and y_val"),
        ({"y": torch.zeros(3)}, "same length"),
        ({"X": torch.zeros(0, 2), "y": torch.zeros(0)}, "X is empty"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, message):
    model = mlp()
    args = {"X": torch.zeros(4, 2), "y": torch.zeros(4)} | kwargs
    with pytest.raises(ValueError, match=message):
        fit(
            model,
            loss_fn=nn.BCELoss(),
            optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            progress=False,
            **args,
        )


@pytest.mark.parametrize("shape", [(4,), (4, 1)])
def test_predict_binary_probabilities(shape):
    model = Fixed(torch.tensor([0.2, 0.7, 0.5, 0.51]).reshape(shape))
    labels = predict_labels(model, torch.zeros(4, 2))
    assert labels.dtype == torch.float32 and labels.shape == (4,)
    assert labels.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_predict_binary_logits_threshold_at_zero():
    model = Fixed(torch.tensor([-2.0, 0.3, 0.7, -0.1]))
    assert predict_labels(model, torch.zeros(4, 2), logits=True).tolist() == [0, 1, 1, 0]
    assert predict_labels(model, torch.zeros(4, 2)).tolist() == [0, 0, 1, 0]


def test_predict_multiclass_argmax():
    model = Fixed(torch.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]]))
    labels = predict_labels(model, torch.zeros(2, 2))
    assert labels.dtype == torch.int64 and labels.tolist() == [1, 0]


def test_predict_runs_in_eval_mode_without_gradients_and_restores_mode():
    model = Fixed(torch.tensor([0.9]))
    model.train()
    predict_labels(model, torch.zeros(1, 2))
    assert model.calls == [(False, False)]
    assert model.training


def test_predict_accepts_plain_functions():
    labels = predict_labels(lambda x: x.sum(dim=1), torch.tensor([[0.1, 0.2], [0.5, 0.6]]))
    assert labels.tolist() == [0.0, 1.0]


def test_predict_rejects_odd_output_shapes():
    with pytest.raises(ValueError, match=r"shape \(n,\), \(n, 1\) or \(n, k\)"):
        predict_labels(Fixed(torch.zeros(2, 3, 4)), torch.zeros(2, 2))


def test_accuracy_values():
    model = Fixed(torch.tensor([0.9, 0.1, 0.8, 0.3]))
    X = torch.zeros(4, 2)
    assert accuracy(model, X, torch.tensor([1.0, 0.0, 0.0, 0.0])) == pytest.approx(0.75)
    assert accuracy(model, X, torch.tensor([[1], [0], [1], [0]])) == 1.0  # (n, 1) int labels


def test_accuracy_rejects_one_hot_targets():
    model = Fixed(torch.tensor([[0.9, 0.1], [0.2, 0.8]]))
    with pytest.raises(ValueError, match="not one-hot"):
        accuracy(model, torch.zeros(2, 2), torch.eye(2))


def test_timer_measures_and_freezes():
    with timer() as t:
        time.sleep(0.02)
        assert t.seconds > 0  # readable while running
    elapsed = t.seconds
    assert 0.02 <= elapsed < 1.0
    time.sleep(0.01)
    assert t.seconds == elapsed


@pytest.mark.gpu
@pytest.mark.skipif(not HAS_ACCELERATOR, reason="needs a CUDA or Apple MPS device; none found")
def test_fit_on_the_accelerator():
    from course import get_device

    device = get_device()
    X, y = data.xor(n=64, device="cpu")  # fit moves the data itself
    model = mlp()
    history = fit(
        model,
        X,
        y,
        nn.BCELoss(),
        torch.optim.Adam(model.parameters(), lr=0.05),
        epochs=20,
        batch_size=16,
        generator=torch.Generator().manual_seed(0),
        device=device,
        progress=False,
    )
    assert history.device.startswith(device.type)
    assert next(model.parameters()).device.type == device.type
    assert predict_labels(model, X).device.type == "cpu"  # labels come back on X's device
