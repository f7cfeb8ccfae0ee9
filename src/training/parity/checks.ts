/**
 * PyTorch parity checks, shared by the Node parity test (tfjs CPU, 1e-4) and the check page's worker (the
 * active backend, 1e-3): every checkpoint goes through the real import (`importTorchCheckpoint` -> model
 * files -> `restoreNetwork`) and must reproduce RepDistiller's eval logits, its `is_feat` features, one KD
 * step and one oracle step (the project's own KD loss, SGD and x* code). An entry that cannot be checked
 * yields a failed check, never none.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultMethodParams } from '../../contract/methodCatalog';
import { REPDISTILLER_MODEL_NAME, torchNames } from '../../interop/pytorch/stateDictNames/names';
import { METHODS } from '../../methods/index';
import type { Network } from '../../models/network';
import { restoreNetwork } from '../../models/networkWeights';
import { importTorchCheckpoint } from '../../models/torch/importCheckpoint';
import { teacherContext, trainStep, unpackReadout, type Learner } from '../learner';
import { Sgd } from '../sgd';
import { compare, flat, imageBatch, torchOrder, type Comparison, type FeatureTensor, type ParityModel, type ParitySource } from './assets';

/** One compared field: which entry (a checkpoint file, `kdStep`, `oracleStep`), what, and how it went. */
export interface ParityCheck {
  readonly entry: string;
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Values compared and the worst relative error, when numbers were compared. */
  readonly count?: number;
  readonly worst?: number;
}

type Record_ = (check: string, result: Pick<Comparison, 'ok' | 'detail'> & Partial<Comparison>) => void;

