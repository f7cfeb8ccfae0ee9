"""The page's keyed random generator (`src/core/random.ts`), bit for bit.

Every random draw of a run (initial weights, data order, augmentation) comes from a generator keyed by what
it is for and where it happens, e.g. `keyed_rng(seed, "augment", epoch, step)`. Porting it exactly (FNV-1a
plus a murmur3 finaliser for the key, sfc32 for the stream, float64 arithmetic as JavaScript numbers) is what
lets the same seed give the same first batch and the same initial logits here and in the browser.
"""
import math

import numpy as np

_MASK = 0xFFFFFFFF
_TWO_PI = 2 * math.pi


def _imul(a, b):
    return (a * b) & _MASK


def hash32(parts):
    """FNV-1a over '#<number>' / 's<string>' parts with a separator, then murmur3's finaliser (unsigned)."""
    h = 0x811C9DC5
    for part in parts:
        text = f"#{_js_number(part)}" if isinstance(part, (int, float)) and not isinstance(part, bool) else f"s{part}"
        for ch in text:
            h ^= ord(ch)
            h = _imul(h, 0x01000193)
        h ^= 0x7C
        h = _imul(h, 0x01000193)
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h


def _js_number(value):
    """How JavaScript writes a number in a template string, for the integers keys hold."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    raise ValueError(f"keyed_rng: key part {value!r} is not an integer; only integer key parts are ported")


class KeyedRng:
    """sfc32 keyed by (seed, stream, *indices); `next`, `int` and `normal` as the TypeScript `Rng`."""

    __slots__ = ("_a", "_b", "_c", "_d", "_spare")

    def __init__(self, seed, stream, *indices):
        key = [seed, stream, *indices]
        self._a, self._b, self._c, self._d = (hash32([*key, i]) for i in (1, 2, 3, 4))
        self._spare = None
        for _ in range(12):  # decorrelate the first outputs from the key, as the page does
            self.next()

    def next(self):
        """Uniform in [0, 1)."""
        a, b, c, d = self._a, self._b, self._c, self._d
        t = (a + b + d) & _MASK
        self._d = (d + 1) & _MASK
        self._a = b ^ (b >> 9)
        self._b = (c + (c << 3)) & _MASK
        c = ((c << 21) | (c >> 11)) & _MASK
        self._c = (c + t) & _MASK
        return t / 4294967296

    def int(self, n):
        """Uniform integer in [0, n)."""
        return math.floor(self.next() * n)

    def normal(self):
        """Standard normal (Box-Muller, the sine half kept for the next call)."""
        if self._spare is not None:
            value, self._spare = self._spare, None
            return value
        u = 0.0
        while u == 0:
            u = self.next()
        v = self.next()
        radius = math.sqrt(-2 * math.log(u))
        self._spare = radius * math.sin(_TWO_PI * v)
        return radius * math.cos(_TWO_PI * v)

    def _uniforms(self, count):
        """The next `count` outputs of next(), drawn in one loop over local state (the bulk draws' hot path)."""
        a, b, c, d = self._a, self._b, self._c, self._d
        out = [0.0] * count
        for i in range(count):
            t = (a + b + d) & _MASK
            d = (d + 1) & _MASK
            a = b ^ (b >> 9)
            b = (c + (c << 3)) & _MASK
            c = ((((c << 21) | (c >> 11)) & _MASK) + t) & _MASK
            out[i] = t / 4294967296
        self._a, self._b, self._c, self._d = a, b, c, d
        return out

    def normals(self, count, std):
        """`count` values normal() * std, each rounded to float32 as the page's Float32Array stores them.
        Exactly normal()'s draws (u redrawn while 0, cos first, sin kept as the spare), in one local loop."""
        out = [0.0] * count
        i = 0
        if count and self._spare is not None:
            out[0], self._spare, i = self._spare * std, None, 1
        a, b, c, d = self._a, self._b, self._c, self._d
        log, sqrt, cos, sin = math.log, math.sqrt, math.cos, math.sin
        while i < count:
            u = 0.0
            while u == 0:
                t = (a + b + d) & _MASK
                d = (d + 1) & _MASK
                a = b ^ (b >> 9)
                b = (c + (c << 3)) & _MASK
                c = ((((c << 21) | (c >> 11)) & _MASK) + t) & _MASK
                u = t / 4294967296
            t = (a + b + d) & _MASK
            d = (d + 1) & _MASK
            a = b ^ (b >> 9)
            b = (c + (c << 3)) & _MASK
            c = ((((c << 21) | (c >> 11)) & _MASK) + t) & _MASK
            v = t / 4294967296
            radius = sqrt(-2 * log(u))
            out[i] = radius * cos(_TWO_PI * v) * std
            spare = radius * sin(_TWO_PI * v)
            if i + 1 < count:
                out[i + 1] = spare * std
            else:
                self._spare = spare
            i += 2
        self._a, self._b, self._c, self._d = a, b, c, d
        return np.array(out, dtype=np.float64).astype(np.float32)

    def uniforms(self, count, bound):
        """`count` values (next() * 2 - 1) * bound, rounded to float32."""
        return ((np.array(self._uniforms(count), dtype=np.float64) * 2 - 1) * bound).astype(np.float32)


def keyed_rng(seed, stream, *indices):
    return KeyedRng(seed, stream, *indices)


def permutation(n, rng):
    """A uniformly random permutation of 0..n-1 (Fisher-Yates, as the page draws it)."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.int(i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def derived_seed(seed, purpose, index=0):
    """A seed for one purpose derived from the run seed (`plan.ts` derivedSeed)."""
    return keyed_rng(seed, purpose, index).int(2**31)
