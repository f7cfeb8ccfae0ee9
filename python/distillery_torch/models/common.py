"""Pieces every zoo network shares: the output contract (logits, or RepDistiller's `is_feat` list) and the
init rules the seeded initialisation reads (see `seeded_init.py`)."""
import torch
from torch import nn
import torch.nn.functional as F


class ZooNet(nn.Module):
    """A zoo network: `forward(x)` gives logits; `forward(x, is_feat=True)` gives (features, logits) with
    features = [stem, *stages, pooled vector], RepDistiller's `is_feat=True, preact=False` list, which is
    also the page's FeatureTaps (stem, stages, penultimate)."""

    #: Convolution kernels: "kaiming" (normal, std sqrt(2 / (k·k·out))) or "torch" (U(±1/sqrt(fan_in))).
    conv_init = "kaiming"
    #: Linear layers: "uniform" (weight and bias U(±1/sqrt(in))), "uniform-zero-bias", or "normal-0.01".
    linear_init = "uniform"

    def __init__(self, model_id, num_classes):
        super().__init__()
        self.model_id = model_id
        self.num_classes = num_classes

    def features(self, x):
        """(stem, [stage maps], pooled vector) of one forward pass."""
        raise NotImplementedError

    def head(self, pooled):
        raise NotImplementedError

    def forward(self, x, is_feat=False):
        stem, stages, pooled = self.features(x)
        logits = self.head(pooled)
        return ([stem, *stages, pooled], logits) if is_feat else logits


def global_pool(x):
    return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)


def conv_bn(cin, cout, k, stride=1, padding=None, groups=1):
    """A bias-free convolution and its BatchNorm, as an (index 0, index 1) Sequential."""
    pad = k // 2 if padding is None else padding
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, pad, groups=groups, bias=False), nn.BatchNorm2d(cout))
