/** Types of bench/markdown.mjs. `results` is what bench/run.mjs writes to bench/results.json. */
export declare function renderMarkdown(results: unknown): string;
