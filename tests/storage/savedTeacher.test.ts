/** Train a teacher once, keep it in the browser, distil from it in a later run (the worker's side of it). */
import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/runConfig';
import { newModelId, saveModel, savedModelRecord } from '../../src/storage/modelStore';
import { inspect } from '../../src/training/inspect';
import { ModelShelf } from '../../src/training/modelShelf';
import { runExperiment, type RunEvents } from '../../src/training/run';
import { RunControl } from '../../src/training/runControl';
import { loadSavedTeacher } from '../../src/storage/worker/savedTeacher';
import { measureStepCosts } from '../../src/training/stepCosts';
import { planRun } from '../../src/training/plan';
import { defaultMethodParams } from '../../src/contract/methodCatalog';
import { tinyRunConfig, tinyRunData } from '../helpers/synthetic';

const data = tinyRunData();
const database = `saved-teacher-${Math.random()}`;
const quiet: RunEvents = { started() {}, progress() {}, epoch() {}, learnerDone() {} };

function run(config: RunConfig, shelf: ModelShelf) {
  return runExperiment(config, data, new RunControl(), quiet, {
    measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, data.numClasses),
    shelf,
    loadSavedTeacher: (id, planned, target) => loadSavedTeacher(id, planned, target, database),
  });
}

describe('a saved teacher', () => {
  const shelf = new ModelShelf();
  afterAll(() => shelf.clear());

  it('teaches a later run as it was saved: same test logits, not trained again, nothing leaked', async () => {
    const first = await run(tinyRunConfig({ method: 'kd', epochs: 1, teacherEpochs: 1 }), shelf);
    const teacher = first.results.find((r) => r.learner.key === 'teacher0')!;
    const encoded = await shelf.with((context) => inspect({ kind: 'encodeModel', model: 'teacher0', metadata: { name: 'my teacher', dataset: 'synthetic', classNames: ['a', 'b', 'c', 'd'], testAccuracy: teacher.lastAccuracy, trainedWith: 'ce', savedAt: 1 } }, context));
    const id = newModelId();
    await saveModel(savedModelRecord(id, encoded.json, encoded.weights), database);
    shelf.clear();
    const tensors = tf.memory().numTensors;

    const epochs: string[] = [];
    const second = await runExperiment(tinyRunConfig({ method: 'kd', epochs: 1, teacherEpochs: 3, savedTeacher: id, seed: 99 }), data, new RunControl(), { ...quiet, epoch: (m) => epochs.push(m.learner) }, {
      measureCosts: (plan, train, test) => measureStepCosts(plan, tinyRunConfig(), train, test, data.numClasses),
      shelf,
      loadSavedTeacher: (savedId, planned, target) => loadSavedTeacher(savedId, planned, target, database),
    });
    const saved = second.results[0]!;
    expect(saved.learner).toMatchObject({ key: 'teacher0', role: 'teacher', label: 'Saved teacher (Tiny CNN)' });
    expect(saved).toMatchObject({ reused: true, epochs: 0 });
    expect(Array.from(saved.testLogits)).toEqual(Array.from(teacher.testLogits));
    expect(epochs).not.toContain('teacher0'); // never trained here
    expect(second.results.map((r) => r.learner.role)).toEqual(['teacher', 'scratch', 'student']);
    shelf.clear();
    expect(tf.memory().numTensors).toBe(tensors);
  }, 180_000);

  it('a missing or mismatched saved teacher ends the run with a message and leaks nothing', async () => {
    const tensors = tf.memory().numTensors;
    await expect(run(tinyRunConfig({ savedTeacher: 'm-0000000000000000' }), shelf)).rejects.toThrow(/is not in this browser/);
    const net = (await import('../../src/models/zoo')).buildNetwork('tiny-cnn', { numClasses: 4, name: 'other', seed: 1 });
    const { encodeNetwork } = await import('../../src/models/networkWeights');
    const encoded = await encodeNetwork(net, { name: 'tiny', dataset: 'synthetic', classNames: [], testAccuracy: null, trainedWith: '', savedAt: 1 });
    net.dispose();
    const id = newModelId();
    await saveModel(savedModelRecord(id, encoded.json, encoded.weights), database);
    await expect(run(tinyRunConfig({ savedTeacher: id, teacher: 'resnet8' }), shelf)).rejects.toThrow(/is a Tiny CNN, but the teacher setting is ResNet-8/);
    shelf.clear();
    expect(tf.memory().numTensors).toBe(tensors);
  }, 120_000);

  it('stands in for the teacher of each slot it names, the other slots trained; slots beyond the method\u2019s teachers get a note', async () => {
    const first = await run(tinyRunConfig({ method: 'kd', epochs: 1, teacherEpochs: 1, seed: 5 }), shelf);
    const teacher = first.results.find((r) => r.learner.key === 'teacher0')!;
    const encoded = await shelf.with((context) => inspect({ kind: 'encodeModel', model: 'teacher0', metadata: { name: 'second slot', dataset: 'synthetic', classNames: ['a', 'b', 'c', 'd'], testAccuracy: teacher.lastAccuracy, trainedWith: 'ce', savedAt: 1 } }, context));
    const id = newModelId();
    await saveModel(savedModelRecord(id, encoded.json, encoded.weights), database);
    shelf.clear();

    const config = tinyRunConfig({ method: 'camkd', epochs: 1, teacherEpochs: 1, savedTeacher: `,${id}`, methodParams: { ...defaultMethodParams('camkd'), teachers: 2 } });
    expect(planRun(config, { trainCount: data.train.count, testCount: data.test.count }).teachers.map((t) => [t.label, t.savedModel])).toEqual([
      ['Teacher 1 (Tiny CNN)', undefined],
      ['Saved teacher 2 (Tiny CNN)', id],
    ]);
    const epochs: string[] = [];
    const second = await runExperiment(config, data, new RunControl(), { ...quiet, epoch: (m) => epochs.push(m.learner) }, {
      measureCosts: (plan, train, test) => measureStepCosts(plan, config, train, test, data.numClasses),
      shelf,
      loadSavedTeacher: (savedId, planned, target) => loadSavedTeacher(savedId, planned, target, database),
    });
    const [trained, saved] = second.results;
    expect(trained).toMatchObject({ reused: false, epochs: 1 });
    expect(saved).toMatchObject({ reused: true, epochs: 0 });
    expect(Array.from(saved!.testLogits)).toEqual(Array.from(teacher.testLogits));
    expect(epochs).toContain('teacher0');
    expect(epochs).not.toContain('teacher1');
    shelf.clear();

    const kd = planRun(tinyRunConfig({ method: 'kd', savedTeacher: `${id},${id}` }), { trainCount: data.train.count, testCount: data.test.count });
    expect(kd.teachers.map((t) => t.savedModel)).toEqual([id]);
    expect(kd.notes).toContain('savedTeacher names 2 teachers, but Hinton KD distils from 1: the saved models after the first are not used.');
  }, 180_000);
});
