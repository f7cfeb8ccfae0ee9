/**
 * A reproduction run as the page's "Run it on PyTorch" zip, in a scratch folder that lives only as long as
 * `use` runs: what the PyTorch side trains from and what the comparison scores the kept models with.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReadyTeacher } from '../../src/contract/readyTeachers';
import { serializeConfig } from '../../src/config/fields';
import { exportFromLink } from '../pytorchRun/exportFromLink';
import type { ReproductionOptions } from './options';
import type { PlannedRun } from './recipe';

export function withRunExport<T>(options: ReproductionOptions, teacher: ReadyTeacher, run: PlannedRun, use: (zip: string, scratch: string) => T): T {
  const scratch = mkdtempSync(path.join(tmpdir(), `reproduction-${run.name}-`));
  try {
    const { exported } = exportFromLink({ link: serializeConfig(run.config), teacher: path.join(options.teachersDir, teacher.file), datasets: options.datasetsDir, now: Date.now() });
    const zip = path.join(scratch, exported.fileName);
    writeFileSync(zip, exported.bytes);
    return use(zip, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
