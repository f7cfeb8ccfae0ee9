import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/fields';
import type { RunConfig } from '../../src/config/runConfig';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import { RUN_BUNDLE_FORMAT, RUN_BUNDLE_MAX_BYTES, RunBundleError, parseRunBundle, runBundleJson, runCurvesCsv, runFileStem } from '../../src/storage/page/runBundle';
import { runsCsv } from '../../src/viz/runsFigure';
import type { SavedLearner, SavedRun } from '../../src/storage/page/runStore';
import type { EpochMetrics } from '../../src/contract/protocol';

const LEARNERS: SavedLearner[] = [
  { key: 'teacher0', role: 'teacher', label: 'Teacher (ResNet-8)', model: 'resnet8', method: 'scratch' },
  { key: 'scratch', role: 'scratch', label: 'Scratch student', model: 'tiny-cnn', method: 'scratch' },
  { key: 'student', role: 'student', label: 'KD student, "tiny"', model: 'tiny-cnn', method: 'kd' },
];

function epoch(learner: string, n: number, extra: Partial<EpochMetrics> = {}): EpochMetrics {
  const terms: Record<string, number> = learner === 'student' ? { ce: 1.25, kd: 0.5 } : { ce: 1.5 };
  return { learner, epoch: n, lr: 0.05 / n, trainLoss: 1.5, terms, diagnostics: {}, trainAccuracy: 0.5, testAccuracy: 0.3 + n / 10, testNll: 1.2, ece: 0.05, seconds: 2 * n, ...extra };
}

function savedRun(config: Partial<RunConfig> = {}): SavedRun {
  return {
    id: 'local-1',
    name: 'KD · resnet8 → tiny-cnn · seed 1',
    config: { ...DEFAULT_CONFIG, epochs: 2, methodParams: { ...DEFAULT_CONFIG.methodParams }, ...config },
    finishedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
    seconds: 42.25,
    backend: 'webgpu',
    adapter: 'Acme GPU',
    stopped: false,
    learners: LEARNERS,
    // Out of order on purpose: the CSV sorts by learner, then epoch.
    epochs: [...LEARNERS.flatMap((l) => [epoch(l.key, 2), epoch(l.key, 1)]), epoch('student', 3, { stage: 'refine', diagnostics: { 'weight, teacher0': 0.75 } })],
    results: LEARNERS.map((l) => ({ key: l.key, label: l.label, role: l.role, bestAccuracy: 0.52, bestEpoch: 2, lastAccuracy: 0.5, ece: 0.031, nll: 1.1, epochs: 2, reused: l.role === 'teacher' })),
  };
}

let ids = 0;
const options = { newId: () => `new-${++ids}`, now: 1_700_000_000_000, fileName: 'shared.distillery-run.json' };
const parse = (text: string) => parseRunBundle(text, options);

/** The bundle as a JSON object, changed by `edit`, back to text: the way a damaged file looks. */
function edited(edit: (bundle: { [key: string]: unknown; run: Record<string, unknown> }) => void, run = savedRun()): string {
  const bundle = JSON.parse(runBundleJson(run));
  edit(bundle);
  return JSON.stringify(bundle);
}

function refusal(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RunBundleError);
    return (error as Error).message;
  }
  throw new Error('the bundle was accepted');
}

describe('run bundle export', () => {
  it('is pretty JSON with the format, version, export date and the whole run but its local id', () => {
    const text = runBundleJson(savedRun(), Date.UTC(2025, 5, 1));
    expect(text).toContain('\n  "format": "distillery-run-bundle"');
    const json = JSON.parse(text);
    expect(json).toMatchObject({ format: RUN_BUNDLE_FORMAT, version: 1, exportedAt: '2025-06-01T00:00:00.000Z' });
    const { id: _id, ...rest } = savedRun();
    expect(json.run).toEqual(rest);
  });

  it('round-trips: a parsed export equals the run apart from its fresh id and import mark', () => {
    const original = savedRun();
    const first = parse(runBundleJson(original));
    const second = parse(runBundleJson(original));
    expect(first.notes).toEqual([]);
    const { id, importedFrom, ...rest } = first.run;
    expect(rest).toEqual((({ id: _id, ...r }) => r)(original));
    expect(id).not.toBe(original.id);
    expect(second.run.id).not.toBe(id); // importing twice gives two runs, never one overwritten
    expect(importedFrom).toEqual({ fileName: 'shared.distillery-run.json', at: options.now });
    // Re-exporting an imported run drops its import mark: the file is the same run again.
    expect(JSON.parse(runBundleJson(first.run)).run).toEqual(JSON.parse(runBundleJson(original)).run);
  });

  it('keeps another method\u2019s setting (the custom loss) and a null adapter through the round trip', () => {
    const original = { ...savedRun({ userLoss: 'return tf.scalar(0); // mine' }), adapter: null };
    const { run, notes } = parse(runBundleJson(original));
    expect(notes).toEqual([]);
    expect(run.config.userLoss).toBe('return tf.scalar(0); // mine');
    expect(run.adapter).toBeNull();
  });

  it('makes a safe file stem from the run name', () => {
    expect(runFileStem('KD · resnet8 → tiny-cnn · seed 1')).toBe('kd-resnet8-tiny-cnn-seed-1');
    expect(runFileStem('../../etc/passwd')).toBe('etc-passwd');
    expect(runFileStem('蒸留 実験')).toBe('蒸留-実験');
    expect(runFileStem('***')).toBe('run');
  });
});

