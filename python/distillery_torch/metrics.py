"""Evaluation metrics as the page computes them (`src/core/metrics.ts`, `calibration.ts`): softmax in float64
stored as float32, accuracy by first-max argmax, NLL with p clamped to 1e-12, ECE over 15 equal-width bins
(m/15, (m+1)/15] with the page's edge rule; and the learning-rate schedules (`src/core/schedule.ts`)."""
import math

import numpy as np

from .config import parse_milestones

ECE_BINS = 15
MIN_PROBABILITY = 1e-12
# The RepDistiller and CA-MKD recipe: x0.1 after epochs 150, 180 and 210 of 240 (REFERENCE_STEP_DECAY).
REFERENCE_MILESTONES, REFERENCE_EPOCHS = (150, 180, 210), 240


def softmax_rows(logits):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def _bin_index(confidence, bins):
    m = math.ceil(confidence * bins) - 1
    if confidence <= m / bins:
        m -= 1
    elif confidence > (m + 1) / bins:
        m += 1
    return min(bins - 1, max(0, m))


def reliability(probs, labels, bins=ECE_BINS):
    """{ece, bins: [{count, confidence, accuracy}]} of float32 probabilities (the reference `ece` shape)."""
    probs = np.asarray(probs)
    predicted = probs.argmax(axis=1)
    confidence = probs[np.arange(len(probs)), predicted].astype(np.float64)
    if not np.all(np.isfinite(confidence)):
        raise ValueError("a row has no finite top-1 probability")
    counts, correct, sums = np.zeros(bins, int), np.zeros(bins, int), np.zeros(bins)
    for c, p, y in zip(confidence.tolist(), predicted.tolist(), np.asarray(labels).tolist()):
        m = _bin_index(c, bins)
        counts[m] += 1
        sums[m] += c
        correct[m] += p == y
    n = len(probs)
    detail = [{"count": int(counts[m]), "confidence": sums[m] / counts[m] if counts[m] else 0.0,
               "accuracy": correct[m] / counts[m] if counts[m] else 0.0} for m in range(bins)]
    ece = sum(b["count"] / n * abs(b["accuracy"] - b["confidence"]) for b in detail if b["count"])
    return {"ece": ece, "bins": detail}


def evaluation_metrics(logits, labels):
    """accuracy, nll and ece of [N, C] logits, as the page's `evaluate`."""
    probs = softmax_rows(logits)
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    accuracy = float(np.mean(probs.argmax(axis=1) == labels))
    nll = float(np.mean(-np.log(np.maximum(probs[rows, labels].astype(np.float64), MIN_PROBABILITY))))
    return {"accuracy": accuracy, "nll": nll, "ece": float(reliability(probs, labels)["ece"])}


def step_decay_of(config):
    """(milestones, the epochs they count in, factor) of a config, as the page's `stepDecayOf`: its milestones
    in its student epochs, or the reference 150/180/210 of 240 when it names none."""
    milestones = parse_milestones(config["milestones"])
    if not milestones:
        return REFERENCE_MILESTONES, REFERENCE_EPOCHS, config["decay"]
    return tuple(milestones), config["epochs"], config["decay"]


def learning_rate(schedule, base_lr, epochs, steps_per_epoch, epoch, step, step_decay=None, cosine_floor=0.0):
    """The page's learning rate at 0-based (epoch, step): step decay per epoch, cosine per step (down to
    cosine_floor * base_lr, PyTorch's eta_min). A phase of `epochs` epochs decays after round(m / of * epochs)
    for each milestone m counted in `of` epochs."""
    if schedule == "constant":
        return base_lr
    if schedule == "step":
        milestones, of, factor = step_decay or (REFERENCE_MILESTONES, REFERENCE_EPOCHS, 0.1)
        # JavaScript's Math.round is half up; m / of * epochs in the page's order of operations.
        decays = sum(1 for m in milestones if math.floor(m / of * epochs + 0.5) < epoch + 1)
        return base_lr * factor**decays
    if schedule == "cosine":
        total = max(1, epochs * steps_per_epoch)
        floor = cosine_floor * base_lr
        return floor + 0.5 * (base_lr - floor) * (1 + math.cos(math.pi * (epoch * steps_per_epoch + step) / total))
    raise ValueError(f'unknown schedule "{schedule}"')
