"""Wrong answers students really write, and right answers written differently, for 08_generative.

Each entry replaces the answer cell of one exercise; the harness checks that every wrong answer
loses that exercise's points (and only those) and that every right answer earns them.
"""

_AE_METHODS = """
    def encode(self, x):
        return self.encoder(x)

    def decode(self, h):
        return self.decoder(h)

    def forward(self, x):
        return self.decode(self.encode(x))
"""

CANDIDATES = {
    "ex8_1_autoencoder": {
        "wrong": {
            "ReLU on the code": """
class Autoencoder(nn.Module):
    def __init__(self, n_inputs=64, code_size=8, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, code_size), nn.ReLU()
        )
        self.decoder = nn.Sequential(
            nn.Linear(code_size, hidden), nn.ReLU(), nn.Linear(hidden, n_inputs), nn.Sigmoid()
        )
"""
            + _AE_METHODS,
            "no sigmoid on the output": """
class Autoencoder(nn.Module):
    def __init__(self, n_inputs=64, code_size=8, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, code_size)
        )
        self.decoder = nn.Sequential(
            nn.Linear(code_size, hidden), nn.ReLU(), nn.Linear(hidden, n_inputs)
        )
"""
            + _AE_METHODS,
            "sigmoid instead of ReLU in the hidden layers": """
class Autoencoder(nn.Module):
    def __init__(self, n_inputs=64, code_size=8, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(n_inputs, hidden), nn.Sigmoid(), nn.Linear(hidden, code_size)
        )
        self.decoder = nn.Sequential(
            nn.Linear(code_size, hidden), nn.Sigmoid(), nn.Linear(hidden, n_inputs), nn.Sigmoid()
        )
"""
            + _AE_METHODS,
            "hard-codes 64 pixels instead of n_inputs": """
class Autoencoder(nn.Module):
    def __init__(self, n_inputs=64, code_size=8, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, code_size))
        self.decoder = nn.Sequential(
            nn.Linear(code_size, hidden), nn.ReLU(), nn.Linear(hidden, 64), nn.Sigmoid()
        )
"""
            + _AE_METHODS,
        },
        "right": {
            "layers from lists, forward through both halves": """
class Autoencoder(nn.Module):
    def __init__(self, n_inputs: int = 64, code_size: int = 8, hidden: int = 128) -> None:
        super().__init__()
        down = [nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, code_size)]
        up = [nn.Linear(code_size, hidden), nn.ReLU(), nn.Linear(hidden, n_inputs), nn.Sigmoid()]
        self.encoder = nn.Sequential(*down)
        self.decoder = nn.Sequential(*up)

    def encode(self, x):
        for layer in self.encoder:
            x = layer(x)
        return x

    def decode(self, h):
        return self.decoder(h)

    def forward(self, x):
        return self.decoder(self.encoder(x))
""",
        },
    },
    "ex8_3_denoising_loss": {
        "wrong": {
            "compares with the noisy input": """
def denoising_loss(model, x, noise_std, generator):
    noise = torch.randn(x.shape, generator=generator).to(x)
    noisy = x + noise_std * noise
    return F.mse_loss(model(noisy), noisy)
""",
            "noise from the global generator": """
def denoising_loss(model, x, noise_std, generator):
    noisy = x + noise_std * torch.randn_like(x)
    return F.mse_loss(model(noisy), x)
""",
            "adds the noise to x in place": """
def denoising_loss(model, x, noise_std, generator):
    clean = x
    x += noise_std * torch.randn(x.shape, generator=generator).to(x)
    return F.mse_loss(model(x), clean)
""",
            "sums the squared errors": """
def denoising_loss(model, x, noise_std, generator):
    noise = torch.randn(x.shape, generator=generator).to(x)
    return F.mse_loss(model(x + noise_std * noise), x, reduction="sum")
""",
            "returns a number": """
def denoising_loss(model, x, noise_std, generator):
    noise = torch.randn(x.shape, generator=generator).to(x)
    return F.mse_loss(model(x + noise_std * noise), x).item()
""",
        },
        "right": {
            "squared error written out, noise moved with device and dtype": """
def denoising_loss(model, x, noise_std, generator):
    eps = torch.randn(x.shape, generator=generator)
    eps = eps.to(device=x.device, dtype=x.dtype)
    out = model(x + eps * noise_std)
    return ((out - x) ** 2).mean()
""",
        },
    },
    "ex8_4_anomaly_auc": {
        "wrong": {
            "ties count as misses": """
def reconstruction_scores(model, X):
    with torch.no_grad():
        return ((model(X) - X) ** 2).mean(dim=1)


def roc_auc(scores, is_anomaly):
    pos, neg = scores[is_anomaly], scores[~is_anomaly]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("need both classes")
    return (pos[:, None] > neg[None, :]).double().mean().item()
""",
            "scores averaged over the whole batch": """
def reconstruction_scores(model, X):
    with torch.no_grad():
        return ((model(X) - X) ** 2).mean()


def roc_auc(scores, is_anomaly):
    pos, neg = scores[is_anomaly], scores[~is_anomaly]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("need both classes")
    above = (pos[:, None] > neg[None, :]).double().mean()
    tied = (pos[:, None] == neg[None, :]).double().mean()
    return (above + 0.5 * tied).item()
""",
            "scores keep the autograd graph": """
def reconstruction_scores(model, X):
    return ((model(X) - X) ** 2).mean(dim=1)


def roc_auc(scores, is_anomaly):
    pos, neg = scores[is_anomaly], scores[~is_anomaly]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("need both classes")
    above = (pos[:, None] > neg[None, :]).double().mean()
    tied = (pos[:, None] == neg[None, :]).double().mean()
    return (above + 0.5 * tied).item()
""",
            "no error when a class is missing (returns nan)": """
def reconstruction_scores(model, X):
    with torch.no_grad():
        return ((model(X) - X) ** 2).mean(dim=1)


def roc_auc(scores, is_anomaly):
    pos, neg = scores[is_anomaly], scores[~is_anomaly]
    above = (pos[:, None] > neg[None, :]).double().mean()
    tied = (pos[:, None] == neg[None, :]).double().mean()
    return (above + 0.5 * tied).item()
""",
            "uses scikit-learn": """
from sklearn.metrics import roc_auc_score


def reconstruction_scores(model, X):
    with torch.no_grad():
        return ((model(X) - X) ** 2).mean(dim=1)


def roc_auc(scores, is_anomaly):
    if is_anomaly.all() or not is_anomaly.any():
        raise ValueError("need both classes")
    return float(roc_auc_score(is_anomaly.cpu().numpy(), scores.cpu().numpy()))
""",
        },
        "right": {
            "float32 pair counts, score as the sum divided by D": """
def reconstruction_scores(model, X):
    with torch.no_grad():
        out = model(X)
    return (out - X).square().sum(dim=1) / X.shape[1]


def roc_auc(scores, is_anomaly):
    pos = scores[is_anomaly].float()
    neg = scores[~is_anomaly].float()
    if pos.numel() == 0 or neg.numel() == 0:
        raise ValueError("both groups must be non-empty")
    wins = (pos.unsqueeze(1) > neg.unsqueeze(0)).float()
    ties = (pos.unsqueeze(1) == neg.unsqueeze(0)).float()
    return float((wins + 0.5 * ties).mean())
""",
            "Mann-Whitney U from average ranks": """
from scipy.stats import rankdata


def reconstruction_scores(model, X):
    with torch.no_grad():
        errors = (model(X) - X).pow(2)
    return errors.sum(dim=1) / X.shape[1]


def roc_auc(scores, is_anomaly):
    s = scores.detach().cpu().double().numpy()
    y = is_anomaly.cpu().numpy().astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("roc_auc needs anomalies and normal examples")
    ranks = rankdata(s)  # ties get their average rank
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2
    return float(u / (n_pos * n_neg))
""",
        },
    },
    "ex8_5_vae_loss": {
        "wrong": {
            "standard deviation exp(logvar) instead of exp(logvar / 2)": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu)
    return mu + torch.exp(logvar) * eps


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
    return (rec + kl).mean()
""",
            "noise from randn_like, not the generator": """
def reparameterize(mu, logvar, generator):
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
    return (rec + kl).mean()
""",
            "reconstruction averaged over pixels (default reduction)": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu)
    return mu + torch.exp(0.5 * logvar) * eps


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1).mean()
    return rec + kl
""",
            "KL with the wrong sign": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu)
    return mu + torch.exp(0.5 * logvar) * eps


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)
    kl = -0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
    return (rec + kl).mean()
