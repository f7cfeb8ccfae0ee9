import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReadyTeachers } from '../../src/contract/readyTeachers';
import { parseUrl, validateConfig } from '../../src/config/fields';
import { FIRST_VISIT_PRESET, PRESETS, parseHidden, serializeHidden, settingsSearch } from '../../src/config/view';

describe('hide=', () => {
  it('reads known parts, notes unknown ones, and writes them back in a stable order', () => {
    const view = parseHidden('?hide=runs, settings,bogus');
    expect([...view.hidden].sort()).toEqual(['runs', 'settings']);
    expect(view.notes).toEqual([expect.stringContaining('hide=bogus')]);
    expect(serializeHidden(view.hidden)).toBe('hide=settings,runs');
    expect(serializeHidden(new Set())).toBe('');
    expect(parseHidden('').hidden.size).toBe(0);
  });
});

describe('presets', () => {
  it('never carry loss code: a preset runs only the page’s own methods', () => {
    for (const preset of PRESETS) {
      const params = new URLSearchParams(preset.query);
      expect(params.has('userLoss'), preset.title).toBe(false);
      expect(params.get('method'), preset.title).not.toBe('custom');
    }
  });

  it('every preset is a link the URL table reads without a single note', () => {
    for (const preset of PRESETS) {
      const parsed = parseUrl(preset.query);
      expect(parsed.notes, preset.title).toEqual([]);
      expect(validateConfig(parsed.config), preset.title).toEqual({}); // and the form accepts it as it is
      // Every key in the link is one the config knows (nothing silently ignored).
      const params = new URLSearchParams(preset.query);
      for (const [key, value] of params) {
        if (key === 'autostart') continue;
        const known = key in parsed.config || key in parsed.config.methodParams;
        expect(known, `${preset.title}: ${key}`).toBe(true);
        const actual = key in parsed.config ? (parsed.config as unknown as Record<string, unknown>)[key] : parsed.config.methodParams[key];
        expect(typeof actual === 'boolean' ? (actual ? '1' : '0') : String(actual), `${preset.title}: ${key}`).toBe(value);
      }
    }
  });

  it('a paper preset steps at its reference milestones scaled to its epochs, in whole epochs', () => {
    const stepping = PRESETS.filter((p) => p.reference);
    expect(stepping.length).toBeGreaterThanOrEqual(5);
    for (const preset of stepping) {
      const { config } = parseUrl(preset.query);
      const { milestones, epochs } = preset.reference!;
      const scaled = milestones.map((m) => (m * config.epochs) / epochs);
      expect(scaled.every(Number.isInteger), `${preset.title}: ${scaled.join(',')}`).toBe(true);
      expect(config.schedule, preset.title).toBe('step');
      expect(config.milestones, preset.title).toBe(scaled.join(','));
      expect(preset.description, preset.title).toMatch(new RegExp(`Scaled: ${config.epochs} .*instead of ${epochs}`));
    }
  });

  it('MobileNetV2 and ShuffleNet students learn at 0.01, the others at their paper\'s rate, and one RepDistiller preset has such a student', () => {
    const small = PRESETS.filter((p) => /student=(mobilenetv2|shufflev1|shufflev2)(&|$)/.test(p.query));
    expect(small.length).toBeGreaterThanOrEqual(1);
    for (const preset of small) expect(parseUrl(preset.query).config.lr, preset.title).toBe(0.01);
    for (const preset of PRESETS.filter((p) => p.reference?.epochs === 240 && !small.includes(p))) expect(parseUrl(preset.query).config.lr, preset.title).toBe(0.05);
  });

  it('every paper preset says what it scaled', () => {
    for (const preset of PRESETS.slice(1)) expect(preset.description, preset.title).toMatch(/Scaled: /);
  });

  it('a preset that names a saved teacher names a ready one the manifest lists, with its architecture', () => {
    const ready = parseReadyTeachers(JSON.parse(readFileSync(resolve(__dirname, '../../public/teachers/manifest.json'), 'utf8')));
    const naming = PRESETS.filter((p) => new URLSearchParams(p.query).get('savedTeacher'));
    expect(naming.length).toBeGreaterThan(0);
    for (const preset of naming) {
      const params = new URLSearchParams(preset.query);
      const teacher = ready.find((t) => t.savedModelId === params.get('savedTeacher'));
      expect(teacher?.model, preset.title).toBe(params.get('teacher'));
      expect(params.has('teacherEpochs') && params.get('method') !== 'camkd', `${preset.title}: a ready teacher is not trained`).toBe(false);
    }
  });
});

describe('first visit', () => {
  it('a bare address, or one with only hide=, opens on KD from the ready ResNet-20', () => {
    const { config, notes } = parseUrl(settingsSearch(''));
    expect(notes).toEqual([]);
    expect(config).toMatchObject({ method: 'kd', teacher: 'resnet20', savedTeacher: 'm-d2639b5caf1c9468', student: 'resnet8' });
    expect(settingsSearch('')).toBe(FIRST_VISIT_PRESET.query);
    const hidden = new URLSearchParams(settingsSearch('?hide=settings'));
    expect(hidden.get('hide')).toBe('settings');
    expect(hidden.get('savedTeacher')).toBe('m-d2639b5caf1c9468');
  });

  it('a link that sets anything, a method parameter or autostart included, is read as it stands over the defaults', () => {
    for (const search of ['?teacher=tiny-cnn', '?T=2', '?autostart=1', '?seed=3&hide=runs']) {
      expect(settingsSearch(search), search).toBe(search);
      expect(parseUrl(settingsSearch(search)).config.savedTeacher, search).toBe('');
    }
  });
});
