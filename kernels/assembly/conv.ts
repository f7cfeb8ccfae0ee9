// Convolution gradients for NHWC float32 tensors, dilation 1. Pointers are byte offsets into this module's
// memory; the JS side copies tensors in and results out. Every gradient buffer is written, never assumed zero.
import { shareStart } from './parts';

/** Zeroes `count` floats from `ptr`. */
export function zero(ptr: usize, count: i32): void {
  memory.fill(ptr, 0, <usize>count << 2);
}

/** First output index whose input index `o * stride + tap - pad` is >= 0. */
function firstValid(tap: i32, pad: i32, stride: i32): i32 {
  const shift = pad - tap;
  return shift <= 0 ? 0 : (shift + stride - 1) / stride;
}

/** One past the last output index whose input index is < size. */
function endValid(tap: i32, pad: i32, stride: i32, size: i32, outSize: i32): i32 {
  const limit = size - 1 + pad - tap; // o * stride <= limit
  if (limit < 0) return 0;
  const end = limit / stride + 1;
  return end < outSize ? end : outSize;
}

/**
 * dW[kh, kw, ci, co] = sum over b, oy, ox of x[b, oy*sh + kh - top, ox*sw + kw - left, ci] * dy[b, oy, ox, co].
 * Blocks of 4 input channels x 16 output channels stay in 16 SIMD registers over one output row. A part
 * takes a run of (tap, 4 input channels) units, so each tap it touches is still one pass over the rows.
 */
export function conv2dFilterGrad(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, inC: i32,
  outH: i32, outW: i32, outC: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, top: i32, left: i32,
  part: i32, parts: i32,
): void {
  const channelUnits = (inC + 3) >> 2;
  const unitsFrom = shareStart(kH * kW * channelUnits, part, parts);
  const unitsTo = shareStart(kH * kW * channelUnits, part + 1, parts);
  for (let tap = unitsFrom / channelUnits; tap * channelUnits < unitsTo; tap++) {
    const ci0 = max(unitsFrom - tap * channelUnits, 0) << 2;
    const ci1 = min(min(unitsTo - tap * channelUnits, channelUnits) << 2, inC);
    const tapOut = dw + (<usize>(tap * inC * outC) << 2);
    zero(tapOut + (<usize>(ci0 * outC) << 2), (ci1 - ci0) * outC);
    const kh = tap / kW;
    const kw = tap % kW;
    const oy0 = firstValid(kh, top, strideH);
    const oy1 = endValid(kh, top, strideH, inH, outH);
    const ox0 = firstValid(kw, left, strideW);
    const ox1 = endValid(kw, left, strideW, inW, outW);
    if (ox1 <= ox0 || oy1 <= oy0 || ci1 <= ci0) continue;
    for (let b = 0; b < batch; b++) {
      for (let oy = oy0; oy < oy1; oy++) {
        const iy = oy * strideH + kh - top;
        const xRow = x + (<usize>(((b * inH + iy) * inW + ox0 * strideW + kw - left) * inC) << 2);
        const dyRow = dy + (<usize>(((b * outH + oy) * outW + ox0) * outC) << 2);
        rowFilterGrad(xRow, dyRow, tapOut, ox1 - ox0, ci0, ci1, inC, outC, strideW * inC);
      }
    }
  }
}

/**
 * Accumulates one output row's contribution for one tap, for input channels ci0 to ci1 (ci0 a multiple of 4):
 * dwTap[ci, co] += sum_i xRow[i][ci] * dyRow[i][co].
 */
