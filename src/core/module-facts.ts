import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModuleFacts, TS, TypeScriptApi } from './types.js';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Don't parse huge generated files just to learn their async exports or bridge helpers. */
const MAX_MODULE_BYTES = 2 * 1024 * 1024;

interface CachedModule {
  mtimeMs: number;
  size: number;
  sourceFile: TS.SourceFile | undefined;
  asyncExports?: ReadonlySet<string>;
}

/**
 * Other files of the project, read from disk: the one cache behind ModuleFacts. This is how the
 * untyped mode (ESLint without a program) learns that `import { loadUser } from './db.js'` is a
 * promise-returning function, how bridge helpers are found across relative imports, and how the
 * runner rewrite reads a synckit worker file. Each file is parsed once per size and modification
 * time (with parent pointers, by the TypeScript of the file being analysed), so a long ESLint run
 * parses each module once.
 */
export function createDiskModuleFacts(ts: TypeScriptApi): ModuleFacts {
  const cache = new Map<string, CachedModule>();
  const load = (file: string): CachedModule | undefined => {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      return undefined;
    }
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached;
    let sourceFile: TS.SourceFile | undefined;
    if (stat.isFile() && stat.size <= MAX_MODULE_BYTES) {
      try {
        const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
        sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, file));
      } catch {
        sourceFile = undefined;
      }
    }
    const entry: CachedModule = { mtimeMs: stat.mtimeMs, size: stat.size, sourceFile };
    cache.set(file, entry);
    return entry;
  };
  return {
    asyncExports(fromFile, specifier) {
      const file = specifier.startsWith('.') ? resolveRelativeModule(fromFile, specifier) : undefined;
      const entry = file === undefined ? undefined : load(file);
      if (!entry?.sourceFile) return undefined;
      entry.asyncExports ??= asyncExportNames(ts, entry.sourceFile);
      return entry.asyncExports;
    },
    sourceFile(file) {
      return load(file)?.sourceFile;
    },
  };
}

const shared = new WeakMap<TypeScriptApi, ModuleFacts>();

/** The process's disk cache for one TypeScript instance: what analysis uses when its input brings no ModuleFacts. */
export function diskModuleFacts(ts: TypeScriptApi): ModuleFacts {
  let facts = shared.get(ts);
  if (!facts) {
    facts = createDiskModuleFacts(ts);
    shared.set(ts, facts);
  }
  return facts;
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
  const isExported = (node: TS.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
  const returnsPromise = (fn: TS.SignatureDeclarationBase): boolean => {
    if (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) return true;
    return fn.type !== undefined && ts.isTypeReferenceNode(fn.type) && /^(Promise|PromiseLike)$/.test(fn.type.typeName.getText(file));
  };
  const isAsyncValue = (expr: TS.Expression | undefined): boolean => expr !== undefined && (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) && returnsPromise(expr);

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
