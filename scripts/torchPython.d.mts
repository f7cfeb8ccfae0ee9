/** Types of scripts/torchPython.mjs. */
export declare const PYTHON_CANDIDATES: readonly string[];
export declare function findTorchPython(modules?: readonly string[]): string | undefined;
