#!/usr/bin/env node
// Rebuilds the README's reproduction table from the committed run bundles (reproduction/page/, reproduction/pytorch/)
// and the models' comparison (reproduction/model-comparison.json):
//   npm run reproduce:table            writes it into README.md
//   npm run reproduce:table -- --print prints it instead
import { readFileSync, writeFileSync } from 'node:fs';
import { fail, load, ROOT } from './reproduction/entry.mjs';

const { readReproduction, readSmallScale, reproductionTable, withReproductionTable } = await load('./table.ts');
const { readModelComparison } = await load('./comparisonTable.ts');
try {
  const table = reproductionTable(readReproduction(`${ROOT}reproduction`), readSmallScale(`${ROOT}reproduction`), readModelComparison(`${ROOT}reproduction`));
  if (process.argv.includes('--print')) console.log(table);
  else {
    const readme = `${ROOT}README.md`;
    writeFileSync(readme, withReproductionTable(readFileSync(readme, 'utf8'), table));
    console.log('README.md: reproduction table rebuilt from reproduction/page and reproduction/pytorch');
  }
} catch (error) {
  fail(error);
}
