"""Batches as the page makes them (`src/data/batches.ts`): crop offsets in [0, 8] and flips drawn per image
from `keyed_rng(seed, "augment", epoch, step)` (dy, dx, then flip), a crop of the image's own side (32x32, or
64x64 for an image folder imported at 64) from the zero-padded image, mirrored when flipped, then per-channel
normalisation of pixels / 255. Output is NCHW float32."""
import numpy as np
import torch

PAD = 4


def augmentation_draws(count, rng):
    """[(dy, dx, flip)] for `count` images, in the page's draw order."""
    return [(rng.int(2 * PAD + 1), rng.int(2 * PAD + 1), rng.next() < 0.5) for _ in range(count)]


def crop_and_flip(images, draws):
    """uint8 NHWC square images cropped, at their own side, from their 4-pixel zero padding at (dy, dx),
    flipped left-right when asked."""
    side = images.shape[1]
    padded = np.pad(images, ((0, 0), (PAD, PAD), (PAD, PAD), (0, 0)))
    out = np.empty_like(images)
    for b, (dy, dx, flip) in enumerate(draws):
        crop = padded[b, dy:dy + side, dx:dx + side]
        out[b] = crop[:, ::-1] if flip else crop
    return out


class Normalizer:
    """(pixels / 255 - mean) / std per channel, in float32 as the page computes it."""

    def __init__(self, mean, std):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    def __call__(self, images_uint8):
        x = torch.from_numpy(np.ascontiguousarray(images_uint8)).permute(0, 3, 1, 2).float() / 255
        return (x - self.mean) / self.std


def train_batch(data, indices, normalize, rng=None):
    """(x, labels) of the images at `indices`; augmented when `rng` (the step's keyed generator) is given."""
    images = data.images[indices]
    if rng is not None:
        images = crop_and_flip(images, augmentation_draws(len(indices), rng))
    return normalize(images), torch.from_numpy(data.labels[indices])
