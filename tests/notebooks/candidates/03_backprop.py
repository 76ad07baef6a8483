"""Wrong and alternative right answers for the exercises of 03_backprop.

Each string replaces the exercise's answer cell in the harness kernel (see harness.py). Wrong
answers are mistakes students really make; right answers are correct solutions written differently
from the source solution.
"""

# Exercise 3.2: the class must be complete, so candidates share the given __add__.
_ADD = """
class Value(ValueBase):
    def __add__(self, other):
        other = self._lift(other)
        out = Value(self.data + other.data, parents=(self, other), op="+")

        def _backward():
            self.grad += out.grad * 1.0
            other.grad += out.grad * 1.0

        out._backward = _backward
        return out
"""


def _unary(name: str, forward: str, local: str, assign: str = "+=", upstream: bool = True) -> str:
    """A one-input operation whose local derivative is the expression `local`."""
    factor = "out.grad * " if upstream else ""
    return f'''
    def {name}:
        out = Value({forward}, parents=(self,), op="{name.split("(")[0]}")

        def _backward():
            self.grad {assign} {factor}({local})

        out._backward = _backward
        return out
'''


def _value_class(
    assign: str = "+=",
    upstream: bool = True,
    tanh_local: str = "1.0 - out.data**2",
    pow_local: str = "k * self.data ** (k - 1)",
) -> str:
    factor = "out.grad * " if upstream else ""
    mul = f"""
    def __mul__(self, other):
        other = self._lift(other)
        out = Value(self.data * other.data, parents=(self, other), op="*")

        def _backward():
            self.grad {assign} {factor}other.data
            other.grad {assign} {factor}self.data

        out._backward = _backward
        return out
"""
    return (
        _ADD
        + mul
        + _unary("__pow__(self, k)", "self.data**k", pow_local, assign, upstream)
        + _unary("exp(self)", "math.exp(self.data)", "out.data", assign, upstream)
        + _unary("tanh(self)", "math.tanh(self.data)", tanh_local, assign, upstream)
        + _unary("relu(self)", "max(self.data, 0.0)", "float(self.data > 0)", assign, upstream)
    )


_VALUE_RIGHT = '''
class Value(ValueBase):
    def _node(self, data, locals_, op):
        """A new value from (parent, local derivative) pairs."""
        out = Value(data, parents=tuple(parent for parent, _ in locals_), op=op)

        def _backward():
            for parent, local in locals_:
                parent.grad += local * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = self._lift(other)
        return self._node(self.data + other.data, [(self, 1.0), (other, 1.0)], "+")

    def __mul__(self, other):
        other = self._lift(other)
        return self._node(self.data * other.data, [(self, other.data), (other, self.data)], "*")

    def __pow__(self, k):
        return self._node(self.data**k, [(self, k * self.data ** (k - 1))], "pow")

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, [(self, e)], "exp")

    def tanh(self):
        # tanh from exponentials, written so that no exponential can overflow
        z = math.exp(-2.0 * abs(self.data))
        t = math.copysign((1.0 - z) / (1.0 + z), self.data)
        return self._node(t, [(self, 1.0 - t * t)], "tanh")

    def relu(self):
        positive = self.data > 0
        data = self.data if positive else 0.0
        return self._node(data, [(self, 1.0 if positive else 0.0)], "relu")
'''

# Exercise 3.10: every candidate trains, then the test checks the trained parameters.
_TRAIN_LOOP = """

def train_from_scratch(X, y, hidden=64, epochs=30, batch_size=32, lr=0.1, generator=None):
    params = init_mlp(X.shape[1], hidden, 10, generator, device=X.device)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(X.device)
        total = 0.0
        for batch in order.split(batch_size):
            total += train_step(params, X[batch], y[batch], lr) * len(batch)
        losses.append(total / len(X))
    return params, losses


scratch_params, scratch_losses = train_from_scratch(
    X_train, y_train, hidden=64, epochs=30, batch_size=32, lr=0.1, generator=make_generator(0)
)
"""


