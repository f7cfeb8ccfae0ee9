/**
 * CSV for every export (tables, curves, figures' data): RFC 4180 quoting, '\n' line ends and a final newline.
 * Pure and tfjs-free, so page code and figure builders alike can use it.
 */

/** What a cell may hold: numbers and booleans are written as JavaScript prints them; null/undefined leave it empty. */
export type CsvValue = string | number | boolean | null | undefined;

/** Text a spreadsheet would run as a formula when it opens the file (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number ("-0.5", "1e-7") is read as a number, never run, so it is left as it is. */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * One cell: text that would run as a formula is defused with a leading apostrophe, then quoted when it holds
 * a comma, quote or line break. A non-finite number leaves the cell empty rather than writing "NaN".
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  const text = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, without its line end. */
export function csvRow(cells: readonly CsvValue[]): string {
  return cells.map(csvCell).join(',');
}

/** A whole file: the header line, then a line per row, each ending in '\n'. */
export function csvText(header: readonly CsvValue[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map(csvRow).join('\n') + '\n';
}
