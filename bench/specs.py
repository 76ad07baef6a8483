"""What to read out of each chapter after it has run: the training results and their baselines.

Every chapter already trains its networks and fits a classical model on the same split, and keeps
the scores and times in variables. The benchmark appends one trusted cell to the executed copy
(never to the chapter itself) that turns those variables into rows of one table, so quality per
second comes from the very run whose wall time and memory are measured.

A spec is Python run in the chapter's kernel after its last cell. It calls
``_bench_row(task, model, kind, metric, value, seconds)`` once per model, where ``kind`` is
"network" (the chapter's PyTorch model) or "classical" (the baseline it is compared with). A spec
may time a baseline itself when the chapter does not (chapter 6's bigram counts).
"""

from __future__ import annotations

import json
import textwrap

# Printed in front of the JSON line so that it can be found among the chapter's own outputs.
MARKER = "BENCH-QUALITY-JSON:"

# Metrics where a smaller number is better; every other metric is an accuracy.
LOWER_IS_BETTER = ("MSE", "perplexity", "nats", "loss", "distance")

SPECS: dict[str, str] = {
    "01_neurons": """
for r in results:
    kind = "network" if r["model"].startswith("MLP") else "classical"
    _bench_row(
        f"{r['data']} (2-D points)", r["model"], kind, "test accuracy",
        r["test accuracy"], r["fit time (ms)"] / 1000,
    )
""",
    "02_gradient_descent": """
for r in results:
    classical = r["model"].startswith(("scikit-learn", "closed form"))
    _bench_row(
        r["task"], r["model"], "classical" if classical else "network", r["metric"],
        r["value"], r["fit time (ms)"] / 1000,
    )
""",
    "03_backprop": """
for r in results:
    kind = "classical" if r["model"].startswith("scikit-learn") else "network"
    _bench_row(
        "digits (8x8)", r["model"], kind, "test accuracy", r["test accuracy"],
        r["training time (s)"],
    )
""",
    "04_cnn": """
for name, r in digits_table.iterrows():
    kind = "network" if name == "CNN" else "classical"
    _bench_row(
        "digits (8x8)", name, kind, "test accuracy", r["test accuracy"], r["fit time (s)"]
    )
for name, r in shape_results.items():
    kind = "classical" if "SVC" in name else "network"
    _bench_row(
        "shapes moved off-centre", name, kind, "test accuracy", r["anywhere test"],
        r["train time (s)"],
    )
""",
    "05_deep_training": """
for name, r in comparison.iterrows():
    _bench_row(
        "digits (8x8)", name, r["kind"], "test accuracy", r["test accuracy"],
        r["training time (s)"],
    )
for name, part in curves[curves["labels"] == 20].groupby("model"):
    _bench_row(
        "digits 5-9 from 20 labels", name, "classical" if name == "RBF SVC" else "network",
        "test accuracy", part["test accuracy"].mean(), part["seconds"].mean(),
    )
""",
    "06_rnn": """
task = "one-step forecast of a noisy series"
_bench_row(task, "naive: last value", "classical", "validation MSE", NAIVE_VAL_MSE, 0.0)
_bench_row(
    task, "ridge on 48 lags (scikit-learn)", "classical", "validation MSE", RIDGE_VAL_MSE,
    ridge_clock.seconds,
)
_bench_row(
    task, "LSTM forecaster", "network", "validation MSE", LSTM_VAL_MSE,
    forecaster_history.seconds,
)
task = "next character (pydoc text)"
_bench_row(
    task, "character LSTM (450 steps)", "network", "validation nats/char", LSTM_VAL_NATS,
    lm_clock.seconds,
)
# The chapter does not time its bigram counts: count them again here, timed.
_start = _bench_time.perf_counter()
_counts = torch.ones(len(VOCAB), len(VOCAB))
_ids = train_ids.cpu()
_counts.index_put_((_ids[:-1], _ids[1:]), torch.ones(len(_ids) - 1), accumulate=True)
_log_bigram = (_counts / _counts.sum(dim=1, keepdim=True)).log()
_seconds = _bench_time.perf_counter() - _start
_bench_row(task, "bigram counts", "classical", "validation nats/char", BIGRAM_VAL_NATS, _seconds)
""",
    "07_transformers": """
task = "reversing 8-digit strings"
_bench_row(
    task, "MiniGPT", "network", "sequence accuracy", sequence_accuracy(reverse_model),
    reverse_history.seconds,
)
_bench_row(
    task, "LSTM", "network", "sequence accuracy", sequence_accuracy(lstm_model),
    lstm_history.seconds,
)
task = "next character (pydoc text)"
_bench_row(
    task, "MiniGPT (64 characters of context)", "network", "validation perplexity",
    math.exp(char_val_loss), char_history.seconds,
)
_bench_row(
    task, "LSTM (same split, steps and batches)", "network", "validation perplexity",
    math.exp(char_lstm_val_loss), char_lstm_history.seconds,
)
for name, perplexity, seconds in ngram_rows:
    if "(counts)" in name:
        _bench_row(task, name, "classical", "validation perplexity", perplexity, seconds)
""",
    "08_generative": """
task = "digit reconstruction, code size 8"
_bench_row(
    task, "deep autoencoder", "network", "test MSE", sweep.loc[8, "autoencoder test MSE"],
    sweep.loc[8, "autoencoder fit (s)"],
)
_bench_row(
    task, "PCA", "classical", "test MSE", sweep.loc[8, "PCA test MSE"], sweep.loc[8, "PCA fit (s)"]
)
task = "unseen-digit anomaly detection (10 held-out digits)"
for name in detectors:
    kind = "network" if name.startswith("autoencoder") else "classical"
    _bench_row(
        task, name, kind, "mean AUC", anomaly_table.loc["mean", name],
        anomaly_table.loc["fit time, all 10 (s)", name],
    )
task = "digit generation (1,000 samples)"
for name in shown:
    kind = "classical" if name.startswith("Gaussian") else "network"
    _bench_row(
        task, name, kind, "Fréchet distance", quality.loc[name, "Fréchet distance"],
        quality.loc[name, "training time (s)"],
    )
""",
    "09_ethics": """
for _, r in comparison.iterrows():
    kind = "network" if r["model"] in ("MLP 6-32-1", "CNN") else "classical"
    _bench_row(
        r["data"], r["model"], kind, "test accuracy", r["test accuracy"],
        r["training time (s)"],
    )
""",
}

