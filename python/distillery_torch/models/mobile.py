"""RepDistiller's MobileNetV2 (mobile_half: width 0.5, expansion 6; `conv1.0|1`, `blocks.{g}.{b}.conv.{0,1,3,4,6,7}`,
`conv2.0|1`, `classifier.0`) and ShuffleNet V1 (groups 3) / V2 (`layer{s}.{b}.conv{i}|bn{i}`, `linear`),
written from the architectures. The ShuffleNets keep PyTorch's default init, as RepDistiller's do."""
import torch
from torch import nn
import torch.nn.functional as F

from .common import ZooNet, conv_bn, global_pool

MOBILE_GROUPS = ((1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
MOBILE_TAPS = (1, 2, 4, 6)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.residual = stride == 1 and cin == cout
        self.conv = nn.Sequential(
            nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout),
        )

    def forward(self, x):
        return x + self.conv(x) if self.residual else self.conv(x)


class MobileNetV2(ZooNet):
    linear_init = "normal-0.01"

    def __init__(self, num_classes):
        super().__init__("mobilenetv2", num_classes)
        cin = 16
        self.conv1 = nn.Sequential(*conv_bn(3, cin, 3, 2), nn.ReLU())
        groups = []
        for t, c, n, s in MOBILE_GROUPS:
            cout = int(c * 0.5)
            blocks = []
            for b in range(n):
                blocks.append(InvertedResidual(cin, cout, s if b == 0 else 1, t))
                cin = cout
            groups.append(nn.Sequential(*blocks))
        self.blocks = nn.ModuleList(groups)
        self.conv2 = nn.Sequential(*conv_bn(cin, 1280, 1), nn.ReLU())
        self.classifier = nn.Sequential(nn.Linear(1280, num_classes))

    def features(self, x):
        stem = self.conv1(x)
        stages, h = [], stem
        for g, group in enumerate(self.blocks):
            h = group(h)
            if g in MOBILE_TAPS:
                stages.append(h)
        return stem, stages, global_pool(self.conv2(h))

    def head(self, pooled):
        return self.classifier(pooled)


def channel_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleV1Block(nn.Module):
    def __init__(self, cin, cout, stride, first):
        super().__init__()
        mid = cout // 4
        self.shuffle_groups = 1 if first else 3
        self.stride = stride
        self.conv1 = nn.Conv2d(cin, mid, 1, groups=self.shuffle_groups, bias=False)
        self.bn1 = nn.BatchNorm2d(mid)
        self.conv2 = nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = nn.Conv2d(mid, cout, 1, groups=3, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)

    def forward(self, x):
        h = channel_shuffle(F.relu(self.bn1(self.conv1(x))), self.shuffle_groups)
        h = self.bn3(self.conv3(F.relu(self.bn2(self.conv2(h)))))
        return F.relu(torch.cat([h, F.avg_pool2d(x, 3, 2, 1)], 1) if self.stride == 2 else h + x)


class _Staged(ZooNet):
    conv_init = "torch"

    def features(self, x):
        stem = F.relu(self.bn1(self.conv1(x)))
        stages, h = [], stem
        for i in (1, 2, 3):
            h = getattr(self, f"layer{i}")(h)
            stages.append(h)
        return stem, stages, global_pool(self.before_pool(h))

    def before_pool(self, h):
        return h

    def head(self, pooled):
        return self.linear(pooled)


class ShuffleV1(_Staged):
    def __init__(self, num_classes):
        super().__init__("shufflev1", num_classes)
        self.conv1 = nn.Conv2d(3, 24, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        cin = 24
        for s, (width, blocks) in enumerate(((240, 4), (480, 8), (960, 4))):
            layer = []
            for b in range(blocks):
                layer.append(ShuffleV1Block(cin, width - cin if b == 0 else width, 2 if b == 0 else 1, cin == 24))
                cin = width
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
        self.linear = nn.Linear(cin, num_classes)


class DownBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        mid = cout // 2
        self.conv1, self.bn1 = nn.Conv2d(cin, cin, 3, 2, 1, groups=cin, bias=False), nn.BatchNorm2d(cin)
        self.conv2, self.bn2 = nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid)
        self.conv3, self.bn3 = nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid)
        self.conv4, self.bn4 = nn.Conv2d(mid, mid, 3, 2, 1, groups=mid, bias=False), nn.BatchNorm2d(mid)
        self.conv5, self.bn5 = nn.Conv2d(mid, mid, 1, bias=False), nn.BatchNorm2d(mid)

    def forward(self, x):
        left = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(F.relu(self.bn3(self.conv3(x))))))))
        return channel_shuffle(torch.cat([left, right], 1), 2)


class SplitBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.split = channels // 2
        s = self.split
        self.conv1, self.bn1 = nn.Conv2d(s, s, 1, bias=False), nn.BatchNorm2d(s)
        self.conv2, self.bn2 = nn.Conv2d(s, s, 3, 1, 1, groups=s, bias=False), nn.BatchNorm2d(s)
        self.conv3, self.bn3 = nn.Conv2d(s, s, 1, bias=False), nn.BatchNorm2d(s)

    def forward(self, x):
        x1, x2 = x[:, : self.split], x[:, self.split :]
        branch = F.relu(self.bn3(self.conv3(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x2))))))))
        return channel_shuffle(torch.cat([x1, branch], 1), 2)


class ShuffleV2(_Staged):
    def __init__(self, num_classes):
        super().__init__("shufflev2", num_classes)
        self.conv1 = nn.Conv2d(3, 24, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(24)
        cin = 24
        for s, (width, blocks) in enumerate(((116, 3), (232, 7), (464, 3))):
            setattr(self, f"layer{s + 1}", nn.Sequential(DownBlock(cin, width), *[SplitBlock(width) for _ in range(blocks)]))
            cin = width
        self.conv2 = nn.Conv2d(cin, 1024, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(1024)
        self.linear = nn.Linear(1024, num_classes)

    def before_pool(self, h):
        return F.relu(self.bn2(self.conv2(h)))
