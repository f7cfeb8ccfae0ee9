/**
 * The GPU runner, bundled as it ships (bench/gpu/build.mjs), on the software Vulkan driver that Debian's
 * chromium package ships (SwiftShader): CI has no GPU, so this checks the runner's path and its labelling
 * (software, never "GPU"), not speed. Tiny CNN, scratch, small batch, no PyTorch: about half a minute.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuReport } from '../../bench/gpu/report';

const SWIFTSHADER_ICD = process.env.VK_SWIFTSHADER_ICD ?? '/usr/lib/chromium/vk_swiftshader_icd.json';
const RUNNER = join('bench', 'gpu', 'out', 'gpu-bench.mjs');

/** Chromium's folder holds its own Vulkan loader (libvulkan.so.1) beside the driver: no libvulkan1 needed. */
function vulkanEnv(icd: string): NodeJS.ProcessEnv {
  const libraryPath = [dirname(SWIFTSHADER_ICD), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { ...process.env, VK_ICD_FILENAMES: icd, LD_LIBRARY_PATH: libraryPath };
}

function runRunner(icd: string, out: string) {
  const args = [RUNNER, '--models', 'tiny-cnn', '--methods', 'scratch', '--batch', '8', '--warmup', '1', '--steps', '1', '--no-torch', '--out', out];
  return spawnSync(process.execPath, args, { env: vulkanEnv(icd), encoding: 'utf8', timeout: 150_000 });
}

describe('GPU runner on the software Vulkan driver', () => {
  const out = mkdtempSync(join(os.tmpdir(), 'distillery-gpu-'));

  beforeAll(() => {
    if (!existsSync(SWIFTSHADER_ICD)) throw new Error(`${SWIFTSHADER_ICD} is missing: install Debian's chromium (it ships SwiftShader's Vulkan driver), or set VK_SWIFTSHADER_ICD`);
    execFileSync(process.execPath, [join('bench', 'gpu', 'build.mjs')], { stdio: 'pipe' });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures the tiny CNN and labels the figures software, not GPU', () => {
    const run = runRunner(SWIFTSHADER_ICD, out);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'results-gpu.json'), 'utf8')) as GpuReport;
    expect(report.adapter.software).toBe(true);
    expect(report.adapter.architecture).toMatch(/swiftshader/i);
    expect(report.label).not.toBe('GPU');
    expect(report.rows.map((r) => [r.model, r.method, r.batch])).toEqual([['tiny-cnn', 'scratch', 8]]);
    const [row] = report.rows;
    expect(row!.oursImagesPerSecond).toBeGreaterThan(0);
    expect(row!.baselineImagesPerSecond).toBeGreaterThan(0);
    expect(row!.firstStepSeconds).toBeGreaterThan(0);
    expect(row!.memory.gpuBytesAllocated).toBeGreaterThan(0);
    expect(report.torch).toEqual({ absent: 'not run (--no-torch)' });
    const markdown = readFileSync(join(out, 'results-gpu.md'), 'utf8');
    expect(markdown).toContain('not a GPU figure');
    expect(markdown).toContain('| tiny-cnn | scratch |');
  });

  it('without a Vulkan device says so and exits non-zero, writing nothing', () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'distillery-gpu-none-'));
    try {
      const run = runRunner(join(empty, 'no_such_icd.json'), empty);
      expect(run.status).toBe(3);
      expect(run.stderr).toContain('No Vulkan device');
      expect(existsSync(join(empty, 'results-gpu.json'))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
