"""The hold-out (`src/core/holdout.ts`): a seeded, class-balanced 10% of the training subset no model trains
on; the page fits its calibration temperature on the models' logits for it."""
import math

import numpy as np

from .keyed_random import keyed_rng, permutation

HOLDOUT_FRACTION = 0.1


def holdout_count(train_images, enabled):
    # JavaScript's Math.round (half up), not Python's round (half to even): 508.5 -> 509.
    return math.floor(train_images * HOLDOUT_FRACTION + 0.5) if enabled else 0


def _balanced_quotas(sizes, count):
    quota = [0] * len(sizes)
    left = count
    while left > 0:
        open_ = [(c, size - quota[c]) for c, size in enumerate(sizes) if size - quota[c] > 0]
        if not open_:
            break
        share = max(1, left // len(open_))
        open_.sort(key=lambda o: (-o[1], o[0]))
        for c, room in open_:
            take = min(share, room, left)
            quota[c] += take
            left -= take
            if left == 0:
                break
    return quota


def holdout_indices(labels, num_classes, count, seed):
    """Ascending indices of the `count` images held out, each class's share drawn with (seed, 'holdout', c)."""
    if count < 0 or count > len(labels):
        raise ValueError(f"cannot hold out {count} of {len(labels)} images")
    by_class = [[] for _ in range(num_classes)]
    for i, label in enumerate(np.asarray(labels).tolist()):
        by_class[label].append(i)
    quota = _balanced_quotas([len(m) for m in by_class], count)
    chosen = []
    for c, members in enumerate(by_class):
        order = permutation(len(members), keyed_rng(seed, "holdout", c))
        chosen += [members[k] for k in order[: quota[c]]]
    return np.array(sorted(chosen), dtype=np.int64)
