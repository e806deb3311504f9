import path from 'node:path';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { GraphNode, Fingerprints } from './cache.js';

type TsMorph = typeof import('ts-morph');

let tsMorph: TsMorph | undefined;

/** ts-morph (and with it TypeScript, ~9 MB of JavaScript) loads only when a program must be built: a warm cached run never pays for it. */
export async function loadTsMorph(): Promise<TsMorph> {
  tsMorph ??= await import('ts-morph');
  return tsMorph;
}

/**
 * A ts-morph project over `roots` with the given compiler options. Files whose text the scanner
 * already read (and checked) are handed over as text, so what is analysed is exactly what was
 * hashed; everything else (imports, declaration files, libraries) TypeScript reads as it resolves.
 */
export function createProgram(morph: TsMorph, options: TS.CompilerOptions, roots: readonly string[], texts: ReadonlyMap<string, string>): TS.Program {
  const { configFile: _configFile, ...compilerOptions } = options as TS.CompilerOptions & { configFile?: unknown };
  const project = new morph.Project({
    compilerOptions,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
  });
  for (const root of roots) {
    const text = texts.get(root);
    if (text !== undefined) project.createSourceFile(root, text, { overwrite: true });
    else project.addSourceFileAtPathIfExists(root);
  }
  return project.getProgram().compilerObject as unknown as TS.Program;
}

/**
 * A checker that records whether it was consulted. The cache keys a result on the import closure
 * only when it was; and the checker (which binds every file of the program) is created only when a
 * detector first asks for it.
 */
export class TrackedChecker {
  consulted = false;
  private real: TS.TypeChecker | undefined;
  private readonly wrappers = new Map<PropertyKey, unknown>();
  readonly checker: TS.TypeChecker;

  constructor(private readonly program: TS.Program) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.checker = new Proxy({} as TS.TypeChecker, {
      get(_target, key) {
        self.consulted = true;
        const real = self.resolve();
        const value = Reflect.get(real, key, real) as unknown;
        if (typeof value !== 'function') return value;
        let wrapper = self.wrappers.get(key);
        if (!wrapper) {
          wrapper = function (this: unknown, ...args: unknown[]) {
            self.consulted = true;
            return (value as (...a: unknown[]) => unknown).apply(real, args);
          };
          self.wrappers.set(key, wrapper);
        }
        return wrapper;
      },
      has(_target, key) {
        return Reflect.has(self.resolve(), key);
      },
    });
  }

  get created(): boolean {
    return this.real !== undefined;
  }

  private resolve(): TS.TypeChecker {
    this.real ??= this.program.getTypeChecker();
    return this.real;
  }
}

/** Internal program API (stable across the TypeScript that ts-morph pins): how each import resolved. */
interface ProgramInternals {
  getResolvedModuleFromModuleSpecifier?(specifier: TS.StringLiteralLike, file: TS.SourceFile): { resolvedModule?: { resolvedFileName: string } } | undefined;
  getResolvedTypeReferenceDirectiveFromTypeReferenceDirective?(
    ref: TS.FileReference,
    file: TS.SourceFile,
  ): { resolvedTypeReferenceDirective?: { resolvedFileName?: string } } | undefined;
}

interface SourceFileInternals {
  imports?: readonly TS.StringLiteralLike[];
  moduleAugmentations?: readonly (TS.StringLiteral | TS.Identifier)[];
  ambientModuleNames?: readonly string[];
  commonJsModuleIndicator?: unknown;
  externalModuleIndicator?: unknown;
  parseDiagnostics?: readonly TS.DiagnosticWithLocation[];
}

/** The parser's own errors (not the JS-only grammar checks a linter's parser would not make). */
export function parseDiagnostics(program: TS.Program, sourceFile: TS.SourceFile): readonly TS.Diagnostic[] {
  const own = (sourceFile as unknown as SourceFileInternals).parseDiagnostics;
  return own ?? program.getSyntacticDiagnostics(sourceFile);
}

/**
 * Records the program's import graph: for every file that is not one of TypeScript's own
 * libraries (those are part of the tool's version), its text hash, the files it imports or
 * references, and whether it is global (a script, or one declaring ambient modules or `declare
 * global`), which makes it an input of every typed answer.
 */
export function recordGraph(
  ts: TypeScriptApi,
  program: TS.Program,
  fingerprints: Fingerprints,
  graph: Record<string, GraphNode>,
  bound: boolean,
): void {
  const internals = program as unknown as ProgramInternals;
  const canResolve = typeof internals.getResolvedModuleFromModuleSpecifier === 'function';
  for (const sourceFile of program.getSourceFiles()) {
    if (program.isSourceFileDefaultLibrary(sourceFile)) continue;
    const file = path.resolve(sourceFile.fileName);
    const own = sourceFile as unknown as SourceFileInternals;
    const deps = new Set<string>();
    const addResolved = (resolved: string | undefined): void => {
      if (resolved) deps.add(path.resolve(resolved));
    };
    if (canResolve) {
      for (const specifier of own.imports ?? []) {
        addResolved(internals.getResolvedModuleFromModuleSpecifier!(specifier, sourceFile)?.resolvedModule?.resolvedFileName);
      }
      for (const augmentation of own.moduleAugmentations ?? []) {
        if (ts.isStringLiteral(augmentation)) addResolved(internals.getResolvedModuleFromModuleSpecifier!(augmentation, sourceFile)?.resolvedModule?.resolvedFileName);
      }
      for (const ref of sourceFile.typeReferenceDirectives) {
        addResolved(internals.getResolvedTypeReferenceDirectiveFromTypeReferenceDirective?.(ref, sourceFile)?.resolvedTypeReferenceDirective?.resolvedFileName);
      }
    }
    for (const ref of sourceFile.referencedFiles) {
      const target = program.getSourceFile(path.resolve(path.dirname(file), ref.fileName));
      if (target) deps.add(path.resolve(target.fileName));
    }
    // Without binding, a CommonJS JS file cannot be told from a script: assume the worst.
    const isModule = own.externalModuleIndicator !== undefined || (bound && own.commonJsModuleIndicator !== undefined);
    const isGlobal = !canResolve || !isModule || (own.moduleAugmentations?.length ?? 0) > 0 || (own.ambientModuleNames?.length ?? 0) > 0;
    deps.delete(file);
    const { hash, stat } = fingerprints.record(file, sourceFile.text);
    graph[file] = { hash, ...(stat ? { stat } : {}), deps: [...deps].sort(), ...(isGlobal ? { global: true as const } : {}) };
  }
}