function recorder(entry: string, out: ParityCheck[]): Record_ {
  return (check, r) => out.push({ entry, check, ok: r.ok, detail: r.detail, ...(r.count === undefined ? {} : { count: r.count, worst: r.worst }) });
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Imports one checkpoint of the assets as a network; records the architecture it was recognised as. */
function importEntry(source: ParitySource, entry: ParityModel, name: string, record: Record_): Network {
  const imported = importTorchCheckpoint(source.readFile(entry.file), { fileName: entry.file });
  const recognised = `${REPDISTILLER_MODEL_NAME[imported.model] ?? imported.model}, ${imported.numClasses} classes`;
  record('architecture', { ok: recognised === `${entry.model}, ${entry.numClasses} classes`, detail: `recognised as ${recognised}` });
  const net = restoreNetwork(imported.json, imported.weights, name);
  record('parameters', { ok: net.params.trainableCount === entry.parameters, detail: `${net.params.trainableCount} trainable, PyTorch counts ${entry.parameters}` });
  return net;
}

function evalLogits(source: ParitySource, net: Network): Float32Array {
  return tf.tidy(() => net.apply(imageBatch(source.testImages, source.normalize), { training: false }).logits.dataSync() as Float32Array);
}

/**
 * The zoo's taps, in RepDistiller's is_feat order, with the expected value each must match. One tap differs
 * by design (models/wrn.ts): the WRN's last stage tap is relu(bn1(f3)), CA-MKD's choice, where RepDistiller
 * returns the raw f3; that tap is compared with relu(bn1(f3)) of PyTorch's f3 and the imported bn1.
 */
function checkFeatures(source: ParitySource, entry: ParityModel, net: Network, tol: number, record: Record_): void {
  tf.tidy(() => {
    const x = imageBatch(source.testImages.slice(0, 1), source.normalize);
    const { stem, stages, penultimate } = net.apply(x, { training: false }).features;
    const taps = [stem, ...stages, penultimate];
    record('feature count', { ok: taps.length === entry.features.length, detail: `${taps.length} taps, RepDistiller returns ${entry.features.length}` });
    entry.features.forEach((key, i) => {
      const expected = source.features.get(key);
      const tap = taps[i];
      if (!expected || !tap) return record(key, { ok: false, detail: expected ? 'no matching tap' : 'missing from features.safetensors' });
      const isWrnHeadTap = entry.model.startsWith('wrn_') && i === taps.length - 2;
      record(key, compare(torchOrder(tap), isWrnHeadTap ? wrnHeadTap(net, expected) : expected.values, tol));
    });
  });
}

function wrnHeadTap(net: Network, f3: FeatureTensor): Float32Array {
  const v = (name: string) => net.params.named.get(`bn/${name}`)! as tf.Tensor1D;
  const [n, c, h, w] = f3.shape as [number, number, number, number];
  const nhwc = tf.transpose(tf.tensor4d(f3.values, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D;
  return torchOrder(tf.relu(tf.batchNorm(nhwc, v('runningMean'), v('runningVariance'), v('beta'), v('gamma'), 1e-5)));
}

/** One checkpoint: its import, eval logits on the test images and every feature tap. */
export function checkModelEntry(source: ParitySource, entry: ParityModel, tol: number): ParityCheck[] {
  const out: ParityCheck[] = [];
  const record = recorder(entry.file, out);
  try {
    const net = importEntry(source, entry, `parity-${entry.model}`, record);
    try {
      record('logits', compare(evalLogits(source, net), flat(entry.logits), tol));
      checkFeatures(source, entry, net, tol, record);
    } finally {
      net.dispose();
    }
  } catch (error) {
    record('import', { ok: false, detail: message(error) });
  }
  return out;
}

/** RepDistiller's state_dict of BatchNorm running statistics after the step, against the student's. */
function checkRunningStats(student: Network, expected: Record<string, number[]>, tol: number, record: Record_): void {
  const byTorch = new Map(torchNames(student.id, student.params.named.keys()).map((n) => [n.torch, n.local]));
  for (const [torch, values] of Object.entries(expected)) {
    const local = byTorch.get(torch);
    const variable = local === undefined ? undefined : student.params.named.get(local);
    record(torch, variable ? compare(variable.dataSync(), values, tol) : { ok: false, detail: 'the student has no such statistic' });
  }
}

function entryOf(source: ParitySource, model: string): ParityModel {
  const entry = source.models.find((m) => m.model === model);
  if (!entry) throw new Error(`parity.json has no checkpoint of ${model}`);
  return entry;
}

interface StepRun {
  readonly teacher: Network;
  readonly student: Network;
  readonly learner: Learner;
  readonly data: { x: tf.Tensor4D; labels: tf.Tensor1D };
}

/** Imports the step's teacher and student, builds the learner and the batch; disposes them all afterwards. */
async function withStep(source: ParitySource, entry: 'kdStep' | 'oracleStep', method: 'kd' | 'oracle', params: Record<string, number>, body: (run: StepRun, record: Record_) => Promise<void>): Promise<ParityCheck[]> {
  const out: ParityCheck[] = [];
  const record = recorder(entry, out);
  const { kdStep } = source;
  const owned: { dispose(): void }[] = [];
  try {
    const teacher = importEntry(source, entryOf(source, kdStep.teacher), `${entry}-teacher`, record);
    owned.push(teacher);
    const student = importEntry(source, entryOf(source, kdStep.student), `${entry}-student`, record);
    owned.push(student);
    const optimizer = new Sgd(student.params.trainable, kdStep.sgd);
    owned.push(optimizer);
    const learner: Learner = {
      info: { key: 'student', role: 'student', label: 'student', model: student.id, method, parameters: student.params.trainableCount },
      net: student,
      method: METHODS[method],
      params: { ...defaultMethodParams(method), ...params },
      modules: undefined,
      moduleStore: null,
      optimizer,
    };
    const data = { x: imageBatch(kdStep.trainImages, source.normalize), labels: tf.tensor1d(kdStep.trainLabels, 'int32') };
    owned.push(data.x, data.labels);
    await body({ teacher, student, learner, data }, record);
  } catch (error) {
    record('step', { ok: false, detail: message(error) });
  } finally {
    owned.forEach((o) => o.dispose());
  }
  return out;
}

/** One KD step: resnet20 teacher, resnet8 student; the loss, the student's logits and statistics after. */
export function checkKdStep(source: ParitySource, tol: number): Promise<ParityCheck[]> {
  const { kdStep } = source;
  return withStep(source, 'kdStep', 'kd', { T: kdStep.T, ceWeight: kdStep.ceWeight, alpha: kdStep.alpha }, async ({ teacher, student, learner, data }, record) => {
    const teachers = teacherContext(learner, [teacher], data);
    const step = trainStep(learner, data, teachers, 0, kdStep.sgd.lr, undefined);
    const readout = unpackReadout(await step.packed.data(), step);
    tf.dispose([step.packed, ...teachers.outputs.map((o) => o.logits)]);
    record('loss', compare([readout.loss], [kdStep.loss], tol));
    record('student logits after', compare(evalLogits(source, student), flat(kdStep.studentLogitsAfter), tol));
    checkRunningStats(student, kdStep.studentBatchNormRunningStatsAfter, tol, record);
  });
}

/** One oracle step: x*, the teacher's logits on x*, the loss, the student's logits and statistics after. */
export function checkOracleStep(source: ParitySource, tol: number): Promise<ParityCheck[]> {
  const { kdStep, oracleStep } = source;
  const params = { T: oracleStep.T, ceWeight: oracleStep.ceWeight, alpha: oracleStep.alpha, gamma: oracleStep.gamma, steps: 1, rule: 0 };
  return withStep(source, 'oracleStep', 'oracle', params, async ({ teacher, student, learner, data }, record) => {
    const xStar = METHODS.oracle.teacherInput!(data.x, data.labels, teacher, learner.params);
    record('x* of the first image', compare(torchOrder(tf.slice(xStar, [0, 0, 0, 0], [1, 32, 32, 3])), oracleStep.xStarFirstImage, tol));
    tf.dispose(xStar);
    const teachers = teacherContext(learner, [teacher], data);
    record('teacher logits on x*', compare(teachers.outputs[0]!.logits.dataSync(), flat(oracleStep.teacherLogitsOnXStar), tol));
    const step = trainStep(learner, data, teachers, 0, kdStep.sgd.lr, undefined);
    const readout = unpackReadout(await step.packed.data(), step);
    tf.dispose([step.packed, ...teachers.outputs.flatMap((o) => [o.logits, o.features.stem, o.features.penultimate, ...o.features.stages])]);
    record('loss', compare([readout.loss], [oracleStep.loss], tol));
    record('student logits after', compare(evalLogits(source, student), flat(oracleStep.studentLogitsAfter), tol));
    checkRunningStats(student, oracleStep.studentBatchNormRunningStatsAfter, tol, record);
  });
}