_PRELUDE = """\
import json as _bench_json
import time as _bench_time

_bench_rows = []


def _bench_row(task, model, kind, metric, value, seconds):
    _bench_rows.append(
        {"task": str(task), "model": str(model), "kind": kind, "metric": metric,
         "value": float(value), "seconds": float(seconds)}
    )


try:
BODY
    _bench_error = None
except Exception as _exc:  # a renamed variable must not lose the timing of the whole chapter
    _bench_error = f"{type(_exc).__name__}: {_exc}"
_bench_gpu_mb = None
try:  # the largest GPU memory PyTorch allocated in this kernel (no GPU, or never used: None)
    import torch as _bench_torch

    if _bench_torch.cuda.is_available() and _bench_torch.cuda.is_initialized():
        _bench_gpu_mb = round(_bench_torch.cuda.max_memory_allocated() / 2**20, 1)
except ImportError:
    pass
print(MARKER + _bench_json.dumps(
    {"rows": _bench_rows, "error": _bench_error, "gpu_memory_mb": _bench_gpu_mb}
))
"""


def quality_cell(chapter: str) -> str | None:
    """The source of the cell that reports a chapter's training results (None: no spec)."""
    spec = SPECS.get(chapter)
    if spec is None:
        return None
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "    ")
    return _PRELUDE.replace("BODY", body).replace("MARKER", repr(MARKER))


def parse_quality(text: str) -> dict:
    """The rows, error and GPU memory printed by a quality cell (no rows and why, if absent)."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            for row in data["rows"]:
                row["value"] = round(row["value"], 4)
                row["seconds"] = round(row["seconds"], 6)
                row["higher_is_better"] = higher_is_better(row["metric"])
            return data
    return {"rows": [], "error": "the quality cell printed nothing", "gpu_memory_mb": None}


def higher_is_better(metric: str) -> bool:
    """True for accuracies, False for errors and losses (MSE, perplexity, nats per character)."""
    return not any(word in metric for word in LOWER_IS_BETTER)
