/**
 * t-SNE timing with the project's own implementation (src/core/tsne.ts), on points shaped like what the
 * panel embeds: teacher logits of 10 classes, i.e. 10 seeded Gaussian clusters in `dim` dimensions.
 */
import { keyedRng } from '../core/random';
import { createTsne } from '../core/tsne';
import type { TsneResult, TsneTask } from '../contract/benchProtocol';

function clusteredPoints(count: number, dim: number): Float32Array {
  const rng = keyedRng(1, 'bench-tsne-points', count, dim);
  const centres = Array.from({ length: 10 }, () => Array.from({ length: dim }, () => 4 * rng.normal()));
  const points = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const centre = centres[i % 10]!;
    for (let d = 0; d < dim; d++) points[i * dim + d] = centre[d]! + rng.normal();
  }
  return points;
}

export function measureTsne(task: TsneTask): TsneResult {
  const points = clusteredPoints(task.points, task.dim);
  const affinitySeconds: number[] = [];
  const iterateSeconds: number[] = [];
  let method: TsneResult['method'] = 'exact';
  for (let repeat = 0; repeat < task.repeats; repeat++) {
    const start = performance.now();
    const run = createTsne(points, task.dim, { iterations: task.iterations, seed: repeat });
    const prepared = performance.now();
    run.step(task.iterations);
    affinitySeconds.push((prepared - start) / 1000);
    iterateSeconds.push((performance.now() - prepared) / 1000);
    method = run.method;
  }
  return { affinitySeconds, iterateSeconds, method, iterations: task.iterations };
}
