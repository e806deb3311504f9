import { readFileSync } from 'node:fs';
import path from 'node:path';
import { skipOuterExpressions, type FileFacts } from '../facts.js';
import { codeStyle, moduleSystemOf, stringLiteral, topStatementSlot } from './imports.js';

/**
 * How a fixed file names a module for loop-audit/runtime's runner: its module system (syntax,
 * extension, the nearest package.json's `type`), and the expressions that locate a module from it.
 */

/** Extensions the runtime's `import()` loads as they are written. */
export const LOADABLE = /\.(?:js|mjs|cjs)$/;

export function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** `./x.js` or `../lib/x.js` from the fixed file's folder to `target`, with forward slashes. */
export function relativeSpecifier(fromFile: string, target: string): string {
  const relative = path.relative(path.dirname(fromFile), target).split(path.sep).join('/');
  return relative.startsWith('../') ? relative : `./${relative}`;
}

/**
 * How this file is loaded at run time, which decides how it can name a module for the runner:
 * by its syntax and extension, except that a `.ts`/`.tsx` file written with `import` may be
 * compiled to CommonJS (where `import.meta` does not exist). There the file's own use of
 * `import.meta` or `__dirname`/`require` decides, else the nearest package.json's `type`.
 */
export function runtimeModuleSystem(facts: FileFacts): 'esm' | 'cjs' | undefined {
  const system = moduleSystemOf(facts);
  const fileName = facts.sourceFile.fileName;
  if (system === 'cjs' || !/\.tsx?$/.test(fileName) || /\.d\.ts$/.test(fileName)) return system;
  const text = facts.sourceFile.text;
  if (/\bimport\.meta\b/.test(text)) return 'esm';
  if (/\b(?:__dirname|__filename)\b|\brequire\s*\(/.test(text)) return undefined;
  return packageType(path.dirname(fileName)) === 'module' ? 'esm' : undefined;
}

const packageTypes = new Map<string, string | undefined>();

function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  const file = path.join(dir, 'package.json');
  let found = false;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as { type?: unknown };
    found = true;
    type = typeof pkg.type === 'string' ? pkg.type : 'commonjs';
  } catch {
    // no (readable) package.json here: ask the parent folder
  }
  if (!found) {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** A module for the runner, from the fixed file: `new URL('./x.js', import.meta.url)` (ESM), `path.join(__dirname, 'x.js')` (CJS). */
export function moduleExpression(facts: FileFacts, system: 'esm' | 'cjs', specifier: string): string {
  const style = codeStyle(facts);
  if (system === 'esm') return `new URL(${stringLiteral(style, specifier)}, import.meta.url)`;
  return `${pathModule(facts)}.join(__dirname, ${stringLiteral(style, specifier.replace(/^\.\//, ''))})`;
}

/** The module an import specifier names, for the runner: as `moduleExpression`, or `require.resolve(...)` for a CommonJS specifier without an extension. */
export function importedModuleExpression(facts: FileFacts, system: 'esm' | 'cjs', specifier: string): string | undefined {
  if (LOADABLE.test(specifier)) return moduleExpression(facts, system, specifier);
  if (system === 'cjs' && !facts.declaredNames.has('require')) return `require.resolve(${stringLiteral(codeStyle(facts), specifier)})`;
  return undefined;
}

/** The file's own binding of `path` when it is set before the hoisted code runs, else `require('node:path')`. */
function pathModule(facts: FileFacts): string {
  const ts = facts.ts;
  const slot = topStatementSlot(facts);
  for (const statement of facts.sourceFile.statements) {
    if (statement.end > slot.position) break;
    if (ts.isImportDeclaration(statement) && statement.importClause && ts.isStringLiteral(statement.moduleSpecifier) && /^(?:node:)?path$/.test(statement.moduleSpecifier.text)) {
      const clause = statement.importClause;
      if (clause.name && !clause.isTypeOnly) return clause.name.text;
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) return clause.namedBindings.name.text;
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
        if (ts.isIdentifier(declaration.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1) {
          const argument = init.arguments[0]!;
          if (ts.isStringLiteralLike(argument) && /^(?:node:)?path$/.test(argument.text)) return declaration.name.text;
        }
      }
    }
  }
  return `require(${stringLiteral(codeStyle(facts), 'node:path')})`;
}
