"""The multi-teacher methods (../shared/spec/methods.md Part A §2): AVER-MKD, FitNet-MKD, EBKD, AEKD and
CA-MKD, as the page computes them (`src/methods/{averMkd,fitnetMkd,ebkd,aekd,camkd}.ts`,
`multiTeacherWeights.ts`, `multiTeacherLosses.ts`): the same terms, names, parameters and diagnostics, so
a run bundle from the package draws the same "Inside the method" panel as the page's.

Teacher logits stack as [M, B, C]. EBKD's and CA-MKD's logit weights and AEKD's λ are constants of the step;
CA-MKD's feature weights are not (gradients flow through them and the frozen teacher heads)."""
import itertools

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
import torch.nn.functional as F

from .keyed_random import keyed_rng
from .losses import ConvReg, cross_entropy, kd_loss, kd_loss_per_sample

MULTI_TEACHER_METHODS = ("aver-mkd", "fitnet-mkd", "ebkd", "aekd", "camkd")
# AEKD's exact QP visits all 3^M faces; the page caps M there too.
AEKD_MAX_TEACHERS = 6
# Entropies summing below this count as zero, so EBKD never divides 0 by 0.
MIN_ENTROPY_SUM = 1e-12
# FitNets' hint is RepDistiller's `--hint_layer 2`: feats[2], the second stage map, in every family.
HINT_FEATURE = 2


def _require_teachers(teacher_logits, method):
    if teacher_logits.shape[0] < 2:
        raise ValueError(f"{method} weights need at least 2 teachers, got {teacher_logits.shape[0]}")
    return teacher_logits.shape[0]


def ebkd_weights(teacher_logits):
    """w[m, b] = 1 − H[m, b] / Σ_j H[j, b] (natural-log entropy at T = 1); [M, B], sums to M − 1 per sample."""
    _require_teachers(teacher_logits, "EBKD")
    log_q = F.log_softmax(teacher_logits, dim=2)
    entropy = -(log_q.exp() * log_q).sum(dim=2)
    return 1 - entropy / entropy.sum(dim=0, keepdim=True).clamp_min(MIN_ENTROPY_SUM)


def spread_weights(ce):
    """(1 − softmax over teachers of CE) / (M − 1): the larger CE, the smaller the weight (not softmax(−CE))."""
    return (1 - F.softmax(ce, dim=0)) / (ce.shape[0] - 1)


def camkd_logit_weights(teacher_logits, labels):
    """CA-MKD's logit-level weights from each teacher's CE on the labels, [M, B]; each column sums to 1."""
    _require_teachers(teacher_logits, "CA-MKD")
    ce = -F.log_softmax(teacher_logits, dim=2).gather(2, labels.view(1, -1, 1).expand(teacher_logits.shape[0], -1, 1)).squeeze(2)
    return spread_weights(ce)


def aekd_gram(student_logits, teacher_logits, T):
    """G = v vᵀ with v_m = mean_b of the KD gradient T·(p_s − p_t^m)/B (closed form, no extra backward), over
    the global batch: under torchrun each process holds a share, so the sums and counts are summed first."""
    ps = F.softmax(student_logits / T, dim=1)
    pt = F.softmax(teacher_logits / T, dim=2)
    if not (dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1):
        v = (ps - pt).mean(dim=1) * (T / student_logits.shape[0])
        return v @ v.T
    sums = torch.cat([(ps - pt).sum(dim=1).double().flatten(), torch.tensor([student_logits.shape[0]], dtype=torch.float64, device=ps.device)])
    dist.all_reduce(sums)
    count = sums[-1]
    v = (sums[:-1].view(teacher_logits.shape[0], -1) / count * (T / count)).float()
    return v @ v.T


def aekd_cap(c_tol, teachers):
    """1/(M·ν) with ν = 1/(C_tol·M) clamped to [1/M, 1]: C_tol clamped to [1/M, 1]."""
    if not c_tol > 0:
        raise ValueError(f"C_tol must be positive, got {c_tol}")
    return min(1.0, max(1.0 / teachers, c_tol))


