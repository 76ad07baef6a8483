"""Wrong answers students really write, and right answers written differently, for 05_deep_training.

Each entry replaces the answer cell of one exercise; the harness checks that every wrong answer
loses that exercise's points (and only those) and that every right answer earns them.
"""

# Batch-norm forward, with one line swapped in by each wrong candidate.
_BN_FORWARD = """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = [0] + list(range(2, x.ndim))
    shape = [1, -1] + [1] * (x.ndim - 2)
    if TRAINING:
        mean = x.mean(dim=axes)
        var = x.var(dim=axes, unbiased=False)
        count = x.numel() // x.shape[1]
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = UPDATE
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean, running_var
    x_hat = NORMALIZE
    return gamma.view(shape) * x_hat + beta.view(shape), new_mean, new_var
"""
_BN_RIGHT = {
    "TRAINING": "training",
    "UPDATE": "(1 - momentum) * running_var + momentum * var * count / (count - 1)",
    "NORMALIZE": "(x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)",
}


def _fill(template: str, right: dict[str, str], changes: dict[str, str]) -> str:
    """The template with each placeholder replaced: the right answer's text, or a change."""
    for key, value in {**right, **changes}.items():
        template = template.replace(key, value)
    return template


def _bn_forward(**changes: str) -> str:
    return _fill(_BN_FORWARD, _BN_RIGHT, changes)


_RESIDUAL = """
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=STRIDE1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=STRIDE2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        if PROJECT:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )
        else:
            self.shortcut = nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return COMBINE
"""
_RESIDUAL_RIGHT = {
    "STRIDE1": "stride",
    "STRIDE2": "1",
    "PROJECT": "stride != 1 or in_channels != out_channels",
    "COMBINE": "F.relu(out + self.shortcut(x))",
}


def _residual(**changes: str) -> str:
    return _fill(_RESIDUAL, _RESIDUAL_RIGHT, changes)


_PIPELINE = """
class DigitsDataset(Dataset):
    def __init__(self, images, labels, mean, std, transform=None):
        self.images, self.labels, self.mean, self.std = images, labels, mean, std
        self.transform = transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        image = ITEM
        return image, self.labels[i]


def make_loaders(X_fit, y_fit, X_val, y_val, batch_size, transform, generator):
    mean, std = STATS
    train = DigitsDataset(X_fit, y_fit, mean, std, transform)
    val = DigitsDataset(X_val, y_val, mean, std, VAL_TRANSFORM)
    return (
        DataLoader(train, batch_size=batch_size, TRAIN_ORDER),
        DataLoader(val, batch_size=batch_size, VAL_ORDER),
    )
"""
_PIPELINE_RIGHT = {
    "ITEM": "(self.images[i] - self.mean) / self.std\n"
    "        if self.transform is not None:\n"
    "            image = self.transform(image)",
    "STATS": "X_fit.mean(), X_fit.std()",
    "VAL_TRANSFORM": "None",
    "TRAIN_ORDER": "shuffle=True, generator=generator",
    "VAL_ORDER": "shuffle=False",
}


def _pipeline(**changes: str) -> str:
    return _fill(_PIPELINE, _PIPELINE_RIGHT, changes)


_RANGE_TEST = """
def lr_range_test(model, X, y, lr_min, lr_max, steps, batch_size, generator):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr_min)
    model.train()
    lrs, losses = [], []
    for k in range(steps):
        lr = SCHEDULE
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx = torch.randint(len(X), (batch_size,), generator=generator).to(X.device)
        loss = F.cross_entropy(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lrs.append(float(lr))
        losses.append(RECORDED)
        if STOP:
            break
    return lrs, losses
"""
_RANGE_RIGHT = {
    "SCHEDULE": "lr_min * (lr_max / lr_min) ** (k / (steps - 1)) if steps > 1 else lr_min",
    "RECORDED": "loss.item()",
    "STOP": "not math.isfinite(losses[-1]) or losses[-1] > 4 * min(losses)",
}


