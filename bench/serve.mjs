// @ts-check
/**
 * The benchmark's outside world: the dataset setup, a production build in its own folder (never `dist/`,
 * which other work uses), `vite preview` serving it on its own port, and headless Chromium with the
 * verified WebGPU-on-SwiftShader flags. Everything started here is stopped by `stop()` / `close()`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

/** Runs a command, keeping its output; rejects with the tail of it when the command fails. */
export function runCommand(command, args, { cwd, env = process.env }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.split('\n').slice(-30).join('\n')}`));
    });
  });
}

/**
 * The Chromium flags of playwright.config.ts (WEBGPU_FLAGS), read from its text: Node cannot import the
 * TypeScript file, and one list is better than two that drift apart.
 * @param {string} root
 * @returns {string[]}
 */
export function readWebgpuFlags(root) {
  const text = readFileSync(join(root, 'playwright.config.ts'), 'utf8');
  const list = text.match(/export const WEBGPU_FLAGS = \[([\s\S]*?)\];/);
  const flags = list ? [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]) : [];
  if (flags.length === 0) throw new Error('playwright.config.ts has no WEBGPU_FLAGS list to launch Chromium with');
  return flags;
}

/**
 * `vite preview` of `outDir` on `port`, in its own process group so that stopping it stops everything it
 * started. Resolves once the page answers.
 * @param {{ root: string, outDir: string, port: number }} options
 */
export async function startPreview({ root, outDir, port }) {
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (code ${child.exitCode}); is port ${port} in use?\n${output}`);
    try {
      const response = await fetch(`${url}bench.html`);
      if (response.ok) return { url, stop, exited };
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stop();
  throw new Error(`vite preview did not answer on ${url} within 30 s:\n${output}`);
}

/**
 * Chromium as the end-to-end tests launch it (CHROMIUM_PATH or Debian's /usr/bin/chromium), plus any
 * extra flags; `headed` shows the window (a real GPU often needs it), `realGpu` drops the flags that force
 * SwiftShader so Chromium picks the machine's GPU.
 * @param {{ root: string, headed: boolean, realGpu: boolean, extraArgs: string[] }} options
 */
export async function launchBrowser({ root, headed, realGpu, extraArgs }) {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const flags = readWebgpuFlags(root).filter((flag) => !(realGpu && flag.includes('swiftshader')));
  const args = [...flags, ...extraArgs];
  const browser = await chromium.launch({ executablePath, args, headless: !headed });
  return { browser, executablePath, args };
}
