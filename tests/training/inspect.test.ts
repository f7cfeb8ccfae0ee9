/** The page's questions about a finished run's models, answered by the worker-side code the session uses. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/runConfig';
import { inspect } from '../../src/training/inspect';
import { ModelShelf } from '../../src/training/modelShelf';
import { runExperiment, type RunData } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { measureStepCosts } from '../../src/training/stepCosts';
import type { InspectionRequest } from '../../src/contract/inspection';
import type { ModelResult } from '../../src/contract/protocol';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data: RunData = tinyRunData();
const config: RunConfig = tinyRunConfig({ epochs: 1, seed: 5, method: 'oracle' });

describe('inspecting the last run', () => {
  const shelf = new ModelShelf();
  let results: ModelResult[] = [];
  let tensorsAfterRun = 0;
  const ask = <R extends InspectionRequest>(request: R) => shelf.with((context) => inspect(request, context));

  beforeAll(async () => {
    const outcome = await runExperiment(config, data, new RunControl(), { started() {}, progress() {}, epoch() {}, learnerDone() {} }, { measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, 4), shelf });
    results = outcome.results;
    tensorsAfterRun = tf.memory().numTensors;
  }, 180_000);
  afterAll(() => shelf.clear());

  it('hands back the test subset as RGBA in the order of the results', async () => {
    const images = await ask({ kind: 'testImages' });
    expect(images.count).toBe(16);
    expect(images.rgba).toHaveLength(16 * 32 * 32 * 4);
    expect(Array.from(images.labels)).toEqual(Array.from(results[0]!.testLabels));
  });

  it('responses at γ = 0 are the evaluated logits; at γ > 0 the true class gains', async () => {
    const plain = await ask({ kind: 'responses', model: 'teacher0', gamma: 0, rule: 0 });
    const logits = results.find((r) => r.learner.key === 'teacher0')!.testLogits;
    plain.logits.forEach((v, i) => expect(v).toBeCloseTo(logits[i]!, 4));
    const margin = (values: Float32Array) => {
      let sum = 0;
      plain.labels.forEach((y, i) => (sum += values[i * 4 + y]! - Math.max(...values.subarray(i * 4, i * 4 + 4))));
      return sum;
    };
    for (const rule of [0, 1, 2, 3]) {
      const reinforced = await ask({ kind: 'responses', model: 'teacher0', gamma: 5, rule });
      expect(reinforced.logits.every(Number.isFinite)).toBe(true);
      expect(Array.from(reinforced.logits)).not.toEqual(Array.from(plain.logits));
      // z+ assumes non-negative inputs, which normalised images are not: its x* need not help (see lrp/).
      if (rule !== 3) expect(margin(reinforced.logits), `rule ${rule}`).toBeGreaterThan(margin(plain.logits));
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterRun);
  });

  it('relevance for test images and for an own picture: maps, x*, and every model predicts', async () => {
    const byIndex = await ask({ kind: 'relevance', model: 'teacher0', gamma: 1, rule: 1, images: { indices: [0, 5] } });
    expect(byIndex.items).toHaveLength(2);
    for (const item of byIndex.items) {
      expect(item.relevance).toHaveLength(1024);
      expect(item.relevance.some((v) => v !== 0)).toBe(true);
      expect(item.xStar).toHaveLength(4096);
      expect(item.predictions.map((p) => p.model)).toEqual(['teacher0', 'scratch', 'student']);
      for (const p of item.predictions) expect(p.onX.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(item.predictions[0]!.onXStar).toHaveLength(4);
    }
    expect(byIndex.items[1]!.target).toBe(results[0]!.testLabels[5]);
    const own = await ask({ kind: 'relevance', model: 'student', gamma: 0, rule: 0, images: { rgba: new Uint8ClampedArray(4096).map((_, i) => (i % 4 === 3 ? 255 : 200)), count: 1 } });
    // An own picture is explained for the model's own top class; at γ = 0, x* is x.
    const top = own.items[0]!.predictions.find((p) => p.model === 'student')!.onX;
    expect(own.items[0]!.target).toBe(top.indexOf(Math.max(...top)));
    expect(Array.from(own.items[0]!.xStar)).toEqual(Array.from(own.items[0]!.x));
    expect(tf.memory().numTensors).toBe(tensorsAfterRun);
  });

  it('refuses bad questions with a readable reason', async () => {
    await expect(ask({ kind: 'responses', model: 'nobody', gamma: 0, rule: 0 })).rejects.toThrow(/No model "nobody"/);
    await expect(ask({ kind: 'responses', model: 'teacher0', gamma: -1, rule: 0 })).rejects.toThrow(/γ must be/);
    await expect(ask({ kind: 'relevance', model: 'teacher0', gamma: 1, rule: 0, images: { indices: [99] } })).rejects.toThrow(/not in the test subset/);
    await expect(ask({ kind: 'relevance', model: 'teacher0', gamma: 1, rule: 0, images: { rgba: new Uint8ClampedArray(10), count: 1 } })).rejects.toThrow(/32x32 RGBA/);
    await expect(new ModelShelf().with(async () => 1)).rejects.toThrow(/train one first/);
    expect(tf.memory().numTensors).toBe(tensorsAfterRun);
  });
});
