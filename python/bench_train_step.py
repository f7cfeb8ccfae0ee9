#!/usr/bin/env python3
"""Training-step throughput of PyTorch on this CPU, for `npm run bench` to put beside the wasm backend.

The same models as the app's zoo (tiny-cnn; the CIFAR ResNets of RepDistiller), batch 64, cross-entropy,
SGD with momentum 0.9 and weight decay 5e-4, random CIFAR-shaped inputs. Prints one JSON object:
{"torch": version, "threads": n, "results": [{"model", "batch", "images_per_second", "step_seconds"}]}.

Usage: python3 python/bench_train_step.py --threads 1 --batch 64 --steps 5 tiny-cnn resnet8
"""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


class TinyCnn(nn.Module):
    """conv3x3-BN-ReLU at widths 16/32/64, 2x2 max-pool before blocks 2 and 3, global pool, linear."""

    def __init__(self, num_classes=10):
        super().__init__()
        widths = [16, 32, 64]
        self.convs = nn.ModuleList(nn.Conv2d(3 if i == 0 else widths[i - 1], w, 3, padding=1) for i, w in enumerate(widths))
        self.bns = nn.ModuleList(nn.BatchNorm2d(w) for w in widths)
        self.fc = nn.Linear(widths[-1], num_classes)

    def forward(self, x):
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            if i > 0:
                x = F.max_pool2d(x, 2)
            x = F.relu(bn(conv(x)))
        return self.fc(x.mean((2, 3)))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class ResNet(nn.Module):
    """depth 6n + 2, stem 16 channels, stages 16/32/64 (strides 1/2/2)."""

    def __init__(self, depth, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for width, stride in [(16, 1), (32, 2), (64, 2)]:
            for i in range(n):
                layers.append(BasicBlock(cin, width, stride if i == 0 else 1))
                cin = width
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.fc(x.mean((2, 3)))


MODELS = {"tiny-cnn": TinyCnn, "resnet8": lambda: ResNet(8), "resnet20": lambda: ResNet(20)}


def time_steps(model_id, batch, warmup, steps):
    torch.manual_seed(0)
    model = MODELS[model_id]()
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    seconds = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
        if i >= warmup:
            seconds.append(time.perf_counter() - start)
    median = sorted(seconds)[len(seconds) // 2]
    return {"model": model_id, "batch": batch, "images_per_second": batch / median, "step_seconds": seconds}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("models", nargs="+", choices=sorted(MODELS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = [time_steps(m, args.batch, args.warmup, args.steps) for m in args.models]
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}))


if __name__ == "__main__":
    main()
