#!/usr/bin/env python3
"""Training-step throughput of PyTorch on this CPU, for `npm run bench` to put beside the wasm backend.

The app's zoo as the PyTorch package builds it (tiny-cnn; the CIFAR ResNets of RepDistiller), batch 64, cross-entropy,
SGD with momentum 0.9 and weight decay 5e-4, random CIFAR-shaped inputs. Prints one JSON object:
{"torch": version, "threads": n, "results": [{"model", "batch", "images_per_second", "step_seconds"}]}.

Usage: python3 python/bench_train_step.py --threads 1 --batch 64 --steps 5 tiny-cnn resnet8
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from distillery_torch.models import build_model

# The package's zoo (RepDistiller's definitions, the page's model ids): the models the app trains.
MODELS = {model_id: (lambda m=model_id: build_model(m, 10)) for model_id in ("tiny-cnn", "resnet8", "resnet20")}


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
