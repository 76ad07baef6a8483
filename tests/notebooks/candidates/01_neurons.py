"""Wrong and alternative right answers for the exercises of chapter 01_neurons.

Each wrong answer is a mistake students really make; each must lose its exercise's points without
costing points elsewhere. Each right answer is written differently from the source solution and
must earn the points. See docs/authoring.md ("Candidate answers").
"""

CANDIDATES = {
    "ex1_1_neuron": {
        "wrong": {
            "forgets the bias": """
def neuron(x, w, b, activation):
    return activation(torch.dot(w, x))
""",
            "adds the bias after the activation": """
def neuron(x, w, b, activation):
    return activation(torch.dot(w, x)) + b
""",
            "applies the activation to each product before summing": """
def neuron(x, w, b, activation):
    return activation(w * x).sum() + b
""",
            "returns the elementwise products instead of their sum": """
def neuron(x, w, b, activation):
    return activation(w * x + b)
""",
        },
        "right": {
            "Python sum over the pairs of components": """
def neuron(x, w, b, activation):
    z = sum(wi * xi for wi, xi in zip(w, x)) + b
    return activation(z)
""",
            "matrix product with @": """
def neuron(x, w, b, activation):
    return activation(x @ w + b)
""",
        },
    },
    "ex1_2_sigmoid": {
        "wrong": {
            "textbook formula: exp(-z) overflows inside for large negative z": """
def sigmoid(z):
    return 1 / (1 + torch.exp(-z))
""",
            "exp(z) / (1 + exp(z)) gives nan at large z": """
def sigmoid(z):
    e = torch.exp(z)
    return e / (1 + e)
""",
            "torch.where over two branches that each overflow somewhere": """
def sigmoid(z):
    return torch.where(z >= 0, 1 / (1 + torch.exp(-z)), torch.exp(z) / (1 + torch.exp(z)))
""",
            "calls the built-in torch.sigmoid": """
def sigmoid(z):
    return torch.sigmoid(z)
""",
            "always computes in float32": """
def sigmoid(z):
    z = z.float()
    e = torch.exp(-z.abs())
    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))
""",
            "imports the built-in under another name": """
from torch.nn.functional import sigmoid as squash


def sigmoid(z):
    return squash(z)
""",
            "correct values but abs_() modifies z in place": """
def sigmoid(z):
    positive = z >= 0
    e = torch.exp(-z.abs_())
    return torch.where(positive, 1 / (1 + e), e / (1 + e))
""",
            "builds the numerator on the CPU whatever the device of z": """
def sigmoid(z):
    e = torch.exp(-z.abs())
    numerator = torch.where(z >= 0, torch.ones(z.shape, dtype=z.dtype), e)
    return numerator / (1 + e)
""",
        },
        "right": {
            "tanh identity": """
def sigmoid(z):
    return 0.5 * (1 + torch.tanh(z / 2))
""",
            "masked assignment: each formula only where it is safe": """
def sigmoid(z):
    out = torch.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + torch.exp(-z[positive]))
    e = torch.exp(z[~positive])
    out[~positive] = e / (1 + e)
    return out
""",
            "logaddexp: exp(-log(1 + exp(-z))) never overflows": """
def sigmoid(z):
    return torch.exp(-torch.logaddexp(torch.zeros_like(z), -z))
""",
        },
    },
    "ex1_3_tanh": {
        "wrong": {
            "formula as written gives inf / inf = nan": """
def tanh(z):
    ep, em = torch.exp(z), torch.exp(-z)
    return (ep - em) / (ep + em)
""",
            "forgets the factor 2 in the exponent (computes tanh(z / 2))": """
def tanh(z):
    e = torch.exp(-z.abs())
    return torch.sign(z) * (1 - e) / (1 + e)
""",
            "2 sigmoid(z) - 1 without the 2 inside": """
def tanh(z):
    e = torch.exp(-z.abs())
    s = torch.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return 2 * s - 1
""",
            "calls the built-in torch.tanh": """
def tanh(z):
    return torch.tanh(z)
""",
            "imports the built-in under another name": """
from torch import tanh as hyperbolic_tangent


def tanh(z):
    return hyperbolic_tangent(z)
""",
            "always computes in float32": """
def tanh(z):
    z = z.float()
    e = torch.exp(-2 * z.abs())
    return torch.sign(z) * (1 - e) / (1 + e)
""",
            "builds the sign on the CPU whatever the device of z": """
def tanh(z):
    e = torch.exp(-2 * z.abs())
    ones = torch.ones(z.shape, dtype=z.dtype)
    return torch.where(z < 0, -ones, ones) * (1 - e) / (1 + e)
""",
        },
        "right": {
            "1 - 2 / (exp(2z) + 1)": """
def tanh(z):
    return 1 - 2 / (torch.exp(2 * z) + 1)
""",
            "2 sigmoid(2z) - 1 with the student's own sigmoid": """
def tanh(z):
    return 2 * sigmoid(2 * z) - 1
""",
        },
    },
    "ex1_4_relu": {
        "wrong": {
            "derivative 1 at z = 0 (>= instead of >)": """
def relu(z):
    return torch.clamp(z, min=0)


def relu_derivative(z):
    return (z >= 0).to(z.dtype)
""",
            "derivative returns a boolean tensor": """
def relu(z):
    return torch.clamp(z, min=0)


def relu_derivative(z):
    return z > 0
""",
            "sets the negative entries of the input to zero in place": """
def relu(z):
    z[z < 0] = 0
    return z


def relu_derivative(z):
    return (z > 0).to(z.dtype)
""",
            "Python's max(0, z) on a tensor": """
def relu(z):
    return max(0, z)


def relu_derivative(z):
    return (z > 0).to(z.dtype)
""",
            "calls the built-in torch.relu": """
def relu(z):
    return torch.relu(z)


def relu_derivative(z):
    return (z > 0).to(z.dtype)
""",
            "imports a built-in rectifier under another name": """
from torch.nn.functional import threshold as cut


def relu(z):
    return cut(z, 0.0, 0.0)


def relu_derivative(z):
    return (z > 0).to(z.dtype)
""",
            "derivative computed with autograd instead of by hand": """
def relu(z):
    return torch.clamp(z, min=0)


def relu_derivative(z):
    leaf = z.detach().clone().requires_grad_(True)
    torch.where(leaf > 0, leaf, torch.zeros_like(leaf)).sum().backward()
    return leaf.grad
""",
            "derivative built on the CPU whatever the device of z": """
def relu(z):
    return torch.clamp(z, min=0)


def relu_derivative(z):
    ones = torch.ones(z.shape, dtype=z.dtype)
    return torch.where(z > 0, ones, 0 * ones)
""",
        },
        "right": {
            "multiply by the mask, torch.where for the derivative": """
def relu(z):
    return z * (z > 0)


def relu_derivative(z):
    return torch.where(z > 0, torch.ones_like(z), torch.zeros_like(z))
""",
            "torch.maximum and torch.heaviside": """
def relu(z):
    return torch.maximum(z, torch.zeros_like(z))


def relu_derivative(z):
    return torch.heaviside(z, torch.zeros_like(z))
""",
        },
    },
    "ex1_5_leaky_relu": {
        "wrong": {
            "slope applied to the positive side": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, slope * z, z)


def leaky_relu_derivative(z, slope=0.01):
    ones = torch.ones_like(z)
    return torch.where(z > 0, slope * ones, ones)
""",
            "ignores the slope argument (always 0.01)": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, z, 0.01 * z)


def leaky_relu_derivative(z, slope=0.01):
    ones = torch.ones_like(z)
    return torch.where(z > 0, ones, 0.01 * ones)
""",
            "derivative 1 at z = 0": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    ones = torch.ones_like(z)
    return torch.where(z >= 0, ones, slope * ones)
""",
            "derivative from torch.where with Python numbers is always float32": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    return torch.where(z > 0, 1.0, slope)
""",
            "derivative returns slope * z instead of slope": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    return torch.where(z > 0, torch.ones_like(z), slope * z)
""",
            "imports the built-in under another name": """
from torch.nn.functional import leaky_relu as leaky


def leaky_relu(z, slope=0.01):
    return leaky(z, slope)


def leaky_relu_derivative(z, slope=0.01):
    return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))
