import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, parseUrl, serializeConfig, validateConfig } from '../../src/config/fields';

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
    expect(bad.notes).toEqual(['savedTeacher=../../etc is not a valid name; using none.']);
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
});
