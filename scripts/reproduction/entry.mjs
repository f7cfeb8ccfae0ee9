// What the reproduction's command-line entry points (scripts/reproduce*.mjs, measure-teachers.mjs) share: the
// TypeScript of this folder loaded through Vite's module runner, a failure printed as its message, and the
// shared reproduction flags read over the defaults.
import { runnerImport } from 'vite';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** A module of scripts/reproduction/ (`./options.ts`) or of the repository (`../../src/...`). */
export const load = (file) => runnerImport(new URL(file, import.meta.url).pathname, { configFile: false, logLevel: 'error' }).then((r) => r.module);

export function fail(error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

/** The reproduction's options from `shared` (the flags a script did not take itself), or the process exits with why. */
export async function reproductionOptions(shared, defaults = {}) {
  const { parseReproductionArgs, DEFAULT_OPTIONS } = await load('./options.ts');
  try {
    return parseReproductionArgs(shared, { ...DEFAULT_OPTIONS, ...defaults });
  } catch (error) {
    return fail(error);
  }
}

/** The PyTorch side's Python: $PYTHON or Debian's, CIFAR in its official layout beside the repository, the package in python/. */
export const defaultPython = () => ({ python: process.env.PYTHON ?? '/usr/bin/python3', data: `${ROOT}../shared/datasets/cifar10-subset`, packageDir: `${ROOT}python` });

/** Takes `--python PATH` and `--data DIR` at `args[i]` into `python`; returns the index of the flag's value, or -1 when it is another flag. */
export function takePythonFlag(args, i, python) {
  const flag = args[i];
  if (flag !== '--python' && flag !== '--data') return -1;
  python[flag.slice(2)] = args[i + 1] ?? fail(`${flag} needs a value.`);
  return i + 1;
}
