"""RepDistiller's wide ResNets (models/wrn.py: pre-activation blocks, `block{s}.layer.{b}.*`,
`convShortcut`, final `bn1`) and VGG with BatchNorm (models/vgg.py: `block{i}.{3u}` conv with bias,
`block{i}.{3u+1}` BatchNorm, `classifier`), written from the architectures."""
from torch import nn
import torch.nn.functional as F

from .common import ZooNet, global_pool

WRN_CONFIGS = {"wrn_16_1": (16, 1), "wrn_16_2": (16, 2), "wrn_40_1": (40, 1), "wrn_40_2": (40, 2)}


class PreActBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        # Projects exactly when the width changes (RepDistiller's `equalInOut`), from the activated input.
        self.convShortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout else None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        h = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return h + (self.convShortcut(a) if self.convShortcut is not None else x)


class _Stage(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.layer = nn.Sequential(*blocks)

    def forward(self, x):
        return self.layer(x)


class Wrn(ZooNet):
    linear_init = "uniform-zero-bias"

    def __init__(self, model_id, num_classes):
        super().__init__(model_id, num_classes)
        depth, k = WRN_CONFIGS[model_id]
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        cin = 16
        for s, (width, stride) in enumerate(((16 * k, 1), (32 * k, 2), (64 * k, 2))):
            setattr(self, f"block{s + 1}", _Stage([PreActBlock(cin if b == 0 else width, width, stride if b == 0 else 1) for b in range(n)]))
            cin = width
        self.bn1 = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, num_classes)

    def features(self, x):
        stem = self.conv1(x)
        h1 = self.block1(stem)
        h2 = self.block2(h1)
        h3 = self.block3(h2)
        # RepDistiller's feat3 is block3's raw sum (the page's third tap is relu(bn1(.)) of it; no method
        # ported here reads that tap: FitNets' hint is feat2).
        return stem, [h1, h2, h3], global_pool(F.relu(self.bn1(h3)))

    def head(self, pooled):
        return self.fc(pooled)


VGG_CONFIGS = {
    "vgg8": [[64], [128], [256], [512], [512]],
    "vgg11": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "vgg13": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
    "vgg16": [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
    "vgg19": [[64, 64], [128, 128], [256] * 4, [512] * 4, [512] * 4],
}


class Vgg(ZooNet):
    linear_init = "normal-0.01"
    conv_bias = "zero"

    def __init__(self, model_id, num_classes):
        super().__init__(model_id, num_classes)
        cin = 3
        for b, widths in enumerate(VGG_CONFIGS[model_id]):
            layers = []
            for width in widths:
                layers += [nn.Conv2d(cin, width, 3, 1, 1), nn.BatchNorm2d(width), nn.ReLU()]
                cin = width
            setattr(self, f"block{b}", nn.Sequential(*layers[:-1]))  # the last ReLU is applied in forward
        self.classifier = nn.Linear(cin, num_classes)

    def features(self, x):
        maps, h = [], x
        for b in range(5):
            if 1 <= b <= 3 or (b == 4 and x.shape[2] == 64):
                h = F.max_pool2d(h, 2)
            h = F.relu(getattr(self, f"block{b}")(h))
            maps.append(h)
        return maps[0], maps[1:], global_pool(h)

    def head(self, pooled):
        return self.classifier(pooled)
