#!/usr/bin/env node
// Runs the Python tests (python/) with the first Python that has torch, numpy and pytest: $PYTHON, python3,
// then Debian's /usr/bin/python3 (a pyenv or venv python3 on PATH often lacks Debian's python3-torch).
// Without one it says so and passes, unless REQUIRE_TORCH=1 (set by .ci/run, which installs python3-torch).
import { spawnSync } from 'node:child_process';
import { findTorchPython, PYTHON_CANDIDATES } from './torchPython.mjs';

const python = findTorchPython(['torch', 'numpy', 'pytest']);
if (!python) {
  const message = `python: no Python with torch, numpy and pytest (tried ${PYTHON_CANDIDATES.join(', ')}); install Debian's python3-torch python3-numpy python3-pytest, or set PYTHON.`;
  if (process.env.REQUIRE_TORCH === '1') {
    console.error(message);
    process.exit(1);
  }
  console.warn(`${message} The PyTorch export tests did not run.`);
  process.exit(0);
}
const run = spawnSync(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'python'], { stdio: 'inherit', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
process.exit(run.status ?? 1);
