"""Wrong and alternative right answers for the exercises of chapter 07_transformers.

Each wrong answer is a mistake students really make; each must lose its exercise's points without
costing points elsewhere. Each right answer is written differently from the source solution and
must earn the points. See docs/authoring.md ("Candidate answers").
"""

CANDIDATES = {
    "ex7_1_attention": {
        "wrong": {
            "calls the built-in imported under another name": """
from torch.nn.functional import scaled_dot_product_attention as fused


def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return fused(q, k, v, attn_mask=mask), torch.softmax(scores, dim=-1)
""",
            "softmax by hand without subtracting the maximum: overflows": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    e = scores.exp()
    if mask is not None:
        e = e * mask
    weights = e / e.sum(dim=-1, keepdim=True)
    return weights @ v, weights
""",
            "keeps only the first batch row of the mask": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        while mask.dim() > 2:
            mask = mask[0]
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
""",
            "computes in float32 whatever the input dtype": """
def attention(q, k, v, mask=None):
    q, k, v = q.float(), k.float(), v.float()
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
""",
            "returns the results on the CPU": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return (weights @ v).cpu(), weights.cpu()
""",
            "divides the scores by d_k instead of its square root": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
""",
            "sets masked scores to 0 instead of -inf": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, 0.0)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
""",
            "softmax over the queries instead of the keys": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-2)
    return weights @ v, weights
""",
            "reads True in the mask as blocked": """
def attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights
""",
        },
        "right": {
            "einsum, torch.where and a softmax written out with the max subtracted": """
def attention(q, k, v, mask=None):
    scores = torch.einsum("...nd,...md->...nm", q, k) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, -math.inf))
    scores = scores - scores.amax(dim=-1, keepdim=True)
    e = scores.exp()
    weights = e / e.sum(dim=-1, keepdim=True)
    return torch.einsum("...nm,...mv->...nv", weights, v), weights
""",
        },
    },
    "ex7_2_causal_mask": {
        "wrong": {
            "ignores the device argument": """
def causal_mask(n, device=None):
    return torch.ones(n, n, dtype=torch.bool).tril()
""",
            "upper triangle: each query sees the future": """
def causal_mask(n, device=None):
    return torch.ones(n, n, dtype=torch.bool, device=device).triu()
""",
            "strict lower triangle: a token cannot see itself": """
def causal_mask(n, device=None):
    return torch.ones(n, n, dtype=torch.bool, device=device).tril(diagonal=-1)
""",
            "float mask of ones and zeros instead of booleans": """
def causal_mask(n, device=None):
    return torch.ones(n, n, device=device).tril()
""",
        },
        "right": {
            "built on the CPU, then moved to the device": """
def causal_mask(n, device=None):
    i = torch.arange(n)
    return (i[:, None] - i[None, :] >= 0).to(device)
""",
            "tril of a boolean matrix of ones": """
def causal_mask(n, device=None):
    return torch.tril(torch.ones((n, n), dtype=torch.bool, device=device))
""",
            "nested list comprehension": """
def causal_mask(n, device=None):
    return torch.tensor([[j <= i for j in range(n)] for i in range(n)], dtype=torch.bool,
                        device=device).reshape(n, n)
""",
        },
    },
    "ex7_3_padding_mask": {
        "wrong": {
            "positions created on the CPU whatever the device of lengths": """
def padding_mask(lengths, max_len):
    return torch.arange(max_len)[None, :] < lengths[:, None]
""",
            "uses the first row's length for every row": """
def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device)
    return (positions < lengths[0]).expand(len(lengths), max_len)
""",
            "off by one: <= keeps one padding position": """
def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] <= lengths[:, None]
""",
            "inverted: True at the padding": """
def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device)
    return positions[None, :] >= lengths[:, None]
""",
            "pads to the longest sequence instead of max_len": """
def padding_mask(lengths, max_len):
    positions = torch.arange(int(lengths.max()), device=lengths.device)
    return positions[None, :] < lengths[:, None]
""",
        },
        "right": {
            "expand and lt": """
def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device).expand(lengths.shape[0], max_len)
    return positions.lt(lengths.unsqueeze(1))
""",
            "one row at a time": """
def padding_mask(lengths, max_len):
    mask = torch.zeros(len(lengths), max_len, dtype=torch.bool, device=lengths.device)
    for row, length in enumerate(lengths.tolist()):
        mask[row, :length] = True
    return mask
""",
        },
    },
    "ex7_4_multihead": {
        "wrong": {
            "a loop over heads that uses head 0's mask for every head": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    E = query.shape[-1]
    d = E // num_heads
    outputs = []
    for h in range(num_heads):
        rows = slice(h * d, (h + 1) * d)
        q = query @ in_weight[:E][rows].T + in_bias[:E][rows]
        k = key @ in_weight[E:2 * E][rows].T + in_bias[E:2 * E][rows]
        v = value @ in_weight[2 * E:][rows].T + in_bias[2 * E:][rows]
        scores = q @ k.transpose(-2, -1) / d**0.5
        if mask is not None:
            m = mask if mask.dim() < 4 else mask[:, 0]
            scores = scores.masked_fill(~m, float("-inf"))
        outputs.append(torch.softmax(scores, dim=-1) @ v)
    return torch.cat(outputs, dim=-1) @ out_weight.T + out_bias
""",
            "flattens the mask heads-first while the queries are batch-first": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    B, n, E = query.shape
    m = key.shape[1]
    d = E // num_heads
    w_q, w_k, w_v = in_weight.chunk(3)
    b_q, b_k, b_v = in_bias.chunk(3)

    def split(x, w, b, length):
        y = F.linear(x, w, b).reshape(B, length, num_heads, d).transpose(1, 2)
        return y.reshape(B * num_heads, length, d)

    q, k, v = split(query, w_q, b_q, n), split(key, w_k, b_k, m), split(value, w_v, b_v, m)
    scores = q @ k.transpose(1, 2) / math.sqrt(d)
    if mask is not None:
        full = torch.broadcast_to(mask, (B, num_heads, n, m)).transpose(0, 1)
        scores = scores.masked_fill(~full.reshape(B * num_heads, n, m), float("-inf"))
    heads = (torch.softmax(scores, dim=-1) @ v).reshape(B, num_heads, n, d)
    return F.linear(heads.transpose(1, 2).reshape(B, n, E), out_weight, out_bias)
""",
            "calls multi_head_attention_forward imported under another name": """
from torch.nn.functional import multi_head_attention_forward as mha_forward


def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    if mask is not None:
        mask = torch.broadcast_to(mask, (query.shape[0], num_heads, query.shape[1], key.shape[1]))
        mask = ~mask.reshape(-1, query.shape[1], key.shape[1])
    out, _ = mha_forward(query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1),
                         query.shape[-1], num_heads, in_weight, in_bias, None, None, False, 0.0,
                         out_weight, out_bias, training=False, need_weights=False,
                         attn_mask=mask)
    return out.transpose(0, 1)
""",
            "splits heads with a reshape but no transpose": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    B, n, E = query.shape
    m = key.shape[1]
    w_q, w_k, w_v = in_weight.chunk(3)
    b_q, b_k, b_v = in_bias.chunk(3)
    q = F.linear(query, w_q, b_q).reshape(B, num_heads, n, E // num_heads)
    k = F.linear(key, w_k, b_k).reshape(B, num_heads, m, E // num_heads)
    v = F.linear(value, w_v, b_v).reshape(B, num_heads, m, E // num_heads)
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return F.linear(heads.reshape(B, n, E), out_weight, out_bias)
""",
            "forgets the output projection": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    B, n, E = query.shape
    m = key.shape[1]
    w_q, w_k, w_v = in_weight.chunk(3)
    b_q, b_k, b_v = in_bias.chunk(3)
    q = F.linear(query, w_q, b_q).reshape(B, n, num_heads, -1).transpose(1, 2)
    k = F.linear(key, w_k, b_k).reshape(B, m, num_heads, -1).transpose(1, 2)
    v = F.linear(value, w_v, b_v).reshape(B, m, num_heads, -1).transpose(1, 2)
    heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return heads.transpose(1, 2).reshape(B, n, E)
""",
            "scales by the model width instead of the head width": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    B, n, E = query.shape
    m = key.shape[1]
    w_q, w_k, w_v = in_weight.chunk(3)
    b_q, b_k, b_v = in_bias.chunk(3)
    q = F.linear(query, w_q, b_q).reshape(B, n, num_heads, -1).transpose(1, 2)
    k = F.linear(key, w_k, b_k).reshape(B, m, num_heads, -1).transpose(1, 2)
    v = F.linear(value, w_v, b_v).reshape(B, m, num_heads, -1).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(E)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    heads = torch.softmax(scores, dim=-1) @ v
    return F.linear(heads.transpose(1, 2).reshape(B, n, E), out_weight, out_bias)
""",
        },
        "right": {
            "a loop over heads with slices of the weight matrices": """
def multi_head_attention(query, key, value, in_weight, in_bias, out_weight, out_bias,
                         num_heads, mask=None):
    E = query.shape[-1]
    d = E // num_heads
    outputs = []
    for h in range(num_heads):
        rows = slice(h * d, (h + 1) * d)
        q = query @ in_weight[:E][rows].T + in_bias[:E][rows]
        k = key @ in_weight[E:2 * E][rows].T + in_bias[E:2 * E][rows]
        v = value @ in_weight[2 * E:][rows].T + in_bias[2 * E:][rows]
        scores = q @ k.transpose(-2, -1) / d**0.5
        if mask is not None:
            m = mask
            if mask.dim() >= 3:  # (..., heads or 1, n, m): the mask of head h
                m = torch.broadcast_to(mask, (*mask.shape[:-3], num_heads, *mask.shape[-2:]))
                m = m[..., h, :, :]
            scores = scores.masked_fill(~m, float("-inf"))
        outputs.append(torch.softmax(scores, dim=-1) @ v)
    return torch.cat(outputs, dim=-1) @ out_weight.T + out_bias
""",
        },
    },
    "ex7_5_sinusoidal": {
        "wrong": {
            "computed on the CPU whatever the device": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, dtype=torch.float32)[:, None]
    freq = 10000.0 ** (-torch.arange(0, d_model, 2) / d_model)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe
""",
            "returns float64": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, dtype=torch.float64, device=device)[:, None]
    freq = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64, device=device) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64, device=device)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe
""",
            "cosine in the even columns and sine in the odd ones": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, device=device, dtype=torch.float32)[:, None]
    freq = 10000.0 ** (-torch.arange(0, d_model, 2, device=device) / d_model)
    pe = torch.zeros(max_len, d_model, device=device)
    pe[:, 0::2] = torch.cos(t * freq)
    pe[:, 1::2] = torch.sin(t * freq)
    return pe
""",
            "exponent i / d_model with the pair index i": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, device=device, dtype=torch.float32)[:, None]
    freq = 10000.0 ** (-torch.arange(d_model // 2, device=device) / d_model)
    pe = torch.zeros(max_len, d_model, device=device)
    pe[:, 0::2] = torch.sin(t * freq)
    pe[:, 1::2] = torch.cos(t * freq)
    return pe
""",
            "all sines first, then all cosines": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, device=device, dtype=torch.float32)[:, None]
    freq = 10000.0 ** (-torch.arange(0, d_model, 2, device=device) / d_model)
    return torch.cat([torch.sin(t * freq), torch.cos(t * freq)], dim=1)
""",
        },
        "right": {
            "plain Python loops with math": """
def sinusoidal_encoding(max_len, d_model, device=None):
    rows = []
    for t in range(max_len):
        row = []
        for i in range(d_model // 2):
            angle = t / 10000 ** (2 * i / d_model)
            row += [math.sin(angle), math.cos(angle)]
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32, device=device).reshape(max_len, d_model)
""",
            "interleaving by stacking and flattening, with exp and log": """
def sinusoidal_encoding(max_len, d_model, device=None):
    t = torch.arange(max_len, device=device).float()[:, None]
    even = torch.arange(0, d_model, 2, device=device).float()
    freq = torch.exp(even * (-math.log(10000.0) / d_model))
    return torch.stack([torch.sin(t * freq), torch.cos(t * freq)], dim=-1).reshape(max_len, d_model)
""",
        },
    },
    "ex7_6_block": {
        "wrong": {
            "builds its own causal mask instead of using the mask argument": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        L = x.shape[1]
        future = None
        if mask is not None:
            future = torch.ones(L, L, dtype=torch.bool, device=x.device).triu(1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=future, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))
""",
            "dropout in the attention (the specification has none)": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, dropout=0.1, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=None if mask is None else ~mask,
                          need_weights=False)[0]
        return x + self.mlp(self.ln2(x))
""",
            "post-norm: layer norm after the residual addition": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        m = None if mask is None else ~mask
        x = self.ln1(x + self.attn(x, x, x, attn_mask=m, need_weights=False)[0])
        return self.ln2(x + self.mlp(x))
""",
            "passes the mask to nn.MultiheadAttention without inverting it": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))
""",
            "no residual connection around the MLP": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=None if mask is None else ~mask,
                          need_weights=False)[0]
        return self.mlp(self.ln2(x))
""",
            "ReLU instead of GELU in the MLP": """
class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.ln1 = nn.LayerNorm(d_model)
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))

    def forward(self, x, mask=None):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=None if mask is None else ~mask,
                          need_weights=False)[0]
        return x + self.mlp(self.ln2(x))
