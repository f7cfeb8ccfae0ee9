"""REFILLED's own Wide ResNet (njulus/REFILLED, networks/wide_resnet.py), written from the architecture; it
differs from RepDistiller's `wrn` (wrn_vgg.py) in five ways:

- every convolution has a bias (the stem, both block convs and the 1x1 shortcut);
- a block is bn1-ReLU-conv1 (stride 1)-bn2-ReLU-dropout-conv2 (carries the stride), plus a shortcut;
- the shortcut is a bare 1x1 conv (`shortcut.0`, with bias) of the raw input x, present when the stride or
  the width changes, else the identity;
- dropout (REFILLED's default rate 0.3) before conv2;
- the final BatchNorm `bn` keeps running statistics with momentum 0.9 (PyTorch's convention: 0.9 of the
  batch's), as REFILLED builds it; then ReLU, adaptive average pooling and `fc`.

REFILLED never applies its `conv_init`, so every layer keeps PyTorch's default init: convolutions and their
biases U(±1/sqrt(fan_in)), Linear U(±1/sqrt(in)) for weight and bias.

Dropout masks: with `dropout_seed` set (`build_model(..., seed=)` sets it), the masks are the page's
(`keyed_dropout.py`, keyed by (seed, "dropout", pass, block), with `pass` counting this network's
training-mode forwards). Without a seed it is PyTorch's own dropout, as REFILLED runs it.
"""
from torch import nn
import torch.nn.functional as F

from .common import ZooNet, global_pool
from .keyed_dropout import keyed_dropout_mask

REFILLED_WRN_CONFIGS = {
    "wrn_16_1_refilled": (16, 1), "wrn_16_2_refilled": (16, 2),
    "wrn_40_1_refilled": (40, 1), "wrn_40_2_refilled": (40, 2),
}
#: REFILLED's `--dropout_rate` default, used by every run of its README.
REFILLED_DROPOUT_RATE = 0.3
#: REFILLED's final BatchNorm momentum (PyTorch convention).
FINAL_BN_MOMENTUM = 0.9


class RefilledBlock(nn.Module):
    def __init__(self, cin, cout, stride, rate, index):
        super().__init__()
        self.index = index
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=True)
        self.dropout = nn.Dropout(p=rate)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride, 1, bias=True)
        projects = stride != 1 or cin != cout
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=True)) if projects else nn.Sequential()

    def forward(self, x, keyed=None):
        """`keyed`: (seed, training pass) for the page's dropout masks, or None for PyTorch's dropout."""
        y = F.relu(self.bn2(self.conv1(F.relu(self.bn1(x)))))
        if keyed is not None and self.training and self.dropout.p > 0:
            y = y * keyed_dropout_mask(keyed[0], keyed[1], self.index, tuple(y.shape), self.dropout.p).to(y.device)
        else:
            y = self.dropout(y)
        return self.conv2(y) + self.shortcut(x)


class RefilledWrn(ZooNet):
    conv_init = "torch"

    def __init__(self, model_id, num_classes, dropout_rate=REFILLED_DROPOUT_RATE):
        super().__init__(model_id, num_classes)
        depth, k = REFILLED_WRN_CONFIGS[model_id]
        n = (depth - 4) // 6
        #: The seed of the page's dropout masks (None: PyTorch's dropout); counts training forwards.
        self.dropout_seed = None
        self.training_passes = 0
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=True)
        cin, index = 16, 0
        for s, (width, stride) in enumerate(((16 * k, 1), (32 * k, 2), (64 * k, 2))):
            blocks = []
            for b in range(n):
                blocks.append(RefilledBlock(cin if b == 0 else width, width, stride if b == 0 else 1, dropout_rate, index))
                index += 1
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
            cin = width
        self.bn = nn.BatchNorm2d(cin, momentum=FINAL_BN_MOMENTUM)
        self.fc = nn.Linear(cin, num_classes)

    def features(self, x):
        keyed = None
        if self.training and self.dropout_seed is not None:
            keyed = (self.dropout_seed, self.training_passes)
            self.training_passes += 1
        stem = self.conv1(x)
        stages, h = [], stem
        for s in (1, 2, 3):
            for block in getattr(self, f"layer{s}"):
                h = block(h, keyed)
            stages.append(h)
        # The last tap is relu(bn(layer3)), the map the head pools (the page's choice for every WRN).
        last = F.relu(self.bn(h))
        return stem, [*stages[:2], last], global_pool(last)

    def head(self, pooled):
        return self.fc(pooled)
