/**
 * Colours shared by every panel: Okabe-Ito (colour-blind safe), one per learner role, with a dash pattern
 * as a second cue so the curves stay distinguishable in greyscale.
 */
import type { LearnerRole } from '../contract/protocol';

export const ROLE_STYLE: Readonly<Record<LearnerRole, { color: string; dash: 'solid' | 'dot' | 'dash'; name: string }>> = {
  teacher: { color: '#0072B2', dash: 'dot', name: 'Teacher' },
  scratch: { color: '#E69F00', dash: 'dash', name: 'Scratch student' },
  student: { color: '#009E73', dash: 'solid', name: 'Distilled student' },
};

/** Extra teachers of a multi-teacher run get lighter blues. */
export const TEACHER_SHADES = ['#0072B2', '#56B4E9', '#7FB8DA', '#2B5C8A', '#A6CEE3'] as const;
