import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseUrl, serializeConfig, validateConfig } from '../../src/config/fields';
import { savedTeacherSlots, withSavedTeacherSlot, withScheduleDefaults } from '../../src/config/runConfig';

describe('URL config', () => {
  it('round-trips every setting and the method parameters', () => {
    const config = { ...DEFAULT_CONFIG, teacher: 'resnet20' as const, epochs: 3, lr: 0.01, augment: false, methodParams: { T: 2, alpha: 0.5, ceWeight: 1 } };
    const parsed = parseUrl(serializeConfig(config));
    expect(parsed.config).toEqual(config);
    expect(parsed.notes).toEqual([]);
  });

  it('names a saved teacher only when there is one, and refuses a malformed id', () => {
    expect(serializeConfig(DEFAULT_CONFIG)).not.toContain('savedTeacher');
    const withSaved = { ...DEFAULT_CONFIG, savedTeacher: 'm-0123456789abcdef' };
    expect(parseUrl(serializeConfig(withSaved)).config.savedTeacher).toBe('m-0123456789abcdef');
    const bad = parseUrl('savedTeacher=../../etc');
    expect(bad.config.savedTeacher).toBe('');
    expect(bad.notes).toEqual(['savedTeacher=../../etc is not a saved model id (m- and 16 hex digits), or such ids by teacher, comma-separated; using none.']);
  });

  it('names saved teachers by slot: several, the second only, never a trailing empty slot or more than eight', () => {
    const a = 'm-0123456789abcdef';
    const b = 'm-fedcba9876543210';
    for (const value of [`${a},${b}`, `,${b}`, `${a},,${b}`, `${a},${a}`]) expect(parseUrl(`savedTeacher=${value}`).config.savedTeacher, value).toBe(value);
    expect(parseUrl(serializeConfig({ ...DEFAULT_CONFIG, savedTeacher: `,${b}` })).config.savedTeacher).toBe(`,${b}`);
    for (const value of [`${a},`, ',', `${a};${b}`, `${a},m-123`, Array(9).fill(a).join(',')]) {
      const parsed = parseUrl(`savedTeacher=${encodeURIComponent(value)}`);
      expect(parsed.config.savedTeacher, value).toBe('');
      expect(parsed.notes, value).toHaveLength(1);
    }
    expect(savedTeacherSlots('')).toEqual([]);
    expect(savedTeacherSlots(`,${b}`)).toEqual(['', b]);
    expect(withSavedTeacherSlot('', 1, b)).toBe(`,${b}`);
    expect(withSavedTeacherSlot(`${a},${b}`, 1, '')).toBe(a);
    expect(withSavedTeacherSlot(`,${b}`, 1, '')).toBe('');
    expect(withSavedTeacherSlot(a, 0, b)).toBe(b);
  });

  it('backend: auto by default, each backend name (wasm included) forces one, anything else falls back to auto with a note', () => {
    expect(DEFAULT_CONFIG.backend).toBe('auto');
    for (const name of ['webgpu', 'webgl', 'wasm', 'cpu', 'auto'] as const) expect(parseUrl(`backend=${name}`).config.backend).toBe(name);
    const bad = parseUrl('backend=cuda');
    expect(bad.config.backend).toBe('auto');
    expect(bad.notes).toHaveLength(1);
    expect(bad.notes[0]).toContain('backend=cuda');
  });

  it('uses the testing-contract names', () => {
    const { config, autostart } = parseUrl('dataset=cifar10-subset&teacher=tiny-cnn&student=tiny-cnn&method=kd&epochs=1&subset=128&testSubset=128&batch=32&lr=0.1&T=3&alpha=0.7&seed=5&backend=cpu&autostart=1');
    expect(config).toMatchObject({ teacher: 'tiny-cnn', epochs: 1, subset: 128, testSubset: 128, batch: 32, lr: 0.1, seed: 5, backend: 'cpu' });
    expect(config.methodParams).toEqual({ T: 3, alpha: 0.7, ceWeight: 0.1 });
    expect(autostart).toBe(true);
  });

  it('ignores unknown keys, clamps out-of-range values and refuses bad ones, each with a note', () => {
    const { config, notes } = parseUrl('bogus=1&epochs=100000&batch=2&teacher=resnet9000&lr=abc&T=100&augment=maybe');
    expect(config.epochs).toBe(500);
    expect(config.batch).toBe(8);
    expect(config.teacher).toBe(DEFAULT_CONFIG.teacher);
    expect(config.lr).toBe(DEFAULT_CONFIG.lr);
    expect(config.methodParams.T).toBe(20);
    expect(config.augment).toBe(DEFAULT_CONFIG.augment);
    expect(notes).toHaveLength(6);
    expect(notes.join('\n')).toMatch(/epochs=100000 is above the maximum; using 500/);
    expect(notes.join('\n')).toMatch(/teacher=resnet9000 is not one of/);
    expect(notes.join('\n')).not.toMatch(/bogus/);
  });

  it('gives the method its own defaults when the method changes', () => {
    expect(parseUrl('method=scratch').config.methodParams).toEqual({});
  });

  it('refuses a teacher the method cannot use, with the reason', () => {
    const problems = validateConfig({ ...DEFAULT_CONFIG, method: 'camkd', teacher: 'mobilenetv2', methodParams: { teachers: 2, beta: 50, T: 4, alpha: 1, ceWeight: 1 } });
    expect(problems.teacher).toMatch(/teacher's head/);
    expect(validateConfig({ ...DEFAULT_CONFIG, method: 'camkd', teacher: 'resnet8', methodParams: { teachers: 2, beta: 50, T: 4, alpha: 1, ceWeight: 1 } })).toEqual({});
  });

  it('validates a form-edited config with a reason per field', () => {
    expect(validateConfig(DEFAULT_CONFIG)).toEqual({});
    const problems = validateConfig({ ...DEFAULT_CONFIG, epochs: 0, lr: Number.NaN, methodParams: { ...DEFAULT_CONFIG.methodParams, T: -1 } });
    expect(Object.keys(problems).sort()).toEqual(['T', 'epochs', 'lr']);
  });

  it('round-trips the step schedule\'s milestones and decay, and leaves them out of other schedules\' links', () => {
    const config = { ...DEFAULT_CONFIG, epochs: 24, schedule: 'step' as const, milestones: '15,18,21', decay: 0.2 };
    const query = serializeConfig(config);
    expect(query).toContain('milestones=15%2C18%2C21');
    expect(query).toContain('decay=0.2');
    expect(parseUrl(query)).toEqual({ config, autostart: false, notes: [] });
    expect(serializeConfig(DEFAULT_CONFIG)).not.toMatch(/milestones|decay/);
    expect(serializeConfig({ ...DEFAULT_CONFIG, schedule: 'step' })).not.toContain('milestones'); // '' is the default
  });

  it('a link without milestones keeps its old meaning: x0.1 at 62.5/75/87.5% of the epochs', () => {
    const { config, notes } = parseUrl('schedule=step&epochs=30');
    expect(config).toMatchObject({ milestones: '', decay: 0.1 });
    expect(notes).toEqual([]);
  });

  it('refuses milestones that are malformed, outside the epochs or not ascending, and a decay outside (0, 1], each with a note', () => {
    const malformed = parseUrl('schedule=step&epochs=24&milestones=15;18');
    expect(malformed.config.milestones).toBe('');
    expect(malformed.notes).toEqual(['milestones=15;18 should be whole epochs separated by commas, e.g. 15,18,21 (at most 10); using none.']);
    const outside = parseUrl('schedule=step&epochs=20&milestones=15,18,21');
    expect(outside.config.milestones).toBe('');
    expect(outside.notes).toEqual(['milestones=15,18,21: epoch 21 is not within 1..20 (the student epochs); using none (62.5, 75 and 87.5% of the epochs).']);
    expect(parseUrl('schedule=step&epochs=24&milestones=18,15').notes).toEqual(['milestones=18,15 must rise from one epoch to the next; using none (62.5, 75 and 87.5% of the epochs).']);
    const zero = parseUrl('schedule=step&decay=0');
    expect(zero.config.decay).toBe(1e-4);
    expect(zero.notes).toEqual(['decay=0 is below the minimum; using 0.0001.']);
    expect(parseUrl('schedule=step&decay=2').notes).toEqual(['decay=2 is above the maximum; using 1.']);
    expect(parseUrl('schedule=step&decay=x').notes).toEqual(['decay=x is not a number; using 0.1.']);
  });

  it('checks milestones in the form against the epochs only with the step schedule, naming the field', () => {
    const step = { ...DEFAULT_CONFIG, schedule: 'step' as const, epochs: 24, milestones: '15,18,21' };
    expect(validateConfig(step)).toEqual({});
    expect(validateConfig({ ...step, epochs: 20 })).toEqual({ milestones: 'Decay after epochs=15,18,21: epoch 21 is not within 1..20 (the student epochs)' });
    expect(validateConfig({ ...step, milestones: '15 18' })).toEqual({ milestones: 'Decay after epochs=15 18 should be whole epochs separated by commas, e.g. 15,18,21 (at most 10)' });
    expect(validateConfig({ ...step, decay: 0 })).toEqual({ decay: 'Decay factor=0 is below the minimum; using 0.0001' });
    expect(validateConfig({ ...step, schedule: 'cosine', epochs: 20, decay: 0 })).toEqual({}); // hidden and unused
  });

  it('reads a config saved before milestones existed as the step schedule it trained with', () => {
    const { milestones: _m, decay: _d, ...old } = { ...DEFAULT_CONFIG, schedule: 'step' as const };
    expect(withScheduleDefaults(old)).toEqual({ ...DEFAULT_CONFIG, schedule: 'step' });
    expect(parseUrl(serializeConfig(old as never))).toEqual({ config: { ...DEFAULT_CONFIG, schedule: 'step' }, autostart: false, notes: [] });
  });
});
