"""The per-layer LRP rules of the explainable oracle (../shared/spec/methods.md, the LRP note), as the page
applies them (`src/methods/lrp/rules.ts`, `folding.ts`, `src/methods/relevance.ts`), and the zoo's layers as
the affine maps they apply to, in eval mode with each BatchNorm folded into the convolution before it.

Every rule is R_in = a * grad_a sum(rho-layer(a) * s) with s = R_out / stabilise(z) held constant: the
gradient of a map linear in `a` is its transpose, exact for any stride, padding or grouping.
"""
from dataclasses import dataclass
from typing import Callable, Optional

import torch
import torch.nn.functional as F

#: The page's LRP_DEFAULTS (relevance.ts): epsilon only stabilises; gamma = 0.25 as Montavon et al. suggest.
LRP_DEFAULTS = {"epsilon": 1e-6, "gamma": 0.25}
#: z+ adds this to every denominator instead of a signed epsilon (rules.ts's ZPLUS_STABILISER).
ZPLUS_STABILISER = 1e-12


@dataclass(frozen=True)
class LrpRule:
    """epsilon: z stabilised by epsilon * sign(z), sign(0) = +1; gamma: W + gamma * max(W, 0) and
    b + gamma * max(b, 0), then as epsilon; zplus: max(W, 0), no bias, z + 1e-12."""

    name: str
    epsilon: float = LRP_DEFAULTS["epsilon"]
    gamma: float = LRP_DEFAULTS["gamma"]

    def __post_init__(self):
        if self.name not in ("epsilon", "gamma", "zplus"):
            raise ValueError(f'unknown LRP rule "{self.name}" (epsilon, gamma or zplus)')


def relevance_rule(index):
    """The oracle's `rule` parameter (oracle.ts relevanceRule): 0 is the seed's gradient x input (None)."""
    rules = {0: None, 1: LrpRule("epsilon"), 2: LrpRule("gamma"), 3: LrpRule("zplus")}
    if index not in rules:
        raise ValueError(f"oracle rule must be 0 (gradient x input), 1 (LRP-epsilon), 2 (LRP-gamma) or 3 (LRP-z+), not {index!r}")
    return rules[index]


def stabilise(z, rule):
    """z moved away from 0: by epsilon * sign(z) (sign(0) = +1) for epsilon and gamma, by 1e-12 for z+."""
    if rule.name == "zplus":
        return z + ZPLUS_STABILISER
    return z + ((z >= 0).to(z.dtype) * 2 - 1) * rule.epsilon


def rule_parameters(weight, bias, rule):
    """The rule's modified (weight, bias); bias None: no bias term."""
    if rule.name == "epsilon":
        return weight, bias
    if rule.name == "gamma":
        return weight + rule.gamma * weight.clamp(min=0), None if bias is None else bias + rule.gamma * bias.clamp(min=0)
    return weight.clamp(min=0), None


@dataclass(frozen=True)
class Affine:
    """a -> linear(a, weight) + bias; `linear` is linear in `a` for any weight of `weight`'s shape (the rules
    call it with rho(weight)); `bias` is shaped to broadcast over the output (or None)."""

    weight: torch.Tensor
    bias: Optional[torch.Tensor]
    linear: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

    def __call__(self, a):
        z = self.linear(a, self.weight)
        return z if self.bias is None else z + self.bias


def input_gradient(linear, a, s):
    """grad_a sum(linear(a) * s), s constant: the transpose of a map linear in a, applied to s."""
    probe = a.detach().requires_grad_(True)
    with torch.enable_grad():
        (gradient,) = torch.autograd.grad((linear(probe) * s).sum(), probe)
    return gradient


def affine_relevance(layer, a, relevance, rule, z):
    """Relevance of an affine layer's input `a` given its output's; `z` is its output on `a` (the epsilon
    rule's denominator)."""
    weight, bias = rule_parameters(layer.weight, layer.bias, rule)
    if rule.name != "epsilon":
        z = layer.linear(a, weight) if bias is None else layer.linear(a, weight) + bias
    s = relevance / stabilise(z, rule)
    return a * input_gradient(lambda probe: layer.linear(probe, weight), a, s)


def pool_relevance(pool, a, pooled, relevance, rule):
    """Through average pooling (a positive linear map: every rule reduces to this) or max pooling (the
    gradient routes R / max to the winner, which times a gives it all of R)."""
    return a * input_gradient(pool, a, relevance / stabilise(pooled, rule))


def sum_relevance(a, b, relevance, rule):
    """(R_a, R_b) of out = a + b, in proportion to their contributions to the stabilised sum."""
    s = relevance / stabilise(a + b, rule)
    return a * s, b * s


# --- The zoo's layers as affine maps (folding.ts) ---------------------------------------------------------

def batch_norm_affine(bn):
    """An eval-mode BatchNorm as x * scale + shift per channel."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def conv_layer(conv, bn=None):
    """A Conv2d (any bias, stride, padding, groups: depthwise and grouped alike) as it stands, or followed
    by `bn`, folded: the BN scales each output channel (the kernel's first axis)."""
    weight, bias = conv.weight.detach(), None if conv.bias is None else conv.bias.detach()
    if bn is not None:
        scale, shift = batch_norm_affine(bn)
        weight = weight * scale.view(-1, 1, 1, 1)
        bias = shift if bias is None else bias * scale + shift
    stride, padding, groups = conv.stride, conv.padding, conv.groups
    linear = lambda a, w: F.conv2d(a, w, None, stride, padding, 1, groups)  # noqa: E731
    return Affine(weight, None if bias is None else bias.view(1, -1, 1, 1), linear)


def channel_layer(bn):
    """A BatchNorm that no convolution precedes (WRN's pre-activation BNs): a diagonal affine layer."""
    scale, shift = batch_norm_affine(bn)
    return Affine(scale.view(1, -1, 1, 1), shift.view(1, -1, 1, 1), lambda a, w: a * w)


def dense_layer(weight, bias):
    """a @ weight.T + bias, weight [out, in] (nn.Linear's layout)."""
    return Affine(weight.detach(), None if bias is None else bias.detach(), lambda a, w: a @ w.T)
