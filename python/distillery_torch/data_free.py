"""Data-free distillation (TA-DFKD, Shin & Choi, AAAI 2024; ../shared/spec/methods.md Part B §3) and its
"basic" ablation, as the page computes them (`src/methods/dfkdLosses.ts`, `dataFree.ts`,
`src/models/generator.ts`): the generator, the two views of a generated batch, the clean-sample selection
(`gmm.py`), the student's L1 and the generator's loss terms. Images are NCHW here, NHWC on the page."""
import contextlib

import torch
from torch import nn
import torch.nn.functional as F

from .cifar import CIFAR_SIDE
from .gmm import select_clean_samples
from .keyed_random import keyed_rng

DATA_FREE_METHODS = ("ta-dfkd", "dfkd-basic")
# The reference's hard-coded `/3` in the adversarial JS divergence.
DFKD_ADVERSARIAL_TEMPERATURE = 3.0
# P, Q and M are clamped to this range before the logs, as the reference does.
PROBABILITY_RANGE = (0.01, 0.99)
# TA-DFKD-main-CIFAR.py: --BNS 10 (the page's `bnsWeight`), --R_tv 1.5e-5, --R_l2 6e-3.
DFKD_GENERATOR_WEIGHTS = {"adversarial": 1.0, "bns": 10.0, "tv": 1.5e-5, "l2": 6e-3}
# torchvision's RandomCrop(side, padding=4) (32 in the reference): one crop and one flip for the whole batch.
CROP_PAD = 4


def dfkd_adversarial_loss(student_logits, teacher_logits, T=DFKD_ADVERSARIAL_TEMPERATURE):
    """1 − clamp(JS, 0, 1); M = (P + Q)/2 before clamping, each KL an elementwise mean (KLDivLoss 'mean')."""
    lo, hi = PROBABILITY_RANGE
    p = F.softmax(student_logits / T, dim=1)
    q = F.softmax(teacher_logits / T, dim=1)
    m = ((p + q) / 2).clamp(lo, hi)
    log_m = m.log()
    js = 0.5 * ((m * (log_m - p.clamp(lo, hi).log())).mean() + (m * (log_m - q.clamp(lo, hi).log())).mean())
    return 1 - js.clamp(0, 1)


def euclidean_norm(x):
    """‖x‖₂ over every element; torch.norm's backward already gives 0 (not NaN) at x = 0."""
    return torch.norm(x)


def total_variation_loss(x):
    """DeepInversion's prior on NCHW images: the unsquared norms of the horizontal, vertical and both
    diagonal neighbour differences, summed."""
    diffs = (x[:, :, :, :-1] - x[:, :, :, 1:], x[:, :, :-1, :] - x[:, :, 1:, :],
             x[:, :, 1:, :-1] - x[:, :, :-1, 1:], x[:, :, :-1, :-1] - x[:, :, 1:, 1:])
    return sum(euclidean_norm(d) for d in diffs)


@contextlib.contextmanager
def observed_batch_statistics(net):
    """Collects, for each BatchNorm2d of `net` during the block, ‖σ²_batch − σ²_run‖₂ + ‖μ_batch − μ_run‖₂
    (biased variance; DeepInversionFeatureHook). Yields the list the forward passes fill."""
    terms, handles = [], []

    def hook(module, inputs, _output):
        x = inputs[0]
        mean = x.mean(dim=(0, 2, 3))
        var = x.var(dim=(0, 2, 3), unbiased=False)
        terms.append(euclidean_norm(var - module.running_var) + euclidean_norm(mean - module.running_mean))

    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):
            handles.append(module.register_forward_hook(hook))
    try:
        yield terms
    finally:
        for handle in handles:
            handle.remove()


def bn_statistics_loss(terms):
    return sum(terms) if terms else torch.tensor(0.0)


def dfkd_student_loss(student_logits, teacher_logits):
    """F.l1_loss: mean |s − t| over the B×C logits (no temperature, no CE)."""
    return (student_logits - teacher_logits).abs().mean()


def pseudo_label_losses(teacher_logits):
    """(ŷ = argmax, ℓ = −log max softmax = logsumexp − max)."""
    return teacher_logits.argmax(dim=1), torch.logsumexp(teacher_logits, dim=1) - teacher_logits.max(dim=1).values


