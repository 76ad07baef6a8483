"""Wrong and alternative right answers for the exercises of chapter 09_ethics.

Each wrong answer is a mistake students really make; each must lose its exercise's points without
costing points elsewhere. Each right answer is written differently from the source solution and
must earn the points. See docs/authoring.md ("Candidate answers").
"""

CANDIDATES = {
    "ex9_1_group_rates": {
        "wrong": {
            "divides false positives by the group size instead of by the negatives": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        fn = int(((y == 1) & (p == 0)).sum()); n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": float((y == p).double().mean()),
                       "selection_rate": (tp + fp) / n,
                       "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                       "fpr": fp / n}
    return out
""",
            "computes precision TP / (TP + FP) and calls it the TPR": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        tn = int(((y == 0) & (p == 0)).sum()); n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                       "tpr": tp / (tp + fp) if tp + fp else float("nan"),
                       "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
            "takes the selection rate from the labels instead of the decisions": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        tn = int(((y == 0) & (p == 0)).sum()); fn = int(((y == 1) & (p == 0)).sum())
        n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fn) / n,
                       "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                       "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
            "reports 0 instead of nan when a group has no positives or no negatives": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        tn = int(((y == 0) & (p == 0)).sum()); fn = int(((y == 1) & (p == 0)).sum())
        n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                       "tpr": tp / max(tp + fn, 1), "fpr": fp / max(fp + tn, 1)}
    return out
""",
            "loops over range(group.max() + 1): invents empty groups, misses negative ids": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in range(int(group.max()) + 1):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        tn = int(((y == 0) & (p == 0)).sum()); fn = int(((y == 1) & (p == 0)).sum())
        n = int(m.sum())
        out[g] = {"n": n, "accuracy": (tp + tn) / n if n else float("nan"),
                  "selection_rate": (tp + fp) / n if n else float("nan"),
                  "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                  "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
            "keys in the order the groups first appear, not increasing": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in dict.fromkeys(group.tolist()):
        m = group == g
        y, p = y_true[m].long(), y_pred[m].long()
        tp = int(((y == 1) & (p == 1)).sum()); fp = int(((y == 0) & (p == 1)).sum())
        tn = int(((y == 0) & (p == 0)).sum()); fn = int(((y == 1) & (p == 0)).sum())
        n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                       "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                       "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
            "uses scikit-learn's confusion_matrix from the notebook's imports (off limits)": """
def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = (group == g).cpu().numpy()
        y, p = y_true.long().cpu().numpy()[m], y_pred.long().cpu().numpy()[m]
        tn, fp, fn, tp = (int(v) for v in confusion_matrix(y, p, labels=[0, 1]).ravel())
        n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                       "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                       "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
            "imports scikit-learn's metrics under another name (off limits)": """
from sklearn import metrics as skm


def group_rates(y_true, y_pred, group):
    out = {}
    for g in sorted(set(group.tolist())):
        m = (group == g).cpu().numpy()
        y, p = y_true.long().cpu().numpy()[m], y_pred.long().cpu().numpy()[m]
        tn, fp, fn, tp = (int(v) for v in skm.confusion_matrix(y, p, labels=[0, 1]).ravel())
        n = int(m.sum())
        out[int(g)] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                       "tpr": tp / (tp + fn) if tp + fn else float("nan"),
                       "fpr": fp / (fp + tn) if fp + tn else float("nan")}
    return out
""",
        },
        "right": {
            "means of the decisions over boolean masks (an empty mean is nan)": """
def group_rates(y_true, y_pred, group):
    y, p = y_true.double(), y_pred.double()
    result = {}
    for g in sorted(int(v) for v in torch.unique(group).cpu()):
        m = group == g
        pos, neg = m & (y == 1), m & (y == 0)
        rate = lambda mask: p[mask].mean().item() if bool(mask.any()) else float("nan")
        result[g] = {
            "n": int(m.sum().item()),
            "accuracy": (p[m] == y[m]).double().mean().item(),
            "selection_rate": p[m].mean().item(),
            "tpr": rate(pos),
            "fpr": rate(neg),
        }
    return result
""",
            "counts of every (group, label, decision) cell with bincount": """
def group_rates(y_true, y_pred, group):
    ids, inv = torch.unique(group, return_inverse=True)
    cell = inv * 4 + 2 * y_true.long() + y_pred.long()
    counts = torch.bincount(cell, minlength=4 * len(ids)).reshape(-1, 2, 2).tolist()
    out = {}
    for g, ((tn, fp), (fn, tp)) in zip(ids.tolist(), counts):
        n = tn + fp + fn + tp
        out[g] = {"n": n, "accuracy": (tp + tn) / n, "selection_rate": (tp + fp) / n,
                  "tpr": tp / (tp + fn) if tp + fn > 0 else float("nan"),
                  "fpr": fp / (fp + tn) if fp + tn > 0 else float("nan")}
    return out
""",
        },
    },
    "ex9_2_demographic_parity": {
        "wrong": {
            "signed difference rate(group 1) - rate(group 0)": """
def demographic_parity_difference(y_pred, group):
    p = y_pred.double()
    return (p[group == 1].mean() - p[group == 0].mean()).item()
""",
            "compares only groups 0 and 1": """
def demographic_parity_difference(y_pred, group):
    ids = sorted(set(group.tolist()))[:2]
    rates = [y_pred[group == g].double().mean().item() for g in ids]
    return abs(rates[0] - rates[1])
""",
            "reports the ratio min/max (disparate impact) instead of the difference": """
def demographic_parity_difference(y_pred, group):
    rates = [y_pred[group == g].double().mean().item() for g in torch.unique(group)]
    return min(rates) / max(rates) if max(rates) > 0 else 1.0
""",
            "bincount on the raw ids: absent ids give 0 / 0 = nan": """
def demographic_parity_difference(y_pred, group):
    group = group.long()
    rates = torch.bincount(group, weights=y_pred.double()) / torch.bincount(group).double()
    return (rates.max() - rates.min()).item()
""",
            "loops over range(number of groups), as if the ids were 0, 1, ...": """
def demographic_parity_difference(y_pred, group):
    k = len(torch.unique(group))
    rates = [y_pred[group == g].double().mean().item() for g in range(k)]
    rates = [r for r in rates if r == r]
    return max(rates) - min(rates)
""",
        },
        "right": {
            "bincount of decisions over bincount of group sizes": """
def demographic_parity_difference(y_pred, group):
    _, idx = torch.unique(group, return_inverse=True)
    chosen = torch.bincount(idx, weights=y_pred.double())
    sizes = torch.bincount(idx).double()
    rates = chosen / sizes
    return (rates.max() - rates.min()).item()
""",
            "a Python dict of counts": """
def demographic_parity_difference(y_pred, group):
    chosen, size = {}, {}
    for p, g in zip(y_pred.tolist(), group.tolist()):
        chosen[g] = chosen.get(g, 0) + (p == 1)
        size[g] = size.get(g, 0) + 1
    rates = [chosen[g] / size[g] for g in size]
    return float(max(rates) - min(rates))
""",
        },
    },
    "ex9_3_equal_opportunity": {
        "wrong": {
            "uses the false-positive rate": """
def equal_opportunity_difference(y_true, y_pred, group):
    ids = torch.unique(group)
    rates = [y_pred[(y_true == 0) & (group == g)].double().mean().item() for g in ids]
    return max(rates) - min(rates)
""",
            "conditions on the decision (precision) instead of on the label": """
def equal_opportunity_difference(y_true, y_pred, group):
    ids = torch.unique(group)
    rates = [y_true[(y_pred == 1) & (group == g)].double().mean().item() for g in ids]
    return max(rates) - min(rates)
""",
            "signed difference TPR(group 0) - TPR(group 1)": """
def equal_opportunity_difference(y_true, y_pred, group):
    tpr = lambda g: y_pred[(y_true == 1) & (group == g)].double().mean().item()
    return tpr(0) - tpr(1)
""",
            "loops over range(number of groups), as if the ids were 0, 1, ...": """
def equal_opportunity_difference(y_true, y_pred, group):
    k = len(torch.unique(group))
    tprs = [y_pred[(y_true == 1) & (group == g)].double().mean().item() for g in range(k)]
    tprs = [t for t in tprs if t == t]
    return max(tprs) - min(tprs)
""",
        },
        "right": {
            "bincount over the positives only": """
def equal_opportunity_difference(y_true, y_pred, group):
    pos = y_true == 1
    _, idx = torch.unique(group[pos], return_inverse=True)
    hits = torch.bincount(idx, weights=y_pred[pos].double())
    tpr = hits / torch.bincount(idx).double()
    return float(tpr.max() - tpr.min())
""",
            "a Python loop over the set of ids, counts as Python floats": """
def equal_opportunity_difference(y_true, y_pred, group):
    tprs = []
    for g in set(group.tolist()):
        pos = (group == g) & (y_true == 1)
        tprs.append(float((y_pred[pos] == 1).sum()) / float(pos.sum()))
    return max(tprs) - min(tprs)
""",
        },
    },
    "ex9_5_reweighing": {
        "wrong": {
            "weights 1 / P(g, y) without the P(g) P(y) numerator": """
def reweighing_weights(y, group):
    n = len(y)
    w = torch.zeros(n, dtype=torch.float32, device=y.device)
    for g in torch.unique(group):
        for label in torch.unique(y):
            cell = (group == g) & (y == label)
            if cell.any():
                w[cell] = n / cell.sum().float()
    return w
""",
            "the ratio upside down: P(g, y) / (P(g) P(y))": """
def reweighing_weights(y, group):
    n = len(y)
    w = torch.zeros(n, dtype=torch.float32, device=y.device)
    for g in torch.unique(group):
        for label in torch.unique(y):
            cell = (group == g) & (y == label)
            if cell.any():
                w[cell] = (n * cell.sum() / ((group == g).sum() * (y == label).sum())).float()
    return w
""",
            "balances the groups only: 1 / P(g)": """
def reweighing_weights(y, group):
    n = len(y)
    w = torch.zeros(n, dtype=torch.float32, device=y.device)
    for g in torch.unique(group):
        m = group == g
        w[m] = n / m.sum().float() / len(torch.unique(group))
    return w
""",
            "a table indexed by the raw group ids: id -1 lands in the last row": """
def reweighing_weights(y, group):
    g, lab = group.long(), y.long()
    joint = torch.zeros(int(g.max()) + 1, 2, dtype=torch.float64, device=y.device)
    ones = torch.ones(len(y), dtype=torch.float64, device=y.device)
    joint.index_put_((g, lab), ones, accumulate=True)
    joint /= len(y)
    expected = joint.sum(1, keepdim=True) * joint.sum(0, keepdim=True)
    return (expected[g, lab] / joint[g, lab]).float()
""",
            "returns float64 weights instead of float32": """
def reweighing_weights(y, group):
    n = len(y)
    w = torch.zeros(n, dtype=torch.float64, device=y.device)
    for g in torch.unique(group):
        for label in torch.unique(y):
            cell = (group == g) & (y == label)
            if cell.any():
                w[cell] = ((group == g).sum() * (y == label).sum() / (n * cell.sum())).double()
    return w
""",
        },
        "right": {
            "one vectorized lookup table indexed by (group, label)": """
def reweighing_weights(y, group):
    _, gi = torch.unique(group, return_inverse=True)
    _, yi = torch.unique(y, return_inverse=True)
    n_g, n_y = int(gi.max()) + 1, int(yi.max()) + 1
    joint = torch.zeros(n_g, n_y, dtype=torch.float64, device=y.device)
    ones = torch.ones(len(y), dtype=torch.float64, device=y.device)
    joint.index_put_((gi, yi), ones, accumulate=True)
    joint /= len(y)
    expected = joint.sum(1, keepdim=True) * joint.sum(0, keepdim=True)
    return (expected[gi, yi] / joint[gi, yi]).float()
""",
            "counts looked up per example with bincount on unique indices": """
def reweighing_weights(y, group):
    _, gi = torch.unique(group, return_inverse=True)
    _, yi = torch.unique(y, return_inverse=True)
    n_y = int(yi.max()) + 1
    n_g = torch.bincount(gi).double()[gi]
    n_lab = torch.bincount(yi).double()[yi]
    n_gy = torch.bincount(gi * n_y + yi).double()[gi * n_y + yi]
    return (n_g * n_lab / (len(y) * n_gy)).to(torch.float32)
""",
        },
    },
    "ex9_6_tpr_thresholds": {
        "wrong": {
            "quantile of all the group's scores (equalizes selection rates, not TPRs)": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    return {int(g): float(torch.quantile(scores[group == g].double(), 1 - target_tpr))
            for g in torch.unique(group)}
""",
            "one threshold for everyone, from the pooled positives": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    ranked = torch.sort(scores[y_true == 1], descending=True).values
    k = max(1, math.ceil(target_tpr * len(ranked) - 1e-9))
    return {int(g): float(ranked[k - 1]) for g in torch.unique(group)}
""",
            "off by one: takes the next positive score down": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    out = {}
    for g in torch.unique(group):
        ranked = torch.sort(scores[(group == g) & (y_true == 1)], descending=True).values
        k = math.ceil(target_tpr * len(ranked) - 1e-9)
        out[int(g)] = float(ranked[min(k, len(ranked) - 1)])
    return out
""",
            "k-th largest of the distinct positive scores (wrong with ties)": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    out = {}
    for g in torch.unique(group).tolist():
        pos = scores[(group == g) & (y_true == 1)]
        ranked = torch.unique(pos).flip(0)
        k = max(1, math.ceil(target_tpr * len(pos) - 1e-9))
        out[int(g)] = float(ranked[min(k, len(ranked)) - 1])
    return out
""",
            "math.ceil(target * n) without a tolerance: 0.28 * 25 rounds up to 8": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    out = {}
    for g in torch.unique(group).tolist():
        ranked = torch.sort(scores[(group == g) & (y_true == 1)], descending=True).values
        out[int(g)] = float(ranked[math.ceil(target_tpr * len(ranked)) - 1])
    return out
""",
            "loops over range(number of groups), as if the ids were 0, 1, ...": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    out = {}
    for g in range(len(torch.unique(group))):
        ranked = torch.sort(scores[(group == g) & (y_true == 1)], descending=True).values
        if len(ranked):
            k = max(1, math.ceil(target_tpr * len(ranked) - 1e-9))
            out[g] = float(ranked[k - 1])
    return out
""",
        },
        "right": {
            "walks down the sorted positive scores until the TPR reaches the target": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    result = {}
    for g in sorted(set(group.tolist())):
        pos = sorted(scores[(group == g) & (y_true == 1)].tolist(), reverse=True)
        for i, s in enumerate(pos):
            if (i + 1) / len(pos) >= target_tpr - 1e-12:
                result[int(g)] = float(s)
                break
    return result
""",
            "kthvalue of the positive scores, counted from the bottom": """
def tpr_thresholds(scores, y_true, group, target_tpr):
    out = {}
    for g in torch.unique(group).tolist():
        pos = scores[(group == g) & (y_true == 1)].double()
        need = max(1, math.ceil(round(target_tpr * len(pos), 9)))
        out[int(g)] = torch.kthvalue(pos, len(pos) - need + 1).values.item()
    return out
""",
        },
    },
    "ex9_7_integrated_gradients": {
        "wrong": {
            "forgets to multiply by (x - baseline): returns the average gradient": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = (torch.arange(steps, dtype=x.dtype, device=x.device) + 0.5) / steps
    a = a.reshape(-1, *[1] * x.dim())
    path = (baseline + a * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path)[:, target].sum(), path)
    return g.mean(0).detach()
""",
            "gradient times input at x only (no path integral)": """
def integrated_gradients(model, x, baseline, target, steps=64):
    xv = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(model(xv[None])[0, target], xv)
    return ((x - baseline) * g).detach()
""",
            "multiplies by x instead of x - baseline": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = (torch.arange(steps, dtype=x.dtype, device=x.device) + 0.5) / steps
    a = a.reshape(-1, *[1] * x.dim())
    path = (baseline + a * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path)[:, target].sum(), path)
    return (x * g.mean(0)).detach()
""",
            "differentiates the sum of all class scores instead of the target's": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = (torch.arange(steps, dtype=x.dtype, device=x.device) + 0.5) / steps
    a = a.reshape(-1, *[1] * x.dim())
    path = (baseline + a * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path).sum(), path)
    return ((x - baseline) * g.mean(0)).detach()
""",
            "a Python loop over the midpoints, one model call per step (not one batch)": """
def integrated_gradients(model, x, baseline, target, steps=64):
    total = torch.zeros_like(x)
    for k in range(steps):
        point = (baseline + (k + 0.5) / steps * (x - baseline)).detach().requires_grad_(True)
        score = model(point.unsqueeze(0))[0, target]
        total += torch.autograd.grad(score, point)[0]
    return (x - baseline) * total / steps
""",
            "left Riemann sum: alphas k / steps instead of the midpoints": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = (torch.arange(steps, dtype=x.dtype, device=x.device) / steps).reshape(-1, *[1] * x.dim())
    path = (baseline + a * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path)[:, target].sum(), path)
    return ((x - baseline) * g.mean(0)).detach()
""",
            "ignores the steps argument (always 64 points)": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = ((torch.arange(64, dtype=x.dtype, device=x.device) + 0.5) / 64).reshape(-1, *[1] * x.dim())
    path = (baseline + a * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path)[:, target].sum(), path)
    return ((x - baseline) * g.mean(0)).detach()