describe('curves CSV', () => {
  it('has one row per learner and epoch, sorted, with a column per loss term and diagnostic', () => {
    const lines = runCurvesCsv(savedRun()).trimEnd().split('\n');
    expect(lines[0]).toBe(
      'learner,label,role,stage,epoch,lr,train_loss,train_accuracy,test_accuracy,test_nll,ece,seconds,term:ce,term:kd,"diagnostic:weight, teacher0"',
    );
    expect(lines).toHaveLength(1 + savedRun().epochs.length);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 1).join())).toEqual(['teacher0', 'teacher0', 'scratch', 'scratch', 'student', 'student', 'student']);
    expect(lines[1]).toBe('teacher0,Teacher (ResNet-8),teacher,,1,0.05,1.5,0.5,0.4,1.2,0.05,2,1.5,,');
    expect(lines[5]).toBe('student,"KD student, ""tiny""",student,,1,0.05,1.5,0.5,0.4,1.2,0.05,2,1.25,0.5,');
    expect(lines[7]).toBe('student,"KD student, ""tiny""",student,refine,3,0.016666666666666666,1.5,0.5,0.6,1.2,0.05,6,1.25,0.5,0.75');
  });

  it('leaves non-finite values blank and defuses formula-like text', () => {
    const run = { ...savedRun(), learners: [{ ...LEARNERS[2]!, label: '=HYPERLINK("x")' }], epochs: [epoch('student', 1, { trainLoss: Number.NaN })] };
    const row = runCurvesCsv(run).split('\n')[1]!;
    expect(row.startsWith('student,"\'=HYPERLINK(""x"")",student,,1,0.05,,')).toBe(true);
  });

  it('names learners from the results when the run stopped before its plan arrived', () => {
    const run = { ...savedRun(), learners: [], epochs: [epoch('scratch', 1)] };
    expect(runCurvesCsv(run).split('\n')[1]).toMatch(/^scratch,Scratch student,scratch,/);
  });
});