""",
            "derivative built on the CPU whatever the device of z": """
def leaky_relu(z, slope=0.01):
    return torch.where(z > 0, z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    ones = torch.ones(z.shape, dtype=z.dtype)
    return torch.where(z > 0, ones, slope * ones)
""",
        },
        "right": {
            "maximum of z and slope * z (valid because slope < 1)": """
def leaky_relu(z, slope=0.01):
    return torch.maximum(z, slope * z)


def leaky_relu_derivative(z, slope=0.01):
    return slope + (1 - slope) * (z > 0).to(z.dtype)
""",
            "built from torch.relu": """
def leaky_relu(z, slope=0.01):
    return torch.relu(z) - slope * torch.relu(-z)


def leaky_relu_derivative(z, slope=0.01):
    return torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))
""",
        },
    },
    "ex1_7_dense": {
        "wrong": {
            "forgets to transpose W": """
def dense(X, W, b):
    return X @ W + b
""",
            "forgets the bias": """
def dense(X, W, b):
    return X @ W.T
""",
            "computes W X^T, the transposed result": """
def dense(X, W, b):
    return W @ X.T + b[:, None]
""",
            "calls torch.nn.functional.linear": """
def dense(X, W, b):
    return torch.nn.functional.linear(X, W, b)
""",
            "imports torch.nn.functional.linear under another name": """
