/**
 * `npm run reproduce:teachers`: the oracle teacher's calibration and CA-MKD's weights for the strong and the
 * weak ready teacher, on the reproduction's data (the first seed's split), reported as Markdown
 * (teacherMeasures.ts).
 */
import { readDiskDataset } from './dataset';
import type { ReproductionOptions } from './options';
import { findReadyTeacher } from './readyTeacher';
import { startBackend } from './reproduce';
import { camkdWeights, loadReadyTeacher, reproductionSources, teacherCalibration, teacherReportMarkdown, type TeacherCalibration } from './teacherMeasures';

/** The two ready teachers CA-MKD weighs: the strong one first. */
export const CAMKD_TEACHERS = ['resnet56', 'resnet20-weak'] as const;

export async function measureTeachers(options: ReproductionOptions, gammas: readonly number[], log: (line: string) => void, camkdTeacherIds: readonly string[] = CAMKD_TEACHERS): Promise<string> {
  const backend = await startBackend(options.backend);
  const { data } = readDiskDataset(options.datasetsDir, options.dataset);
  const teacher = findReadyTeacher(options.teachersDir, options.teacher);
  const sources = reproductionSources(options, teacher, data, options.seeds[0] ?? 1);
  const net = await loadReadyTeacher(options.teachersDir, teacher, data);
  const oracle: TeacherCalibration[] = [];
  for (const gamma of [0, ...gammas]) {
    oracle.push(await teacherCalibration(net, sources, data.normalization, gamma));
    log(`γ ${gamma}: accuracy ${(oracle.at(-1)!.accuracy * 100).toFixed(2)}% on ${sources.test.set.count} test images (${backend})`);
  }
  const camkdTeachers = camkdTeacherIds.map((id) => findReadyTeacher(options.teachersDir, id));
  const nets = await Promise.all(camkdTeachers.map((t) => loadReadyTeacher(options.teachersDir, t, data)));
  const weights = await camkdWeights(nets, sources.train, sources.batch);
  log(`CA-MKD weights over ${weights.images} training images: ${weights.meanWeight.map((w) => w.toFixed(3)).join(', ')}`);
  [net, ...nets].forEach((n) => n.dispose());
  const testImages = sources.test.set.count;
  [sources.train, sources.test].forEach((s) => s.dispose());
  return teacherReportMarkdown({ testImages, oracle, camkd: { teachers: camkdTeachers, weights } }, teacher);
}
