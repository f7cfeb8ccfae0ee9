/** Float64 reference convolution gradients (NHWC, dilation 1), written as the plain sums they are. */
export interface Geometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  stride: number;
  top: number;
  left: number;
}

function forEachTap(g: Geometry, visit: (b: number, oy: number, ox: number, iy: number, ix: number, kh: number, kw: number) => void): void {
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < g.outH; oy++)
      for (let ox = 0; ox < g.outW; ox++)
        for (let kh = 0; kh < g.kH; kh++)
          for (let kw = 0; kw < g.kW; kw++) {
            const iy = oy * g.stride + kh - g.top;
            const ix = ox * g.stride + kw - g.left;
            if (iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW) visit(b, oy, ox, iy, ix, kh, kw);
          }
}

/** dW[kh, kw, ci, co] of a full convolution with `outC` output channels. */
export function filterGradReference(x: Float32Array, dy: Float32Array, g: Geometry, outC: number): Float64Array {
  const dw = new Float64Array(g.kH * g.kW * g.inC * outC);
  forEachTap(g, (b, oy, ox, iy, ix, kh, kw) => {
    const xBase = ((b * g.inH + iy) * g.inW + ix) * g.inC;
    const dyBase = ((b * g.outH + oy) * g.outW + ox) * outC;
    for (let ci = 0; ci < g.inC; ci++)
      for (let co = 0; co < outC; co++) dw[((kh * g.kW + kw) * g.inC + ci) * outC + co]! += x[xBase + ci]! * dy[dyBase + co]!;
  });
  return dw;
}

/** dW[kh, kw, c, 0] of a depthwise convolution (multiplier 1). */
export function depthwiseFilterGradReference(x: Float32Array, dy: Float32Array, g: Geometry): Float64Array {
  const dw = new Float64Array(g.kH * g.kW * g.inC);
  forEachTap(g, (b, oy, ox, iy, ix, kh, kw) => {
    for (let c = 0; c < g.inC; c++) dw[(kh * g.kW + kw) * g.inC + c]! += x[((b * g.inH + iy) * g.inW + ix) * g.inC + c]! * dy[((b * g.outH + oy) * g.outW + ox) * g.inC + c]!;
  });
  return dw;
}

/** dX of a depthwise convolution (multiplier 1). */
export function depthwiseInputGradReference(dy: Float32Array, w: Float32Array, g: Geometry): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.inC);
  forEachTap(g, (b, oy, ox, iy, ix, kh, kw) => {
    for (let c = 0; c < g.inC; c++) dx[((b * g.inH + iy) * g.inW + ix) * g.inC + c]! += w[(kh * g.kW + kw) * g.inC + c]! * dy[((b * g.outH + oy) * g.outW + ox) * g.inC + c]!;
  });
  return dx;
}

/** Largest |actual - expected| / (|expected| + scale), where scale is the largest |expected| / 100. */
export function worstRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  const floor = scale / 100 + 1e-30;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + floor));
  return worst;
}

/** dX of a full convolution with `outC` output channels, filter [kh, kw, ci, co]. */
export function inputGradReference(dy: Float32Array, w: Float32Array, g: Geometry, outC: number): Float64Array {
  const dx = new Float64Array(g.batch * g.inH * g.inW * g.inC);
  forEachTap(g, (b, oy, ox, iy, ix, kh, kw) => {
    const dxBase = ((b * g.inH + iy) * g.inW + ix) * g.inC;
    const dyBase = ((b * g.outH + oy) * g.outW + ox) * outC;
    for (let ci = 0; ci < g.inC; ci++)
      for (let co = 0; co < outC; co++) dx[dxBase + ci]! += dy[dyBase + co]! * w[((kh * g.kW + kw) * g.inC + ci) * outC + co]!;
  });
  return dx;
}