from torch.nn.functional import linear as affine


def dense(X, W, b):
    return affine(X, W, b)
""",
            "transposes W in place with W.t_()": """
def dense(X, W, b):
    W.t_()
    return X @ W + b
""",
            "accumulates into a CPU tensor whatever the device of X": """
def dense(X, W, b):
    Z = torch.zeros(X.shape[0], W.shape[0], dtype=X.dtype)
    return Z + X @ W.T + b
""",
        },
        "right": {
            "einsum": """
def dense(X, W, b):
    return torch.einsum("ni,oi->no", X, W) + b
""",
            "fused torch.addmm": """
def dense(X, W, b):
    return torch.addmm(b, X, W.T)
""",
            "one row at a time, stacked": """
def dense(X, W, b):
    return torch.stack([W @ x + b for x in X])
""",
        },
    },
    "ex1_8_mlp_forward": {
        "wrong": {
            "ReLU after the last layer too": """
def mlp_forward(X, params):
    H = X
    for W, b in params:
        H = torch.relu(H @ W.T + b)
    return torch.sigmoid(H)
""",
            "forgets the final sigmoid": """
def mlp_forward(X, params):
    H = X
    for W, b in params[:-1]:
        H = torch.relu(H @ W.T + b)
    W, b = params[-1]
    return H @ W.T + b
""",
            "sigmoid after every layer": """
def mlp_forward(X, params):
    H = X
    for W, b in params:
        H = torch.sigmoid(H @ W.T + b)
    return H
""",
            "return indented inside the loop": """
def mlp_forward(X, params):
    H = X
    for W, b in params[:-1]:
        H = torch.relu(H @ W.T + b)
        W, b = params[-1]
        return torch.sigmoid(H @ W.T + b)
""",
            "no ReLU between the layers": """
def mlp_forward(X, params):
    H = X
    for W, b in params:
        H = H @ W.T + b
    return torch.sigmoid(H)
""",
            "pops the last layer off the caller's list": """
def mlp_forward(X, params):
    W_last, b_last = params.pop()
    H = X
    for W, b in params:
        H = torch.relu(H @ W.T + b)
    return torch.sigmoid(H @ W_last.T + b_last)
""",
            "moves the result to the CPU": """
def mlp_forward(X, params):
    H = X
    for W, b in params[:-1]:
        H = torch.relu(H @ W.T + b)
    W, b = params[-1]
    return torch.sigmoid(H @ W.T + b).cpu()
""",
        },
        "right": {
            "nn.functional.linear with the activation chosen by position": """
def mlp_forward(X, params):
    H = X
    for i, (W, b) in enumerate(params):
        H = torch.nn.functional.linear(H, W, b)
        H = torch.sigmoid(H) if i == len(params) - 1 else torch.relu(H)
    return H
""",
            "recursive": """
def mlp_forward(X, params):
    W, b = params[0]
    Z = X @ W.T + b
    if len(params) == 1:
        return torch.sigmoid(Z)
    return mlp_forward(torch.relu(Z), params[1:])
""",
        },
    },
    "ex1_9_count_parameters": {
        "wrong": {
            "forgets the biases": """
def count_parameters(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
""",
            "counts a bias for the input layer too": """
def count_parameters(sizes):
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) + sum(sizes)
""",
            "one bias per input instead of per output": """
def count_parameters(sizes):
    return sum(a * b + a for a, b in zip(sizes[:-1], sizes[1:]))
""",
            "returns a tensor": """
def count_parameters(sizes):
    s = torch.tensor(sizes)
    return (s[:-1] * s[1:] + s[1:]).sum()
""",
            "pops the sizes off the caller's list": """
def count_parameters(sizes):
    total = 0
    while len(sizes) > 1:
        n_in = sizes.pop(0)
        total += n_in * sizes[0] + sizes[0]
    return total
""",
            "returns a numpy integer": """
import numpy as np


def count_parameters(sizes):
    s = np.array(sizes)
    return np.sum(s[:-1] * s[1:] + s[1:])
