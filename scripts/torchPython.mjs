// @ts-check
/**
 * The first Python that has torch, for every Node-side caller of the PyTorch package (the Python tests, the
 * tests and e2e specs that run it, the Node bench): $PYTHON, then `python3` on PATH, then Debian's
 * /usr/bin/python3, since a pyenv or venv python3 on PATH often lacks Debian's python3-torch.
 */
import { spawnSync } from 'node:child_process';

/** Where to look, in order. */
export const PYTHON_CANDIDATES = /** @type {string[]} */ ([process.env.PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean));

/**
 * The first candidate that imports every one of `modules`, or undefined.
 * @param {readonly string[]} [modules]
 * @returns {string | undefined}
 */
export function findTorchPython(modules = ['torch']) {
  return PYTHON_CANDIDATES.find((python) => spawnSync(python, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0);
}
