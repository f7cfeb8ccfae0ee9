"""The playground's own three-block CNN (RepDistiller has none); PyTorch names `block{i}.conv|bn`, `fc`."""
from torch import nn
import torch.nn.functional as F

from .common import ZooNet, global_pool

WIDTHS = (16, 32, 64)


class _Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class TinyCnn(ZooNet):
    def __init__(self, num_classes):
        super().__init__("tiny-cnn", num_classes)
        for i, width in enumerate(WIDTHS):
            setattr(self, f"block{i}", _Block(3 if i == 0 else WIDTHS[i - 1], width))
        self.fc = nn.Linear(WIDTHS[-1], num_classes)

    def features(self, x):
        maps = []
        h = x
        for i in range(len(WIDTHS)):
            if i > 0:
                h = F.max_pool2d(h, 2)  # 32 -> 16 -> 8
            h = getattr(self, f"block{i}")(h)
            maps.append(h)
        return maps[0], maps[1:], global_pool(h)

    def head(self, pooled):
        return self.fc(pooled)
