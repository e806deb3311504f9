import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModuleFacts, TS, TypeScriptApi } from './types.js';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Don't parse huge generated files just to learn their async exports. */
const MAX_MODULE_BYTES = 2 * 1024 * 1024;

/**
 * Async exports of relative imports, read from disk. This is how the untyped mode (ESLint
 * without a program) learns that `import { loadUser } from './db.js'` is a promise-returning
 * function. Cached by path and modification time, so a long ESLint run parses each module once.
 */
export function createDiskModuleFacts(ts: TypeScriptApi): ModuleFacts {
  const cache = new Map<string, { mtimeMs: number; names: ReadonlySet<string> }>();


  return {
    asyncExports(fromFile, specifier) {
      const file = specifier.startsWith('.') ? resolveRelativeModule(fromFile, specifier) : undefined;
      if (!file) return undefined;
      let stat;
      try {
        stat = statSync(file);
      } catch {
        return undefined;
      }
      const cached = cache.get(file);
      if (cached && cached.mtimeMs === stat.mtimeMs) return cached.names;
      if (stat.size > MAX_MODULE_BYTES) return undefined;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
      const names = asyncExportNames(ts, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKindOf(ts, file)));
      cache.set(file, { mtimeMs: stat.mtimeMs, names });
      return names;
    },
  };
}

/** A relative import's file on disk: as written, with a TS extension for a `.js` one, or an index file. */
export function resolveRelativeModule(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const withoutJsExt = base.replace(/\.[cm]?jsx?$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => withoutJsExt + ext), ...SOURCE_EXTENSIONS.map((ext) => path.join(base, 'index' + ext))];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return undefined;
}

export function scriptKindOf(ts: TypeScriptApi, fileName: string): TS.ScriptKind {
  const ext = path.extname(fileName).toLowerCase();
  switch (ext) {
    case '.ts':
    case '.mts':
    case '.cts':
      return fileName.endsWith('.d.ts') ? ts.ScriptKind.TS : ts.ScriptKind.TS;
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.json':
      return ts.ScriptKind.JSON;
    default:
      // JSX is legal in .js files in the wild (React projects); the JSX kind parses both.
      return ts.ScriptKind.JSX;
  }
}

function asyncExportNames(ts: TypeScriptApi, file: TS.SourceFile): ReadonlySet<string> {
  const asyncLocals = new Set<string>();
  const exported = new Set<string>();
  const isExported = (node: TS.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
  const returnsPromise = (fn: TS.SignatureDeclarationBase): boolean => {
    if (ts.getCombinedModifierFlags(fn as TS.Declaration) & ts.ModifierFlags.Async) return true;
    return fn.type !== undefined && ts.isTypeReferenceNode(fn.type) && /^(Promise|PromiseLike)$/.test(fn.type.typeName.getText(file));
  };
  const isAsyncValue = (expr: TS.Expression | undefined): boolean =>
    expr !== undefined && (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) && returnsPromise(expr);

  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name && returnsPromise(statement)) {
      asyncLocals.add(statement.name.text);
      if (isExported(statement)) exported.add(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const decl of statement.declarationList.declarations) {
        if (ts.isIdentifier(decl.name) && isAsyncValue(decl.initializer)) {
          asyncLocals.add(decl.name.text);
          if (isExported(statement)) exported.add(decl.name.text);
        }
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (asyncLocals.has((element.propertyName ?? element.name).getText(file))) exported.add(element.name.text);
      }
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression)) {
      // CommonJS: `exports.load = async () => ...`, `module.exports.load = load`.
      const { left, right } = statement.expression;
      if (ts.isPropertyAccessExpression(left)) {
        const target = left.expression.getText(file);
        if ((target === 'exports' || target === 'module.exports') && (isAsyncValue(right) || (ts.isIdentifier(right) && asyncLocals.has(right.text)))) {
          exported.add(left.name.text);
        }
      }
    }
  }
  return exported;
}
