/**
 * Reads the imports of every source file with TypeScript's own parser: static imports and re-exports
 * (type-only ones included: they tie a folder to another as much as runtime ones do), dynamic `import()`,
 * and `new URL('...', import.meta.url)`, which is how the page starts a worker. Svelte files are read
 * through their `<script>` blocks. Relative specifiers resolve to files the way Vite resolves them here.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export type ImportKind = 'static' | 'type' | 'dynamic' | 'worker';

export interface ImportSite {
  readonly specifier: string;
  readonly kind: ImportKind;
}

/** One import, resolved: `to` is a path relative to the project root, or a package name. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ImportKind;
  readonly isPackage: boolean;
}

/** Every `<script>` block's body; a Svelte file's imports all live there. */
export function svelteScripts(text: string): string {
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join('\n');
}

function isImportMetaUrl(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'url' && ts.isMetaProperty(node.expression) && node.expression.name.text === 'meta';
}

/** The imports written in `text` (TypeScript source), in order. */
export function importSites(text: string, fileName = 'source.ts'): ImportSite[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const sites: ImportSite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      sites.push({ specifier: node.moduleSpecifier.text, kind: typeOnly ? 'type' : 'static' });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      sites.push({ specifier: node.moduleSpecifier.text, kind: node.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      sites.push({ specifier: node.argument.literal.text, kind: 'type' });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      // A computed specifier cannot be checked: report it as such rather than skip it.
      sites.push({ specifier: argument && ts.isStringLiteralLike(argument) ? argument.text : '<computed>', kind: 'dynamic' });
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2 && isImportMetaUrl(node.arguments[1]!)) {
      const [argument] = node.arguments;
      sites.push({ specifier: argument && ts.isStringLiteralLike(argument) ? argument.text : '<computed>', kind: 'worker' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/** The package a bare specifier names: `@scope/name` or `name`, without any subpath. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

export class UnresolvedImportError extends Error {}

/**
 * Resolves one import of `file` (absolute path) against the project at `root`: relative specifiers to a
 * file (as written, `.ts`, or `/index.ts`), bare ones to a package the project declares and has installed.
 */
export function resolveImport(root: string, file: string, site: ImportSite, declaredPackages: ReadonlySet<string>): ImportEdge {
  const from = relative(root, file).split(sep).join('/');
  const fail = (why: string) => new UnresolvedImportError(`${from} imports '${site.specifier}', ${why}`);
  if (site.specifier === '<computed>') throw fail('a computed specifier the checker cannot follow');
  if (site.specifier.startsWith('.')) {
    const base = resolve(dirname(file), site.specifier);
    for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
      if (existsSync(candidate) && statSync(candidate).isFile()) return { from, to: relative(root, candidate).split(sep).join('/'), kind: site.kind, isPackage: false };
    }
    throw fail('which does not resolve to a file');
  }
  if (site.specifier.startsWith('/')) throw fail('an absolute path');
  const name = packageName(site.specifier);
  if (!declaredPackages.has(name)) throw fail(`a package package.json does not declare`);
  if (!existsSync(join(root, 'node_modules', name))) throw fail('a package that is not installed');
  return { from, to: name, kind: site.kind, isPackage: true };
}

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? sourceFiles(path) : /\.(ts|svelte)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
    })
    .sort();
}

/** Every import of every source file under `root/src`, resolved; throws on the first that does not resolve. */
export function projectImports(root: string): ImportEdge[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  return sourceFiles(join(root, 'src')).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const sites = importSites(file.endsWith('.svelte') ? svelteScripts(text) : text, file);
    return sites.map((site) => resolveImport(root, file, site, declared));
  });
}
