#!/usr/bin/env python3
"""Training-step throughput of PyTorch, for `npm run bench` (CPU) and the GPU runner (bench/gpu) to put beside ours.

The app's zoo as the PyTorch package builds it (tiny-cnn; the CIFAR ResNets of RepDistiller), batch 64, SGD with
momentum 0.9 and weight decay 5e-4, random CIFAR-shaped inputs. Method "scratch" is cross-entropy; "kd" adds a frozen
teacher of the student's architecture (untrained: speed does not depend on what it learned) and takes RepDistiller's
KD loss, 0.1 CE + 0.9 KD at T 4, as the bench worker's steps do. The device is CUDA when present, else the CPU
(`--device` forces one); on CUDA each step ends with a synchronize, as ours ends with a read-back.
Prints one JSON object: {"torch", "threads", "device", "device_name",
"results": [{"model", "method", "batch", "images_per_second", "first_step_seconds", "step_seconds"}]}.

Usage: python3 python/bench_train_step.py --threads 1 --batch 64 --steps 5 [--methods scratch,kd] tiny-cnn resnet8
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from distillery_torch.losses import kd_loss
from distillery_torch.models import build_model

# The package's zoo (RepDistiller's definitions, the page's model ids): the models the app trains.
MODELS = {model_id: (lambda m=model_id: build_model(m, 10)) for model_id in ("tiny-cnn", "resnet8", "resnet20")}
METHODS = ("scratch", "kd")
# RepDistiller's KD defaults, as src/contract/methodCatalog.ts has them.
KD_T, KD_ALPHA, KD_CE_WEIGHT = 4.0, 0.9, 0.1


def pick_device(requested="auto"):
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(requested)


def device_name(device):
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def step_loss(model, teacher, x, y):
    logits = model(x)
    ce = F.cross_entropy(logits, y)
    if teacher is None:
        return ce
    with torch.no_grad():
        teacher_logits = teacher(x)
    return KD_CE_WEIGHT * ce + KD_ALPHA * kd_loss(logits, teacher_logits, KD_T)


def time_steps(model_id, batch, warmup, steps, method="scratch", device=None):
    device = device or torch.device("cpu")
    torch.manual_seed(0)
    model = MODELS[model_id]().to(device)
    model.train()
    teacher = None
    if method == "kd":
        teacher = MODELS[model_id]().to(device)
        teacher.eval()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(batch, 3, 32, 32, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    seconds = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        step_loss(model, teacher, x, y).backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds.append(time.perf_counter() - start)
    timed = seconds[warmup:]
    median = sorted(timed)[len(timed) // 2]
    return {"model": model_id, "method": method, "batch": batch, "images_per_second": batch / median, "first_step_seconds": seconds[0], "step_seconds": timed}


def methods_list(text):
    methods = text.split(",")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown method(s) {unknown}; choose from {list(METHODS)}")
    return methods


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--device", default="auto", help="auto (CUDA when present, else cpu), cpu, cuda")
    parser.add_argument("--methods", type=methods_list, default=["scratch"], help="comma-separated: scratch,kd")
    parser.add_argument("models", nargs="+", choices=sorted(MODELS))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    results = [time_steps(m, args.batch, args.warmup, args.steps, method, device) for m in args.models for method in args.methods]
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "device": device.type, "device_name": device_name(device), "results": results}))


if __name__ == "__main__":
    main()