def _range_test(**changes: str) -> str:
    return _fill(_RANGE_TEST, _RANGE_RIGHT, changes)


_HALVING = """
def successive_halving(configs, evaluate, min_budget, eta=2):
    remaining = list(range(len(configs)))
    budget = min_budget
    history = []
    while True:
        losses = {}
        for i in CANDIDATES:
            losses[i] = evaluate(configs[i], budget)
            history.append((i, budget, losses[i]))
        if len(remaining) == 1:
            return configs[remaining[0]], history
        keep = KEEP
        remaining = sorted(remaining, key=ORDER)[:keep]
        budget = NEXT_BUDGET
"""
_HALVING_RIGHT = {
    "CANDIDATES": "remaining",
    "KEEP": "max(1, len(remaining) // eta)",
    "ORDER": "lambda i: (losses[i], i)",
    "NEXT_BUDGET": "budget * eta",
}


def _halving(**changes: str) -> str:
    return _fill(_HALVING, _HALVING_RIGHT, changes)


_TRANSFER = """
class TransferNet(nn.Module):
    def __init__(self, backbone, n_features, n_classes, freeze_backbone):
        super().__init__()
        self.freeze_backbone = freeze_backbone
        self.backbone = COPY
        self.head = nn.Linear(n_features, n_classes)
        if freeze_backbone:
            self.backbone.requires_grad_(False)

    def train(self, mode=True):
        super().train(mode)
        if KEEP_EVAL:
            self.backbone.eval()
        return self

    def forward(self, x):
        return OUTPUT
"""
_TRANSFER_RIGHT = {
    "COPY": "copy.deepcopy(backbone)",
    "KEEP_EVAL": "self.freeze_backbone",
    "OUTPUT": "self.head(self.backbone(x))",
}


def _transfer(**changes: str) -> str:
    return _fill(_TRANSFER, _TRANSFER_RIGHT, changes)


