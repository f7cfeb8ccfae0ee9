// Depthwise convolution gradients (channel multiplier 1: filter [kh, kw, c, 1]), NHWC float32, dilation 1.
// Split across threads (parts.ts): the weight gradient by runs of 16 channels (a cache line of results, which
// every pixel adds into), the input gradient by runs of the batch's images.
import { zero } from './conv';
import { shareStart } from './parts';

/** Channels of a weight-gradient part: 16 to a unit. */
const CHANNEL_UNIT = 16;

/** dW[kh, kw, c] = sum over b, oy, ox of x[b, oy*sh + kh - top, ox*sw + kw - left, c] * dy[b, oy, ox, c]. */
export function depthwiseFilterGrad(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, top: i32, left: i32,
  part: i32, parts: i32,
): void {
  const units = (channels + CHANNEL_UNIT - 1) / CHANNEL_UNIT;
  const c0 = shareStart(units, part, parts) * CHANNEL_UNIT;
  const c1 = min(shareStart(units, part + 1, parts) * CHANNEL_UNIT, channels);
  if (c1 <= c0) return;
  for (let tap = 0; tap < kH * kW; tap++) zero(dw + (<usize>(tap * channels + c0) << 2), c1 - c0);
  const offset = <usize>c0 << 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let kh = 0; kh < kH; kh++) {
        const iy = oy * strideH + kh - top;
        if (iy < 0 || iy >= inH) continue;
        for (let ox = 0; ox < outW; ox++) {
          const dyp = dy + (<usize>(((b * outH + oy) * outW + ox) * channels) << 2);
          for (let kw = 0; kw < kW; kw++) {
            const ix = ox * strideW + kw - left;
            if (ix < 0 || ix >= inW) continue;
            const xp = x + (<usize>(((b * inH + iy) * inW + ix) * channels) << 2);
            const out = dw + (<usize>((kh * kW + kw) * channels) << 2);
            channelMultiplyAdd(out + offset, xp + offset, dyp + offset, c1 - c0);
          }
        }
      }
    }
  }
}

/** dx[b, iy, ix, c] = sum over taps hitting it of w[kh, kw, c] * dy[b, oy, ox, c]. */
export function depthwiseInputGrad(
  dy: usize, w: usize, dx: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, top: i32, left: i32,
  part: i32, parts: i32,
): void {
  const b0 = shareStart(batch, part, parts);
  const b1 = shareStart(batch, part + 1, parts);
  const imageFloats = inH * inW * channels;
  zero(dx + (<usize>(b0 * imageFloats) << 2), (b1 - b0) * imageFloats);
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let kh = 0; kh < kH; kh++) {
        const iy = oy * strideH + kh - top;
        if (iy < 0 || iy >= inH) continue;
        for (let ox = 0; ox < outW; ox++) {
          const dyp = dy + (<usize>(((b * outH + oy) * outW + ox) * channels) << 2);
          for (let kw = 0; kw < kW; kw++) {
            const ix = ox * strideW + kw - left;
            if (ix < 0 || ix >= inW) continue;
            const out = dx + (<usize>(((b * inH + iy) * inW + ix) * channels) << 2);
            channelMultiplyAdd(out, w + (<usize>((kh * kW + kw) * channels) << 2), dyp, channels);
          }
        }
      }
    }
  }
}

/** out[c] += a[c] * b[c] for c < count. */
function channelMultiplyAdd(out: usize, a: usize, b: usize, count: i32): void {
  let c = 0;
  for (; c + 4 <= count; c += 4) {
    const offset = <usize>c << 2;
    v128.store(out + offset, f32x4.add(v128.load(out + offset), f32x4.mul(v128.load(a + offset), v128.load(b + offset))));
  }
  for (; c < count; c++) {
    const offset = <usize>c << 2;
    store<f32>(out + offset, load<f32>(out + offset) + load<f32>(a + offset) * load<f32>(b + offset));
  }
}