""",
            "moves the attributions to the CPU": """
def integrated_gradients(model, x, baseline, target, steps=64):
    a = (torch.arange(steps, dtype=x.dtype, device=x.device) + 0.5) / steps
    path = (baseline + a.reshape(-1, *[1] * x.dim()) * (x - baseline)).detach().requires_grad_(True)
    (g,) = torch.autograd.grad(model(path)[:, target].sum(), path)
    return ((x - baseline) * g.mean(0)).detach().cpu()
""",
        },
        "right": {
            "linspace of the midpoints and backward() on the path": """
def integrated_gradients(model, x, baseline, target, steps=64):
    t = torch.linspace(0.5 / steps, 1 - 0.5 / steps, steps, device=x.device, dtype=x.dtype)
    points = baseline.unsqueeze(0) + t.view(-1, *[1] * x.dim()) * (x - baseline).unsqueeze(0)
    points = points.detach().requires_grad_()
    model(points)[:, target].sum().backward()
    return (points.grad.mean(0) * (x - baseline)).detach()
""",
            "the midpoints in decreasing order, gradients through torch.func": """
def integrated_gradients(model, x, baseline, target, steps=64):
    alphas = 1 - (torch.arange(steps, device=x.device, dtype=x.dtype) + 0.5) / steps
    path = baseline + alphas.reshape(-1, *[1] * x.dim()) * (x - baseline)
    grads = torch.func.grad(lambda p: model(p)[:, target].sum())(path.detach())
    return ((x - baseline) * grads.sum(0) / steps).detach()
