"""The page's initial weights for a seed (`src/models/layers.ts`): values drawn in creation order from
`keyed_rng(seed, "init", 0)`, in tfjs layouts ([kh, kw, in/groups, out] kernels, [in, out] matrices), then
transposed to PyTorch's. Module registration order here is the page's creation order, so walking the
modules in order replays the same draws. BatchNorm: gamma 1, beta 0, running mean 0, variance 1 (no draws).
"""
import math

import numpy as np
import torch
from torch import nn

from ..keyed_random import keyed_rng


def _conv_kernel(rng, conv, rule):
    out_ch, in_per_group, k, _ = conv.weight.shape
    count = k * k * in_per_group * out_ch
    if rule == "torch":
        values = rng.uniforms(count, 1 / math.sqrt(in_per_group * k * k))
    else:
        values = rng.normals(count, math.sqrt(2 / (out_ch * k * k)))
    return values.reshape(k, k, in_per_group, out_ch).transpose(3, 2, 0, 1)


def _linear(rng, linear, rule):
    out_f, in_f = linear.weight.shape
    bound = 1 / math.sqrt(in_f)
    if rule == "normal-0.01":
        weight = rng.normals(in_f * out_f, 0.01)
    else:
        weight = rng.uniforms(in_f * out_f, bound)
    bias = rng.uniforms(out_f, bound) if rule == "uniform" else np.zeros(out_f, np.float32)
    return weight.reshape(in_f, out_f).T, bias


@torch.no_grad()
def seeded_init(model, seed, stream="init"):
    """Sets every parameter and statistic of a zoo `model` to the page's initial values for `seed`."""
    rng = keyed_rng(seed, stream, 0)
    for module in model.modules():
        if isinstance(module, nn.Conv2d):
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(_conv_kernel(rng, module, model.conv_init))))
            if module.bias is not None:
                if getattr(model, "conv_bias", None) == "zero":
                    module.bias.zero_()
                else:
                    fan_in = module.in_channels * module.kernel_size[0] * module.kernel_size[1]
                    module.bias.copy_(torch.from_numpy(rng.uniforms(module.out_channels, 1 / math.sqrt(fan_in))))
        elif isinstance(module, nn.Linear):
            weight, bias = _linear(rng, module, model.linear_init)
            module.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
            module.bias.copy_(torch.from_numpy(bias))
        elif isinstance(module, nn.BatchNorm2d):
            module.reset_parameters()
    return model
