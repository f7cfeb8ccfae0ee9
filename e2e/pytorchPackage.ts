/**
 * The PyTorch package (python/distillery_torch) driven from the e2e tests: the page's export downloaded, run by
 * torchrun with the first Python that has torch, and the run bundle it writes read back.
 */
import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { findTorchPython, PYTHON_CANDIDATES } from '../scripts/torchPython.mjs';

const SUBSET_DIR = resolve(process.env.KD_SUBSET_DIR ?? join(process.cwd(), '..', 'shared', 'datasets', 'cifar10-subset'));
/** Skips (or fails under REQUIRE_TORCH=1) without a Python that has torch; else that Python. */
export function requireTorchPython(): string | null {
  const python = findTorchPython(['torch', 'numpy']);
  if (python) return python;
  const message = `no Python with torch and numpy (tried ${PYTHON_CANDIDATES.join(', ')}): install Debian's python3-torch python3-numpy, or set PYTHON.`;
  if (process.env.REQUIRE_TORCH === '1') throw new Error(message);
  test.skip(true, `${message} The PyTorch run test did not run.`);
  return null;
}

/**
 * torchrun, two CPU processes, on the exported zip and `data` (null: the zip carries its images); the run
 * bundle it writes. `--redirects 1 --tee 1`: Debian's torch 1.13 on Python 3.11 cannot parse the default `0`
 * (IntFlag iteration skips zero), so stdout goes to a log and is teed to the console.
 */
export async function torchrun(python: string, zipPath: string, out: string, data: string | null = SUBSET_DIR): Promise<{ bundleName: string; bundleText: string }> {
  // Its own rendezvous port, so that two runs can start at once (the default, 29500, is one for all).
  const args = ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--master_addr=127.0.0.1', `--master_port=${await freePort()}`, '--nproc_per_node=2', '-m', 'distillery_torch', '--config', zipPath, ...(data ? ['--data', data] : []), '--out', out];
  const started = Date.now();
  const run = await promisify(execFile)(python, args, { env: { ...process.env, PYTHONPATH: resolve('python'), PYTHONDONTWRITEBYTECODE: '1' }, timeout: 6 * 60_000, maxBuffer: 16 * 2 ** 20 }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`torchrun failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
  });
  console.log(`torchrun --nproc_per_node=2 (${zipPath.split('/').pop()}): ${((Date.now() - started) / 1000).toFixed(1)} s\n${run.stdout.trim().split('\n').slice(-2).join('\n')}`);
  const bundleName = (await readdir(out)).find((f) => f.endsWith('.distillery-run.json'));
  expect(bundleName, `a run bundle in ${out}`).toBeDefined();
  return { bundleName: bundleName!, bundleText: await readFile(join(out, bundleName!), 'utf8') };
}

/** A TCP port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    }).on('error', fail);
  });
}

/** "Run it on PyTorch" on the page's current settings, saved into `folder`; its path. */
export async function exportZip(page: Page, folder: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('pytorch-export-button').click()]);
  const zipPath = join(folder, download.suggestedFilename());
  await download.saveAs(zipPath);
  return zipPath;
}
