"""Wrong and alternative right answers for the exercises of chapter 05_rnn.

Each wrong answer is a mistake students really make; each must lose its exercise's points without
costing points elsewhere. Each right answer is written differently from the source solution and
must earn the points. See docs/authoring.md ("Candidate answers").
"""

CANDIDATES = {
    "ex5_1_windows": {
        "wrong": {
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
    "ex5_2_rnn_cell": {
        "wrong": {
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
    "ex5_3_rnn_forward": {
        "wrong": {
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
    "ex5_4_clip": {
        "wrong": {
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
    "ex5_6_lstm_cell": {
        "wrong": {
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
    "ex5_7_forecaster": {
        "wrong": {
            "builds the model but never trains it": """
class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, w):
        out, _ = self.lstm(w.unsqueeze(-1))
        return self.head(out[:, -1]).squeeze(-1)


torch.manual_seed(0)
forecaster = Forecaster().to(DEVICE)
forecaster_history = course.train.History(seconds=0.1, train_loss=[1.0])
""",
            "reads the output of the first time step instead of the last": """
class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, w):
        out, _ = self.lstm(w.unsqueeze(-1))
        return self.head(out[:, 0]).squeeze(-1)


torch.manual_seed(0)
forecaster = Forecaster()
forecaster_history = course.train.fit(
    forecaster, X_train_f, y_train_f, nn.MSELoss(),
    torch.optim.Adam(forecaster.parameters(), lr=0.01),
    epochs=8, batch_size=64, generator=course.make_generator(0), progress=False,
)
""",
            "a linear layer on the window, no LSTM at all": """
forecaster = nn.Linear(48, 1)
forecaster_history = course.train.fit(
    forecaster, X_train_f, y_train_f, nn.MSELoss(),
    torch.optim.Adam(forecaster.parameters(), lr=0.01),
    epochs=30, batch_size=64, generator=course.make_generator(0), progress=False,
)
""",
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


torch.manual_seed(1)
forecaster = CellForecaster()
forecaster_history = course.train.fit(
    forecaster, X_train_f, y_train_f, nn.MSELoss(),
    torch.optim.Adam(forecaster.parameters(), lr=0.01),
    epochs=12, batch_size=64, generator=course.make_generator(1), progress=False,
)
""",
        },
    },
    "ex5_9_encode_decode": {
        "wrong": {
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
    "ex5_10_temperature": {
        "wrong": {
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
