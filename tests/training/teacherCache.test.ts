import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { PlannedLearner, RunPlan } from '../../src/training/plan';
import { teacherKey } from '../../src/training/teacherCache';

const plan = { trainImages: 4577, holdoutImages: 508, batch: 64 } as RunPlan;
const teacher = { model: 'resnet8', initSeed: 11 } as PlannedLearner;

describe('teacherKey', () => {
  it('tells teachers of other step milestones or decay apart, and ignores both with another schedule', () => {
    const step = { ...DEFAULT_CONFIG, schedule: 'step' as const, epochs: 24, milestones: '15,18,21', decay: 0.1 };
    const key = teacherKey(step, plan, teacher);
    expect(teacherKey({ ...step, milestones: '' }, plan, teacher)).not.toBe(key);
    expect(teacherKey({ ...step, decay: 0.2 }, plan, teacher)).not.toBe(key);
    // Milestones count in the student epochs and scale to the teacher's, so those matter with them.
    expect(teacherKey({ ...step, epochs: 30, milestones: '15,18,21' }, plan, teacher)).not.toBe(key);
    expect(teacherKey({ ...step, milestones: '', epochs: 30 }, plan, teacher)).toBe(teacherKey({ ...step, milestones: '' }, plan, teacher));
    const cosine = { ...step, schedule: 'cosine' as const };
    expect(teacherKey({ ...cosine, milestones: '', decay: 0.5 }, plan, teacher)).toBe(teacherKey(cosine, plan, teacher));
  });
});