def _solve_face(g, cap, state):
    """Stationary point of λᵀGλ on one face (0: λ = 0, 1: λ = cap, 2: free); None if empty or singular."""
    free = [i for i, s in enumerate(state) if s == 2]
    at_cap = [i for i, s in enumerate(state) if s == 1]
    rest = 1 - cap * len(at_cap)
    if not free or rest < 0 or rest > cap * len(free):
        return None
    n = len(free)
    system = np.zeros((n + 1, n + 2))
    for row, i in enumerate(free):
        system[row, :n] = g[i, free]
        system[row, n] = -1
        system[row, n + 1] = -cap * g[i, at_cap].sum()
    system[n, :n] = 1
    system[n, n + 1] = rest
    solution = _solve_linear(system)
    if solution is None:
        return None
    lam = np.array([cap if s == 1 else 0.0 for s in state])
    lam[free] = solution[:n]
    return lam


def _solve_linear(aug):
    """Gaussian elimination with partial pivoting, the page's singularity test (so the same faces are skipped)."""
    n = aug.shape[0]
    scale = np.abs(aug[:, :n]).max()
    for col in range(n):
        pivot = col + int(np.argmax(np.abs(aug[col:, col])))
        if abs(aug[pivot, col]) <= 1e-12 * scale:
            return None
        aug[[col, pivot]] = aug[[pivot, col]]
        for r in range(col + 1, n):
            aug[r, col:] -= aug[r, col] / aug[col, col] * aug[col, col:]
    x = np.zeros(n)
    for r in range(n - 1, -1, -1):
        x[r] = (aug[r, n] - aug[r, r + 1:n] @ x[r + 1:]) / aug[r, r]
    return x


def solve_capped_simplex_qp(gram, cap):
    """Exact minimiser of λᵀGλ over Σλ = 1, 0 ≤ λ ≤ cap: every face's KKT system, the best feasible one."""
    g = np.asarray(gram, dtype=np.float64)
    m = len(g)
    if m == 0:
        raise ValueError("The QP needs at least one variable")
    if cap * m < 1 - 1e-12:
        raise ValueError(f"cap {cap} leaves no feasible point for {m} variables")
    size = np.abs(g).max()
    if not np.isfinite(size):
        raise ValueError("The QP matrix has non-finite entries (diverged logits?)")
    if cap * m <= 1 + 1e-12 or size == 0:
        return np.full(m, 1 / m)
    g = g / size
    slack = 1e-12 * max(1, cap)
    best = None
    for state in itertools.product((0, 1, 2), repeat=m):
        lam = _solve_face(g, cap, state[::-1])
        if lam is None or np.any(lam < -slack) or np.any(lam > cap + slack):
            continue
        lam = np.clip(lam, 0, cap)
        value = lam @ g @ lam
        if best is None or value < best[0]:
            best = (value, lam)
    return best[1]


def aekd_weights(student_logits, teacher_logits, T, c_tol, normalize=False):
    """AEKD's λ, one per teacher (numpy float64), from the Gram matrix of the teachers' KD gradients."""
    m = teacher_logits.shape[0]
    if not 1 <= m <= AEKD_MAX_TEACHERS:
        raise ValueError(f"AEKD takes 1 to {AEKD_MAX_TEACHERS} teachers, got {m}")
    with torch.no_grad():
        gram = aekd_gram(student_logits.float(), teacher_logits.float(), T).double().numpy()
    lam = solve_capped_simplex_qp(gram, aekd_cap(c_tol, m))
    if normalize:
        scaled = lam / np.maximum(np.sqrt(np.maximum(np.diag(gram), 0)), 1e-12)
        lam = scaled / scaled.sum()
    return lam


