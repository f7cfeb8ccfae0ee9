"""RepDistiller's CIFAR ResNets (models/resnet.py: BasicBlock stages, `layer{i}.{b}.conv1|bn1|conv2|bn2`,
`downsample.0|1`), ResNet50 (models/resnetv2.py: Bottleneck, `shortcut.0|1`, `linear`) and the data-free KD
codes' ResNet-18/34 (BasicBlocks with `shortcut.0|1`, `linear`), written from the architectures. Module order is the page's creation order, which decides the seeded initial weights."""
from torch import nn
import torch.nn.functional as F

from .common import ZooNet, conv_bn, global_pool

NARROW = (16, (16, 32, 64))
WIDE = (32, (64, 128, 256))  # the "x4" variants
RESNET_CONFIGS = {
    "resnet8": (8, NARROW), "resnet14": (14, NARROW), "resnet20": (20, NARROW), "resnet32": (32, NARROW),
    "resnet44": (44, NARROW), "resnet56": (56, NARROW), "resnet110": (110, NARROW),
    "resnet8x4": (8, WIDE), "resnet32x4": (32, WIDE),
}


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        residual = self.downsample(x) if self.downsample is not None else x
        return F.relu(self.bn2(self.conv2(h)) + residual)


class LayeredResNet(ZooNet):
    """A ResNet as all three families run it: conv1-bn1-ReLU stem, then `layer1`..`layerN` (N = `stage_count`),
    globally pooled."""

    stage_count = 3

    def features(self, x):
        stem = F.relu(self.bn1(self.conv1(x)))
        stages, h = [], stem
        for i in range(1, self.stage_count + 1):
            h = getattr(self, f"layer{i}")(h)
            stages.append(h)
        return stem, stages, global_pool(h)


class CifarResNet(LayeredResNet):
    def __init__(self, model_id, num_classes):
        super().__init__(model_id, num_classes)
        depth, (stem, widths) = RESNET_CONFIGS[model_id]
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        cin = stem
        for i, (width, stride) in enumerate(zip(widths, (1, 2, 2))):
            layer = [BasicBlock(cin if b == 0 else width, width, stride if b == 0 else 1) for b in range(blocks)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
            cin = width
        self.fc = nn.Linear(cin, num_classes)

    def head(self, pooled):
        return self.fc(pooled)


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        cout = planes * 4
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, cout, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Sequential()

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        return F.relu(self.bn3(self.conv3(h)) + self.shortcut(x))


class ResNet50(LayeredResNet):
    stage_count = 4

    def __init__(self, num_classes):
        super().__init__("resnet50", num_classes)
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for i, (planes, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2))):
            layer = []
            for b in range(blocks):
                layer.append(Bottleneck(cin, planes, stride if b == 0 else 1))
                cin = planes * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.linear = nn.Linear(cin, num_classes)

    def head(self, pooled):
        return self.linear(pooled)


#: The data-free KD codes' CIFAR ResNets (TA-DFKD, DFAD, CMI: networks/resnet.py `ResNet18`, `ResNet34`).
DFKD_RESNET_CONFIGS = {"resnet18_dfkd": (2, 2, 2, 2), "resnet34_dfkd": (3, 4, 6, 3)}


class ShortcutBasicBlock(nn.Module):
    """kuangliu's BasicBlock as the data-free KD codes keep it: RepDistiller's block with the projection
    named `shortcut` (0: 1x1 conv, 1: BN; an empty Sequential when the shape is kept)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Sequential()

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(h)) + self.shortcut(x))


class DfkdResNet(LayeredResNet):
    """A 64-channel 3x3 conv-BN-ReLU stem (no max pool), four stages of BasicBlocks (planes 64/128/256/512,
    strides 1/2/2/2), average pooling and `linear`. The reference never re-initialises: PyTorch's defaults."""

    conv_init = "torch"
    stage_count = 4

    def __init__(self, model_id, num_classes):
        super().__init__(model_id, num_classes)
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        cin = 64
        for i, (planes, blocks, stride) in enumerate(zip((64, 128, 256, 512), DFKD_RESNET_CONFIGS[model_id], (1, 2, 2, 2))):
            layer = [ShortcutBasicBlock(cin if b == 0 else planes, planes, stride if b == 0 else 1) for b in range(blocks)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
            cin = planes
        self.linear = nn.Linear(cin, num_classes)

    def head(self, pooled):
        return self.linear(pooled)