""",
        },
    },
    "ex9_8_fgsm": {
        "wrong": {
            "steps against the gradient (makes the model more confident)": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(xv), y), xv)
    return (xv - epsilon * g.sign()).clamp(0, 1).detach()
""",
            "forgets to clip to [0, 1]": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(xv), y), xv)
    return (xv + epsilon * g.sign()).detach()
""",
            "scales the raw gradient instead of its sign": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(xv), y), xv)
    return (xv + epsilon * g / g.abs().max()).clamp(0, 1).detach()
""",
            "returns a tensor that still carries gradient history": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(model(xv), y)
    loss.backward()
    return (xv + epsilon * xv.grad.sign()).clamp(0, 1)
""",
            "steps x itself in place": """
def fgsm(model, x, y, epsilon):
    x.requires_grad_(True)
    F.cross_entropy(model(x), y).backward()
    with torch.no_grad():
        x += epsilon * x.grad.sign()
        x.clamp_(0, 1)
    x.grad = None
    x.requires_grad_(False)
    return x
""",
            "attacks the model's own predictions instead of the labels y": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    logits = model(xv)
    (g,) = torch.autograd.grad(F.cross_entropy(logits, logits.argmax(1)), xv)
    return (xv + epsilon * g.sign()).clamp(0, 1).detach()
""",
            "returns the adversarial images on the CPU": """
def fgsm(model, x, y, epsilon):
    xv = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(xv), y), xv)
    return (xv + epsilon * g.sign()).clamp(0, 1).detach().cpu()
""",
        },
        "right": {
            "backward() on a leaf copy, then torch.clip": """
def fgsm(model, x, y, epsilon):
    leaf = x.clone().detach()
    leaf.requires_grad = True
    nn.CrossEntropyLoss()(model(leaf), y).backward()
    with torch.no_grad():
        return torch.clip(leaf + epsilon * torch.sign(leaf.grad), min=0.0, max=1.0)
""",
            "summed loss (same signs), torch.where for the clipping": """
def fgsm(model, x, y, epsilon):
    with torch.enable_grad():
        xv = x.detach().requires_grad_()
        loss = F.cross_entropy(model(xv), y, reduction="sum")
        g = torch.autograd.grad(loss, xv)[0]
    out = x.detach() + epsilon * torch.sign(g)
    out = torch.where(out < 0, torch.zeros_like(out), out)
    return torch.where(out > 1, torch.ones_like(out), out)
""",
        },
    },
    "ex9_9_pgd": {
        "wrong": {
            "only clips to [0, 1], never projects onto the epsilon-ball": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = (z.detach() + alpha * g.sign()).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "projects onto the ball around the previous point instead of x": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        prev = z.detach()
        z = prev.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = torch.clamp(prev + alpha * g.sign(), prev - epsilon, prev + epsilon).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "steps along the (scaled) gradient instead of its sign": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = z.detach() + alpha * g / (g.abs().max() + 1e-12)
        z = torch.clamp(z, x - epsilon, x + epsilon).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "forgets the [0, 1] clip": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = z + epsilon * (2 * u - 1)
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = torch.clamp(z.detach() + alpha * g.sign(), x - epsilon, x + epsilon)
    model.train(mode)
    return z.detach()
""",
            "computes the gradient once at the start and reuses it": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    direction = None
    for _ in range(steps):
        zv = z.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(zv), y), zv)
        if direction is None:
            direction = g.sign()
        z = torch.clamp(z + alpha * direction, x - epsilon, x + epsilon).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "attacks the model in the mode it was given (training mode)": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = torch.clamp(z.detach() + alpha * g.sign(), x - epsilon, x + epsilon).clamp(0, 1)
    return z.detach()
""",
            "ignores the generator (no random start)": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = torch.clamp(z.detach() + alpha * g.sign(), x - epsilon, x + epsilon).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "calls loss.backward(), leaving gradients on the parameters": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    mode = model.training
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        z.requires_grad_(True)
        F.cross_entropy(model(z), y).backward()
        z = torch.clamp(z.detach() + alpha * z.grad.sign(), x - epsilon, x + epsilon).clamp(0, 1)
    model.train(mode)
    return z.detach()
""",
            "switches to eval mode and never switches back": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    model.eval()
    z = x.detach().clone()
    if generator is not None:
        u = torch.rand(x.shape, generator=generator).to(x.device, x.dtype)
        z = (z + epsilon * (2 * u - 1)).clamp(0, 1)
    for _ in range(steps):
        z.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(z), y), z)
        z = torch.clamp(z.detach() + alpha * g.sign(), x - epsilon, x + epsilon).clamp(0, 1)
    return z.detach()
""",
        },
        "right": {
            "a perturbation delta, summed loss, clip then project with torch.max / torch.min": """
def pgd_attack(model, x, y, epsilon, alpha, steps, generator=None):
    base = x.detach()
    delta = torch.zeros_like(base)
    if generator is not None:
        delta = epsilon * (2 * torch.rand(x.shape, generator=generator).to(base) - 1)
        delta = torch.clip(base + delta, 0, 1) - base
    training = model.training
    model.train(False)
    for step in range(steps):
        delta.requires_grad = True
        loss = nn.CrossEntropyLoss(reduction="sum")(model(base + delta), y)
        grad = torch.autograd.grad(loss, [delta])[0]
        moved = torch.clip(base + delta.detach() + alpha * torch.sign(grad), 0, 1)
        moved = torch.max(torch.min(moved, base + epsilon), base - epsilon)
        delta = moved - base
    model.train(training)
    return (base + delta).detach()
""",
        },
    },
    "ex9_10_attack_auc": {
        "wrong": {
            "scores by the loss itself (member if the loss is high)": """
def attack_auc(member_losses, nonmember_losses):
    m = member_losses.double()[:, None]
    o = nonmember_losses.double()[None, :].to(m.device)
    return ((m > o).double() + 0.5 * (m == o).double()).mean().item()
""",
            "ignores ties": """
def attack_auc(member_losses, nonmember_losses):
    m = member_losses.double()[:, None]
    o = nonmember_losses.double()[None, :].to(m.device)
    return (m < o).double().mean().item()
""",
            "calls scikit-learn's roc_auc_score, which is off limits": """
def attack_auc(member_losses, nonmember_losses):
    from sklearn.metrics import roc_auc_score
    m, o = member_losses.cpu().double().numpy(), nonmember_losses.cpu().double().numpy()
    labels = np.r_[np.ones(len(m)), np.zeros(len(o))]
    return float(roc_auc_score(labels, -np.r_[m, o]))
""",
            "calls roc_auc_score from the notebook's imports (off limits)": """
def attack_auc(member_losses, nonmember_losses):
    m, o = member_losses.cpu().double().numpy(), nonmember_losses.cpu().double().numpy()
    return float(roc_auc_score(np.r_[np.ones(len(m)), np.zeros(len(o))], -np.r_[m, o]))
""",
            "imports roc_curve under another name (off limits)": """
from sklearn.metrics import roc_curve as curve


def attack_auc(member_losses, nonmember_losses):
    m, o = member_losses.cpu().double().numpy(), nonmember_losses.cpu().double().numpy()
    fpr, tpr, _ = curve(np.r_[np.ones(len(m)), np.zeros(len(o))], -np.r_[m, o])
    return float(np.trapezoid(tpr, fpr))
""",
        },
        "right": {
            "counts with searchsorted on the sorted non-member losses": """
def attack_auc(member_losses, nonmember_losses):
    o = torch.sort(nonmember_losses.double().cpu()).values
    m = member_losses.double().cpu()
    left = torch.searchsorted(o, m, right=False)
    right = torch.searchsorted(o, m, right=True)
    above = len(o) - right
    ties = right - left
    return float((above + 0.5 * ties).sum()) / (len(m) * len(o))
""",
            "a float32 table of pairwise wins": """
def attack_auc(member_losses, nonmember_losses):
    m = member_losses.float().unsqueeze(1)
    o = nonmember_losses.float().to(m.device).unsqueeze(0)
    return ((m < o).float() + 0.5 * (m == o).float()).mean().item()
""",
        },
    },
    "ex9_12_model_card": {
        "wrong": {
            "leaves tensors and NumPy numbers in the card": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    metrics = {g: dict(v) for g, v in metrics_by_group.items()}
    first = next(iter(metrics.values()))
    values = list(metrics.values())
    gaps = {k: max(float(m[k]) for m in values) - min(float(m[k]) for m in values) for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
            "gap = first group minus last group": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    num = lambda v: v.item() if hasattr(v, "item") else v
    metrics = {g: {k: num(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    groups = list(metrics.values())
    gaps = {k: float(abs(groups[0][k] - groups[-1][k])) for k in groups[0]}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
            "never refuses a card without intended use or limitations": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    num = lambda v: v.item() if hasattr(v, "item") else v
    metrics = {g: {k: num(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    first = next(iter(metrics.values()))
    gaps = {k: float(max(m[k] for m in metrics.values()) - min(m[k] for m in metrics.values()))
            for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
            "stores the caller's limitations list itself, not a copy": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    num = lambda v: v.item() if hasattr(v, "item") else v
    metrics = {g: {k: num(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    first = next(iter(metrics.values()))
    gaps = {k: float(max(m[k] for m in metrics.values()) - min(m[k] for m in metrics.values()))
            for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": limitations}
""",
            "converts every value with np.float64 (a NumPy number, not a Python float)": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    metrics = {g: {k: np.float64(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    first = next(iter(metrics.values()))
    gaps = {k: float(max(m[k] for m in metrics.values()) - min(m[k] for m in metrics.values()))
            for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
            "gaps of integer metrics stay ints": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    num = lambda v: v.item() if hasattr(v, "item") else v
    metrics = {g: {k: num(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    first = next(iter(metrics.values()))
    gaps = {k: max(m[k] for m in metrics.values()) - min(m[k] for m in metrics.values())
            for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
            "converts the values inside the caller's dicts (no new dict)": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use.strip() or not limitations:
        raise ValueError("incomplete card")
    metrics = dict(metrics_by_group)
    for values in metrics.values():
        for k, v in values.items():
            values[k] = v.item() if hasattr(v, "item") else v
    first = next(iter(metrics.values()))
    gaps = {k: float(max(m[k] for m in metrics.values()) - min(m[k] for m in metrics.values()))
            for k in first}
    return {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": metrics, "largest_gap": gaps, "limitations": list(limitations)}
""",
        },
        "right": {
            "float() on every value and sorted values for the gap": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if len(intended_use.strip()) == 0:
        raise ValueError("say what the model is for")
    if len(list(limitations)) == 0:
        raise ValueError("list at least one limitation")
    card = {"model_name": name, "intended_use": intended_use, "data": data,
            "metrics_by_group": {}, "largest_gap": {}, "limitations": [str(s) for s in limitations]}
    for g, values in metrics_by_group.items():
        card["metrics_by_group"][g] = {k: float(v) for k, v in values.items()}
    for k in next(iter(card["metrics_by_group"].values())):
        column = sorted(m[k] for m in card["metrics_by_group"].values())
        card["largest_gap"][k] = column[-1] - column[0]
    return card
""",
            "item() on tensors and NumPy scalars, isspace() for the blank check": """
def model_card(name, intended_use, data, metrics_by_group, limitations):
    if not intended_use or intended_use.isspace():
        raise ValueError("a model card needs an intended use")
    if not limitations:
        raise ValueError("a model card needs limitations")

    def plain(v):
        return v.item() if isinstance(v, torch.Tensor | np.generic) else v

    metrics = {g: {k: plain(v) for k, v in m.items()} for g, m in metrics_by_group.items()}
    gaps = {}
    for k in next(iter(metrics.values())):
        column = [m[k] for m in metrics.values()]
        gaps[k] = float(max(column) - min(column))
    return dict(model_name=name, intended_use=intended_use, data=data,
                metrics_by_group=metrics, largest_gap=gaps, limitations=[*limitations])
""",
        },
    },
}