""",
        },
        "right": {
            "logical_not, explicit sub-layer methods and an OrderedDict MLP": """
from collections import OrderedDict


class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_heads, batch_first=True)
        self.mlp = nn.Sequential(OrderedDict([
            ("up", nn.Linear(d_model, d_ff)),
            ("act", nn.GELU()),
            ("down", nn.Linear(d_ff, d_model)),
        ]))
        self.ln1 = nn.LayerNorm(d_model)
        self.ln2 = nn.LayerNorm(d_model)

    def _attend(self, x, mask):
        y = self.ln1(x)
        blocked = mask.logical_not() if mask is not None else None
        out, _ = self.attn(y, y, y, attn_mask=blocked, need_weights=False)
        return out

    def forward(self, x, mask=None):
        h = x + self._attend(x, mask)
        y = self.mlp(self.ln2(h))
        return h + y
""",
        },
    },
    "ex7_8_generate": {
        "wrong": {
            "feeds only the last token (a bigram habit)": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        logits = model(idx[:, -1:])[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "crops the context to block_size - 1 tokens": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -(block_size - 1):]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "multiplies the logits by the temperature": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits * temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "samples with the global random generator, ignoring generator": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "tracks gradients (no torch.no_grad)": """
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            probs = torch.softmax(logits / temperature, -1).detach()
            nxt = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "returns the tokens on the CPU": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx.cpu()
