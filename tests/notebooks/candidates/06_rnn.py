"""Wrong and alternative right answers for the exercises of chapter 06_rnn.

Each wrong answer is a mistake students really make; each must lose its exercise's points without
costing points elsewhere. Each right answer is written differently from the source solution and
must earn the points. See docs/authoring.md ("Candidate answers").
"""

# Shared by several answers of Exercise 6.8.
RESIDUAL = """
class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, w):
        last = w[:, -1:]
        out, _ = self.lstm((w - last).unsqueeze(-1))
        return self.head(out[:, -1]).squeeze(-1) + last.squeeze(-1)

"""
TRAIN_IT = """

torch.manual_seed(0)
forecaster, forecaster_history = train_forecaster(X_train_f, y_train_f, course.make_generator(0))
"""

CANDIDATES = {
    "ex6_1_windows": {
        "wrong": {
            "Tensor.unfold reached through a saved reference": """
def make_windows(series, window, horizon=1):
    cut = torch.Tensor.unfold
    n = max(len(series) - window - horizon + 1, 0)
    X = cut(series, 0, window, 1)[:n] if n else series.new_zeros(0, window)
    return X, series[window - 1 + horizon :][:n]
""",
            "too-short series: a negative count makes torch.arange raise": """
def make_windows(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    starts = torch.arange(n, device=series.device)
    X = series[starts[:, None] + torch.arange(window, device=series.device)]
    return X, series[starts + window - 1 + horizon]
""",
            "empty result built with torch.zeros (float32 on the CPU)": """
def make_windows(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    if n <= 0:
        return torch.zeros(0, window), torch.zeros(0)
    X = torch.stack([series[i : i + window] for i in range(n)])
    y = torch.stack([series[i + window - 1 + horizon] for i in range(n)])
    return X, y
""",
            "works on a CPU copy of the series (device lost)": """
def make_windows(series, window, horizon=1):
    s = series.cpu()
    n = max(len(s) - window - horizon + 1, 0)
    starts = torch.arange(n)
    return s[starts[:, None] + torch.arange(window)], s[starts + window - 1 + horizon]
""",
            "target is the last value inside the window (leaks the answer)": """
def make_windows(series, window, horizon=1):
    n = max(len(series) - window - horizon + 1, 0)
    if n == 0:
        return series.new_zeros(0, window), series[:0]
    X = torch.stack([series[i : i + window] for i in range(n)])
    y = torch.stack([series[i + window + horizon - 2] for i in range(n)])
    return X, y
""",
            "off by one: drops the last window": """
def make_windows(series, window, horizon=1):
    n = max(len(series) - window - horizon, 0)
    starts = torch.arange(n, device=series.device)
    X = series[starts[:, None] + torch.arange(window, device=series.device)]
    return X, series[starts + window - 1 + horizon]
""",
            "ignores the horizon": """
def make_windows(series, window, horizon=1):
    n = max(len(series) - window, 0)
    starts = torch.arange(n, device=series.device)
    X = series[starts[:, None] + torch.arange(window, device=series.device)]
    return X, series[starts + window]
""",
        },
        "right": {
            "as_strided view, copied": """
def make_windows(series, window, horizon=1):
    n = max(series.shape[0] - window - horizon + 1, 0)
    step = series.stride(0)
    X = series.as_strided((n, window), (step, step)).clone()
    y = series[window - 1 + horizon : window - 1 + horizon + n].clone()
    return X, y
""",
            "Python loop with torch.stack and an explicit empty case": """
def make_windows(series, window, horizon=1):
    n = len(series) - window - horizon + 1
    if n <= 0:
        return series.new_zeros((0, window)), series.new_zeros((0,))
    X = torch.stack([series[i : i + window] for i in range(n)])
    y = torch.stack([series[i + window - 1 + horizon] for i in range(n)])
    return X, y
""",
        },
    },
    "ex6_2_rnn_cell": {
        "wrong": {
            "torch.rnn_tanh_cell imported under another name": """
from torch import rnn_tanh_cell as elman_step


def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return elman_step(x, h, W_ih, W_hh, b_ih, b_hh)
""",
            "computes in float32 whatever the dtype of the inputs": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    a = x.float() @ W_ih.float().T + b_ih.float() + h.float() @ W_hh.float().T + b_hh.float()
    return torch.tanh(a)
""",
            "updates the hidden state h in place": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return h.copy_(torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh))
""",
            "moves the result to the CPU": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).cpu()
""",
            "forgets the recurrent bias b_hh": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)
""",
            "uses the sigmoid instead of tanh": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
""",
            "multiplies h by W_hh without transposing (square, so no shape error)": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)
""",
        },
        "right": {
            "F.linear for both products": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(F.linear(x, W_ih, b_ih) + F.linear(h, W_hh, b_hh))
""",
            "einsum on column vectors": """
def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    a = torch.einsum("hi,bi->bh", W_ih, x) + torch.einsum("hk,bk->bh", W_hh, h)
    return torch.tanh(a + (b_ih + b_hh))
""",
        },
    },
    "ex6_3_rnn_forward": {
        "wrong": {
            "nn.RNN under another name, with the weights copied in": """
from torch.nn import RNN as Recurrent


def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    if x.shape[1] == 0:
        h = h0 if h0 is not None else x.new_zeros(x.shape[0], W_hh.shape[0])
        return x.new_zeros(x.shape[0], 0, W_hh.shape[0]), h
    layer = Recurrent(W_ih.shape[1], W_ih.shape[0], batch_first=True).to(x.device, x.dtype)
    with torch.no_grad():
        for p, w in zip(layer.parameters(), (W_ih, W_hh, b_ih, b_hh)):
            p.copy_(w)
        out, h = layer(x, None if h0 is None else h0[None])
    return out, h[0]
""",
            "starts from torch.zeros on the CPU when h0 is None": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    h = h0 if h0 is not None else torch.zeros(B, W_hh.shape[0], dtype=x.dtype)
    states = [h := rnn_cell(x[:, t], h, W_ih, W_hh, b_ih, b_hh) for t in range(T)]
    out = torch.stack(states, dim=1) if states else torch.zeros(B, 0, W_hh.shape[0], dtype=x.dtype)
    return out, h
""",
            "writes each new state into h0 (changes the caller's tensor)": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    h = h0 if h0 is not None else x.new_zeros(B, W_hh.shape[0])
    out = x.new_zeros(B, T, W_hh.shape[0])
    for t in range(T):
        h.copy_(rnn_cell(x[:, t], h, W_ih, W_hh, b_ih, b_hh))
        out[:, t] = h
    return out, h
""",
            "loops over the first axis, which is the batch, not time": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    h = h0 if h0 is not None else x.new_zeros(x.shape[0], W_hh.shape[0])
    states = []
    for x_t in x:  # with batch_first=True this walks over the sequences, not the steps
        h = rnn_cell(x_t, h, W_ih, W_hh, b_ih, b_hh)
        states.append(h)
    out = torch.stack(states, dim=1) if states else x.new_zeros(x.shape[0], 0, W_hh.shape[0])
    return out, h
""",
            "ignores the given initial state": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    h = x.new_zeros(B, W_hh.shape[0])
    states = []
    for t in range(T):
        h = rnn_cell(x[:, t], h, W_ih, W_hh, b_ih, b_hh)
        states.append(h)
    out = torch.stack(states, dim=1) if states else x.new_zeros(B, 0, W_hh.shape[0])
    return out, h
""",
            "stores the state before the update (h_0 .. h_{T-1})": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    h = h0 if h0 is not None else x.new_zeros(B, W_hh.shape[0])
    states = []
    for t in range(T):
        states.append(h)
        h = rnn_cell(x[:, t], h, W_ih, W_hh, b_ih, b_hh)
    out = torch.stack(states, dim=1) if states else x.new_zeros(B, 0, W_hh.shape[0])
    return out, h
""",
            "returns h_last with a leading layer axis like nn.RNN": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    h = h0 if h0 is not None else x.new_zeros(B, W_hh.shape[0])
    states = []
    for t in range(T):
        h = rnn_cell(x[:, t], h, W_ih, W_hh, b_ih, b_hh)
        states.append(h)
    out = torch.stack(states, dim=1) if states else x.new_zeros(B, 0, W_hh.shape[0])
    return out, h[None]
""",
        },
        "right": {
            "preallocated output tensor filled in place, without rnn_cell": """
def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    B, T, _ = x.shape
    H = W_hh.shape[0]
    out = x.new_zeros(B, T, H)
    h = x.new_zeros(B, H) if h0 is None else h0
    pre = x @ W_ih.T + b_ih  # all input projections at once
    for t in range(T):
        h = torch.tanh(pre[:, t] + h @ W_hh.T + b_hh)
        out[:, t] = h
    return out, h
""",
        },
    },
    "ex6_4_clip": {
        "wrong": {
            "the built-in clip_grad_norm_ imported under another name": """
from torch.nn.utils import clip_grad_norm_ as builtin_clip


def clip_grad_norm(parameters, max_norm):
    return builtin_clip(parameters, max_norm)
""",
            "replaces p.grad by a new tensor instead of scaling it in place": """
def clip_grad_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = torch.sqrt(sum((p.grad**2).sum() for p in params))
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for p in params:
            p.grad = p.grad * factor
    return total
""",
            "clips each parameter's gradient separately": """
def clip_grad_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    total = torch.sqrt(sum((p.grad**2).sum() for p in params)) if params else torch.tensor(0.0)
    for p in params:
        n = p.grad.norm()
        if n > max_norm:
            p.grad.mul_(max_norm / (n + 1e-6))
    return total
""",
            "iterates over the parameter generator twice (second pass is empty)": """
def clip_grad_norm(parameters, max_norm):
    sq = [(p.grad**2).sum() for p in parameters if p.grad is not None]
    total = torch.sqrt(sum(sq)) if sq else torch.tensor(0.0)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for p in parameters:
            if p.grad is not None:
                p.grad.mul_(factor)
    return total
""",
            "always rescales to max_norm, also scaling small gradients up": """
def clip_grad_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = torch.sqrt(sum((p.grad**2).sum() for p in params))
    for p in params:
        p.grad.mul_(max_norm / (total + 1e-6))
    return total
""",
            "returns the norm after clipping": """
def clip_grad_norm(parameters, max_norm):
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = torch.sqrt(sum((p.grad**2).sum() for p in params))
    factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for p in params:
        p.grad.mul_(factor)
    return total * factor
""",
        },
        "right": {
            "norm of the concatenated gradients, clamped factor": """
def clip_grad_norm(parameters, max_norm):
    grads = [p.grad for p in list(parameters) if p.grad is not None]
    if len(grads) == 0:
        return torch.zeros(())
    total = torch.linalg.vector_norm(torch.cat([g.reshape(-1) for g in grads]))
    factor = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(factor)
    return total
""",
        },
    },
    "ex6_6_lstm_cell": {
        "wrong": {
            "torch.lstm_cell imported under another name": """
from torch import lstm_cell as builtin_step


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    return builtin_step(x, (h, c), W_ih, W_hh, b_ih, b_hh)
""",
            "updates the cell state c in place": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c_new = c.mul_(torch.sigmoid(f)).add_(torch.sigmoid(i) * torch.tanh(g))
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            "builds the result with torch.zeros (float32, on the CPU)": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    gates = torch.zeros(x.shape[0], 4 * H)
    gates += x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            "gate order i, f, o, g (as in some papers)": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, o, g = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            "forgets the tanh on the cell state in h": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * c_new, c_new
""",
            "sigmoid instead of tanh on the candidate g": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.sigmoid(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            "splits the gates along the batch axis": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    H = h.shape[1]
    i, f, g, o = (gates.reshape(4, -1, H)[k] for k in range(4))
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
        },
        "right": {
            "slices of the weight matrices, one product per gate": """
def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]

    def gate(k):
        rows = slice(k * H, (k + 1) * H)
        return F.linear(x, W_ih[rows], b_ih[rows]) + F.linear(h, W_hh[rows], b_hh[rows])

    i, f, g, o = torch.sigmoid(gate(0)), torch.sigmoid(gate(1)), torch.tanh(gate(2)), gate(3)
    c_new = f * c + i * g
    h_new = torch.sigmoid(o) * torch.tanh(c_new)
    return h_new, c_new
""",
        },
    },
    "ex6_7_gru_cell": {
        "wrong": {
            "torch.gru_cell imported under another name": """
from torch import gru_cell as builtin_step


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    return builtin_step(x, h, W_ih, W_hh, b_ih, b_hh)
""",
            "reset and update gates swapped (order z, r, n)": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    x_z, x_r, x_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    h_z, h_r, h_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h
""",
            "reset gate applied to h before the product (the 2014 paper's cell)": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    x_r, x_z, x_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, _ = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :])
    return (1 - z) * n + z * h
""",
            "update written z * n + (1 - z) * h": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    x_r, x_z, x_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return z * n + (1 - z) * h
""",
            "one fused product, so the reset gate also scales W_in x": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    r_, z_, n_ = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(r_), torch.sigmoid(z_)
    n = torch.tanh(r * n_)
    return (1 - z) * n + z * h
""",
            "updates h in place": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    x_r, x_z, x_n = (x @ W_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h @ W_hh.T + b_hh).chunk(3, dim=1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return h.sub_(n).mul_(z).add_(n)
""",
        },
        "right": {
            "one product on [x, h] with stacked weights, then chunk": """
def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    H = h.shape[1]
    # rows: r and z read x and h together; the n block keeps x and h apart
    W = torch.cat([
        torch.cat([W_ih[: 2 * H], W_hh[: 2 * H]], dim=1),
        torch.cat([W_ih[2 * H :], torch.zeros_like(W_hh[2 * H :])], dim=1),
        torch.cat([torch.zeros_like(W_ih[2 * H :]), W_hh[2 * H :]], dim=1),
    ])
    b = torch.cat([b_ih[: 2 * H] + b_hh[: 2 * H], b_ih[2 * H :], b_hh[2 * H :]])
    gates = torch.cat([x, h], dim=1) @ W.T + b
    r, z = torch.sigmoid(gates[:, : 2 * H]).chunk(2, dim=1)
    n = torch.tanh(gates[:, 2 * H : 3 * H] + r * gates[:, 3 * H :])
    return torch.lerp(n, h, z)
""",
        },
    },
    "ex6_8_forecaster": {
        "wrong": {
            "builds the model but never trains it": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    return Residual(), course.train.History(seconds=0.1, train_loss=[1.0])
"""
            + TRAIN_IT,
            "reads the output of the first time step instead of the last": """
class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, w):
        out, _ = self.lstm(w.unsqueeze(-1))
        return self.head(out[:, 0]).squeeze(-1)


def train_forecaster(X_train, y_train, generator):
    model = Forecaster()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=8, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "stops after one epoch at a tiny learning rate (undertrained)": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    model = Residual()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=1e-5),
        epochs=1, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "a linear layer on the window, no LSTM at all": """
def train_forecaster(X_train, y_train, generator):
    model = nn.Sequential(nn.Linear(48, 1), nn.Flatten(0))
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=30, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "trains on the global X_train_f, y_train_f instead of its arguments": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    model = Residual()
    history = course.train.fit(
        model, X_train_f, y_train_f, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=20, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "adds the validation windows to the training data": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    model = Residual()
    X = torch.cat([X_train, X_val_f.to(X_train.device)])
    y = torch.cat([y_train, y_val_f.to(y_train.device)])
    history = course.train.fit(
        model, X, y, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=20, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "full-batch training: the generator is never used": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    model = Residual()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.02),
        epochs=150, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "LSTM frozen at its random weights, only the read-out trained": RESIDUAL
            + """
def train_forecaster(X_train, y_train, generator):
    model = Residual()
    model.lstm.requires_grad_(False)
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.head.parameters(), lr=0.01),
        epochs=20, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "an LSTM that the forward pass never uses (linear model on the residual window)": """
class Disguised(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 8, batch_first=True)
        self.head = nn.Linear(48, 1)

    def forward(self, w):
        last = w[:, -1:]
        return self.head(w - last).squeeze(-1) + last.squeeze(-1)


def train_forecaster(X_train, y_train, generator):
    model = Disguised()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=20, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
            "centres each batch on its mean (a window's prediction depends on the batch)": """
class BatchCentred(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, w):
        centre = w[:, -1].mean()
        out, _ = self.lstm((w - centre).unsqueeze(-1))
        return self.head(out[:, -1]).squeeze(-1) + centre


def train_forecaster(X_train, y_train, generator):
    model = BatchCentred()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=20, batch_size=64, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
        },
        "right": {
            "LSTMCell loop on standardised residual inputs": """
class CellForecaster(nn.Module):
    def __init__(self, hidden=24):
        super().__init__()
        self.cell = nn.LSTMCell(1, hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, w):
        last = w[:, -1]
        z = (w - last[:, None]) / 1.5
        h = z.new_zeros(len(w), self.cell.hidden_size)
        c = torch.zeros_like(h)
        for t in range(z.shape[1]):
            h, c = self.cell(z[:, t : t + 1], (h, c))
        return last + 1.5 * self.out(h).squeeze(-1)


def train_forecaster(X_train, y_train, generator):
    model = CellForecaster()
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(),
        torch.optim.Adam(model.parameters(), lr=0.01),
        epochs=12, batch_size=64, generator=generator, progress=False,
    )
    return model, history


torch.manual_seed(1)
forecaster, forecaster_history = train_forecaster(X_train_f, y_train_f, course.make_generator(1))
""",
            "two-layer LSTM on the differences of the window, batches of 32": """
class DiffLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 24, num_layers=2, batch_first=True)
        self.head = nn.Linear(24, 1)

    def forward(self, w):
        steps = (w[:, 1:] - w[:, :-1]).unsqueeze(-1)
        out, _ = self.lstm(steps)
        return w[:, -1] + self.head(out[:, -1]).squeeze(-1)


def train_forecaster(X_train, y_train, generator):
    model = DiffLSTM()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.005)
    history = course.train.fit(
        model, X_train, y_train, nn.MSELoss(), optimizer,
        epochs=25, batch_size=32, generator=generator, progress=False,
    )
    return model, history
"""
            + TRAIN_IT,
        },
    },
    "ex6_10_encode_decode": {
        "wrong": {
            "position in the sorted vocabulary instead of stoi[ch]": """
def encode(text, stoi, device=None):
    order = sorted(stoi, key=stoi.get)
    return torch.tensor([order.index(ch) for ch in text], dtype=torch.int64, device=device)


def decode(ids, itos):
    return "".join(itos[int(i)] for i in ids)
""",
            "ignores the device argument": """
def encode(text, stoi, device=None):
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.int64)


def decode(ids, itos):
    return "".join(itos[int(i)] for i in ids)
""",
            "torch.Tensor(list) gives float32 indices": """
def encode(text, stoi, device=None):
    return torch.Tensor([stoi[ch] for ch in text]).to(device or "cpu")


def decode(ids, itos):
    return "".join(itos[int(i)] for i in ids)
""",
            "unknown characters silently become index 0": """
def encode(text, stoi, device=None):
    return torch.tensor([stoi.get(ch, 0) for ch in text], dtype=torch.long, device=device)


def decode(ids, itos):
    return "".join(itos[int(i)] for i in ids)
""",
            "decode joins the characters with spaces": """
def encode(text, stoi, device=None):
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long, device=device)


