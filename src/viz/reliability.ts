/**
 * The calibration panel's numbers and traces (pure): reliability bins of a model's test predictions,
 * before and after temperature scaling fitted on NLL, and the Plotly traces of the diagram.
 *
 * Two protocols. "held-out" (the default): T is fitted on the run's hold-out, training images no model
 * trained on, and scored on the test images. "test": T fitted and scored on the same test images with 20
 * bins, as the seed paper reports it; it flatters the scaled numbers, and the panel says so.
 */
import type { Data } from 'plotly.js-dist-min';
import { csvText } from '../ui/csv';
import { fitTemperature, reliabilityBins, type Reliability } from '../core/calibration';
import { negativeLogLikelihood, softmaxRows } from '../core/metrics';
import type { ModelResult } from '../contract/protocol';

export interface Calibration {
  readonly raw: Reliability & { readonly nll: number };
  /** The temperature minimising NLL on the fitting set, and the scored set's calibration after dividing by it. */
  readonly temperature: number;
  readonly scaled: Reliability & { readonly nll: number };
}

export interface LabelledLogits {
  readonly logits: Float32Array;
  readonly labels: Uint8Array;
}

export type CalibrationProtocol = 'held-out' | 'test';

/** Bins of each protocol's default: the project's 15, and the seed paper's 20. */
export const PROTOCOL_BINS: Readonly<Record<CalibrationProtocol, number>> = { 'held-out': 15, test: 20 };

/**
 * Reliability of `logits` before and after temperature scaling, with T fitted by NLL on `fit` (by default
 * the scored logits themselves, which is only honest when the label says so).
 */
export function calibrationOf(logits: Float32Array, labels: Uint8Array, numClasses: number, bins: number, fit: LabelledLogits = { logits, labels }): Calibration {
  const measure = (t: number) => {
    const probs = softmaxRows(logits, numClasses, t);
    return { ...reliabilityBins(probs, labels, numClasses, bins), nll: negativeLogLikelihood(probs, labels, numClasses) };
  };
  const temperature = fitTemperature(fit.logits, fit.labels, numClasses);
  return { raw: measure(1), temperature, scaled: measure(temperature) };
}

/** The model's hold-out logits, or null when its run held nothing out (holdout=0, or a run from before it). */
export function heldOutOf(result: Pick<ModelResult, 'heldOutLogits' | 'heldOutLabels'>): LabelledLogits | null {
  const { heldOutLogits: logits, heldOutLabels: labels } = result;
  return logits && labels && labels.length > 0 ? { logits, labels } : null;
}

/**
 * A teacher loaded from a saved or ready model (reused, never trained in this run's lineage): it was trained
 * elsewhere, perhaps on the very images this run holds out (every ready teacher trained on the whole
 * subset), so T fitted on the hold-out may be fitted on its training images.
 */
export function heldOutMayBeTrainingImages(result: Pick<ModelResult, 'reused' | 'epochs' | 'learner'>): boolean {
  return result.learner.role === 'teacher' && result.reused && result.epochs === 0;
}

/** A model's calibration under a protocol: T fitted on the hold-out or on the test images, always scored on the test images. */
export function calibrationFor(result: Pick<ModelResult, 'testLogits' | 'testLabels' | 'heldOutLogits' | 'heldOutLabels'>, numClasses: number, bins: number, protocol: CalibrationProtocol): Calibration | null {
  const fit = protocol === 'held-out' ? heldOutOf(result) : { logits: result.testLogits, labels: result.testLabels };
  return fit ? calibrationOf(result.testLogits, result.testLabels, numClasses, bins, fit) : null;
}

/** Accuracy bars per confidence bin, the gap to the diagonal shaded, and the confidence histogram below. */
export function reliabilityTraces(reliability: Reliability): Data[] {
  const centres = reliability.bins.map((b) => (b.lo + b.hi) / 2);
  const width = reliability.bins.map((b) => b.hi - b.lo);
  const filled = reliability.bins.map((b) => b.count > 0);
  return [
    { type: 'bar', x: centres, y: reliability.bins.map((b, i) => (filled[i] ? b.accuracy : 0)), width, name: 'accuracy', marker: { color: '#0072B2' }, hovertemplate: 'accuracy %{y:.3f}<extra></extra>' },
    {
      type: 'bar',
      x: centres,
      // The gap: from accuracy up (or down) to the bin's mean confidence.
      base: reliability.bins.map((b, i) => (filled[i] ? b.accuracy : 0)),
      y: reliability.bins.map((b, i) => (filled[i] ? b.confidence - b.accuracy : 0)),
      width,
      name: 'gap to confidence',
      marker: { color: 'rgba(213, 94, 0, 0.35)', line: { color: '#D55E00', width: 1 } },
      hovertemplate: 'gap %{y:.3f}<extra></extra>',
    },
    { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], name: 'perfect calibration', line: { color: '#555', dash: 'dot' }, hoverinfo: 'skip' },
    { type: 'bar', x: centres, y: reliability.bins.map((b) => b.count), width, name: 'images', marker: { color: '#999' }, xaxis: 'x2', yaxis: 'y2', hovertemplate: '%{y} images<extra></extra>' },
  ];
}

/** The bins as CSV (one row per bin), for export. */
export function reliabilityCsv(reliability: Reliability): string {
  const rows = reliability.bins.map((b) => [b.lo.toFixed(4), b.hi.toFixed(4), b.count, b.confidence.toFixed(6), b.accuracy.toFixed(6)]);
  return csvText(['lo', 'hi', 'count', 'confidence', 'accuracy'], rows);
}
