// The input gradient of a convolution, NHWC float32, dilation 1:
//   dx[b, oy*sh + kh - top, ox*sw + kw - left, ci] += sum over co of dy[b, oy, ox, co] * w[kh, kw, ci, co].
// The filter is first transposed to [kh, kw, co, ci] so that input channels are contiguous; then, per tap
// and output row, a block of 4 output pixels x 16 input channels stays in 16 SIMD registers over the
// output channels. tfjs-backend-wasm 4.22's own kernel for this is a plain scalar loop.
import { zero } from './conv';
import { partScratchBytes, shareStart } from './parts';

/** wt[kh, kw, co, ci] = w[kh, kw, ci, co]. */
function transposeFilter(w: usize, wt: usize, taps: i32, inC: i32, outC: i32): void {
  for (let t = 0; t < taps; t++) {
    const base = <usize>(t * inC * outC);
    for (let ci = 0; ci < inC; ci++) {
      for (let co = 0; co < outC; co++) {
        store<f32>(wt + ((base + <usize>(co * inC + ci)) << 2), load<f32>(w + ((base + <usize>(ci * outC + co)) << 2)));
      }
    }
  }
}

/**
 * `scratch` holds a transposed filter (kH * kW * inC * outC floats) for each part, `partScratchBytes` apart.
 * A part takes a run of the batch's images and transposes the filter into its own slot: a few thousand
 * moves, against millions of multiply-adds, and no part waits for another.
 */
export function conv2dInputGrad(
  dy: usize, w: usize, dx: usize, scratch: usize,
  batch: i32, inH: i32, inW: i32, inC: i32,
  outH: i32, outW: i32, outC: i32,
  kH: i32, kW: i32, strideH: i32, strideW: i32, top: i32, left: i32,
  part: i32, parts: i32,
): void {
  const b0 = shareStart(batch, part, parts);
  const b1 = shareStart(batch, part + 1, parts);
  if (b1 <= b0) return;
  const filterFloats = kH * kW * inC * outC;
  const wt = scratch + <usize>(part * partScratchBytes(filterFloats << 2));
  transposeFilter(w, wt, kH * kW, inC, outC);
  const imageFloats = inH * inW * inC;
  zero(dx + (<usize>(b0 * imageFloats) << 2), (b1 - b0) * imageFloats);
  for (let b = b0; b < b1; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const dyRow = dy + (<usize>((b * outH + oy) * outW * outC) << 2);
      for (let kh = 0; kh < kH; kh++) {
        const iy = oy * strideH + kh - top;
        if (iy < 0 || iy >= inH) continue;
        for (let kw = 0; kw < kW; kw++) {
          // Output columns whose input column ox*sw + kw - left lies inside the image.
          const shift = left - kw;
          const ox0 = shift <= 0 ? 0 : (shift + strideW - 1) / strideW;
          const limit = inW - 1 + left - kw;
          const ox1 = limit < 0 ? 0 : min(limit / strideW + 1, outW);
          if (ox1 <= ox0) continue;
          const dxStart = dx + (<usize>(((b * inH + iy) * inW + ox0 * strideW - shift) * inC) << 2);
          const wtTap = wt + (<usize>((kh * kW + kw) * outC * inC) << 2);
          rowInputGrad(dyRow + (<usize>(ox0 * outC) << 2), wtTap, dxStart, ox1 - ox0, inC, outC, strideW * inC);
        }
      }
    }
  }
}

function rowInputGrad(dyp: usize, wt: usize, dxp: usize, count: i32, inC: i32, outC: i32, dxStep: i32): void {
  const dxStepBytes = <usize>dxStep << 2;
  const dyStepBytes = <usize>outC << 2;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const d = dyp + <usize>i * dyStepBytes;
    const x = dxp + <usize>i * dxStepBytes;
    let ci = 0;
    for (; ci + 16 <= inC; ci += 16) pixels4channels16(d, wt + (<usize>ci << 2), x + (<usize>ci << 2), outC, inC, dxStepBytes, dyStepBytes);
    for (; ci + 4 <= inC; ci += 4) for (let p = 0; p < 4; p++) pixel1channels4(d + <usize>p * dyStepBytes, wt + (<usize>ci << 2), x + <usize>p * dxStepBytes + (<usize>ci << 2), outC, inC);
    for (; ci < inC; ci++) for (let p = 0; p < 4; p++) pixel1channel1(d + <usize>p * dyStepBytes, wt + (<usize>ci << 2), x + <usize>p * dxStepBytes + (<usize>ci << 2), outC, inC);
  }
  for (; i < count; i++) {
    const d = dyp + <usize>i * dyStepBytes;
    const x = dxp + <usize>i * dxStepBytes;
    let ci = 0;
    for (; ci + 4 <= inC; ci += 4) pixel1channels4(d, wt + (<usize>ci << 2), x + (<usize>ci << 2), outC, inC);
    for (; ci < inC; ci++) pixel1channel1(d, wt + (<usize>ci << 2), x + (<usize>ci << 2), outC, inC);
  }
}

// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(a, b));
}

function pixels4channels16(dyp: usize, wt: usize, dxp: usize, outC: i32, inC: i32, dxStep: usize, dyStep: usize): void {
  const x1 = dxp + dxStep, x2 = dxp + 2 * dxStep, x3 = dxp + 3 * dxStep;
  let a00 = v128.load(dxp), a01 = v128.load(dxp, 16), a02 = v128.load(dxp, 32), a03 = v128.load(dxp, 48);
  let a10 = v128.load(x1), a11 = v128.load(x1, 16), a12 = v128.load(x1, 32), a13 = v128.load(x1, 48);
  let a20 = v128.load(x2), a21 = v128.load(x2, 16), a22 = v128.load(x2, 32), a23 = v128.load(x2, 48);
  let a30 = v128.load(x3), a31 = v128.load(x3, 16), a32 = v128.load(x3, 32), a33 = v128.load(x3, 48);
  const wStep = <usize>inC << 2;
  let d = dyp;
  let wp = wt;
  for (let co = 0; co < outC; co++) {
    const w0 = v128.load(wp), w1 = v128.load(wp, 16), w2 = v128.load(wp, 32), w3 = v128.load(wp, 48);
    const g0 = v128.load32_splat(d), g1 = v128.load32_splat(d + dyStep), g2 = v128.load32_splat(d + 2 * dyStep), g3 = v128.load32_splat(d + 3 * dyStep);
    a00 = madd(a00, g0, w0); a01 = madd(a01, g0, w1); a02 = madd(a02, g0, w2); a03 = madd(a03, g0, w3);
    a10 = madd(a10, g1, w0); a11 = madd(a11, g1, w1); a12 = madd(a12, g1, w2); a13 = madd(a13, g1, w3);
    a20 = madd(a20, g2, w0); a21 = madd(a21, g2, w1); a22 = madd(a22, g2, w2); a23 = madd(a23, g2, w3);
    a30 = madd(a30, g3, w0); a31 = madd(a31, g3, w1); a32 = madd(a32, g3, w2); a33 = madd(a33, g3, w3);
    d += 4;
    wp += wStep;
  }
  v128.store(dxp, a00); v128.store(dxp, a01, 16); v128.store(dxp, a02, 32); v128.store(dxp, a03, 48);
  v128.store(x1, a10); v128.store(x1, a11, 16); v128.store(x1, a12, 32); v128.store(x1, a13, 48);
  v128.store(x2, a20); v128.store(x2, a21, 16); v128.store(x2, a22, 32); v128.store(x2, a23, 48);
  v128.store(x3, a30); v128.store(x3, a31, 16); v128.store(x3, a32, 32); v128.store(x3, a33, 48);
}

function pixel1channels4(dyp: usize, wt: usize, dxp: usize, outC: i32, inC: i32): void {
  const wStep = <usize>inC << 2;
  let acc = v128.load(dxp);
  for (let co = 0; co < outC; co++) acc = madd(acc, v128.load32_splat(dyp + (<usize>co << 2)), v128.load(wt + <usize>co * wStep));
  v128.store(dxp, acc);
}

function pixel1channel1(dyp: usize, wt: usize, dxp: usize, outC: i32, inC: i32): void {
  const wStep = <usize>inC << 2;
  let acc = load<f32>(dxp);
  for (let co = 0; co < outC; co++) acc += load<f32>(dyp + (<usize>co << 2)) * load<f32>(wt + <usize>co * wStep);
  store<f32>(dxp, acc);
}