def decode(ids, itos):
    return " ".join(itos[int(i)] for i in ids)
""",
            "empty text gives a float tensor (no dtype given)": """
def encode(text, stoi, device=None):
    return torch.tensor([stoi[ch] for ch in text], device=device)


def decode(ids, itos):
    return "".join(itos[int(i)] for i in ids)
""",
        },
        "right": {
            "map over stoi.__getitem__ and torch.as_tensor": """
def encode(text, stoi, device=None):
    ids = list(map(stoi.__getitem__, text))
    return torch.as_tensor(ids, dtype=torch.int64).reshape(-1).to(device or "cpu")


def decode(ids, itos):
    if torch.is_tensor(ids):
        ids = ids.cpu().numpy()
    return "".join([itos[k] for k in ids])
""",
        },
    },
    "ex6_11_temperature": {
        "wrong": {
            "samples every row from the first row's distribution": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits[0].detach().cpu() / temperature, dim=-1)
    idx = torch.multinomial(probs, len(logits), replacement=True, generator=generator)
    return idx.to(logits.device)
""",
            "softmax along the batch axis": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.detach().cpu() / temperature, dim=0)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(logits.device)
""",
            "divides the caller's logits in place": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits /= temperature
    probs = torch.softmax(logits.detach().cpu(), dim=-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(logits.device)
""",
            "Gumbel trick with -log(u) instead of -log(-log(u)) (biased)": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    u = torch.rand(logits.shape, generator=generator).clamp_min(1e-12)
    return (logits.detach().cpu() / temperature - torch.log(u)).argmax(dim=-1).to(logits.device)