""",
            "sigmoid then binary cross-entropy (clamped logs for large logits)": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu)
    return mu + torch.exp(0.5 * logvar) * eps


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy(torch.sigmoid(logits), x, reduction="none").sum(dim=1)
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(dim=1)
    return (rec + kl).mean()
""",
            "summed over the batch instead of averaged": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator).to(mu)
    return mu + torch.exp(0.5 * logvar) * eps


def negative_elbo(x, logits, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = 0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum()
    return rec + kl
""",
        },
        "right": {
            "softplus form and sqrt of the variance": """
def reparameterize(mu, logvar, generator):
    eps = torch.randn(mu.shape, generator=generator)
    std = logvar.exp().sqrt()
    return mu + std * eps.to(device=mu.device, dtype=mu.dtype)


def negative_elbo(x, logits, mu, logvar):
    # -log p(x|z) = softplus(l) - x * l for Bernoulli pixels with logits l
    rec = (F.softplus(logits) - x * logits).sum(dim=1)
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)
    return torch.mean(rec + kl)
""",
        },
    },
    "ex8_6_gan_losses": {
        "wrong": {
            "saturating generator loss": """
def gan_losses(real_logits, fake_logits):
    d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    g_loss = -F.softplus(fake_logits).mean()
    return d_loss, g_loss
