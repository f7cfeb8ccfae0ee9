/**
 * Whole runs through `runExperiment`, as the training worker starts them: memory at every epoch, and the
 * students' step time with and without the cache of frozen-teacher outputs.
 */
import * as tf from '@tensorflow/tfjs';
import { runExperiment, type RunData, type RunEvents, type RunServices } from '../training/run';
import { RunControl } from '../training/runControl';
import { TeacherCache } from '../training/teacherCache';
import type { MemoryReading, MemoryResult, MemoryTask, StudentPhaseTiming, TeacherCacheResult, TeacherCacheTask } from '../contract/benchProtocol';
import { benchConfig } from './benchSteps';
import { gpuBytes } from './gpuMemory';

/** No warm-up measurement: its costs only feed the progress estimate, which a benchmark does not need. */
const noCosts: RunServices['measureCosts'] = async () => ({ trainStep: {}, evalBatch: {} });

const ignore = (): void => {};

/** A tiny KD run (same model as teacher and student, augmentation on as by default), read at every epoch. */
export async function measureMemory(task: MemoryTask, data: RunData): Promise<MemoryResult> {
  const config = benchConfig('kd', { teacher: task.model, student: task.model, subset: task.subset, testSubset: task.testSubset, batch: task.batch, epochs: task.epochs, teacherEpochs: 1, augment: true });
  const readings: MemoryReading[] = [];
  const events: RunEvents = {
    started: ignore,
    progress: ignore,
    learnerDone: ignore,
    epoch: (metrics) => {
      const { numTensors, numBytes } = tf.memory();
      readings.push({ learner: metrics.learner, epoch: metrics.epoch, numTensors, numBytes, ...gpuBytes() });
    },
  };
  const tensorsBefore = tf.memory().numTensors;
  await runExperiment(config, data, new RunControl(), events, { measureCosts: noCosts });
  return { readings, tensorsBefore, tensorsAfter: tf.memory().numTensors };
}

/**
 * Records the time of every event; the students' step time is the sum of the intervals that end in a
 * students' progress event (one per lockstep step), so evaluation (which ends in an epoch event) is left
 * out while anything the cache does between the teacher's end and the first student step is counted.
 */
function studentPhaseClock(cacheTeacherOutputs: boolean, batch: number): { events: RunEvents; timing: () => StudentPhaseTiming } {
  let last = performance.now();
  let seconds = 0;
  let steps = 0;
  const mark = () => {
    const now = performance.now();
    const interval = (now - last) / 1000;
    last = now;
    return interval;
  };
  const events: RunEvents = {
    started: () => void mark(),
    epoch: () => void mark(),
    learnerDone: () => void mark(),
    progress: (progress) => {
      const interval = mark();
      if (progress.phase !== 'students') return;
      seconds += interval;
      steps += 1;
    },
  };
  return { events, timing: () => ({ cacheTeacherOutputs, seconds, steps, batch }) };
}

/**
 * KD from a larger teacher with augmentation off: the student phase with the teacher-output cache on and
 * off, alternating. The teacher is trained once (the session's teacher reuse, in an untimed first run)
 * and shared by every run.
 */
export async function measureTeacherCache(task: TeacherCacheTask, data: RunData, log: (text: string) => void): Promise<TeacherCacheResult> {
  const config = benchConfig('kd', {
    teacher: task.teacher,
    student: task.student,
    subset: task.subset,
    testSubset: task.testSubset,
    batch: task.batch,
    epochs: task.epochs,
    teacherEpochs: 1,
    augment: false,
    reuseTeachers: true,
  });
  const teacherCache = new TeacherCache();
  const runs: StudentPhaseTiming[] = [];
  try {
    // Untimed: trains the shared teacher and compiles every shader the timed runs use.
    const warmup: RunServices = { measureCosts: noCosts, teacherCache, cacheTeacherOutputs: true };
    await runExperiment({ ...config, epochs: 1 }, data, new RunControl(), studentPhaseClock(true, task.batch).events, warmup);
    log('teacher trained, shaders compiled; timing the student phase');
    for (let repeat = 0; repeat < task.repeats; repeat++) {
      // Cached first: any warm-up left falls on the cache, so the speed-up is not flattered.
      for (const cacheTeacherOutputs of [true, false]) {
        const clock = studentPhaseClock(cacheTeacherOutputs, task.batch);
        const services: RunServices = { measureCosts: noCosts, teacherCache, cacheTeacherOutputs };
        await runExperiment(config, data, new RunControl(), clock.events, services);
        const timing = clock.timing();
        log(`cacheTeacherOutputs=${cacheTeacherOutputs}: ${timing.steps} student steps in ${timing.seconds.toFixed(1)} s`);
        runs.push(timing);
      }
    }
  } finally {
    teacherCache.clear();
  }
  return { runs };
}
