/** Types of bench/serve.mjs, for the tests (the runner itself is plain JavaScript). */
import type { Browser } from '@playwright/test';

export declare function runCommand(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string>;
export declare function readWebgpuFlags(root: string): string[];
export declare function startPreview(options: { root: string; outDir: string; port: number }): Promise<{ url: string; stop: () => void; exited: Promise<number | null> }>;
export declare function launchBrowser(options: { root: string; headed: boolean; realGpu: boolean; extraArgs: string[] }): Promise<{ browser: Browser; executablePath: string; args: string[] }>;
