"""Wrong answers students really write, and right answers written differently, for chapter 02.

Each wrong answer must lose its exercise's points (and only those); each right answer must earn
them. The harness in tests/notebooks/harness.py runs them against the chapter's test cells.
"""

CANDIDATES = {
    "ex2_1_mse": {
        "wrong": {
            "sum instead of mean": """
def mse(pred, target):
    return ((pred - target) ** 2).sum()
""",
            "mean absolute error instead of squared": """
def mse(pred, target):
    return (pred - target).abs().mean()
""",
            "square root of the mean (RMSE)": """
def mse(pred, target):
    return ((pred - target) ** 2).mean().sqrt()
""",
            "squares the mean difference": """
def mse(pred, target):
    return (pred - target).mean() ** 2
""",
            "F.mse_loss imported under another name": """
from torch.nn.functional import mse_loss as squared_error_mean


def mse(pred, target):
    return squared_error_mean(pred, target)
""",
            "moves the result to the CPU": """
def mse(pred, target):
    return ((pred - target) ** 2).mean().cpu()
""",
            "returns float32 for float64 inputs": """
def mse(pred, target):
    return ((pred - target) ** 2).mean().float()
""",
        },
        "right": {
            "torch.square of the reversed difference": """
def mse(pred, target):
    return torch.mean(torch.square(target - pred))
""",
            "sum of products divided by numel": """
def mse(pred, target):
    diff = pred - target
    return (diff * diff).sum() / diff.numel()
""",
            "dot product of the flattened difference": """
def mse(pred, target):
    diff = (pred - target).reshape(-1)
    return diff @ diff / diff.numel()
""",
        },
    },
    "ex2_3_bce_with_logits": {
        "wrong": {
            "sigmoid then log (overflows to inf)": """
def bce_with_logits(logits, targets):
    p = torch.sigmoid(logits)
    return -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p)).mean()
""",
            "clamped probabilities cap the loss": """
def bce_with_logits(logits, targets):
    p = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)
    return -(targets * torch.log(p) + (1 - targets) * torch.log(1 - p)).mean()
""",
            "log(1 + exp(z)) without the max trick": """
def bce_with_logits(logits, targets):
    return (torch.log(1 + torch.exp(logits)) - logits * targets).mean()
""",
            "sign error in the z * y term": """
def bce_with_logits(logits, targets):
    losses = logits.clamp(min=0) + logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return losses.mean()
""",
            "softplus imported under another name": """
from torch.nn.functional import softplus as smooth_relu


def bce_with_logits(logits, targets):
    return (smooth_relu(logits) - logits * targets).mean()
""",
            "the constant 0 is made on the CPU": """
def bce_with_logits(logits, targets):
    zero = torch.zeros(logits.shape, dtype=logits.dtype)
    losses = torch.maximum(logits, zero) - logits * targets
    return (losses + torch.log1p(torch.exp(-logits.abs()))).mean()
""",
        },
        "right": {
            "torch.where on the sign of the logit": """
def bce_with_logits(logits, targets):
    positive = logits >= 0
    exp_neg_abs = torch.exp(-logits.abs())
    losses = torch.where(
        positive,
        logits * (1 - targets) + torch.log1p(exp_neg_abs),
        -logits * targets + torch.log1p(exp_neg_abs),
    )
    return losses.mean()
""",
            "logaddexp(0, z) - z y": """
def bce_with_logits(logits, targets):
    return (torch.logaddexp(torch.zeros_like(logits), logits) - logits * targets).mean()
""",
        },
    },
    "ex2_4_softmax": {
        "wrong": {
            "no shift (overflows)": """
def softmax(z, dim=-1):
    e = torch.exp(z)
    return e / e.sum(dim=dim, keepdim=True)
""",
            "global maximum instead of the maximum of each slice": """
def softmax(z, dim=-1):
    e = torch.exp(z - z.max())
    return e / e.sum(dim=dim, keepdim=True)
""",
            "ignores dim and always uses the last axis": """
def softmax(z, dim=-1):
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)
""",
            "torch.softmax imported under another name": """
from torch import softmax as normalised_exp


def softmax(z, dim=-1):
    return normalised_exp(z, dim)
""",
            "exp of z minus torch.logsumexp": """
def softmax(z, dim=-1):
    return torch.exp(z - torch.logsumexp(z, dim=dim, keepdim=True))
""",
        },
        "right": {
            "amax and Tensor.exp": """
def softmax(z, dim=-1):
    m = torch.amax(z, dim=dim, keepdim=True)
    e = (z - m).exp()
    return e / torch.sum(e, dim=dim, keepdim=True)
""",
            "exp of z minus a hand-made log-sum-exp": """
def softmax(z, dim=-1):
    m = z.amax(dim, keepdim=True)
    lse = m + torch.log(torch.exp(z - m).sum(dim, keepdim=True))
    return torch.exp(z - lse)
""",
        },
    },
    "ex2_5_softmax_cross_entropy": {
        "wrong": {
            "log of the stable softmax (log 0 = -inf)": """
def softmax_cross_entropy(logits, labels):
    e = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
    p = e / e.sum(dim=1, keepdim=True)
    return -torch.log(p[torch.arange(len(labels)), labels]).mean()
""",
            "log-sum-exp without the shift": """
def softmax_cross_entropy(logits, labels):
    lse = torch.log(torch.exp(logits).sum(dim=1))
    return (lse - logits[torch.arange(len(labels)), labels]).mean()
""",
            "logits[:, labels] picks a whole matrix": """
def softmax_cross_entropy(logits, labels):
    m = logits.max(dim=1).values
    lse = m + torch.log(torch.exp(logits - m[:, None]).sum(dim=1))
    return (lse - logits[:, labels]).mean()
""",
            "sum over examples instead of the mean": """
def softmax_cross_entropy(logits, labels):
    m = logits.max(dim=1, keepdim=True).values
    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    return (lse - logits[torch.arange(len(labels)), labels]).sum()
""",
            "F.cross_entropy imported under another name": """
from torch.nn.functional import cross_entropy as ce


def softmax_cross_entropy(logits, labels):
    return ce(logits, labels)
""",
            "Tensor.logsumexp": """
def softmax_cross_entropy(logits, labels):
    lse = logits.logsumexp(dim=1)
    return (lse - logits[torch.arange(len(labels)), labels]).mean()
""",
        },
        "right": {
            "log-probabilities with gather": """
def softmax_cross_entropy(logits, labels):
    m = logits.amax(dim=1, keepdim=True)
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))
    return -log_probs.gather(1, labels[:, None]).mean()
""",
            "one-hot mask": """
def softmax_cross_entropy(logits, labels):
    n, k = logits.shape
    one_hot = torch.nn.functional.one_hot(labels, k).to(logits.dtype)
    m = logits.max(dim=1, keepdim=True).values
    lse = (m + torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))).squeeze(1)
    return (lse - (one_hot * logits).sum(dim=1)).mean()
""",
        },
    },
    "ex2_6_gradient_descent": {
        "wrong": {
            "in-place update of the stored tensor": """
def gradient_descent(grad_fn, x0, lr, steps):
    x = x0
    points = [x]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        points.append(x)
    return torch.stack(points)
""",
            "sign error: climbs uphill": """
def gradient_descent(grad_fn, x0, lr, steps):
    points = [x0]
    x = x0
    for _ in range(steps):
        x = x + lr * grad_fn(x)
        points.append(x)
    return torch.stack(points)
""",
            "forgets the starting point": """
def gradient_descent(grad_fn, x0, lr, steps):
    points = []
    x = x0
    for _ in range(steps):
        x = x - lr * grad_fn(x)
        points.append(x)
    return torch.stack(points)
""",
            "preallocates the trajectory on the CPU": """
def gradient_descent(grad_fn, x0, lr, steps):
    trajectory = torch.zeros((steps + 1, *x0.shape), dtype=x0.dtype)
    trajectory[0] = x0
    for t in range(steps):
        trajectory[t + 1] = trajectory[t] - lr * grad_fn(trajectory[t])
    return trajectory
""",
            "trajectory in float32 whatever the dtype of x0": """
def gradient_descent(grad_fn, x0, lr, steps):
    points = [x0.float()]
    for _ in range(steps):
        points.append(points[-1] - lr * grad_fn(points[-1]))
    return torch.stack(points)
""",
        },
        "right": {
            "preallocated trajectory tensor": """
def gradient_descent(grad_fn, x0, lr, steps):
    trajectory = torch.empty((steps + 1, *x0.shape), dtype=x0.dtype, device=x0.device)
    trajectory[0] = x0
    for t in range(steps):
        trajectory[t + 1] = trajectory[t] - lr * grad_fn(trajectory[t])
    return trajectory
""",
            "in-place updates on a clone, storing copies": """
def gradient_descent(grad_fn, x0, lr, steps):
    x = x0.clone()
    points = [x.clone()]
    for _ in range(steps):
        x -= lr * grad_fn(x)
        points.append(x.clone())
    return torch.stack(points)
""",
        },
    },
    "ex2_8_mse_gradient": {
        "wrong": {
            "forgets the factor 2": """
def mse_gradient(X, y, w, b):
    r = X @ w + b - y
    return X.T @ r / len(y), r.mean()
""",
            "residual with the wrong sign (y - prediction)": """
def mse_gradient(X, y, w, b):
    r = y - (X @ w + b)
    return 2 * X.T @ r / len(y), 2 * r.mean()
""",
            "sum instead of mean for the bias": """
def mse_gradient(X, y, w, b):
    r = X @ w + b - y
    return 2 * X.T @ r / len(y), 2 * r.sum()
""",
            "forgets to divide by n": """
def mse_gradient(X, y, w, b):
    r = X @ w + b - y
    return 2 * X.T @ r, 2 * r.sum()
""",
            "torch.autograd.grad imported under another name": """
from torch.autograd import grad as derivative


def mse_gradient(X, y, w, b):
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    loss = ((X @ w + b - y) ** 2).mean()
    gw, gb = derivative(loss, (w, b))
    return gw.detach(), gb.detach()
""",
            "loss.backward()": """
def mse_gradient(X, y, w, b):
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    ((X @ w + b - y) ** 2).mean().backward()
    return w.grad, b.grad
""",
            "accumulates the gradient in a CPU tensor": """
def mse_gradient(X, y, w, b):
    n = len(y)
    grad_w = torch.zeros(X.shape[1], dtype=X.dtype)
    grad_b = torch.zeros((), dtype=X.dtype)
    for i in range(n):
        r = X[i] @ w + b - y[i]
        grad_w = grad_w + 2 * r * X[i] / n
        grad_b = grad_b + 2 * r / n
    return grad_w, grad_b
""",
        },
        "right": {
            "mean of per-example gradients": """
def mse_gradient(X, y, w, b):
    r = X @ w + b - y
    return (2 * r[:, None] * X).mean(dim=0), (2 * r).mean()
""",
            "einsum": """
def mse_gradient(X, y, w, b):
    n = X.shape[0]
    r = torch.einsum("nd,d->n", X, w) + b - y
    return torch.einsum("nd,n->d", X, r) * (2.0 / n), r.sum() * (2.0 / n)
""",
        },
    },
    "ex2_9_minibatches": {
        "wrong": {
            "global random state instead of the generator": """
def minibatches(X, y, batch_size, generator):
    order = torch.randperm(len(X)).to(X.device)
    for start in range(0, len(X), batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]
""",
            "drops the last partial batch": """
def minibatches(X, y, batch_size, generator):
    order = torch.randperm(len(X), generator=generator).to(X.device)
    for start in range(0, len(X) - batch_size + 1, batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]
""",
            "shuffles X and y with separate permutations": """
def minibatches(X, y, batch_size, generator):
    X = X[torch.randperm(len(X), generator=generator).to(X.device)]
    y = y[torch.randperm(len(y), generator=generator).to(y.device)]
    for start in range(0, len(X), batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]
""",
            "no shuffling": """
def minibatches(X, y, batch_size, generator):
    for start in range(0, len(X), batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]
""",
            "re-seeds the generator, so every epoch has the same order": """
def minibatches(X, y, batch_size, generator):
    generator.manual_seed(0)
    order = torch.randperm(len(X), generator=generator).to(X.device)
    for start in range(0, len(X), batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]
""",
            "shuffles the order of the full batches, not the rows": """
def minibatches(X, y, batch_size, generator):
    n_full = len(X) // batch_size
    for k in torch.randperm(n_full, generator=generator).tolist():
        yield X[k * batch_size : (k + 1) * batch_size], y[k * batch_size : (k + 1) * batch_size]
    if len(X) % batch_size:
        yield X[n_full * batch_size :], y[n_full * batch_size :]
""",
            "shuffles only inside each batch": """
def minibatches(X, y, batch_size, generator):
    for start in range(0, len(X), batch_size):
        size = min(batch_size, len(X) - start)
        rows = (start + torch.randperm(size, generator=generator)).to(X.device)
        yield X[rows], y[rows]
""",
            "off-by-one Fisher-Yates (Sattolo: no row ever stays in place)": """
def minibatches(X, y, batch_size, generator):
    order = list(range(len(X)))
    for i in range(len(order) - 1, 0, -1):
        j = int(torch.randint(0, i, (1,), generator=generator))
        order[i], order[j] = order[j], order[i]
    rows = torch.tensor(order, dtype=torch.long).to(X.device)
    for start in range(0, len(X), batch_size):
        yield X[rows[start : start + batch_size]], y[rows[start : start + batch_size]]
""",
        },
        "right": {
            "argsort of random keys, returning a list iterator": """
def minibatches(X, y, batch_size, generator):
    order = torch.rand(len(X), generator=generator).argsort().to(X.device)
    batches = [
        (X[order[i : i + batch_size]], y[order[i : i + batch_size]])
        for i in range(0, len(X), batch_size)
    ]
    return iter(batches)
""",
            "torch.split of the permutation": """
def minibatches(X, y, batch_size, generator):
    for rows in torch.split(torch.randperm(len(X), generator=generator), batch_size):
        rows = rows.to(X.device)
        yield X[rows], y[rows]
""",
            "Fisher-Yates by hand with the generator": """
def minibatches(X, y, batch_size, generator):
    order = list(range(len(X)))
    for i in range(len(order) - 1, 0, -1):
        j = int(torch.randint(0, i + 1, (1,), generator=generator))
        order[i], order[j] = order[j], order[i]
    rows = torch.tensor(order, dtype=torch.long, device=X.device)
    for start in range(0, len(X), batch_size):
        yield X[rows[start : start + batch_size]], y[rows[start : start + batch_size]]
""",
        },
    },
    "ex2_10_momentum_step": {
        "wrong": {
            "learning rate inside the velocity": """
def momentum_step(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + lr * grad
    return param - new_velocity, new_velocity
""",
            "averages with dampening (1 - momentum)": """
def momentum_step(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + (1 - momentum) * grad
    return param - lr * new_velocity, new_velocity
""",
            "steps with the old velocity": """
def momentum_step(param, grad, velocity, lr, momentum):
    new_param = param - lr * velocity
    return new_param, momentum * velocity + grad
""",
            "updates the inputs in place": """
def momentum_step(param, grad, velocity, lr, momentum):
    velocity.mul_(momentum).add_(grad)
    param.sub_(lr * velocity)
    return param, velocity
""",
            "torch.optim.SGD imported under another name": """
from torch.optim import SGD as HeavyBall


def momentum_step(param, grad, velocity, lr, momentum):
    p = param.detach().clone().requires_grad_(True)
    optimizer = HeavyBall([p], lr=lr, momentum=momentum)
    optimizer.state[p]["momentum_buffer"] = velocity.clone()
    p.grad = grad.clone()
    optimizer.step()
    return p.detach(), optimizer.state[p]["momentum_buffer"].clone()
""",
            "Nesterov's step instead of the heavy ball": """
def momentum_step(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + grad
    return param - lr * (grad + momentum * new_velocity), new_velocity
""",
        },
        "right": {
            "torch.add with alpha": """
def momentum_step(param, grad, velocity, lr, momentum):
    v = torch.add(grad, velocity, alpha=momentum)
    return torch.add(param, v, alpha=-lr), v
""",
            "in-place operations on clones": """
def momentum_step(param, grad, velocity, lr, momentum):
    v = velocity.clone().mul_(momentum).add_(grad)
    p = param.clone().sub_(lr * v)
    return p, v
""",
        },
    },
    "ex2_11_rmsprop_step": {
        "wrong": {
            "eps inside the square root": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / torch.sqrt(s + eps), s
""",
            "forgets the (1 - alpha) factor": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * square_avg + grad**2
    return param - lr * grad / (s.sqrt() + eps), s
""",
            "alpha and 1 - alpha swapped": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = (1 - alpha) * square_avg + alpha * grad**2
    return param - lr * grad / (s.sqrt() + eps), s
""",
            "divides by the mean square, not its root": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (s + eps), s
""",
            "torch.optim.RMSprop imported under another name": """
from torch.optim import RMSprop as Adaptive


def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    p = param.detach().clone().requires_grad_(True)
    optimizer = Adaptive([p], lr=lr, alpha=alpha, eps=eps)
    optimizer.state[p]["step"] = torch.tensor(0.0)
    optimizer.state[p]["square_avg"] = square_avg.clone()
    p.grad = grad.clone()
    optimizer.step()
    return p.detach(), optimizer.state[p]["square_avg"].clone()
""",
            "steps with the old square_avg": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = alpha * square_avg + (1 - alpha) * grad**2
    return param - lr * grad / (square_avg.sqrt() + eps), s
""",
        },
        "right": {
            "addcmul and addcdiv": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = square_avg.mul(alpha).addcmul(grad, grad, value=1 - alpha)
    return param.addcdiv(grad, s.sqrt().add(eps), value=-lr), s
""",
            "torch.lerp for the running average": """
def rmsprop_step(param, grad, square_avg, lr, alpha=0.99, eps=1e-8):
    s = torch.lerp(square_avg, grad * grad, 1 - alpha)
    return param - lr * grad / (torch.sqrt(s) + eps), s
""",
        },
    },
    "ex2_12_adam_step": {
        "wrong": {
            "no bias correction": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * m / (v.sqrt() + eps), m, v
""",
            "bias correction of the first moment only": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return param - lr * (m / (1 - beta1**t)) / (v.sqrt() + eps), m, v
""",
            "eps inside the square root": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return param - lr * m_hat / torch.sqrt(v_hat + eps), m, v
""",
            "returns the corrected averages as the new state": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m_hat = (beta1 * m + (1 - beta1) * grad) / (1 - beta1**t)
    v_hat = (beta2 * v + (1 - beta2) * grad**2) / (1 - beta2**t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m_hat, v_hat
""",
            "torch.optim.Adam imported under another name": """
from torch.optim import Adam as Adaptive


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    p = param.detach().clone().requires_grad_(True)
    optimizer = Adaptive([p], lr=lr, betas=(beta1, beta2), eps=eps)
    optimizer.state[p]["step"] = torch.tensor(float(t - 1))
    optimizer.state[p]["exp_avg"] = m.clone()
    optimizer.state[p]["exp_avg_sq"] = v.clone()
    p.grad = grad.clone()
    optimizer.step()
    state = optimizer.state[p]
    return p.detach(), state["exp_avg"].clone(), state["exp_avg_sq"].clone()
""",
            "bias correction one step late (t - 1)": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    k = max(t - 1, 1)
    return param - lr * (m / (1 - beta1**k)) / ((v / (1 - beta2**k)).sqrt() + eps), m, v
""",
        },
        "right": {
            "PyTorch's folded form of the correction": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad * grad
    step_size = lr / (1 - beta1**t)
    denom = new_v.sqrt() / math.sqrt(1 - beta2**t) + eps
    return param - step_size * new_m / denom, new_m, new_v
""",
            "torch.lerp for both averages": """
def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = torch.lerp(m, grad, 1 - beta1)
    v = torch.lerp(v, grad.square(), 1 - beta2)
    update = (m / (1 - beta1**t)) / ((v / (1 - beta2**t)).sqrt() + eps)
    return param - lr * update, m, v
""",
        },
    },
    "ex2_14_logistic_regression": {
        "wrong": {
            "gradient ascent (sign error)": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    for _ in range(steps):
        error = torch.sigmoid(X @ w + b) - y
        w = w + lr * X.T @ error / len(y)
        b = b + lr * error.mean()
    return w, b
""",
            "no sigmoid: the least-squares gradient": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    for _ in range(steps):
        error = X @ w + b - y
        w = w - lr * X.T @ error / len(y)
        b = b - lr * error.mean()
    return w, b
""",
            "never updates the bias": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    for _ in range(steps):
        error = torch.sigmoid(X @ w + b) - y
        w = w - lr * X.T @ error / len(y)
    return w, b
""",
            "far too few steps to converge": """
def fit_logistic_regression(X, y, lr=0.01, steps=20):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    for _ in range(steps):
        error = torch.sigmoid(X @ w + b) - y
        w = w - lr * X.T @ error / len(y)
        b = b - lr * error.mean()
    return w, b
""",
            "ignores the lr and steps arguments": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    for _ in range(500):
        error = torch.sigmoid(X @ w + b) - y
        w = w - 0.5 * X.T @ error / len(y)
        b = b - 0.5 * error.mean()
    return w, b
""",
            "one random example per step instead of the full batch": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype)
    b = torch.zeros((), device=X.device, dtype=X.dtype)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps * 4):
        i = int(torch.randint(0, len(y), (1,), generator=gen))
        error = torch.sigmoid(X[i] @ w + b) - y[i]
        w = w - 0.1 * lr * error * X[i]
        b = b - 0.1 * lr * error
    return w, b
""",
            "scikit-learn inside the function": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    model = LogisticRegression(max_iter=1000).fit(X.cpu().numpy(), y.cpu().numpy())
    w = torch.tensor(model.coef_[0], dtype=X.dtype, device=X.device)
    b = torch.tensor(model.intercept_[0], dtype=X.dtype, device=X.device)
    return w, b
""",
            "torch.optim.SGD imported under another name": """
from torch.optim import SGD as Descent


def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype, requires_grad=True)
    b = torch.zeros((), device=X.device, dtype=X.dtype, requires_grad=True)
    optimizer = Descent([w, b], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        z = X @ w + b
        torch.logaddexp(torch.zeros_like(z), z).sub(z * y).mean().backward()
        optimizer.step()
    return w.detach(), b.detach()
""",
            "w and b created on the CPU": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], dtype=X.dtype)
    b = torch.zeros((), dtype=X.dtype)
    Xc, yc = X.cpu(), y.cpu()
    for _ in range(steps):
        error = torch.sigmoid(Xc @ w + b) - yc
        w = w - lr * Xc.T @ error / len(yc)
        b = b - lr * error.mean()
    return w, b
""",
        },
        "right": {
            "autograd on a logaddexp BCE (exact derivative at z = 0)": """
def fit_logistic_regression(X, y, lr=0.5, steps=500):
    w = torch.zeros(X.shape[1], device=X.device, dtype=X.dtype, requires_grad=True)
    b = torch.zeros((), device=X.device, dtype=X.dtype, requires_grad=True)
    for _ in range(steps):
        z = X @ w + b
        loss = (torch.logaddexp(torch.zeros_like(z), z) - z * y).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.detach(), b.detach()
""",
            "a column of ones absorbs the bias": """
def fit_logistic_regression(X, y, lr=0.5, steps=800):
    Xa = torch.cat([X, torch.ones(len(X), 1, device=X.device, dtype=X.dtype)], dim=1)
    theta = torch.zeros(Xa.shape[1], device=X.device, dtype=X.dtype)
    for _ in range(steps):
        theta = theta - lr * Xa.T @ (torch.sigmoid(Xa @ theta) - y) / len(y)
    return theta[:-1], theta[-1]
""",
        },
    },
}