CANDIDATES = {
    "ex5_1_batchnorm_forward": {
        "wrong": {
            "biased variance in the running update": _bn_forward(
                UPDATE="(1 - momentum) * running_var + momentum * var"
            ),
            "batch statistics in evaluation mode too": _bn_forward(TRAINING="True"),
            "momentum the wrong way round": _bn_forward(
                UPDATE="momentum * running_var + (1 - momentum) * var * count / (count - 1)"
            ),
            "eps outside the square root": _bn_forward(
                NORMALIZE="(x - mean.view(shape)) / (torch.sqrt(var.view(shape)) + eps)"
            ),
            "statistics per example (layer norm) instead of per channel": """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    shape = [1, -1] + [1] * (x.ndim - 2)
    axes = list(range(1, x.ndim))
    if training:
        mean = x.mean(dim=axes, keepdim=True)
        var = x.var(dim=axes, unbiased=False, keepdim=True)
        flat = x.transpose(0, 1).reshape(x.shape[1], -1)
        new_mean = (1 - momentum) * running_mean + momentum * flat.mean(dim=1)
        new_var = (1 - momentum) * running_var + momentum * flat.var(dim=1)
    else:
        mean, var = running_mean.view(shape), running_var.view(shape)
        new_mean, new_var = running_mean, running_var
    out = (x - mean) / torch.sqrt(var + eps)
    return gamma.view(shape) * out + beta.view(shape), new_mean, new_var
""",
            "updates the running statistics in place": """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = [0] + list(range(2, x.ndim))
    shape = [1, -1] + [1] * (x.ndim - 2)
    if training:
        mean = x.mean(dim=axes)
        var = x.var(dim=axes, unbiased=False)
        count = x.numel() // x.shape[1]
        running_mean.mul_(1 - momentum).add_(momentum * mean)
        running_var.mul_(1 - momentum).add_(momentum * var * count / (count - 1))
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return gamma.view(shape) * x_hat + beta.view(shape), running_mean, running_var
""",
            "calls F.batch_norm": """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    rm, rv = running_mean.clone(), running_var.clone()
    out = F.batch_norm(x, rm, rv, gamma, beta, training, momentum, eps)
    return out, rm, rv
""",
        },
        "right": {
            "channels moved last and flattened, unbiased variance by hand": """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    c = x.shape[1]
    flat = x.transpose(0, 1).reshape(c, -1)  # (C, everything else)
    if training:
        mean = flat.mean(dim=1)
        centred = flat - mean[:, None]
        m = flat.shape[1]
        biased = (centred**2).sum(dim=1) / m
        unbiased = (centred**2).sum(dim=1) / (m - 1)
        new_mean = running_mean + momentum * (mean - running_mean)
        new_var = running_var + momentum * (unbiased - running_var)
    else:
        mean, biased = running_mean, running_var
        new_mean, new_var = running_mean.clone(), running_var.clone()
    x_hat = (flat - mean[:, None]) * torch.rsqrt(biased[:, None] + eps)
    out = gamma[:, None] * x_hat + beta[:, None]
    moved = list(x.shape)
    moved[0], moved[1] = moved[1], moved[0]
    return out.reshape(moved).transpose(0, 1), new_mean, new_var
""",
            "a loop over the channels": """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    out = torch.empty_like(x)
    new_mean, new_var = running_mean.clone(), running_var.clone()
    for c in range(x.shape[1]):
        values = x[:, c]
        if training:
            mu = values.mean()
            var = values.var(unbiased=False)
            new_mean[c] = (1 - momentum) * running_mean[c] + momentum * mu
            new_var[c] = (1 - momentum) * running_var[c] + momentum * values.var(unbiased=True)
        else:
            mu, var = running_mean[c], running_var[c]
        out[:, c] = gamma[c] * (values - mu) / torch.sqrt(var + eps) + beta[c]
    return out, new_mean, new_var
""",
        },
    },
    "ex5_2_batchnorm_backward": {
        "wrong": {
            "mean and variance treated as constants": """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    mean = x.mean(dim=0)
    sigma = torch.sqrt(x.var(dim=0, unbiased=False) + eps)
    x_hat = (x - mean) / sigma
    return dout * gamma / sigma, (dout * x_hat).sum(dim=0), dout.sum(dim=0)
""",
            "dgamma without x_hat": """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mean = x.mean(dim=0)
    sigma = torch.sqrt(x.var(dim=0, unbiased=False) + eps)
    x_hat = (x - mean) / sigma
    dbeta = dout.sum(dim=0)
    dx = gamma / (m * sigma) * (m * dout - dbeta - x_hat * (dout * x_hat).sum(dim=0))
    return dx, dbeta, dbeta
""",
            "unbiased variance in the forward statistics": """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mean = x.mean(dim=0)
    sigma = torch.sqrt(x.var(dim=0) + eps)
    x_hat = (x - mean) / sigma
    dbeta = dout.sum(dim=0)
    dgamma = (dout * x_hat).sum(dim=0)
    dx = gamma / (m * sigma) * (m * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta
""",
            "lets autograd do it": """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    x = x.clone().requires_grad_()
    g = gamma.clone().requires_grad_()
    b = torch.zeros_like(gamma, requires_grad=True)
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=False)
    y = g * (x - mean) / torch.sqrt(var + eps) + b
    y.backward(dout)
    return x.grad, g.grad, b.grad
""",
        },
        "right": {
            "the chain rule step by step, through the variance and the mean": """
def batchnorm_backward(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    mu = x.mean(dim=0)
    xc = x - mu
    var = (xc**2).mean(dim=0)
    inv = 1.0 / torch.sqrt(var + eps)
    x_hat = xc * inv
    dbeta = dout.sum(dim=0)
    dgamma = (dout * x_hat).sum(dim=0)
    dx_hat = dout * gamma
    dvar = (dx_hat * xc).sum(dim=0) * -0.5 * inv**3
    dmu = -(dx_hat * inv).sum(dim=0) + dvar * (-2.0 * xc).mean(dim=0)
    dx = dx_hat * inv + dvar * 2.0 * xc / m + dmu / m
    return dx, dgamma, dbeta
""",
        },
    },
    "ex5_4_residual_block": {
        "wrong": {
            "ReLU before the sum": _residual(COMBINE="F.relu(out) + self.shortcut(x)"),
            "stride in the second convolution": _residual(STRIDE1="1", STRIDE2="stride"),
            "projection shortcut always": _residual(PROJECT="True"),
            "identity shortcut always": _residual(PROJECT="False"),
            "no batch norm after the second convolution": _residual(
                COMBINE="F.relu(self.conv2(F.relu(self.bn1(self.conv1(x)))) + self.shortcut(x))"
            ),
        },
        "right": {
            "ReLU modules and an empty Sequential as identity": """
class ResidualBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(out_channels),
            )

    def forward(self, x):
        identity = self.shortcut(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)
""",
        },
    },
    "ex5_6_data_pipeline": {
        "wrong": {
            "statistics from the fitting and validation data together": _pipeline(
                STATS="torch.cat([X_fit, X_val]).mean(), torch.cat([X_fit, X_val]).std()"
            ),
            "augments the validation data too": _pipeline(VAL_TRANSFORM="transform"),
            "shuffles without the generator": _pipeline(TRAIN_ORDER="shuffle=True"),
            "transform before normalizing": _pipeline(
                ITEM="self.images[i]\n"
                "        if self.transform is not None:\n"
                "            image = self.transform(image)\n"
                "        image = (image - self.mean) / self.std"
            ),
            "drops the last, smaller batch": _pipeline(
                TRAIN_ORDER="shuffle=True, generator=generator, drop_last=True"
            ),
            "statistics per image": _pipeline(
                ITEM="(self.images[i] - self.images[i].mean()) / self.images[i].std()\n"
                "        if self.transform is not None:\n"
                "            image = self.transform(image)"
            ),
        },
        "right": {
            "an explicit RandomSampler, statistics as Python floats": """
from torch.utils.data import RandomSampler, SequentialSampler


class DigitsDataset(Dataset):
    def __init__(self, images, labels, mean, std, transform=None):
        self.images = images
        self.labels = labels
        self.mean = float(mean)
        self.std = float(std)
        self.transform = transform or (lambda image: image)

    def __len__(self):
        return self.images.shape[0]

    def __getitem__(self, index):
        return self.transform((self.images[index] - self.mean) / self.std), self.labels[index]


def make_loaders(X_fit, y_fit, X_val, y_val, batch_size, transform, generator):
    mean = X_fit.mean().item()
    std = X_fit.std().item()
    train = DigitsDataset(X_fit, y_fit, mean, std, transform=transform)
    val = DigitsDataset(X_val, y_val, mean, std)
    train_loader = DataLoader(train, batch_size, sampler=RandomSampler(train, generator=generator))
    val_loader = DataLoader(val, batch_size, sampler=SequentialSampler(val))
    return train_loader, val_loader
""",
        },
    },
    "ex5_7_lr_range_test": {
        "wrong": {
            "linear schedule": _range_test(
                SCHEDULE="lr_min + (lr_max - lr_min) * k / (steps - 1) if steps > 1 else lr_min"
            ),
            "records the loss after the step": _range_test(
                RECORDED="F.cross_entropy(model(X[idx]), y[idx]).item()"
            ),
            "never stops": _range_test(STOP="not math.isfinite(losses[-1])"),
            "compares with the first loss, not the best": _range_test(
                STOP="not math.isfinite(losses[-1]) or losses[-1] > 4 * losses[0]"
            ),
            "schedule off by one (k / steps)": _range_test(
                SCHEDULE="lr_min * (lr_max / lr_min) ** (k / steps)"
            ),
        },
        "right": {
            "torch.logspace and the loss recorded as a tensor first": """
def lr_range_test(model, X, y, lr_min, lr_max, steps, batch_size, generator):
    schedule = torch.logspace(math.log10(lr_min), math.log10(lr_max), steps, dtype=torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr_min)
    model.train()
    lrs, losses, best = [], [], float("inf")
    for lr in schedule.tolist():
        for group in optimizer.param_groups:
            group["lr"] = lr
        batch = torch.randint(len(X), (batch_size,), generator=generator).to(X.device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[batch]), y[batch])
        value = loss.detach().item()
        lrs.append(lr)
        losses.append(value)
        best = min(best, value)
        loss.backward()
        optimizer.step()
        if math.isnan(value) or math.isinf(value) or value > 4 * best:
            break
    return lrs, losses
""",
        },
    },
    "ex5_8_successive_halving": {
        "wrong": {
            "keeps the ceiling of n / eta": _halving(KEEP="max(1, -(-len(remaining) // eta))"),
            "keeps the worst configurations": _halving(ORDER="lambda i: (-losses[i], i)"),
            "never raises the budget": _halving(NEXT_BUDGET="budget"),
            "adds the budget instead of multiplying": _halving(NEXT_BUDGET="budget + min_budget"),
            "ties go to the larger index": _halving(ORDER="lambda i: (losses[i], -i)"),
            "evaluates every configuration in every round": _halving(
                CANDIDATES="range(len(configs))"
            ),
        },
        "right": {
            "recursive, with a stable sort on the losses": """
def successive_halving(configs, evaluate, min_budget, eta=2, _remaining=None, _history=None):
    remaining = list(range(len(configs))) if _remaining is None else _remaining
    history = [] if _history is None else _history
    scored = []
    for index in remaining:
        loss = evaluate(configs[index], min_budget)
        history.append((index, min_budget, loss))
        scored.append((loss, index))
    if len(remaining) == 1:
        return configs[remaining[0]], history
    survivors = [index for _, index in sorted(scored)][: max(1, len(remaining) // eta)]
    return successive_halving(configs, evaluate, min_budget * eta, eta, survivors, history)
""",
        },
    },
    "ex5_10_transfer_net": {
        "wrong": {
            "shares the pre-trained backbone instead of copying it": _transfer(COPY="backbone"),
            "frozen backbone left in training mode": _transfer(KEEP_EVAL="False"),
            "softmax on the output": _transfer(
                OUTPUT="torch.softmax(self.head(self.backbone(x)), dim=1)"
            ),
            "forgets to freeze": """
class TransferNet(nn.Module):
    def __init__(self, backbone, n_features, n_classes, freeze_backbone):
        super().__init__()
        self.freeze_backbone = freeze_backbone
        self.backbone = copy.deepcopy(backbone)
        self.head = nn.Linear(n_features, n_classes)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def forward(self, x):
        return self.head(self.backbone(x))
""",
            "freezes under torch.no_grad but keeps requires_grad": """
class TransferNet(nn.Module):
    def __init__(self, backbone, n_features, n_classes, freeze_backbone):
        super().__init__()
        self.freeze_backbone = freeze_backbone
        self.backbone = copy.deepcopy(backbone)
        self.head = nn.Linear(n_features, n_classes)

    def train(self, mode=True):
        super().train(mode)
        if self.freeze_backbone:
            self.backbone.eval()
        return self

    def forward(self, x):
        if self.freeze_backbone:
            with torch.no_grad():
                features = self.backbone(x)
        else:
            features = self.backbone(x)
        return self.head(features)
""",
        },
        "right": {
            "requires_grad set per parameter, eval mode per module": """
class TransferNet(nn.Module):
    def __init__(self, backbone, n_features, n_classes, freeze_backbone):
        super().__init__()
        self.frozen = bool(freeze_backbone)
        self.backbone = copy.deepcopy(backbone)
        for parameter in self.backbone.parameters():
            parameter.requires_grad = not self.frozen
        self.head = nn.Linear(n_features, n_classes)

    def train(self, mode=True):
        self.training = mode
        self.head.train(mode)
        for module in self.backbone.modules():
            module.train(mode and not self.frozen)
        return self

    def forward(self, x):
        features = self.backbone(x)
        return self.head(features)
""",
        },
    },
}