""",
            "takes the logits of the first position": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, 0, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "divides the probabilities by the temperature after the softmax": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx if block_size is None else idx[:, -block_size:]
        logits = model(context)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            probs = torch.softmax(logits, -1) / temperature
            nxt = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
            "never crops the context to block_size": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        logits = model(idx)[:, -1, :]
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            nxt = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)
        idx = torch.cat([idx, nxt], dim=1)
    return idx
""",
        },
        "right": {
            "inverse-CDF sampling with uniform draws from the generator": """
@torch.no_grad()
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    for _ in range(n_new):
        context = idx[:, -block_size:] if block_size is not None else idx
        logits = model(context)[:, -1].double()
        if temperature == 0:
            nxt = logits.argmax(-1)
        else:
            cdf = torch.softmax(logits / temperature, dim=-1).cumsum(dim=-1)
            u = torch.rand(cdf.shape[0], 1, generator=generator, device=cdf.device,
                           dtype=cdf.dtype)
            nxt = (cdf < u).sum(dim=-1).clamp_max(cdf.shape[-1] - 1)
        idx = torch.cat([idx, nxt[:, None]], dim=1)
    return idx
""",
            "Gumbel-max sampling with uniform noise from the generator": """
def generate(model, idx, n_new, temperature=0.0, block_size=None, generator=None):
    out = idx
    with torch.no_grad():
        for _ in range(n_new):
            window = out[:, -block_size:] if block_size else out
            logits = model(window)[:, -1]
            if temperature > 0:
                u = torch.rand(logits.shape, generator=generator, device=logits.device)
                logits = logits / temperature - torch.log(-torch.log(u.clamp_min(1e-20)))
            out = torch.cat([out, logits.argmax(dim=-1).unsqueeze(1)], dim=1)
    return out
""",
        },
    },
    "ex7_9_reverse": {
        "wrong": {
            "reversal written by hand in a MiniGPT subclass, nothing trained": """
class ReverseByHand(MiniGPT):
    def forward(self, idx):
        B, T = idx.shape
        logits = torch.zeros(B, T, VOCAB_SIZE, device=idx.device)
        for t in range(N_DIGITS, T):
            logits[torch.arange(B), t, idx[:, 2 * N_DIGITS - 1 - t]] = 10.0
        return logits


def train_reverse(generator):
    return ReverseByHand(VOCAB_SIZE, BLOCK_SIZE).to(DEVICE), course.train.History()
""",
            "an untrained MiniGPT whose forward is replaced by a hand-written reversal": """
def reverse_by_hand(idx):
    B, T = idx.shape
    logits = torch.zeros(B, T, VOCAB_SIZE, device=idx.device)
    for t in range(N_DIGITS, T):
        logits[torch.arange(B), t, idx[:, 2 * N_DIGITS - 1 - t]] = 10.0
    return logits


def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE).to(DEVICE)
    model.forward = reverse_by_hand
    return model, course.train.History()
""",
            "trained on the complement task": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    seqs = make_digit_task(10_000, "complement", generator)
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=2,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "targets not shifted: the model learns to copy its input": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    seqs = make_digit_task(4000, "reverse", generator)
    history = course.train.fit(model, seqs[:, :-1], seqs[:, :-1], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=1,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "far too little training": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    seqs = make_digit_task(640, "reverse", generator)
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=1,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "training data from a fixed generator of its own, not the one given": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    seqs = make_digit_task(10_000, "reverse", course.make_generator(1))
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=2,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "trains a transformer of its own instead of MiniGPT": """
class Reverser(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.tok = nn.Embedding(VOCAB_SIZE, d_model)
        self.pos = nn.Embedding(BLOCK_SIZE, d_model)
        layer = nn.TransformerEncoderLayer(d_model, 4, 4 * d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.body = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, VOCAB_SIZE)

    def forward(self, idx):
        T = idx.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(T, device=idx.device)
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        return self.head(self.body(x, mask=mask, is_causal=True))


def train_reverse(generator):
    model = Reverser().to(DEVICE)
    seqs = make_digit_task(10_000, "reverse", generator)
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=2,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "does not train: fit runs for 0 epochs": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    seqs = make_digit_task(10_000, "reverse", generator)
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(model.parameters(), lr=3e-3), epochs=0,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "freezes the embeddings": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=32).to(DEVICE)
    model.tok.requires_grad_(False)
    model.pos.requires_grad_(False)
    seqs = make_digit_task(10_000, "reverse", generator)
    params = [p for p in model.parameters() if p.requires_grad]
    history = course.train.fit(model, seqs[:, :-1], seqs[:, 1:], answer_loss,
                               torch.optim.AdamW(params, lr=3e-3), epochs=2,
                               batch_size=128, generator=generator, progress=False)
    return model, history
""",
            "own loop on fresh batches instead of one call of fit": """
def train_reverse(generator):
    model = MiniGPT(VOCAB_SIZE, BLOCK_SIZE, d_model=48).to(DEVICE)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    history = course.train.History()
    for step in range(250):
        batch = make_digit_task(128, "reverse", generator)
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits[:, N_DIGITS:].reshape(-1, VOCAB_SIZE),
                               batch[:, N_DIGITS + 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.train_loss.append(loss.item())
    return model, history
""",
        },
        "right": {
            "imported fit, keyword arguments, Adam, a wider model, a ragged last batch": """
from course.train import fit


def train_reverse(generator):
    data = make_digit_task(12_345, task="reverse", generator=generator, device=DEVICE)
    net = MiniGPT(vocab_size=VOCAB_SIZE, block_size=BLOCK_SIZE, d_model=48, n_heads=4,
                  n_layers=2, d_ff=96)
    optimizer = torch.optim.Adam(net.parameters(), lr=2e-3)
    hist = fit(net, data[:, :16], data[:, 1:], answer_loss, optimizer, epochs=2,
               batch_size=100, generator=generator, progress=False)
    return net.to(DEVICE), hist


torch.manual_seed(3)
reverse_model, reverse_history = train_reverse(course.make_generator(5))
""",
        },
    },
}
