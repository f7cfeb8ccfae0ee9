"""The loss functions of ../shared/spec/methods.md, as `src/methods/losses.ts` computes them, and FitNets'
ConvReg (`src/methods/modules/convReg.ts`, RepDistiller's models/util.py) with the page's seeded init."""
import math

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from .keyed_random import keyed_rng


def cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels)


def kd_loss_per_sample(student, teacher, T):
    """T^2 * sum_c p_t (log p_t - log p_s); the teacher term from log_softmax, so 0 log 0 is never NaN."""
    log_ps = F.log_softmax(student / T, dim=1)
    log_pt = F.log_softmax(teacher / T, dim=1)
    return (log_pt.exp() * (log_pt - log_ps)).sum(dim=1) * (T * T)


def kd_loss(student, teacher, T):
    """Hinton KD with batchmean reduction."""
    return kd_loss_per_sample(student, teacher, T).mean()


def logit_mse(student, teacher):
    return F.mse_loss(student, teacher)


def oracle_input(teacher, x, labels, gamma, steps=1, batch_size=None):
    """x* = x - gamma * d(mean CE)/dx * |x| through the frozen teacher (eval mode), `steps` times. The mean
    is over `batch_size` images (the global batch when this process holds only its share of it)."""
    current = x.detach()
    for _ in range(int(steps)):
        probe = current.clone().requires_grad_(True)
        with torch.enable_grad():
            ce = F.cross_entropy(teacher(probe), labels, reduction="sum") / (batch_size or len(labels))
            (grad,) = torch.autograd.grad(ce, probe)
        current = (current - gamma * grad * current.abs()).detach()
    return current


class ConvReg(nn.Module):
    """Maps the student's hint map [Cs, Hs, Ws] onto the teacher's [Ct, Ht, Wt], then BatchNorm and ReLU."""

    def __init__(self, student_shape, teacher_shape):
        super().__init__()
        cs, hs, ws = student_shape
        ct, ht, wt = teacher_shape
        self.upsample = None
        if hs == 2 * ht:
            self.conv = nn.Conv2d(cs, ct, 3, 2, 1)
        elif 2 * hs == ht:
            self.conv = nn.ConvTranspose2d(cs, ct, 4, 2, 1)
        elif hs >= ht:
            if ws - wt != hs - ht:
                raise ValueError(f"ConvReg: non-square feature maps ({hs}x{ws} -> {ht}x{wt}) are not supported")
            self.conv = nn.Conv2d(cs, ct, 1 + hs - ht, 1, 0)
        else:
            self.upsample = (ht, wt)
            self.conv = nn.Conv2d(cs, ct, 3, 1, 1)
        self.bn = nn.BatchNorm2d(ct)

    def forward(self, x):
        if self.upsample is not None:
            x = F.interpolate(x, size=self.upsample, mode="bilinear", align_corners=False)
        return F.relu(self.bn(self.conv(x)))

    @torch.no_grad()
    def seeded_init(self, seed, rng=None):
        """The page's draws for the regressor: keyed_rng(seed, 'modules'), in its creation order (or `rng`,
        where several modules share the page's one module store)."""
        rng = keyed_rng(seed, "modules") if rng is None else rng
        conv = self.conv
        if isinstance(conv, nn.ConvTranspose2d):
            cs, ct = conv.in_channels, conv.out_channels
            bound = 1 / math.sqrt(ct * 16)
            kernel = rng.uniforms(16 * ct * cs, bound).reshape(4, 4, ct, cs).transpose(3, 2, 0, 1)
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            conv.bias.copy_(torch.from_numpy(rng.uniforms(ct, bound)))
        else:
            ct, cs, k, _ = conv.weight.shape
            kernel = rng.normals(k * k * cs * ct, math.sqrt(2 / (ct * k * k))).reshape(k, k, cs, ct).transpose(3, 2, 0, 1)
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            conv.bias.copy_(torch.from_numpy(rng.uniforms(ct, 1 / math.sqrt(cs * k * k))))
        self.bn.reset_parameters()
        self.bn.reset_running_stats()
        return self