""",
        },
        "right": {
            "index loop": """
def count_parameters(sizes):
    total = 0
    for i in range(len(sizes) - 1):
        total += (sizes[i] + 1) * sizes[i + 1]
    return total
""",
            "builds the layers and counts with numel": """
def count_parameters(sizes):
    layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(p.numel() for layer in layers for p in layer.parameters())
""",
            "recursive with tuple unpacking": """
def count_parameters(sizes):
    if len(sizes) < 2:
        return 0
    first, second, *_ = sizes
    return (first + 1) * second + count_parameters(sizes[1:])
""",
        },
    },
    "ex1_10_mlp_module": {
        "wrong": {
            "layers in a plain Python list": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)
""",
            "ReLU after the last layer too": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)
""",
            "sigmoid on the output": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for linear in self.linears[:-1]:
            x = torch.relu(linear(x))
        return torch.sigmoid(self.linears[-1](x))
""",
            "no ReLU at all": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.net = nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

    def forward(self, x):
        return self.net(x)
""",
            "builds fresh random layers inside forward": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.sizes = sizes
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for a, b in zip(self.sizes[:-2], self.sizes[1:-1]):
            x = torch.relu(nn.Linear(a, b)(x))
        return nn.Linear(self.sizes[-2], self.sizes[-1])(x)
""",
            "moves the logits to the CPU": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for linear in self.linears[:-1]:
            x = torch.relu(linear(x))
        return self.linears[-1](x).cpu()
""",
        },
        "right": {
            "nn.Sequential without the trailing ReLU": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.net = nn.Sequential(*layers[:-1])

    def forward(self, x):
        return self.net(x)
""",
            "named attributes registered with add_module": """
class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.depth = len(sizes) - 1
        for i in range(self.depth):
            self.add_module(f"fc{i}", nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x):
        for i in range(self.depth):
            x = getattr(self, f"fc{i}")(x)
            if i < self.depth - 1:
                x = nn.functional.relu(x)
        return x
""",
        },
    },
    "ex1_11_xor_weights": {
        "wrong": {
            "forgets the factor 2: h1 - h2 computes OR": """
def xor_weights():
    W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
    b1 = torch.tensor([0.0, -1.0])
    W2 = torch.tensor([[1.0, -1.0]])
    b2 = torch.tensor([0.0])
    return W1, b1, W2, b2
""",
            "no bias on the second unit": """
def xor_weights():
    W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
    b1 = torch.tensor([0.0, 0.0])
    W2 = torch.tensor([[1.0, -2.0]])
    b2 = torch.tensor([0.0])
    return W1, b1, W2, b2
""",
            "integer tensors": """
def xor_weights():
    W1 = torch.tensor([[1, 1], [1, 1]])
    b1 = torch.tensor([0, -1])
    W2 = torch.tensor([[1, -2]])
    b2 = torch.tensor([0])
    return W1, b1, W2, b2
""",
            "W2 of shape (2, 1)": """
def xor_weights():
    W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
    b1 = torch.tensor([0.0, -1.0])
    W2 = torch.tensor([[1.0], [-2.0]])
    b2 = torch.tensor([0.0])
    return W1, b1, W2, b2
""",
            "steep ramps: right at the corners only": """
def xor_weights():
    W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]])
    b1 = torch.tensor([-0.95, -1.0])
    W2 = torch.tensor([[20.0, -21.0]])
    b2 = torch.tensor([0.0])
    return W1, b1, W2, b2
""",
        },
        "right": {
            "|x1 - x2| from two opposite ramps": """
def xor_weights():
    W1 = torch.tensor([[1.0, -1.0], [-1.0, 1.0]])
    b1 = torch.zeros(2)
    W2 = torch.tensor([[1.0, 1.0]])
    b2 = torch.zeros(1)
    return W1, b1, W2, b2
""",
            "an always-active first unit and an output bias": """
def xor_weights():
    W1 = torch.ones(2, 2)
    b1 = torch.tensor([1.0, -1.0])
    W2 = torch.tensor([[1.0, -2.0]])
    b2 = torch.tensor([-1.0])
    return W1, b1, W2, b2
""",
            "float64 weights": """
def xor_weights():
    W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    b1 = torch.tensor([0.0, -1.0], dtype=torch.float64)
    W2 = torch.tensor([[1.0, -2.0]], dtype=torch.float64)
    b2 = torch.tensor([0.0], dtype=torch.float64)
    return W1, b1, W2, b2
""",
        },
    },
}