describe('run bundle import', () => {
  it('clamps an old or out-of-range config to today\u2019s fields and says what changed', () => {
    const text = edited((b) => {
      const config = b.run.config as Record<string, unknown>;
      config.epochs = 900;
      config.schedule = 'exponential';
      config.removedSetting = 3;
      delete config.teacherEpochs;
      (config.methodParams as Record<string, unknown>).T = 1000;
    });
    const { run, notes } = parse(text);
    expect(run.config).toMatchObject({ epochs: 500, schedule: 'cosine', teacherEpochs: DEFAULT_CONFIG.teacherEpochs });
    expect(run.config).not.toHaveProperty('removedSetting');
    expect(run.config.methodParams).toEqual({ ...defaultMethodParams('kd'), T: expect.any(Number) });
    expect(run.config.methodParams.T).toBeLessThan(1000);
    expect(notes.join('\n')).not.toMatch(/teacherEpochs/); // a setting newer than the bundle: its default, as an old link
    expect(notes.join('\n')).toMatch(/epochs=900 is above the maximum; using 500/);
    expect(notes.join('\n')).toMatch(/schedule=exponential is not one of/);
    expect(notes.join('\n')).toMatch(/T=1000 is above the maximum/);
  });

  it('reads a bundle from before the hold-out as holdout=0, with a note, and a new one as it was', () => {
    const old = parse(edited((b) => delete (b.run.config as Record<string, unknown>).holdout));
    expect(old.run.config.holdout).toBe(false);
    expect(old.notes.join('\n')).toMatch(/before the hold-out existed: nothing was held out/);
    const current = parse(runBundleJson({ ...savedRun(), config: { ...savedRun().config, holdout: true } }));
    expect(current.run.config.holdout).toBe(true);
    expect(current.notes).toEqual([]);
  });

  it('reads a NaN loss term written as null back as NaN', () => {
    const run = { ...savedRun(), epochs: [epoch('student', 1, { terms: { ce: 1, kd: Number.NaN } })] };
    expect(parse(runBundleJson(run)).run.epochs[0]!.terms.kd).toBeNaN();
  });

  const csvOfRuns = runsCsv([savedRun()]);
  const refused: [string, () => string, RegExp][] = [
    ['an empty file', () => '  \n', /file is empty/],
    ['plain text', () => 'hello there', /not JSON/],
    ['the runs CSV', () => csvOfRuns, /runs table CSV/],
    ['a curves CSV', () => runCurvesCsv(savedRun()), /curves CSV/],
    ['some other CSV', () => 'a,b\n1,2\n', /looks like a CSV/],
    ['truncated JSON', () => runBundleJson(savedRun()).slice(0, 300), /not valid JSON: it may be cut short or damaged/],
    ['a JSON list', () => '[1, 2]', /holds a list, not a run bundle/],
    ['a JSON number', () => '42', /holds a single value/],
    ['a model.json', () => JSON.stringify({ format: 'distillery-network', modelTopology: { model: 'resnet8' }, weightsManifest: [] }), /model file \(model\.json\)/],
    ['a tfjs layers model', () => JSON.stringify({ format: 'layers-model', modelTopology: {} }), /model file/],
    ['another format', () => edited((b) => (b.format = 'something-else')), /format is "something-else"/],
    ['no format', () => edited((b) => delete b.format), /format is missing/],
    ['a newer version', () => edited((b) => (b.version = 2)), /newer Distillery \(bundle version 2; this page reads version 1\)/],
    ['a bad version', () => edited((b) => (b.version = 'one')), /bundle\.version should be a finite number, but it is the text "one"/],
    ['no run', () => edited((b) => delete (b as Record<string, unknown>).run), /run should be an object, but it is missing/],
    ['no name', () => edited((b) => delete b.run.name), /run\.name should be text, but it is missing/],
    ['an empty name', () => edited((b) => (b.run.name = '  ')), /cannot be empty/],
    ['epochs not a list', () => edited((b) => (b.run.epochs = {})), /run\.epochs should be a list, but it is an object/],
    ['a missing metric', () => edited((b) => delete (b.run.epochs as Record<string, unknown>[])[2]!.testAccuracy), /run\.epochs\[2\]\.testAccuracy should be a finite number, but it is missing/],
    ['a text metric', () => edited((b) => ((b.run.results as Record<string, unknown>[])[1]!.ece = '0.1')), /run\.results\[1\]\.ece should be a finite number, but it is the text "0\.1"/],
    ['an infinite metric', () => edited((b) => ((b.run.epochs as Record<string, unknown>[])[0]!.lr = 'INF')).replace('"INF"', '1e999'), /run\.epochs\[0\]\.lr should be a finite number, but it is Infinity/],
    ['a null metric', () => edited((b) => ((b.run.epochs as Record<string, unknown>[])[0]!.testNll = null)), /testNll should be a finite number, but it is null/],
    ['an infinite term', () => edited((b) => ((b.run.epochs as { terms: Record<string, unknown> }[])[0]!.terms.ce = 'INF')).replace('"INF"', '-1e999'), /run\.epochs\[0\]\.terms\.ce should be a finite number, but it is -Infinity/],
    ['a fractional epoch', () => edited((b) => ((b.run.epochs as Record<string, unknown>[])[0]!.epoch = 1.5)), /epoch should be a whole number from 1, but it is 1\.5/],
    ['an epoch of an unknown learner', () => edited((b) => ((b.run.epochs as Record<string, unknown>[])[3]!.learner = 'teacher7')), /run\.epochs\[3\] is for a learner "teacher7" that the run does not list \(teacher0, scratch, student\)/],
    ['a result of an unknown learner', () => edited((b) => ((b.run.results as Record<string, unknown>[])[0]!.key = 'ghost')), /run\.results\[0\] is for a learner "ghost"/],
    ['duplicate learners', () => edited((b) => (b.run.learners = [LEARNERS[0], LEARNERS[0]])), /two of its learners have the same key/],
    ['an unknown role', () => edited((b) => ((b.run.learners as Record<string, unknown>[])[1]!.role = 'assistant')), /run\.learners\[1\]\.role should be one of teacher, scratch, student/],
    ['a bad flag', () => edited((b) => (b.run.stopped = 'no')), /run\.stopped should be true or false/],
    ['a bad adapter', () => edited((b) => (b.run.adapter = 3)), /run\.adapter should be text, but it is 3/],
    ['no config', () => edited((b) => delete b.run.config), /run\.config should be an object, but it is missing/],
    ['no method parameters', () => edited((b) => delete (b.run.config as Record<string, unknown>).methodParams), /run\.config\.methodParams should be an object/],
    ['a removed method', () => edited((b) => ((b.run.config as Record<string, unknown>).method = 'crd')), /method "crd", which this version of Distillery does not have/],
  ];
  it.each(refused)('refuses %s with a clear message', (_name, make, message) => {
    expect(refusal(make())).toMatch(message);
  });

  it('refuses an oversize text before parsing it', () => {
    const huge = `{"format":"${RUN_BUNDLE_FORMAT}","pad":"${'x'.repeat(RUN_BUNDLE_MAX_BYTES)}"}`;
    expect(refusal(huge)).toMatch(/a run bundle is at most 20\.0 MB/);
  });
});