function rowFilterGrad(xRow: usize, dyRow: usize, dwTap: usize, count: i32, ci0: i32, ci1: i32, inC: i32, outC: i32, xStep: i32): void {
  const xStepBytes = <usize>xStep << 2;
  const dyStepBytes = <usize>outC << 2;
  let ci = ci0;
  for (; ci + 4 <= ci1; ci += 4) {
    let co = 0;
    for (; co + 16 <= outC; co += 16) block4x16(xRow + (<usize>ci << 2), dyRow + (<usize>co << 2), dwTap + (<usize>(ci * outC + co) << 2), count, outC, xStepBytes, dyStepBytes);
    for (; co < outC; co++) for (let c = ci; c < ci + 4; c++) scalarFilterGrad(xRow + (<usize>c << 2), dyRow + (<usize>co << 2), dwTap + (<usize>(c * outC + co) << 2), count, xStepBytes, dyStepBytes);
  }
  for (; ci < ci1; ci++) {
    let co = 0;
    for (; co + 4 <= outC; co += 4) block1x4(xRow + (<usize>ci << 2), dyRow + (<usize>co << 2), dwTap + (<usize>(ci * outC + co) << 2), count, xStepBytes, dyStepBytes);
    for (; co < outC; co++) scalarFilterGrad(xRow + (<usize>ci << 2), dyRow + (<usize>co << 2), dwTap + (<usize>(ci * outC + co) << 2), count, xStepBytes, dyStepBytes);
  }
}

// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

function block4x16(xp: usize, dyp: usize, out: usize, count: i32, outC: i32, xStep: usize, dyStep: usize): void {
  const rowBytes = <usize>outC << 2;
  let a00 = v128.load(out), a01 = v128.load(out, 16), a02 = v128.load(out, 32), a03 = v128.load(out, 48);
  let a10 = v128.load(out + rowBytes), a11 = v128.load(out + rowBytes, 16), a12 = v128.load(out + rowBytes, 32), a13 = v128.load(out + rowBytes, 48);
  const o2 = out + 2 * rowBytes;
  const o3 = out + 3 * rowBytes;
  let a20 = v128.load(o2), a21 = v128.load(o2, 16), a22 = v128.load(o2, 32), a23 = v128.load(o2, 48);
  let a30 = v128.load(o3), a31 = v128.load(o3, 16), a32 = v128.load(o3, 32), a33 = v128.load(o3, 48);
  for (let i = 0; i < count; i++) {
    const d0 = v128.load(dyp), d1 = v128.load(dyp, 16), d2 = v128.load(dyp, 32), d3 = v128.load(dyp, 48);
    const x0 = v128.load32_splat(xp), x1 = v128.load32_splat(xp, 4), x2 = v128.load32_splat(xp, 8), x3 = v128.load32_splat(xp, 12);
    a00 = madd(a00, x0, d0); a01 = madd(a01, x0, d1); a02 = madd(a02, x0, d2); a03 = madd(a03, x0, d3);
    a10 = madd(a10, x1, d0); a11 = madd(a11, x1, d1); a12 = madd(a12, x1, d2); a13 = madd(a13, x1, d3);
    a20 = madd(a20, x2, d0); a21 = madd(a21, x2, d1); a22 = madd(a22, x2, d2); a23 = madd(a23, x2, d3);
    a30 = madd(a30, x3, d0); a31 = madd(a31, x3, d1); a32 = madd(a32, x3, d2); a33 = madd(a33, x3, d3);
    xp += xStep;
    dyp += dyStep;
  }
  v128.store(out, a00); v128.store(out, a01, 16); v128.store(out, a02, 32); v128.store(out, a03, 48);
  v128.store(out + rowBytes, a10); v128.store(out + rowBytes, a11, 16); v128.store(out + rowBytes, a12, 32); v128.store(out + rowBytes, a13, 48);
  v128.store(o2, a20); v128.store(o2, a21, 16); v128.store(o2, a22, 32); v128.store(o2, a23, 48);
  v128.store(o3, a30); v128.store(o3, a31, 16); v128.store(o3, a32, 32); v128.store(o3, a33, 48);
}

function block1x4(xp: usize, dyp: usize, out: usize, count: i32, xStep: usize, dyStep: usize): void {
  let acc = v128.load(out);
  for (let i = 0; i < count; i++) {
    acc = madd(acc, v128.load32_splat(xp), v128.load(dyp));
    xp += xStep;
    dyp += dyStep;
  }
  v128.store(out, acc);
}

function scalarFilterGrad(xp: usize, dyp: usize, out: usize, count: i32, xStep: usize, dyStep: usize): void {
  let acc = load<f32>(out);
  for (let i = 0; i < count; i++) {
    acc += load<f32>(xp) * load<f32>(dyp);
    xp += xStep;
    dyp += dyStep;
  }
  store<f32>(out, acc);
}
