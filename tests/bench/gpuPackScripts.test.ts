/**
 * The pack's run.sh (bench/gpu/run.sh) picks the Vulkan driver file: DISTILLERY_VK_ICD first, then the
 * loader's own VK_ICD_FILENAMES. The runner itself is replaced by a script that prints what it was given,
 * so this checks the shell's choices only; the pack as a whole is verified by hand (README, "GPU runner").
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const pack = mkdtempSync(join(os.tmpdir(), 'distillery-pack-'));
copyFileSync(join('bench', 'gpu', 'run.sh'), join(pack, 'run.sh'));
writeFileSync(join(pack, 'node'), '#!/bin/sh\necho "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset}"\necho "args=$*"\n');
chmodSync(join(pack, 'node'), 0o755);

function runPack(env: Record<string, string>): string {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', DISTILLERY_RESULTS_DIR: join(pack, 'results') };
  const run = spawnSync('sh', [join(pack, 'run.sh'), '--models', 'tiny-cnn'], { env: { ...base, ...env }, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe("the pack's run.sh", () => {
  afterAll(() => rmSync(pack, { recursive: true, force: true }));

  it('takes the driver file DISTILLERY_VK_ICD names, over VK_ICD_FILENAMES', () => {
    const output = runPack({ DISTILLERY_VK_ICD: '/drivers/named.json', VK_ICD_FILENAMES: '/drivers/other.json' });
    expect(output).toContain('VK_ICD_FILENAMES=/drivers/named.json');
  });

  it("keeps the loader's VK_ICD_FILENAMES when set, and passes the runner its output folder, script and options", () => {
    const output = runPack({ VK_ICD_FILENAMES: '/drivers/other.json' });
    expect(output).toContain('VK_ICD_FILENAMES=/drivers/other.json');
    expect(output).toContain(`args=${join(pack, 'gpu-bench.mjs')} --out ${join(pack, 'results')} --torch-script ${join(pack, 'python', 'bench_train_step.py')} --models tiny-cnn`);
  });

  it('both pack scripts parse', () => {
    for (const script of ['run.sh', 'run-pack.sh']) expect(spawnSync('sh', ['-n', join('bench', 'gpu', script)]).status).toBe(0);
  });
});
