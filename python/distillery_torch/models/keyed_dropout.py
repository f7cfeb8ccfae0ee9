"""The page's keyed dropout masks (`src/models/keyedDropout.ts`), vectorised: two keys from
keyed_rng(seed, "dropout", pass, layer), then element i of the NHWC map draws
u_i = lowbias32(((i + key0) mod 2^32) XOR key1) / 2^32 and is kept, scaled by 1 / (1 - rate), where u_i >= rate."""
import numpy as np
import torch

from ..keyed_random import keyed_rng

_MASK = np.uint64(0xFFFFFFFF)


def _lowbias32(x):
    """Chris Wellons' lowbias32 on a uint64 array of 32-bit values (products kept to their low 32 bits)."""
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & _MASK
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & _MASK
    return x ^ (x >> np.uint64(16))


def keyed_dropout_uniforms(seed, training_pass, layer, count):
    """The `count` uniform draws in [0, 1) (float64) of one dropout layer at one training pass."""
    rng = keyed_rng(seed, "dropout", training_pass, layer)
    offset, flip = (np.uint64(int(rng.next() * 4294967296)) for _ in range(2))
    index = np.arange(count, dtype=np.uint64)
    return _lowbias32(((index + offset) & _MASK) ^ flip).astype(np.float64) / 4294967296


def keyed_dropout_mask(seed, training_pass, layer, shape_nchw, rate):
    """The keep mask (1 / (1 - rate) where kept, else 0) for one layer's NCHW input, drawn in NHWC order."""
    if not 0 <= rate < 1:
        raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
    b, c, h, w = shape_nchw
    uniforms = keyed_dropout_uniforms(seed, training_pass, layer, b * h * w * c)
    # The scale in float64, then rounded once, as the page stores 1 / (1 - rate) in a Float32Array.
    keep = ((uniforms >= rate) * (1 / (1 - rate))).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(keep.reshape(b, h, w, c).transpose(0, 3, 1, 2)))
