import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { checkpointSummary, loadCheckpoint, saveCheckpoint, type RunCheckpoint } from '../../src/storage/checkpointStore';

function checkpoint(config: RunConfig): RunCheckpoint {
  return { config, savedAt: 1, backend: 'cpu', phase: 'students', teachersDone: 1, epochsDone: 1, epochs: 2, history: [], results: [], specs: [], weights: new ArrayBuffer(0) };
}

describe('checkpoint store', () => {
  it('resumes a checkpoint saved before milestones and decay existed with the step schedule it trained with', async () => {
    const { milestones: _m, decay: _d, ...old } = { ...DEFAULT_CONFIG, schedule: 'step' as const };
    await saveCheckpoint(checkpoint(old as RunConfig), 'checkpoints-old-config');
    expect((await loadCheckpoint('checkpoints-old-config'))?.config).toEqual({ ...DEFAULT_CONFIG, schedule: 'step' });
    expect((await checkpointSummary('checkpoints-old-config'))?.config).toMatchObject({ milestones: '', decay: 0.1 });
  });

  it('keeps a checkpoint\u2019s own milestones and decay', async () => {
    const config = { ...DEFAULT_CONFIG, epochs: 24, schedule: 'step' as const, milestones: '15,18,21', decay: 0.2 };
    await saveCheckpoint(checkpoint(config), 'checkpoints-new-config');
    expect((await loadCheckpoint('checkpoints-new-config'))?.config).toEqual(config);
  });
});