""",
            "log of a sigmoid (infinite for large logits)": """
def gan_losses(real_logits, fake_logits):
    d_loss = -torch.log(torch.sigmoid(real_logits)).mean() - torch.log(
        1 - torch.sigmoid(fake_logits)
    ).mean()
    g_loss = -torch.log(torch.sigmoid(fake_logits)).mean()
    return d_loss, g_loss
""",
            "one mean over the concatenated batches": """
def gan_losses(real_logits, fake_logits):
    logits = torch.cat([real_logits, fake_logits])
    labels = torch.cat([torch.ones_like(real_logits), torch.zeros_like(fake_logits)])
    d_loss = F.binary_cross_entropy_with_logits(logits, labels)
    g_loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))
    return d_loss, g_loss
""",
            "labels swapped in the discriminator loss": """
def gan_losses(real_logits, fake_logits):
    d_loss = F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()
    g_loss = F.softplus(-fake_logits).mean()
    return d_loss, g_loss
""",
        },
        "right": {
            "binary cross-entropy with logits and targets": """
def gan_losses(real_logits, fake_logits):
    bce = F.binary_cross_entropy_with_logits
    d_real = bce(real_logits, torch.ones_like(real_logits))
    d_fake = bce(fake_logits, torch.zeros_like(fake_logits))
    g_loss = bce(fake_logits, torch.ones_like(fake_logits))
    return d_real + d_fake, g_loss
""",
            "logsigmoid": """
def gan_losses(real_logits, fake_logits):
    d_loss = -(F.logsigmoid(real_logits).mean() + F.logsigmoid(-fake_logits).mean())
    return d_loss, -F.logsigmoid(fake_logits).mean()
""",
        },
    },
    "ex8_7_gan_step": {
        "wrong": {
            "generator step first": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    fake = generator_net(z)
    g_optimizer.zero_grad()
    g_loss = F.softplus(-discriminator(fake)).mean()
    g_loss.backward()
    g_optimizer.step()
    d_optimizer.zero_grad()
    d_real = F.softplus(-discriminator(real)).mean()
    d_loss = d_real + F.softplus(discriminator(fake.detach())).mean()
    d_loss.backward()
    d_optimizer.step()
    return d_loss.item(), g_loss.item()
""",
            "zeroes both at the start and does not detach": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    g_optimizer.zero_grad()
    d_optimizer.zero_grad()
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    fake = generator_net(z)
    d_loss = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake)).mean()
    d_loss.backward()
    d_optimizer.step()
    g_loss = F.softplus(-discriminator(fake)).mean()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
