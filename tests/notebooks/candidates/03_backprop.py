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

# Exercise 3.10: every candidate trains on X_fit, then the test checks the trained parameters.
_VAL_ACCURACY = """\
        val_accuracies.append(accuracy(lambda inputs: mlp_logits(params, inputs), X_val, y_val))
"""
_TRAIN_LOOP = (
    """

def train_from_scratch(
    X, y, X_val, y_val, hidden=64, epochs=30, batch_size=32, lr=0.1, generator=None
):
    params = init_mlp(X.shape[1], hidden, 10, generator, device=X.device)
    losses, val_accuracies = [], []
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(X.device)
        total = 0.0
        for batch in order.split(batch_size):
            total += train_step(params, X[batch], y[batch], lr) * len(batch)
        losses.append(total / len(X))
"""
    + _VAL_ACCURACY
    + """    return params, losses, val_accuracies


scratch_params, scratch_losses, scratch_val_accuracies = train_from_scratch(
    X_fit, y_fit, X_val, y_val, hidden=64, epochs=30, batch_size=32, lr=0.1,
    generator=make_generator(0),
)
"""
)


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


def _train_loop(change: tuple[str, str] | None = None) -> str:
    """The source solution's train_step with a train_from_scratch that has one change."""
    loop = _TRAIN_LOOP if change is None else _TRAIN_LOOP.replace(*change)
    assert change is None or loop != _TRAIN_LOOP, change
    return _train_step().removesuffix(_TRAIN_LOOP) + loop


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
            "ReLU derivative 1 at exactly 0 (a >= 0)": _value_class().replace(
                "float(self.data > 0)", "float(self.data >= 0)"
            ),
            "tanh from exponentials overflows at a = 800": _value_class().replace(
                "math.tanh(self.data)",
                "(math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)",
            ),
            "** lists the exponent as a parent": _value_class().replace(
                'Value(self.data**k, parents=(self,), op="__pow__")',
                'Value(self.data**k, parents=(self, Value(k)), op="__pow__")',
            ),
            ".grad becomes a numpy float64 (np.multiply)": _value_class().replace(
                "self.grad += out.grad * other.data",
                "self.grad += np.multiply(out.grad, other.data)",
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
            "graphlib under another name, which is off limits": """
from graphlib import TopologicalSorter as Sorter


def topological_order(root):
    graph, stack, seen = {}, [root], {id(root)}
    nodes = {id(root): root}
    while stack:
        node = stack.pop()
        graph[id(node)] = [id(p) for p in node.parents]
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                nodes[id(parent)] = parent
                stack.append(parent)
    return [nodes[key] for key in Sorter(graph).static_order()]
""",
            "returns a tuple instead of a list": """
def topological_order(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in visited)
    return tuple(order)
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
            "depth-first search with an iterator per node on the stack": """
def topological_order(root):
    order, done = [], {id(root)}
    stack = [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if id(parent) not in done:
                done.add(id(parent))
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            order.append(node)
    return order
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
            "autograd imported under another name": """
from torch.autograd import grad as vector_jacobian


def linear_backward(X, W, grad_out):
    X = X.detach().requires_grad_(True)
    W = W.detach().requires_grad_(True)
    b = torch.zeros(W.shape[0], dtype=W.dtype, device=W.device, requires_grad=True)
    grads = vector_jacobian(X @ W.T + b, (X, W, b), grad_outputs=grad_out)
    return tuple(g.detach() for g in grads)
""",
            "moves the gradients to the CPU": """
def linear_backward(X, W, grad_out):
    G = grad_out.cpu()
    return G @ W.cpu(), G.T @ X.cpu(), G.sum(dim=0)
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
            "autograd through torch.relu, imported under another name": """
from torch.autograd import grad as pullback


def relu_backward(A, grad_out):
    A = A.detach().requires_grad_(True)
    (g,) = pullback(torch.relu(A), A, grad_outputs=grad_out)
    return g.detach()
""",
            "zeros created on the CPU whatever the device": """
def relu_backward(A, grad_out):
    return torch.where(A > 0, grad_out, torch.zeros(A.shape, dtype=grad_out.dtype))
""",
        },
        "right": {
            "torch.where": """
def relu_backward(A, grad_out):
    return torch.where(A > 0, grad_out, torch.zeros_like(grad_out))
""",
            "masked_fill on a new tensor": """
def relu_backward(A, grad_out):
    return grad_out.masked_fill(A <= 0, 0.0)
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
            "torch.func.grad of F.cross_entropy, imported under another name": """
from torch.func import grad as derivative


def softmax_cross_entropy_backward(logits, targets):
    return derivative(lambda z: F.cross_entropy(z, targets))(logits)
""",
            "computes in float32 whatever the dtype of the logits": """
def softmax_cross_entropy_backward(logits, targets):
    probs = torch.softmax(logits.float(), dim=1)
    probs[torch.arange(len(targets), device=logits.device), targets] -= 1.0
    return probs / len(targets)
""",
        },
        "right": {
            "log_softmax and one-hot targets": """
def softmax_cross_entropy_backward(logits, targets):
    onehot = F.one_hot(targets, num_classes=logits.shape[1]).to(logits.dtype)
    return (logits.log_softmax(dim=1).exp() - onehot) / logits.shape[0]
""",
            "a loop over the rows with targets.tolist()": """
def softmax_cross_entropy_backward(logits, targets):
    grad = torch.softmax(logits, dim=1)
    for row, target in enumerate(targets.tolist()):
        grad[row, target] -= 1.0
    return grad / logits.shape[0]
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
            "calls the course's reference through a module alias": """
import course.checks as reference


def numerical_gradient(f, x, eps=1e-6):
    return reference.numerical_gradient(f, x, eps)
""",
            "loops over the first dimension only (range(len(x)))": """
def numerical_gradient(f, x, eps=1e-6):
    base = x.detach().double().clone()
    grad = torch.zeros_like(base)
    for i in range(len(base)):
        old = base[i].clone()
        base[i] = old + eps
        plus = float(f(base))
        base[i] = old - eps
        minus = float(f(base))
        base[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad
""",
            "hands f a tensor in the dtype of x": """
def numerical_gradient(f, x, eps=1e-6):
    base = x.detach().double().clone()
    flat = base.view(-1)
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        plus = float(f(base.to(x.dtype)))
        flat[i] = old - eps
        minus = float(f(base.to(x.dtype)))
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.view(x.shape)
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
            "passed is rel <= tol instead of rel < tol": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    numeric = numerical_gradient(f, x, eps)
    a = analytic_grad.double().to(numeric.device)
    rel = (a - numeric).norm().item() / max((a.norm() + numeric.norm()).item(), 1e-12)
    return rel <= tol, rel
""",
            "rel returned as a numpy float64": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    n = numerical_gradient(f, x, eps).cpu().numpy().ravel()
    a = analytic_grad.detach().double().cpu().numpy().ravel()
    rel = np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12)
    return bool(rel < tol), rel
""",
            "relative error computed in float32": """
def gradient_check(f, analytic_grad, x, eps=1e-6, tol=1e-7):
    numeric = numerical_gradient(f, x, eps).float()
    a = analytic_grad.float().to(numeric.device)
    rel = (a - numeric).norm().item() / max((a.norm() + numeric.norm()).item(), 1e-12)
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
            "shuffles with the global random state, not the generator": _train_loop(
                ("torch.randperm(len(X), generator=generator)", "torch.randperm(len(X))")
            ),
            "one order drawn before the loop, reused every epoch": _train_loop(
                (
                    """    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(X.device)
""",
                    """    order = torch.randperm(len(X), generator=generator).to(X.device)
    for _ in range(epochs):
""",
                )
            ),
            "epoch loss: unweighted mean of the batch losses": _train_loop(
                (
                    """        total = 0.0
        for batch in order.split(batch_size):
            total += train_step(params, X[batch], y[batch], lr) * len(batch)
        losses.append(total / len(X))
""",
                    """        batch_losses = [
            train_step(params, X[batch], y[batch], lr) for batch in order.split(batch_size)
        ]
        losses.append(sum(batch_losses) / len(batch_losses))
""",
                )
            ),
            "parameters from a fixed seed instead of the given generator": _train_loop(
                (
                    "init_mlp(X.shape[1], hidden, 10, generator,",
                    "init_mlp(X.shape[1], hidden, 10, make_generator(0),",
                )
            ),
            "each step gets a copy of the parameters (updates are lost)": _train_loop(
                ("train_step(params, X[batch]", "train_step(dict(params), X[batch]")
            ).replace("params[name] -= lr * grad", "params[name] = params[name] - lr * grad"),
            "train_step returns the loss after the update": _train_step().replace(
                "    return loss.item()\n",
                "    H = torch.relu(xb @ params['W1'].T + params['b1'])\n"
                "    Z = H @ params['W2'].T + params['b2']\n"
                "    return F.cross_entropy(Z, yb).item()\n",
            ),
            "train_step returns the loss as a numpy float64": _train_step().replace(
                "    return loss.item()\n", "    return np.float64(loss.item())\n"
            ),
            "calls linear_backward and relu_backward from Exercises 3.4 and 3.5": """
def train_step(params, xb, yb, lr):
    A1 = xb @ params["W1"].T + params["b1"]
    H1 = A1.clamp_min(0.0)
    Z = H1 @ params["W2"].T + params["b2"]
    loss = F.cross_entropy(Z, yb)
    dZ = (torch.softmax(Z, dim=1) - F.one_hot(yb, 10).to(Z.dtype)) / len(yb)
    dH1, dW2, db2 = linear_backward(H1, params["W2"], dZ)
    _, dW1, db1 = linear_backward(xb, params["W1"], relu_backward(A1, dH1))
    for name, grad in {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}.items():
        params[name] -= lr * grad
    return loss.item()
"""
            + _TRAIN_LOOP,
            "trains on the validation data too (more data to learn from)": _train_loop(
                (
                    "device=X.device)\n",
                    "device=X.device)\n    X, y = torch.cat([X, X_val]), torch.cat([y, y_val])\n",
                )
            ),
            "validation accuracy measured on the test digits": _train_loop(
                ("X_val, y_val))\n", "X_test, y_test))\n")
            ),
            "trains on X_train, which holds the validation digits": _train_loop(
                ("    X_fit, y_fit, X_val, y_val,", "    X_train, y_train, X_val, y_val,")
            ),
            "validation accuracy measured before the epoch's updates": _train_loop(
                (
                    "        total = 0.0\n",
                    _VAL_ACCURACY + "        total = 0.0\n",
                )
            ).replace(
                "        losses.append(total / len(X))\n" + _VAL_ACCURACY,
                "        losses.append(total / len(X))\n",
            ),
            "autograd.grad imported under another name": """
from torch.autograd import grad as gradients_of


def train_step(params, xb, yb, lr):
    leaves = [params[k].detach().requires_grad_(True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = leaves
    loss = F.cross_entropy(torch.relu(xb @ W1.T + b1) @ W2.T + b2, yb)
    for k, p, g in zip(("W1", "b1", "W2", "b2"), leaves, gradients_of(loss, leaves)):
        params[k] = (p - lr * g).detach()
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
            "slices the order, own validation pass, lr chosen on validation": _train_step()
            + """

def train_from_scratch(
    X, y, X_val, y_val, hidden=64, epochs=30, batch_size=32, lr=0.1, generator=None
):
    params = init_mlp(X.shape[1], hidden, 10, generator, device=X.device)
    history, on_val = [], []
    for _ in tqdm(range(epochs), desc="training"):
        order = torch.randperm(len(X), generator=generator).to(X.device)
        weighted = []
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            weighted.append(train_step(params, X[idx], y[idx], lr) * idx.numel())
        history.append(sum(weighted) / len(X))
        hidden_units = torch.relu(X_val @ params["W1"].T + params["b1"])
        labels = (hidden_units @ params["W2"].T + params["b2"]).argmax(dim=1)
        on_val.append(float((labels == y_val).sum()) / len(y_val))
    return params, history, on_val


# The learning rate chosen by validation accuracy, with keyword arguments.
best = None
for rate in (0.05, 0.1):
    run = train_from_scratch(
        X=X_fit, y=y_fit, X_val=X_val, y_val=y_val, hidden=64, epochs=30, batch_size=32, lr=rate,
        generator=make_generator(0),
    )
    if best is None or run[2][-1] > best[2][-1]:
        best = run
scratch_params, scratch_losses, scratch_val_accuracies = best
""",
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
            "torch.nn.init imported under another name": """
from torch.nn import init as initializers


def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    W = torch.empty(fan_out, fan_in)
    initializers.xavier_uniform_(W, generator=generator)
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.empty(fan_out, fan_in)
    initializers.kaiming_normal_(W, nonlinearity="relu", generator=generator)
    return W.to(device if device is not None else get_device())
""",
            "Xavier drawn from a normal distribution with the right variance": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in, generator=generator) * math.sqrt(2.0 / (fan_in + fan_out))
    return W.to(device if device is not None else get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in, generator=generator) * math.sqrt(2.0 / fan_in)
    return W.to(device if device is not None else get_device())
""",
            "always moves the weights to the course device, ignoring device": """
def xavier_uniform(fan_in, fan_out, generator=None, device=None):
    r = math.sqrt(6.0 / (fan_in + fan_out))
    return ((2 * torch.rand(fan_out, fan_in, generator=generator) - 1) * r).to(get_device())


def he_normal(fan_in, fan_out, generator=None, device=None):
    W = torch.randn(fan_out, fan_in, generator=generator) * math.sqrt(2.0 / fan_in)
    return W.to(get_device())
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
            "F.dropout imported under another name": """
from torch.nn.functional import dropout as builtin_dropout


def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    return builtin_dropout(x, p, training)
""",
            "one mask entry per column, shared by every row": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape[-1], generator=generator).to(x.device) >= p
    return x * keep / (1 - p)
""",
            "keeps each entry with probability p instead of 1 - p": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator).to(x.device) < p
    return x * keep / (1 - p)
""",
            "the mask stays on the CPU": """
def dropout(x, p, training, generator=None):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator) >= p
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
            "torch.where on rand < 1 - p": """
def dropout(x, p, training, generator=None):
    if not (0.0 <= p <= 1.0):
        raise ValueError("p out of range")
    if training and p > 0:
        if p == 1:
            return torch.zeros_like(x)
        keep = torch.rand(x.shape, generator=generator).to(x.device) < 1 - p
        return torch.where(keep, x / (1 - p), torch.zeros_like(x))
    return x
""",
        },
    },
}