class Generator(nn.Module):
    """gan.py: z → Linear(nz → 2ngf·s·s) → BN → LReLU(0.2) → up×2 → Conv3×3 → BN(eps 0.8) → LReLU → up×2
    → Conv3×3(2ngf → ngf) → BN(eps 0.8) → LReLU → Conv3×3(ngf → 3) → Sigmoid; s = image_size / 4. Always in
    train mode (batch statistics), as the reference's and the page's."""

    def __init__(self, nz=1000, ngf=64, image_size=CIFAR_SIDE):
        super().__init__()
        wide, self.init_size = 2 * ngf, image_size // 4
        self.l1 = nn.Linear(nz, wide * self.init_size ** 2)
        self.bn0 = nn.BatchNorm2d(wide)
        self.conv1 = nn.Conv2d(wide, wide, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(wide, 0.8)
        self.conv2 = nn.Conv2d(wide, ngf, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(ngf, 0.8)
        self.conv3 = nn.Conv2d(ngf, 3, 3, 1, 1)

    def forward(self, z):
        h = self.l1(z).view(z.shape[0], -1, self.init_size, self.init_size)
        h = F.interpolate(F.leaky_relu(self.bn0(h), 0.2), scale_factor=2, mode="nearest")
        h = F.interpolate(F.leaky_relu(self.bn1(self.conv1(h)), 0.2), scale_factor=2, mode="nearest")
        h = F.leaky_relu(self.bn2(self.conv2(h)), 0.2)
        return torch.sigmoid(self.conv3(h))

    @torch.no_grad()
    def seeded_init(self, seed):
        """The page's draws (keyed_rng(seed, 'init', 0), creation order): l1 uniform(±1/√nz); each conv first
        draws the zoo's normal kernel and its bias, then redraws the kernel uniform(±1/√fan_in) (PyTorch's
        default, which gan.py keeps). BatchNorm starts at gamma 1, beta 0."""
        rng = keyed_rng(seed, "init", 0)
        nz, out = self.l1.in_features, self.l1.out_features
        bound = 1 / nz ** 0.5
        self.l1.weight.copy_(torch.from_numpy(rng.uniforms(nz * out, bound).reshape(nz, out).T.copy()))
        self.l1.bias.copy_(torch.from_numpy(rng.uniforms(out, bound)))
        for conv in (self.conv1, self.conv2, self.conv3):
            ct, cs = conv.weight.shape[:2]
            rng.normals(9 * cs * ct, (2 / (ct * 9)) ** 0.5)  # the zoo's kernel, replaced below
            conv.bias.copy_(torch.from_numpy(rng.uniforms(ct, 1 / (cs * 9) ** 0.5)))
            conv.weight.copy_(torch.from_numpy(rng.uniforms(9 * cs * ct, 1 / (cs * 9) ** 0.5).reshape(3, 3, cs, ct).transpose(3, 2, 0, 1).copy()))
        return self


def view_draws(rng):
    """(dy, dx, flip) of one train view, drawn from the page's keyed generator in the page's order."""
    dy, dx = rng.int(2 * CROP_PAD + 1), rng.int(2 * CROP_PAD + 1)
    return dy, dx, rng.next() < 0.5


def train_view(images01, draws):
    """One zero-padded crop and flip shared by the whole batch (torchvision's tensor transforms), differentiable."""
    dy, dx, flip = draws
    h, w = images01.shape[2:]
    cropped = F.pad(images01, (CROP_PAD,) * 4)[:, :, dy:dy + h, dx:dx + w]
    return cropped.flip(3) if flip else cropped


def clean_indices(teacher, test_view, select):
    """Indices kept by the GMM selection of the teacher's pseudo-label losses (all without selection)."""
    if not select:
        return torch.arange(test_view.shape[0]), 1.0
    with torch.no_grad():
        _, losses = pseudo_label_losses(teacher(test_view))
    keep, rate, _ = select_clean_samples(losses.double().cpu().numpy())
    return torch.nonzero(torch.from_numpy(keep)).flatten(), rate


def generator_loss_terms(generator, teacher, student, z, normalize, draws, select, bns_weight):
    """The generator step's weighted terms {adversarial, bns, tv, l2} (their sum is L_G) and diagnostics,
    on one noise batch: selection on the test view first, then the taped pass on the train view."""
    kept = torch.arange(z.shape[0])
    if select:
        with torch.no_grad():
            kept, _ = clean_indices(teacher, normalize(generator(z)), True)
    view = normalize(train_view(generator(z), draws))
    chosen = view if len(kept) == z.shape[0] else view[kept]
    with observed_batch_statistics(teacher) as statistics:
        teacher_logits = teacher(chosen)
    student_logits = student(chosen)
    adversarial = dfkd_adversarial_loss(student_logits, teacher_logits if select else teacher_logits.detach())
    bns = bn_statistics_loss(statistics)
    w = DFKD_GENERATOR_WEIGHTS
    terms = {"adversarial": adversarial * w["adversarial"], "bns": bns * bns_weight,
             "tv": total_variation_loss(view) * w["tv"], "l2": euclidean_norm(view) * w["l2"]}
    diagnostics = {"teacher-student JS": float(1 - adversarial), "BN-statistics loss": float(bns)}
    return terms, diagnostics


# Draws of fresh noise one student batch may take before it gives up on selection and keeps everything.
MAX_DRAWS = 20


def shuffled(items, rng):
    """Fisher-Yates with the page's keyed generator, in place, as dataFree.ts shuffles."""
    for i in range(len(items) - 1, 0, -1):
        j = rng.int(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


@torch.no_grad()
def student_batch(generator, teacher, batch_size, normalize, rng, select, sample):
    """The student's batch, exactly `batch_size` images: clean train-view samples of fresh generated batches
    (`sample(batch_size, rng)` gives the noise), with the teacher's pseudo labels, and the diagnostics
    {"selected": kept / drawn} (selection only). When a batch's clean samples would overflow, a random subset
    fills it; after MAX_DRAWS draws a batch is filled without selection rather than never."""
    parts, count, drawn, kept = [], 0, 0, 0
    draw = 0
    while count < batch_size:
        images = generator(sample(batch_size, rng))
        clean, _ = clean_indices(teacher, normalize(images), select and draw < MAX_DRAWS)
        clean = clean.tolist()
        drawn, kept, draw = drawn + images.shape[0], kept + len(clean), draw + 1
        take = shuffled(clean, rng)[:batch_size - count] if len(clean) > batch_size - count else clean
        if not take:
            continue
        parts.append(normalize(train_view(images, view_draws(rng)))[torch.tensor(take)])
        count += len(take)
    x = torch.cat(parts)
    labels, _ = pseudo_label_losses(teacher(x))
    return x, labels, ({"selected": kept / drawn} if select else {})


class DataFreeState:
    """A data-free distiller's own state beside its learner, as the page's method modules: the generator
    (seeded by the learner's init seed), its Adam (outside the student's SGD) and the steps since its last
    update. Each process synthesises the whole global batch from the same keyed draws and takes its share, so
    the generator's updates are the same everywhere without a reduction. The generator makes images of the
    run's `image_side`, as the data the teacher learned from."""

    def __init__(self, method, params, seed, device, image_side=CIFAR_SIDE):
        self.select = method == "ta-dfkd"
        self.params = params
        self.generator = Generator(int(params["nz"]), int(params["ngf"]), image_side).seeded_init(seed).to(device).train()
        # tfjs's Adam (the page's) uses epsilon 1e-7; the betas are the defaults of both.
        self.optimizer = torch.optim.Adam(self.generator.parameters(), lr=params["generatorLr"], eps=1e-7)
        self.steps_since_generator = 0
        self.device = device

    def sample(self, count, rng):
        """Standard normal noise, the page's values (models/generator.ts sample()): one draw of `rng` keys a
        stream whose Box-Muller normals fill the batch row by row."""
        nz = self.generator.l1.in_features
        stream = keyed_rng(1 + rng.int(0x7FFFFFFF), "generator-noise-values")
        return torch.from_numpy(stream.normals(count * nz, 1.0).reshape(count, nz)).to(self.device)

    def student_batch(self, teacher, batch_size, normalize, rng):
        """The distiller's batch of this step and its diagnostics (the selection rate)."""
        return student_batch(self.generator, teacher, batch_size, normalize, rng, self.select, self.sample)

    def after_step(self, teacher, student, batch_size, normalize, rng):
        """One Adam step of the generator every `studentSteps` student steps; its diagnostics, or {}."""
        self.steps_since_generator += 1
        if self.steps_since_generator < self.params["studentSteps"]:
            return {}
        self.steps_since_generator = 0
        z = self.sample(batch_size, rng)
        student.train()
        terms, diagnostics = generator_loss_terms(self.generator, teacher, student, z, normalize, view_draws(rng), self.select, self.params["bnsWeight"])
        total = sum(terms.values())
        params = list(self.generator.parameters())
        for p, g in zip(params, torch.autograd.grad(total, params)):
            p.grad = g
        self.optimizer.step()
        return {"generator loss": float(total), **diagnostics}