""",
            "saturating generator loss": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    fake = generator_net(z)
    d_optimizer.zero_grad()
    d_real = F.softplus(-discriminator(real)).mean()
    d_loss = d_real + F.softplus(discriminator(fake.detach())).mean()
    d_loss.backward()
    d_optimizer.step()
    g_optimizer.zero_grad()
    g_loss = -F.softplus(discriminator(fake)).mean()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
""",
            "new noise for the generator step": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    d_optimizer.zero_grad()
    fake = generator_net(z).detach()
    d_loss = F.softplus(-discriminator(real)).mean() + F.softplus(discriminator(fake)).mean()
    d_loss.backward()
    d_optimizer.step()
    g_optimizer.zero_grad()
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    g_loss = F.softplus(-discriminator(generator_net(z))).mean()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.item(), g_loss.item()
""",
            "returns tensors": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    z = torch.randn(len(real), z_dim, generator=rng).to(real.device)
    fake = generator_net(z)
    d_optimizer.zero_grad()
    d_real = F.softplus(-discriminator(real)).mean()
    d_loss = d_real + F.softplus(discriminator(fake.detach())).mean()
    d_loss.backward()
    d_optimizer.step()
    g_optimizer.zero_grad()
    g_loss = F.softplus(-discriminator(fake)).mean()
    g_loss.backward()
    g_optimizer.step()
    return d_loss.detach(), g_loss.detach()
""",
        },
        "right": {
            "BCE with targets, zero_grad right before each backward, no detach needed": """
def gan_step(generator_net, discriminator, g_optimizer, d_optimizer, real, z_dim, rng):
    bce = F.binary_cross_entropy_with_logits
    noise = torch.randn(len(real), z_dim, generator=rng)
    fake = generator_net(noise.to(real.device))
    real_logits = discriminator(real)
    fake_logits = discriminator(fake.detach())
    d_loss = bce(real_logits, torch.ones_like(real_logits)) + bce(
        fake_logits, torch.zeros_like(fake_logits)
    )
    d_optimizer.zero_grad()
    d_loss.backward()
    d_optimizer.step()
    logits = discriminator(fake)
    g_loss = bce(logits, torch.ones_like(logits))
    g_optimizer.zero_grad()
    g_loss.backward()
    g_optimizer.step()
    return float(d_loss), float(g_loss)
""",
        },
    },
    "ex8_9_frechet_distance": {
        "wrong": {
            "elementwise square root of the product": """
def frechet_distance(a, b):
    a, b = a.double(), b.double()
    d = a.shape[1]
    ca, cb = torch.cov(a.T).reshape(d, d), torch.cov(b.T).reshape(d, d)
    root = (ca @ cb).abs().sqrt()
    return (((a.mean(0) - b.mean(0)) ** 2).sum() + (ca + cb - 2 * root).trace()).item()
""",
            "biased covariances (divides by n)": """
def frechet_distance(a, b):
    a, b = a.double(), b.double()
    ca = (a - a.mean(0)).T @ (a - a.mean(0)) / len(a)
    cb = (b - b.mean(0)).T @ (b - b.mean(0)) / len(b)
    values, vectors = torch.linalg.eigh(ca)
    ra = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    tr = torch.linalg.eigvalsh(ra @ cb @ ra).clamp(min=0).sqrt().sum()
    return (((a.mean(0) - b.mean(0)) ** 2).sum() + ca.trace() + cb.trace() - 2 * tr).item()
""",
            "product of the two square roots": """
def frechet_distance(a, b):
    a, b = a.double(), b.double()
    d = a.shape[1]
    ca, cb = torch.cov(a.T).reshape(d, d), torch.cov(b.T).reshape(d, d)

    def root(c):
        values, vectors = torch.linalg.eigh(c)
        return vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T

    tr = (root(ca) @ root(cb)).trace()
    return (((a.mean(0) - b.mean(0)) ** 2).sum() + ca.trace() + cb.trace() - 2 * tr).item()
""",
            "forgets the factor 2": """
def frechet_distance(a, b):
    a, b = a.double(), b.double()
    d = a.shape[1]
    ca, cb = torch.cov(a.T).reshape(d, d), torch.cov(b.T).reshape(d, d)
    values, vectors = torch.linalg.eigh(ca)
    ra = vectors @ torch.diag(values.clamp(min=0).sqrt()) @ vectors.T
    tr = torch.linalg.eigvalsh(ra @ cb @ ra).clamp(min=0).sqrt().sum()
    return (((a.mean(0) - b.mean(0)) ** 2).sum() + ca.trace() + cb.trace() - tr).item()
""",
            "uses scipy's sqrtm": """
from scipy.linalg import sqrtm


def frechet_distance(a, b):
    a, b = a.double().cpu().numpy(), b.double().cpu().numpy()
    ca, cb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root = np.real(sqrtm(ca @ cb))
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * root))
""",
        },
        "right": {
            "NumPy, eigenvalues of the product": """
def frechet_distance(a, b):
    x = a.detach().cpu().numpy().astype(np.float64)
    y = b.detach().cpu().numpy().astype(np.float64)
    cx = np.atleast_2d(np.cov(x, rowvar=False))
    cy = np.atleast_2d(np.cov(y, rowvar=False))
    # the eigenvalues of cx @ cy are real and non-negative for PSD cx, cy
    lam = np.linalg.eigvals(cx @ cy).real.clip(min=0)
    diff = x.mean(axis=0) - y.mean(axis=0)
    return float(diff @ diff + np.trace(cx) + np.trace(cy) - 2 * np.sqrt(lam).sum())
""",
        },
    },
}
