// Depthwise convolution gradients (channel multiplier 1: filter [kh, kw, c, 1]), NHWC float32, dilation 1.
import { zero } from './conv';

/** dW[kh, kw, c] = sum over b, oy, ox of x[b, oy*sh + kh - top, ox*sw + kw - left, c] * dy[b, oy, ox, c]. */
export function depthwiseFilterGrad(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, channels: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, top: i32, left: i32,
): void {
  zero(dw, kH * kW * channels);
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
            channelMultiplyAdd(out, xp, dyp, channels);
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
): void {
  zero(dx, batch * inH * inW * channels);
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
