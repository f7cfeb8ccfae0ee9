// The automatic backend choice: the sentence the status line shows, and the probe that times a step.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { choiceSentence, probeSecondsPerImage } from '../../src/workers/backendRace';

describe('backend race', () => {
  it('names the fastest, the one it beat and by how much', () => {
    const entries = [
      { backend: 'webgpu' as const, secondsPerImage: 0.2 },
      { backend: 'wasm' as const, secondsPerImage: 0.01 },
    ];
    expect(choiceSentence('WebGPU is emulated on this CPU', entries)).toBe('WebGPU is emulated on this CPU: training on WebAssembly, 20x faster here than WebGPU');
    expect(choiceSentence('WebGPU is emulated on this CPU', [entries[0]!, { backend: 'wasm', secondsPerImage: 0.08 }])).toBe('WebGPU is emulated on this CPU: training on WebAssembly, 2.5x faster here than WebGPU');
    expect(choiceSentence('No usable WebGPU here (no adapter)', [entries[1]!])).toBe('No usable WebGPU here (no adapter): training on WebAssembly');
  });

  it('times a real training step and leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const seconds = await probeSecondsPerImage();
    expect(seconds).toBeGreaterThan(0);
    expect(Number.isFinite(seconds)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
