"""Wrong answers students really write, and right answers written differently, for 04_cnn.

Each entry replaces the answer cell of one exercise; the harness checks that every wrong answer
loses that exercise's points (and only those) and that every right answer earns them.
"""

# The training part of Exercise 4.8, shared by its candidates (a wider DigitsCNN, 20 epochs).
_TRAIN_DIGITS = """
course.seed_everything(4)
digits_model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
).to(DEVICE)
digits_optimizer = torch.optim.Adam(digits_model.parameters(), lr=5e-3)
digits_generator = course.make_generator(4)
with timer() as digits_clock:
    for _epoch in tqdm(range(EPOCHS), desc="my training loop"):
        train_one_epoch(digits_model, X_fit, y_fit, digits_optimizer, 32, digits_generator)
digits_train_seconds = digits_clock.seconds
"""

_GOOD_EPOCH = """
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for idx in order.split(batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X)
"""


def _training(epoch_function: str, epochs: int = 20) -> str:
    return epoch_function + f"\nEPOCHS = {epochs}\n" + _TRAIN_DIGITS


CANDIDATES = {
    "ex4_1_conv_output_size": {
        "wrong": {
            "forgets the dilation": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    if kernel_size > size + 2 * padding:
        raise ValueError("kernel does not fit")
    return (size + 2 * padding - kernel_size) // stride + 1
""",
            "rounds instead of taking the floor": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    if span > size + 2 * padding:
        raise ValueError("kernel does not fit")
    return round((size + 2 * padding - span) / stride) + 1
""",
            "true division returns a float": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    if span > size + 2 * padding:
        raise ValueError("kernel does not fit")
    return (size + 2 * padding - span) / stride + 1
""",
            "pads one side only": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    if span > size + padding:
        raise ValueError("kernel does not fit")
    return (size + padding - span) // stride + 1
""",
            "never raises, returns zero or less": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
""",
        },
        "right": {
            "counts the window positions with range": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    last_start = size + 2 * padding - (dilation * (kernel_size - 1) + 1)
    if last_start < 0:
        raise ValueError(f"kernel of size {kernel_size} does not fit")
    return len(range(0, last_start + 1, stride))
""",
            "math.floor on the textbook formula": """
import math


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    out = math.floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
    if out < 1:
        raise ValueError("the kernel is larger than the padded input")
    return int(out)
""",
        },
    },
    "ex4_3_conv2d_naive": {
        "wrong": {
            "flips the kernel (true convolution)": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    weight = weight.flip(-2, -1)
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", win, weight)
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
""",
            "stride only thins the output grid, windows start at i": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i : i + kh, j : j + kw]
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", win, weight)
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
""",
            "ignores the padding argument": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", win, weight)
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
""",
            "only uses the first input channel": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for i in range(oh):
        for j in range(ow):
            win = x[:, 0, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = torch.einsum("nhw,ohw->no", win, weight[:, 0])
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
""",
            "calls F.conv2d after all": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride=stride, padding=padding)
""",
        },
        "right": {
            "four loops, explicit zero padding and sum": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    padded = torch.zeros(n, c_in, h + 2 * padding, w + 2 * padding, dtype=x.dtype, device=x.device)
    padded[:, :, padding : padding + h, padding : padding + w] = x
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (w + 2 * padding - kw) // stride + 1
    out = torch.empty(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for b in range(n):
        for o in range(c_out):
            for i in range(oh):
                for j in range(ow):
                    r, c = i * stride, j * stride
                    value = (padded[b, :, r : r + kh, c : c + kw] * weight[o]).sum()
                    out[b, o, i, j] = value + (bias[o] if bias is not None else 0)
    return out
""",
        },
    },
    "ex4_4_conv2d_unfold": {
        "wrong": {
            "weight flattened channels-last": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.permute(0, 2, 3, 1).reshape(c_out, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    return out.view(n, c_out, oh, ow)
""",
            "positions-first product reshaped without a transpose": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = cols.transpose(1, 2) @ weight.reshape(c_out, -1).T  # (N, L, C_out)
    if bias is not None:
        out = out + bias
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    return out.reshape(n, c_out, oh, ow)
""",
            "output size ignores the stride": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.reshape(c_out, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    return out.view(n, c_out, h + 2 * padding - kh + 1, -1)
""",
        },
        "right": {
            "einsum with the output size read from unfold": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    c_out, c_in, kh, kw = weight.shape
    cols = F.unfold(x, kernel_size=(kh, kw), padding=padding, stride=stride)
    y = torch.einsum("ok,nkl->nol", weight.flatten(1), cols)
    if bias is not None:
        y = y + bias[None, :, None]
    oh = (x.shape[2] + 2 * padding - kh) // stride + 1
    return y.reshape(x.shape[0], c_out, oh, y.shape[-1] // oh)
""",
        },
    },
    "ex4_5_max_pool2d": {
        "wrong": {
            "takes the mean (average pooling)": """
def max_pool2d(x, kernel_size, stride=None):
    stride = stride or kernel_size
    return x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride).mean(dim=(-2, -1))
""",
            "stride defaults to 1": """
def max_pool2d(x, kernel_size, stride=None):
    stride = 1 if stride is None else stride
    return x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride).amax(dim=(-2, -1))
""",
            "reshape trick that needs divisible sizes and stride == kernel": """
def max_pool2d(x, kernel_size, stride=None):
    n, c, h, w = x.shape
    k = kernel_size
    return x.reshape(n, c, h // k, k, w // k, k).amax(dim=(3, 5))
""",
            "zero padding to make the sizes divisible": """
def max_pool2d(x, kernel_size, stride=None):
    k = kernel_size
    s = k if stride is None else stride
    h, w = x.shape[-2:]
    x = F.pad(x, (0, (-w) % k, 0, (-h) % k))
    return x.unfold(2, k, s).unfold(3, k, s).amax(dim=(-2, -1))
""",
        },
        "right": {
            "F.unfold over single-channel images": """
def max_pool2d(x, kernel_size, stride=None):
    stride = kernel_size if stride is None else stride
    n, c, h, w = x.shape
    cols = F.unfold(x.reshape(n * c, 1, h, w), kernel_size, stride=stride)
    oh = (h - kernel_size) // stride + 1
    ow = (w - kernel_size) // stride + 1
    return cols.amax(dim=1).reshape(n, c, oh, ow)
""",
        },
    },
    "ex4_6_parameter_count": {
        "wrong": {
            "forgets the biases": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw


def linear_parameters(in_features, out_features, bias=True):
    return out_features * in_features


given_cnn_parameters = (conv2d_parameters(3, 16, 5) + conv2d_parameters(16, 32, 3)
                        + linear_parameters(32 * 7 * 7, 64) + linear_parameters(64, 10))
""",
            "kernel size not squared": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0] * kernel_size[1]
    return out_channels * in_channels * k + (out_channels if bias else 0)


def linear_parameters(in_features, out_features, bias=True):
    return out_features * in_features + (out_features if bias else 0)


given_cnn_parameters = (conv2d_parameters(3, 16, 5) + conv2d_parameters(16, 32, 3)
                        + linear_parameters(32 * 7 * 7, 64) + linear_parameters(64, 10))
""",
            "flattened size forgets the second pooling": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


def linear_parameters(in_features, out_features, bias=True):
    return out_features * in_features + (out_features if bias else 0)


given_cnn_parameters = (conv2d_parameters(3, 16, 5) + conv2d_parameters(16, 32, 3)
                        + linear_parameters(32 * 14 * 14, 64) + linear_parameters(64, 10))
""",
            "flattened size assumes the first conv keeps 32x32": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


def linear_parameters(in_features, out_features, bias=True):
    return out_features * in_features + (out_features if bias else 0)


given_cnn_parameters = (conv2d_parameters(3, 16, 5) + conv2d_parameters(16, 32, 3)
                        + linear_parameters(32 * 8 * 8, 64) + linear_parameters(64, 10))
""",
        },
        "right": {
            "math.prod and the sizes followed step by step": """
import math


def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    taps = math.prod(kernel_size) if isinstance(kernel_size, tuple) else kernel_size**2
    return (in_channels * taps + int(bias)) * out_channels


def linear_parameters(in_features, out_features, bias=True):
    return (in_features + int(bias)) * out_features


side = 32
side = side - 5 + 1  # conv1, no padding
side //= 2  # pool
side = side + 2 - 3 + 1  # conv2, padding 1
side //= 2  # pool
given_cnn_parameters = sum([
    conv2d_parameters(3, 16, 5),
    conv2d_parameters(16, 32, (3, 3)),
    linear_parameters(32 * side * side, 64),
    linear_parameters(64, 10),
])
""",
        },
    },
    "ex4_7_digits_cnn": {
        "wrong": {
            "returns softmax probabilities": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(c2 * (image_size // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return F.softmax(self.fc2(x), dim=1)
""",
            "no ReLU after fc1": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(c2 * (image_size // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(self.fc1(x.flatten(1)))
""",
            "no padding, fc1 sized to match": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3)
        side = ((image_size - 2) // 2 - 2) // 2
        self.fc1 = nn.Linear(c2 * side * side, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))
""",
            "flattens channels-last": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(c2 * (image_size // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).reshape(len(x), -1)
        return self.fc2(F.relu(self.fc1(x)))
""",
        },
        "right": {
            "pooling and activation as modules, view to flatten": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels[0], 3, 1, 1)
        self.conv2 = nn.Conv2d(channels[0], channels[1], 3, 1, 1)
        self.fc1 = nn.Linear(channels[1] * (image_size // 2 // 2) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)
        self.pool = nn.MaxPool2d(2)
        self.act = nn.ReLU()

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = self.act(self.fc1(x.view(x.size(0), -1)))
        return self.fc2(x)
""",
        },
    },
    "ex4_8_training_loop": {
        "wrong": {
            "forgets optimizer.zero_grad()": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for idx in order.split(batch_size):
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X)
"""),
            "averages batch losses without weighting by size": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    losses = []
    for idx in order.split(batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
"""),
            "does not shuffle": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    total = 0.0
    for start in range(0, len(X), batch_size):
        xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    return total / len(X)
"""),
            "shuffles with the global random state": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X)).to(X.device)
    total = 0.0
    for idx in order.split(batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X)
"""),
            "returns the loss of the last minibatch as a tensor": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    for idx in order.split(batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
    return loss.detach()
"""),
            "correct loop, but trained for one epoch only": _training(_GOOD_EPOCH, epochs=1),
        },
        "right": {
            "slices the permutation, sums with reduction='sum', SGD with momentum": """
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train(True)
    permutation = torch.randperm(X.shape[0], generator=generator).to(X.device)
    loss_sum = 0.0
    for start in range(0, X.shape[0], batch_size):
        idx = permutation[start : start + batch_size]
        logits = model(X[idx])
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(logits, y[idx]).backward()
        optimizer.step()
        loss_sum += F.cross_entropy(logits.detach(), y[idx], reduction="sum").item()
    return float(loss_sum / X.shape[0])


course.seed_everything(1)
digits_model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128, 10),
).to(DEVICE)
opt = torch.optim.SGD(digits_model.parameters(), lr=0.05, momentum=0.9)
gen = course.make_generator(1)
with timer() as clock:
    for _ in tqdm(range(20)):
        train_one_epoch(digits_model, X_fit, y_fit, opt, 32, gen)
digits_train_seconds = float(clock.seconds)
""",
        },
    },
    "ex4_9_random_shift": {
        "wrong": {
            "torch.roll wraps pixels around": """
def random_shift(images, max_shift, generator):
    offsets = torch.randint(-max_shift, max_shift + 1, (len(images), 2), generator=generator)
    return torch.stack([
        torch.roll(img, shifts=(int(dy), int(dx)), dims=(1, 2))
        for img, (dy, dx) in zip(images, offsets)
    ])
""",
            "one offset for the whole batch": """
def random_shift(images, max_shift, generator):
    dy, dx = torch.randint(-max_shift, max_shift + 1, (2,), generator=generator).tolist()
    m = max_shift
    h, w = images.shape[-2:]
    padded = F.pad(images, (m, m, m, m))
    return padded[..., m - dy : m - dy + h, m - dx : m - dx + w].clone()
""",
            "randint upper bound excludes +max_shift": """
def random_shift(images, max_shift, generator):
    n, _, h, w = images.shape
    offsets = torch.randint(-max_shift, max_shift, (n, 2), generator=generator)
    m = max_shift
    padded = F.pad(images, (m, m, m, m))
    out = torch.empty_like(images)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, m - dy : m - dy + h, m - dx : m - dx + w]
    return out
""",
            "draws from the global random state": """
def random_shift(images, max_shift, generator):
    n, _, h, w = images.shape
    offsets = torch.randint(-max_shift, max_shift + 1, (n, 2))
    m = max_shift
    padded = F.pad(images, (m, m, m, m))
    out = torch.empty_like(images)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, m - dy : m - dy + h, m - dx : m - dx + w]
    return out
""",
            "shifts the input in place": """
def random_shift(images, max_shift, generator):
    n, _, h, w = images.shape
    offsets = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)
    m = max_shift
    padded = F.pad(images, (m, m, m, m))
    for i, (dy, dx) in enumerate(offsets.tolist()):
        images[i] = padded[i, :, m - dy : m - dy + h, m - dx : m - dx + w]
    return images
""",
        },
        "right": {
            "vectorized gather with index grids and a mask": """
def random_shift(images, max_shift, generator):
    n, c, h, w = images.shape
    d = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator).to(images.device)
    rows = torch.arange(h, device=images.device).view(1, h, 1) - d[:, 0].view(n, 1, 1)
    cols = torch.arange(w, device=images.device).view(1, 1, w) - d[:, 1].view(n, 1, 1)
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    flat = (rows.clamp(0, h - 1) * w + cols.clamp(0, w - 1)).view(n, 1, h * w).expand(n, c, h * w)
    out = images.reshape(n, c, h * w).gather(2, flat).view(n, c, h, w)
    return out * inside.unsqueeze(1).to(images.dtype)
""",
        },
    },
    "ex4_11_comparison_table": {
        "wrong": {
            "accuracy measured on the training data": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(model.predict(X_train) == y_train)),
                      "fit time (s)": t1 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T.sort_values("test accuracy", ascending=False, kind="stable")
""",
            "times in milliseconds": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": 1000 * (t1 - t0), "predict time (s)": 1000 * (t2 - t1),
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T.sort_values("test accuracy", ascending=False, kind="stable")
""",
            "column named accuracy": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": t1 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T.sort_values("accuracy", ascending=False)
""",
            "rows left in the order of the dict": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": t1 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T
""",
            "fit time also counts the prediction": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": t2 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T.sort_values("test accuracy", ascending=False, kind="stable")
""",
        },
        "right": {
            "records with timer(), set_index, stable sort": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    records = []
    for name, model in models.items():
        with timer() as fit_clock:
            fitted = model.fit(X_train, y_train)
        with timer() as predict_clock:
            labels = fitted.predict(X_test)
        records.append({
            "model": name,
            "test accuracy": (labels == y_test).mean(),
            "fit time (s)": fit_clock.seconds,
            "predict time (s)": predict_clock.seconds,
            "parameters": stored_numbers(fitted),
        })
    table = pd.DataFrame.from_records(records).set_index("model")
    return table.sort_values(by="test accuracy", ascending=False, kind="mergesort")
""",
        },
    },
}