""",
            "reseeds and samples with PyTorch's global generator": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    torch.manual_seed(int(torch.randint(0, 2**31, (1,), generator=generator)))
    probs = torch.softmax(logits.detach().float().cpu() / temperature, dim=-1)
    return torch.multinomial(probs, 1).squeeze(-1).to(logits.device)
""",
            "multiplies the logits by the temperature": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits * temperature, dim=-1).cpu()
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(logits.device)
""",
            "ignores the generator (global random state)": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1).squeeze(-1)
""",
            "applies the temperature to the probabilities after the softmax": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits, dim=-1) / temperature
    return torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(-1).to(logits.device)
""",
            "exponentiates without subtracting the maximum (overflow)": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    e = torch.exp(logits.cpu() / temperature)
    probs = e / e.sum(dim=-1, keepdim=True)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(logits.device)
""",
        },
        "right": {
            "Gumbel-max trick with uniform numbers from the generator": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return logits.argmax(dim=-1)
    u = torch.rand(logits.shape, generator=generator, dtype=torch.float64)
    gumbel = -torch.log(-torch.log(u.clamp(1e-300, 1 - 1e-16)))
    scores = logits.detach().double().cpu() / temperature + gumbel
    return scores.argmax(dim=-1).to(logits.device)
""",
            "inverse CDF with uniform numbers from the generator": """
def sample_with_temperature(logits, temperature, generator=None):
    if temperature == 0:
        return torch.max(logits, dim=1).indices
    scaled = logits.detach().double().cpu() / temperature
    probs = torch.softmax(scaled, dim=1)
    cdf = probs.cumsum(dim=1)
    u = torch.rand(len(probs), 1, generator=generator, dtype=torch.float64)
    idx = (cdf < u * cdf[:, -1:]).sum(dim=1).clamp(max=probs.shape[1] - 1)
    return idx.to(logits.device)
""",
        },
    },
}