def _resize_to(x, size):
    """The student's last map at the teacher's resolution: average pooling down, bilinear up (align_corners=False)."""
    h = x.shape[2]
    if h == size[0]:
        return x
    if h > size[0] and h % size[0] == 0:
        return F.avg_pool2d(x, h // size[0])
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


class Embedder(nn.Module):
    """CA-MKD's per-teacher projector r_m: Conv1×1 (bias) → BatchNorm → ReLU, student C_s → teacher C_t."""

    def __init__(self, student_channels, teacher_shape):
        super().__init__()
        self.size = teacher_shape[1:]
        self.conv = nn.Conv2d(student_channels, teacher_shape[0], 1)
        self.bn = nn.BatchNorm2d(teacher_shape[0])

    def forward(self, x):
        return F.relu(self.bn(self.conv(_resize_to(x, self.size))))

    @torch.no_grad()
    def seeded_init(self, rng):
        """The page's zoo conv init from the shared module stream: Kaiming-normal fan-out kernel, then the bias."""
        ct, cs = self.conv.weight.shape[:2]
        self.conv.weight.copy_(torch.from_numpy(rng.normals(cs * ct, (2 / ct) ** 0.5).reshape(1, 1, cs, ct).transpose(3, 2, 0, 1).copy()))
        self.conv.bias.copy_(torch.from_numpy(rng.uniforms(ct, 1 / cs ** 0.5)))
        return self


def create_multi_teacher_modules(method, student_feats, teacher_feats, seed):
    """FitNet-MKD's regressors or CA-MKD's embedders, one per teacher (shapes from one probe forward's
    features), seeded as a page learner seeds its modules: one keyed_rng(seed, 'modules') stream drawn in
    creation order. None for the logit-only methods."""
    rng = keyed_rng(seed, "modules")
    if method == "fitnet-mkd":
        return nn.ModuleList(ConvReg(tuple(student_feats[HINT_FEATURE].shape[1:]), tuple(t[HINT_FEATURE].shape[1:])).seeded_init(seed, rng)
                             for t in teacher_feats)
    if method == "camkd":
        return nn.ModuleList(Embedder(student_feats[-2].shape[1], tuple(t[-2].shape[1:])).seeded_init(rng) for t in teacher_feats)
    return None


def _per_teacher_diagnostics(weights, prefix):
    return {f"{prefix}{m + 1}": float(w) for m, w in enumerate(weights.mean(dim=1))}


def multi_teacher_terms(method, params, student_out, teacher_outs, teacher_nets, labels, modules, epoch):
    """(named loss terms, diagnostics) of one step; teacher_outs are (feats, logits) of the frozen teachers."""
    s_feats, s_logits = student_out
    stacked = torch.stack([logits for _, logits in teacher_outs])
    T = params["T"]
    terms = {"ce": cross_entropy(s_logits, labels) * params["ceWeight"]}
    diagnostics = {}
    if method in ("aver-mkd", "fitnet-mkd"):
        terms["kd"] = sum(kd_loss(s_logits, t, T) for t in stacked) / len(teacher_outs) * params["alpha"]
        if method == "fitnet-mkd":
            hint = sum(torch.mean((reg(s_feats[HINT_FEATURE]) - feats[HINT_FEATURE]) ** 2) for reg, (feats, _) in zip(modules, teacher_outs)) / len(teacher_outs)
            terms["hint"] = (hint.detach() if params.get("detachHint", 0) == 1 else hint) * params["beta"]
    elif method == "ebkd":
        weights = ebkd_weights(stacked)
        kl = torch.stack([kd_loss_per_sample(s_logits, t, T) for t in stacked])
        terms["kd"] = (weights * kl).mean() * params["alpha"]
        diagnostics = _per_teacher_diagnostics(weights, "weight teacher")
    elif method == "aekd":
        lam = aekd_weights(s_logits.detach(), stacked, T, params["cTol"])
        terms["kd"] = sum(kd_loss(s_logits, t, T) * float(l) for t, l in zip(stacked, lam)) * params["alpha"]
        diagnostics = {f"weight teacher{m + 1}": float(l) for m, l in enumerate(lam)}
    elif method == "camkd":
        terms, diagnostics = _camkd_terms(params, s_feats, s_logits, stacked, teacher_outs, teacher_nets, labels, modules, epoch, terms)
    else:
        raise ValueError(f'method "{method}" is not a multi-teacher method')
    return terms, diagnostics


def _camkd_terms(params, s_feats, s_logits, stacked, teacher_outs, teacher_nets, labels, modules, epoch, terms):
    """CE + α·Σ w^KD·KL/(B·M) + β·Σ w^inter·MSE/(B·M); the feature term is left out of the first epoch."""
    logit_weights = camkd_logit_weights(stacked, labels)
    kl = torch.stack([kd_loss_per_sample(s_logits, t, params["T"]) for t in stacked])
    terms["kd"] = (logit_weights * kl).mean() * params["alpha"]
    diagnostics = _per_teacher_diagnostics(logit_weights, "logit weight teacher")
    if epoch > 0:
        projected = [embed(s_feats[-2]) for embed in modules]
        head_ce = torch.stack([F.cross_entropy(net.head(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)), labels, reduction="none")
                               for h, net in zip(projected, teacher_nets)])
        inter_weights = spread_weights(head_ce)
        mse = torch.stack([((h - feats[-2]) ** 2).mean(dim=(1, 2, 3)) for h, (feats, _) in zip(projected, teacher_outs)])
        terms["inter"] = (inter_weights * mse).mean() * params["beta"]
        diagnostics.update(_per_teacher_diagnostics(inter_weights.detach(), "feature weight teacher"))
    return terms, diagnostics