# Wrong answers for the rules the judges now enforce (forbidden built-ins in any spelling, loops,
# devices, the training process, statistics of the sampler, stable sorting).
_GOOD_TRAINING = _GOOD_EPOCH + "\nEPOCHS = 20\n"
_MORE_WRONG = {
    "ex4_1_conv_output_size": {
        "raises an AssertionError instead of a ValueError": """
def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    assert span <= size + 2 * padding, "the kernel does not fit"
    return (size + 2 * padding - span) // stride + 1
""",
    },
    "ex4_3_conv2d_naive": {
        "imports conv2d under another name": """
from torch.nn.functional import conv2d as correlate


def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    return correlate(x, weight, bias, stride=stride, padding=padding)
""",
        "vectorized with Tensor.unfold, no loops": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    kh, kw = weight.shape[-2:]
    x = F.pad(x, (padding, padding, padding, padding))
    windows = x.unfold(2, kh, stride).unfold(3, kw, stride)  # (N, C, OH, OW, kH, kW)
    out = torch.einsum("ncijuv,ocuv->noij", windows, weight)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out
""",
        "loops over the kernel taps, not the output positions": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype, device=x.device)
    for u in range(kh):
        for v in range(kw):
            rows = slice(u, u + stride * (oh - 1) + 1, stride)
            cols = slice(v, v + stride * (ow - 1) + 1, stride)
            taps = x[:, :, rows, cols]
            out += torch.einsum("nchw,oc->nohw", taps, weight[:, :, u, v])
    if bias is not None:
        out += bias.view(1, -1, 1, 1)
    return out
""",
        "loops, but builds the result on the CPU": """
def conv2d_naive(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    x = F.pad(x, (padding, padding, padding, padding))
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(n, c_out, oh, ow, dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            win = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = torch.einsum("nchw,ochw->no", win, weight).cpu()
    if bias is not None:
        out += bias.cpu().view(1, -1, 1, 1)
    return out
""",
    },
    "ex4_4_conv2d_unfold": {
        "imports conv2d from torch under another name": """
from torch import conv2d as fast


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    return fast(x, weight, bias, stride, padding)
""",
        "loops over the images of the batch": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    outs = []
    for image in x:
        cols = F.unfold(image[None], (kh, kw), padding=padding, stride=stride)[0]
        y = weight.reshape(c_out, -1) @ cols
        if bias is not None:
            y = y + bias.view(-1, 1)
        outs.append(y.view(c_out, oh, ow))
    return torch.stack(outs)
""",
        "result moved to the CPU": """
def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    n, _, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    cols = F.unfold(x, (kh, kw), padding=padding, stride=stride)
    out = weight.reshape(c_out, -1) @ cols
    if bias is not None:
        out = out + bias.view(1, -1, 1)
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    return torch.zeros(n, c_out, oh, ow) + out.view(n, c_out, oh, ow).cpu()
""",
    },
    "ex4_5_max_pool2d": {
        "imports max_pool2d under another name": """
from torch.nn.functional import max_pool2d as pool


def max_pool2d(x, kernel_size, stride=None):
    return pool(x, kernel_size, stride)
""",
        "nn.MaxPool2d module": """
def max_pool2d(x, kernel_size, stride=None):
    return nn.MaxPool2d(kernel_size, stride)(x)
""",
        "result built on the CPU": """
def max_pool2d(x, kernel_size, stride=None):
    stride = kernel_size if stride is None else stride
    windows = x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride)
    return torch.zeros(windows.shape[:4], dtype=x.dtype) + windows.amax(dim=(-2, -1)).cpu()
""",
    },
    "ex4_6_parameter_count": {
        "builds the layers, imported under other names": """
from torch.nn import Conv2d as C, Linear as L


def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    return sum(p.numel() for p in C(in_channels, out_channels, kernel_size, bias=bias).parameters())


def linear_parameters(in_features, out_features, bias=True):
    return sum(p.numel() for p in L(in_features, out_features, bias=bias).parameters())


given_cnn_parameters = (conv2d_parameters(3, 16, 5) + conv2d_parameters(16, 32, 3)
                        + linear_parameters(32 * 7 * 7, 64) + linear_parameters(64, 10))
""",
        "given_cnn_parameters typed in, not computed": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    return out_channels * in_channels * kh * kw + (out_channels if bias else 0)


def linear_parameters(in_features, out_features, bias=True):
    return out_features * in_features + (out_features if bias else 0)


given_cnn_parameters = 106_442
""",
    },
    "ex4_7_digits_cnn": {
        "fc1 sized for 8x8 images whatever image_size": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(c2 * 4, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)
""",
        "adds a CPU tensor to the logits": """
class DigitsCNN(nn.Module):
    def __init__(self, channels=(8, 16), hidden=32, n_classes=10, image_size=8):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc1 = nn.Linear(c2 * (image_size // 4) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.reshape(len(x), -1).cpu().to(self.fc1.weight.device)))
        return self.fc2(x) + torch.zeros(1)
""",
    },
    "ex4_8_training_loop": {
        "zero_grad after the step (stale gradients in the first step)": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    model.train()
    order = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for idx in order.split(batch_size):
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item() * len(idx)
    return total / len(X)
"""),
        "never calls model.train()": _training("""
def train_one_epoch(model, X, y, optimizer, batch_size, generator):
    order = torch.randperm(len(X), generator=generator).to(X.device)
    total = 0.0
    for idx in order.split(batch_size):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(X)
"""),
        "an MLP without convolutions": _GOOD_TRAINING
        + """
course.seed_everything(4)
digits_model = nn.Sequential(
    nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)
).to(DEVICE)
digits_optimizer = torch.optim.Adam(digits_model.parameters(), lr=3e-3)
digits_generator = course.make_generator(4)
with timer() as digits_clock:
    for _epoch in tqdm(range(EPOCHS)):
        train_one_epoch(digits_model, X_fit, y_fit, digits_optimizer, 32, digits_generator)
digits_train_seconds = digits_clock.seconds
""",
        "course.train.fit for the model": _GOOD_TRAINING
        + """
course.seed_everything(4)
digits_model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10),
).to(DEVICE)
digits_optimizer = torch.optim.Adam(digits_model.parameters(), lr=3e-3)
with timer() as digits_clock:
    fit(digits_model, X_fit, y_fit, nn.CrossEntropyLoss(), digits_optimizer, epochs=15,
        batch_size=32, generator=course.make_generator(4))
digits_train_seconds = digits_clock.seconds
""",
        "tuned on X_val, then trained on all of X_train (validation included)": _GOOD_TRAINING
        + """
course.seed_everything(4)
digits_model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10),
).to(DEVICE)
digits_optimizer = torch.optim.Adam(digits_model.parameters(), lr=5e-3)
digits_generator = course.make_generator(4)
with timer() as digits_clock:
    for _epoch in tqdm(range(EPOCHS)):
        train_one_epoch(digits_model, X_train, y_train, digits_optimizer, 32, digits_generator)
digits_train_seconds = digits_clock.seconds
""",
        "trains on the test digits too": _GOOD_TRAINING
        + """
course.seed_everything(4)
digits_model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10),
).to(DEVICE)
digits_optimizer = torch.optim.Adam(digits_model.parameters(), lr=3e-3)
digits_generator = course.make_generator(4)
with timer() as digits_clock:
    for _epoch in tqdm(range(EPOCHS)):
        train_one_epoch(digits_model, torch.cat([X_fit, X_test]), torch.cat([y_fit, y_test]),
                        digits_optimizer, 32, digits_generator)
digits_train_seconds = digits_clock.seconds
""",
    },
    "ex4_9_random_shift": {
        "offsets from a rounded uniform float (ends half as likely)": """
def random_shift(images, max_shift, generator):
    n, _, h, w = images.shape
    u = torch.rand(n, 2, generator=generator) * 2 * max_shift - max_shift
    offsets = torch.round(u).long()
    m = max_shift
    padded = F.pad(images, (m, m, m, m))
    out = torch.empty_like(images)
    for i, (dy, dx) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, m - dy : m - dy + h, m - dx : m - dx + w]
    return out
""",
        "one number per image for both axes": """
def random_shift(images, max_shift, generator):
    n, _, h, w = images.shape
    d = torch.randint(-max_shift, max_shift + 1, (n,), generator=generator)
    m = max_shift
    padded = F.pad(images, (m, m, m, m))
    out = torch.empty_like(images)
    for i, s in enumerate(d.tolist()):
        out[i] = padded[i, :, m - s : m - s + h, m - s : m - s + w]
    return out
""",
    },
    "ex4_11_comparison_table": {
        "sort_values without kind='stable' (ties reversed)": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": t1 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    return pd.DataFrame(rows).T.sort_values("test accuracy", ascending=False)
""",
        "sorted ascending then reversed (ties in reverse order)": """
def comparison_table(models, X_train, y_train, X_test, y_test):
    rows = {}
    for name, model in models.items():
        t0 = time.perf_counter()
        model.fit(X_train, y_train)
        t1 = time.perf_counter()
        predicted = model.predict(X_test)
        t2 = time.perf_counter()
        rows[name] = {"test accuracy": float(np.mean(predicted == y_test)),
                      "fit time (s)": t1 - t0, "predict time (s)": t2 - t1,
                      "parameters": stored_numbers(model)}
    table = pd.DataFrame(rows).T.sort_values("test accuracy", kind="stable")
    return table.iloc[::-1]
""",
    },
}
for _answer, _wrong in _MORE_WRONG.items():
    CANDIDATES[_answer]["wrong"].update(_wrong)

_MORE_RIGHT = {
    "ex4_6_parameter_count": {
        "a helper function adds the layers up": """
def conv2d_parameters(in_channels, out_channels, kernel_size, bias=True):
    kh, kw = kernel_size if isinstance(kernel_size, tuple) else (kernel_size,) * 2
    return out_channels * (in_channels * kh * kw + (1 if bias else 0))


def linear_parameters(in_features, out_features, bias=True):
    return out_features * (in_features + (1 if bias else 0))


def total_parameters():
    # 32x32 -> 28x28 (conv 5x5) -> 14x14 (pool) -> 14x14 (conv 3x3, padding 1) -> 7x7 (pool)
    return (
        conv2d_parameters(3, 16, 5)
        + conv2d_parameters(16, 32, 3)
        + linear_parameters(32 * 7 * 7, 64)
        + linear_parameters(64, 10)
    )


given_cnn_parameters = total_parameters()
""",
    },
    "ex4_8_training_loop": {
        "training wrapped in a function, BatchNorm and dropout": _GOOD_EPOCH
        + """

def train_digits(epochs: int = 12):
    course.seed_everything(2)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(128, 10),
    ).to(DEVICE)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    generator = course.make_generator(2)
    with timer() as clock:
        for _ in tqdm(range(epochs), desc="digits"):
            train_one_epoch(model, X_fit, y_fit, optimizer, 64, generator)
    return model, float(clock.seconds)


digits_model, digits_train_seconds = train_digits()
""",
    },
}
for _answer, _right in _MORE_RIGHT.items():
    CANDIDATES[_answer]["right"].update(_right)