def _train_step(update: str = "-=", mask: str = " * (A1 > 0)", divide: str = "dZ /= n") -> str:
    return (
        f"""
def train_step(params, xb, yb, lr):
    n = xb.shape[0]
    rows = torch.arange(n, device=xb.device)
    A1 = xb @ params["W1"].T + params["b1"]
    H1 = A1.clamp_min(0.0)
    Z = H1 @ params["W2"].T + params["b2"]
    log_probs = Z.log_softmax(dim=1)
    loss = -log_probs[rows, yb].mean()
    dZ = log_probs.exp()
    dZ[rows, yb] -= 1.0
    {divide}
    dA1 = (dZ @ params["W2"]){mask}
    grads = {{"W2": dZ.T @ H1, "b2": dZ.sum(0), "W1": dA1.T @ xb, "b1": dA1.sum(0)}}
    for name, grad in grads.items():
        params[name] {update} lr * grad
    return loss.item()
"""
        + _TRAIN_LOOP
    )


CANDIDATES = {
    "ex3_2_value_ops": {
        "wrong": {
            "assigns .grad with = instead of adding with +=": _value_class(assign="="),
            "forgets to multiply by the upstream gradient out.grad": _value_class(upstream=False),
            "tanh derivative computed from the input: 1 - a**2": _value_class(
                tanh_local="1.0 - self.data**2"
            ),
            "power rule without lowering the exponent: k * a**k": _value_class(
                pow_local="k * self.data**k"
            ),
        },
        "right": {
            "local derivatives computed up front, one generic helper": _VALUE_RIGHT,
        },
    },
    "ex3_3_topological_order": {
        "wrong": {
            "recursive depth-first search (fails on a long chain)": """
def topological_order(root):
    order, visited = [], set()

    def visit(node):
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return order
""",
            "reversed breadth-first order": """
def topological_order(root):
    queue, seen, order = [root], {id(root)}, []
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                queue.append(parent)
    return order[::-1]
""",
            "no visited set: shared values are listed twice": """
def topological_order(root):
    order = []
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        else:
            stack.append((node, True))
            for parent in node.parents:
                stack.append((parent, False))
    return order
""",
        },
        "right": {
            "Kahn's algorithm on the reachable subgraph": """
def topological_order(root):
    nodes, stack = {id(root): root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in nodes:
                nodes[id(parent)] = parent
                stack.append(parent)
    children = {key: 0 for key in nodes}
    for node in nodes.values():
        for parent in node.parents:
            children[id(parent)] += 1
    ready, reverse_order = [root], []
    while ready:
        node = ready.pop()
        reverse_order.append(node)
        for parent in node.parents:
            children[id(parent)] -= 1
            if children[id(parent)] == 0:
                ready.append(parent)
    return reverse_order[::-1]
""",
        },
    },
    "ex3_4_linear_backward": {
        "wrong": {
            "grad_W transposed: X.T @ grad_out": """
def linear_backward(X, W, grad_out):
    return grad_out @ W, X.T @ grad_out, grad_out.sum(dim=0)
""",
            "grad_b averaged over the batch instead of summed": """
def linear_backward(X, W, grad_out):
    return grad_out @ W, grad_out.T @ X, grad_out.mean(dim=0)
""",
            "uses autograd, which is off limits": """
def linear_backward(X, W, grad_out):
    X = X.detach().requires_grad_(True)
    W = W.detach().requires_grad_(True)
    b = torch.zeros(W.shape[0], dtype=W.dtype, device=W.device, requires_grad=True)
    grads = torch.autograd.grad(X @ W.T + b, (X, W, b), grad_outputs=grad_out)
    return tuple(g.detach() for g in grads)
""",
        },
        "right": {
            "written with einsum": """
def linear_backward(X, W, grad_out):
    grad_X = torch.einsum("nk,kj->nj", grad_out, W)
    grad_W = torch.einsum("nk,nj->kj", grad_out, X)
    grad_b = torch.einsum("nk->k", grad_out)
    return grad_X, grad_W, grad_b
""",
        },
    },
    "ex3_5_relu_backward": {
        "wrong": {
            "returns the mask without the upstream gradient": """
def relu_backward(A, grad_out):
    return (A > 0).to(grad_out.dtype)
""",
            "zeroes grad_out in place": """
def relu_backward(A, grad_out):
    grad_out[A <= 0] = 0.0
    return grad_out
""",
            "derivative 1 at zero (A >= 0)": """
def relu_backward(A, grad_out):
    return grad_out * (A >= 0)
""",
        },
        "right": {
            "torch.where": """
def relu_backward(A, grad_out):
    return torch.where(A > 0, grad_out, torch.zeros_like(grad_out))
""",
        },
    },
    "ex3_6_softmax_ce_backward": {
        "wrong": {
            "forgets to divide by the batch size": """
def softmax_cross_entropy_backward(logits, targets):
    probs = torch.softmax(logits, dim=1)
    probs[torch.arange(len(targets), device=logits.device), targets] -= 1.0
    return probs
""",
            "naive softmax overflows for large logits": """
def softmax_cross_entropy_backward(logits, targets):
    e = torch.exp(logits)
    probs = e / e.sum(dim=1, keepdim=True)
    probs[torch.arange(len(targets), device=logits.device), targets] -= 1.0
    return probs / len(targets)
""",
            "probs[:, targets] -= 1 subtracts in every row": """
def softmax_cross_entropy_backward(logits, targets):
    probs = torch.softmax(logits, dim=1)
    probs[:, targets] -= 1.0
    return probs / len(targets)
""",
        },
        "right": {
            "log_softmax and one-hot targets": """
def softmax_cross_entropy_backward(logits, targets):
    onehot = F.one_hot(targets, num_classes=logits.shape[1]).to(logits.dtype)
    return (logits.log_softmax(dim=1).exp() - onehot) / logits.shape[0]
""",
        },
    },
    "ex3_7_numerical_gradient": {
        "wrong": {
            "forward differences": """
def numerical_gradient(f, x, eps=1e-6):
    base = x.detach().double().clone()
    flat = base.view(-1)
    grad = torch.zeros_like(flat)
    f0 = float(f(base))
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        grad[i] = (float(f(base)) - f0) / eps
        flat[i] = old
    return grad.view(x.shape)
""",
            "works in the dtype of x (float32 stays float32)": """
def numerical_gradient(f, x, eps=1e-6):
    base = x.detach().clone()
    flat = base.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = float(f(base))
        flat[i] = old - eps
        minus = float(f(base))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.view(x.shape)
""",
            "never restores the perturbed entry": """
def numerical_gradient(f, x, eps=1e-6):
    base = x.detach().double().clone()
    flat = base.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        flat[i] += eps
        plus = float(f(base))
        flat[i] -= 2 * eps
        minus = float(f(base))
        grad[i] = (plus - minus) / (2 * eps)
    return grad.view(x.shape)
""",
            "calls the course's reference, which is off limits": """
from course.checks import numerical_gradient
""",
        },
        "right": {
            "perturbs with unit vectors, never touching a copy of x in place": """
def numerical_gradient(f, x, eps=1e-6):
    x64 = x.detach().to(torch.float64)
    n = x64.numel()
    basis = torch.eye(n, dtype=torch.float64, device=x64.device) * eps
    values = []
    for i in range(n):
        step = basis[i].reshape(x64.shape)
        values.append((float(f(x64 + step)) - float(f(x64 - step))) / (2 * eps))
    return torch.tensor(values, dtype=torch.float64, device=x64.device).reshape(x.shape)
""",
        },
    },
    "ex3_8_gradient_check": {
        "wrong": {
            "absolute error instead of relative": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    numeric = numerical_gradient(f, x, eps)
    err = (analytic_grad.double().to(numeric.device) - numeric).norm().item()
    return err < tol, err
""",
            "no guard when both gradients are zero (0/0)": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    numeric = numerical_gradient(f, x, eps)
    a = analytic_grad.double().to(numeric.device)
    rel = ((a - numeric).norm() / (a.norm() + numeric.norm())).item()
    return rel < tol, rel
""",
            "divides by the larger norm instead of the sum": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    numeric = numerical_gradient(f, x, eps)
    a = analytic_grad.double().to(numeric.device)
    rel = (a - numeric).norm().item() / max(a.norm().item(), numeric.norm().item(), 1e-12)
    return rel < tol, rel
""",
        },
        "right": {
            "sums of squares with math.sqrt": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    n = numerical_gradient(f, x, eps).cpu().reshape(-1).tolist()
    a = analytic_grad.detach().double().cpu().reshape(-1).tolist()
    diff = math.sqrt(sum((p - q) ** 2 for p, q in zip(a, n)))
    scale = math.sqrt(sum(p * p for p in a)) + math.sqrt(sum(q * q for q in n))
    rel = diff / max(scale, 1e-12)
    return bool(rel < tol), float(rel)
""",
        },
    },
    "ex3_10_train_from_scratch": {
        "wrong": {
            "gradient ascent: adds the gradient": _train_step(update="+="),
            "backward pass forgets the ReLU mask": _train_step(mask=""),
            "loss gradient not divided by the batch size": _train_step(divide="pass"),
            "uses autograd, which is off limits": """
def train_step(params, xb, yb, lr):
    leaves = {k: v.detach().requires_grad_(True) for k, v in params.items()}
    logits = torch.relu(xb @ leaves["W1"].T + leaves["b1"]) @ leaves["W2"].T + leaves["b2"]
    loss = F.cross_entropy(logits, yb)
    loss.backward()
    for k in params:
        params[k] = (leaves[k] - lr * leaves[k].grad).detach()
    return loss.item()
"""
            + _TRAIN_LOOP,
        },
        "right": {
            "explicit softmax, one-hot targets, new tensors in the dictionary": """
def train_step(params, xb, yb, lr):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    pre = xb @ W1.T + b1
    hidden = torch.where(pre > 0, pre, torch.zeros_like(pre))
    logits = hidden @ W2.T + b2
    shifted = logits - logits.max(dim=1, keepdim=True).values
    probs = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
    onehot = F.one_hot(yb, 10).to(probs.dtype)
    loss = -(onehot * (shifted - shifted.exp().sum(dim=1, keepdim=True).log())).sum(dim=1).mean()
    d_logits = (probs - onehot) / xb.shape[0]
    d_pre = torch.where(pre > 0, d_logits @ W2, torch.zeros_like(pre))
    params["W2"] = W2 - lr * (d_logits.T @ hidden)
    params["b2"] = b2 - lr * d_logits.sum(dim=0)
    params["W1"] = W1 - lr * (d_pre.T @ xb)
    params["b1"] = b1 - lr * d_pre.sum(dim=0)
    return float(loss)
"""
            + _TRAIN_LOOP,
        },
    },
    "ex3_11_init": {
        "wrong": {
            "Xavier variance from fan_in only": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    r = math.sqrt(3.0 / fan_in)
    W = (2 * torch.rand(fan_out, fan_in, generator=generator) - 1) * r
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in, generator=generator) * math.sqrt(2.0 / fan_in)
    return W.to(device if device is not None else get_device())
""",
            "He variance from fan_out": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    W = (2 * torch.rand(fan_out, fan_in, generator=generator) - 1) * r
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in, generator=generator) * math.sqrt(2.0 / fan_out)
    return W.to(device if device is not None else get_device())
""",
            "shape (fan_in, fan_out) instead of (fan_out, fan_in)": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    W = (2 * torch.rand(fan_in, fan_out, generator=generator) - 1) * r
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_in, fan_out, generator=generator) * math.sqrt(2.0 / fan_in)
    return W.to(device if device is not None else get_device())
""",
            "ignores the generator (global random state)": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    W = (2 * torch.rand(fan_out, fan_in) - 1) * r
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in) * math.sqrt(2.0 / fan_in)
    return W.to(device if device is not None else get_device())
""",
        },
        "right": {
            "in-place uniform_ and normal_ with the generator": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    bound = (6.0 / (fan_in + fan_out)) ** 0.5
    W = torch.empty(fan_out, fan_in).uniform_(-bound, bound, generator=generator)
    return W.to(get_device() if device is None else device)


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.empty(fan_out, fan_in).normal_(0.0, (2.0 / fan_in) ** 0.5, generator=generator)
    return W.to(get_device() if device is None else device)
""",
        },
    },
    "ex3_13_dropout": {
        "wrong": {
            "no rescaling of the kept units": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    return x * keep
""",
            "scales by 1/p instead of 1/(1 - p)": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    return x * keep / p
""",
            "drops units in evaluation mode too": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    return x * keep / (1 - p)
""",
            "p = 1 divides by zero": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    keep = torch.rand(x.shape, generator=generator).to(x.device) >= p
    return x * keep / (1 - p)
""",
        },
        "right": {
            "Bernoulli mask drawn with the generator": """
def dropout(x, p, training, generator=None):
    if p < 0 or p > 1:
        raise ValueError(f"p = {p} is not a probability")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    keep_prob = 1.0 - p
    mask = torch.bernoulli(torch.full(x.shape, keep_prob), generator=generator).to(x.device)
    return x * mask.to(x.dtype) / keep_prob
""",
        },
    },
}
