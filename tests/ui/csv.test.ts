import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, csvText } from '../../src/ui/csv';

describe('CSV cells, rows and files', () => {
  it('leaves plain text alone and quotes text with a comma, quote or line break', () => {
    expect(csvCell('cat')).toBe('cat');
    expect(csvCell('')).toBe('');
    expect(csvCell('dog, big')).toBe('"dog, big"');
    expect(csvCell('say "dog"')).toBe('"say ""dog"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it('writes numbers and booleans as JavaScript prints them; NaN, ±Infinity, null and undefined as empty cells', () => {
    expect(csvCell(0)).toBe('0');
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(csvCell(true)).toBe('true');
    for (const empty of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, undefined]) expect(csvCell(empty)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula, but not a number written as text', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    for (const number of ['-0.123456', '+5', '-1e-7', '-.5']) expect(csvCell(number)).toBe(number);
  });

  it('joins a row with commas and a file with a line per row and a final newline', () => {
    expect(csvRow(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"');
    expect(csvText(['x', 'y'], [[1, 'two'], [undefined, -3]])).toBe('x,y\n1,two\n,-3\n');
    expect(csvText(['only', 'header'], [])).toBe('only,header\n');
  });
});
