import { createRequire } from 'node:module';
import path from 'node:path';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { GraphNode, Fingerprints } from './cache.js';
import { LIB_FOLDER, type LoadedTypeScript } from './typescript.js';

type TsMorph = typeof import('ts-morph');

const requireHere = createRequire(import.meta.url);
let tsMorph: TsMorph | undefined;

/**
 * ts-morph (for `loop-audit fix` and `migrate`, which edit through its Project API), loaded only
 * when needed. Through `require`: an `import()` of this CommonJS package would make Node lex its
 * source for named exports first, ~0.15 s of every start that needs it. The scanner itself builds
 * plain TypeScript programs (see `createProgram`) on the same TypeScript instance.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async so that a missing ts-morph rejects, as the dynamic import this replaced did
export async function loadTsMorph(): Promise<TsMorph> {
  tsMorph ??= requireHere('ts-morph') as TsMorph;
  return tsMorph;
}

/**
 * A TypeScript program over `roots` with the given compiler options, through a lean compiler host
 * (what tsc and typescript-eslint use, not a ts-morph Project, whose file-system layers and node
 * wrappers cost ~15 % of a cold scan without changing what is parsed):
 * - files whose text the scanner already read (and checked, and hashed) are parsed from that
 *   text, so what is analysed is exactly what was hashed, and nothing is read twice; everything
 *   else (imports, declaration files) TypeScript reads as it resolves;
 * - the standard library comes from ts-morph's in-memory copy under the same virtual folder, so
 *   file names, and which files are libraries, are what they were with ts-morph;
 * - each file is parsed with the options the program derives for it (module format, module
 *   detection), as tsc and typescript-eslint parse it;
 * - files the scanner analyses get parent pointers at parse time, since detectors walk
 *   `node.parent` before the checker exists (or without it); all others get theirs from the
 *   binder when the checker is created, which is the only way detectors reach them;
 * - TypeScript files skip JSDoc parsing (`ParseForTypeInfo`; tsc itself skips nearly all of it):
 *   in a TS file JSDoc carries no type information, only JS files take types from it, and those
 *   are always parsed in full whatever the mode. No detector reads JSDoc (a detector that ever
 *   does must change this, or it will see none in the scanner while ESLint's parser gives it
 *   some). lib.dom.d.ts is 2 MB, much of it JSDoc; rxjs's sources are documented as heavily.
 * Module resolution goes through the cache `createProgram` makes itself.
 *
 * `sharedLibs` lets the programs of one scan share library SourceFiles. A scan builds one program
 * per tsconfig, plus one for the files no tsconfig includes (often a few JS configuration files),
 * and each would parse and bind lib.dom.d.ts and the ES libraries again. TypeScript's language
 * service shares SourceFiles across programs the same way (its DocumentRegistry): a file is
 * bound once, and a checker clones binder symbols before merging into them. The key holds what
 * parsing a library depends on (target, module format, module detection, JSDoc mode); binding a
 * declaration file depends on nothing more (strict mode, the one other option the binder reads,
 * applies to declaration files only through their being modules).
 */
export function createProgram(
  loaded: LoadedTypeScript,
  options: TS.CompilerOptions,
  roots: readonly string[],
  texts: ReadonlyMap<string, string>,
  sharedLibs?: Map<string, TS.SourceFile>,
): TS.Program {
  const { ts, libs } = loaded;
  const { configFile: _configFile, ...compilerOptions } = options as TS.CompilerOptions & { configFile?: unknown };
  const sys = ts.sys;
  const isLib = (file: string): boolean => file.startsWith(`${LIB_FOLDER}/`);
  const host: TS.CompilerHost = {
    getSourceFile(fileName, languageVersionOrOptions) {
      const base: TS.CreateSourceFileOptions = typeof languageVersionOrOptions === 'object' ? languageVersionOrOptions : { languageVersion: languageVersionOrOptions };
      const parseOptions: TS.CreateSourceFileOptions = { ...base, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo };
      const lib = libs.get(fileName);
      if (lib !== undefined) {
        const key = [fileName, parseOptions.languageVersion, parseOptions.impliedNodeFormat, compilerOptions.moduleDetection, parseOptions.jsDocParsingMode].join('\0');
        let shared = sharedLibs?.get(key);
        if (!shared) {
          shared = ts.createSourceFile(fileName, lib, parseOptions, false);
          sharedLibs?.set(key, shared);
        }
        return shared;
      }
      const own = texts.get(path.resolve(fileName));
      const text = own ?? sys.readFile(fileName);
      if (text === undefined) return undefined;
      return ts.createSourceFile(fileName, text, parseOptions, own !== undefined);
    },
    getDefaultLibFileName: (opts) => `${LIB_FOLDER}/${ts.getDefaultLibFileName(opts)}`,
    getDefaultLibLocation: () => LIB_FOLDER,
    writeFile: () => {
      // never emits: the scanner only reads
    },
    getCurrentDirectory: () => process.cwd(),
    getDirectories: (dir) => sys.getDirectories(dir),
    fileExists: (file) => libs.has(file) || sys.fileExists(file),
    readFile: (file) => libs.get(file) ?? sys.readFile(file),
    directoryExists: (dir) => dir === LIB_FOLDER || sys.directoryExists(dir),
    realpath: (file) => (isLib(file) ? file : sys.realpath ? sys.realpath(file) : file),
    // As ts-morph's host: file names are compared as written.
    useCaseSensitiveFileNames: () => true,
    getCanonicalFileName: (file) => file,
    getNewLine: () => sys.newLine,
    getEnvironmentVariable: (name) => process.env[name] ?? '',
  };
  return ts.createProgram({ rootNames: roots, options: compilerOptions, host });
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
  getResolvedTypeReferenceDirectiveFromTypeReferenceDirective?(ref: TS.FileReference, file: TS.SourceFile): { resolvedTypeReferenceDirective?: { resolvedFileName?: string } } | undefined;
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
  /** Hashes already computed of the texts the program was given, so they are not hashed twice. */
  knownHashes?: ReadonlyMap<string, string>,
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
    const { hash, stat } = fingerprints.record(file, sourceFile.text, knownHashes?.get(file));
    graph[file] = { hash, ...(stat ? { stat } : {}), deps: [...deps].sort(), ...(isGlobal ? { global: true as const } : {}) };
  }
}

/**
 * One project's program for `loop-audit fix`, built like the scanner's, that can be re-typed with
 * one file's text replaced: what typed linting sees while `eslint --fix` works on that file (its
 * new text, the other files as they are on disk). ts-morph rebuilds the program from the previous
 * one, so only the replaced file is parsed and bound again.
 */
export class ProjectPrograms {
  private readonly project: InstanceType<TsMorph['Project']>;
  private readonly originals = new Map<string, string>();
  private program: TS.Program;
  private checker: TrackedChecker;

  constructor(morph: TsMorph, options: TS.CompilerOptions, roots: readonly string[], texts: ReadonlyMap<string, string>) {
    const { configFile: _configFile, ...compilerOptions } = options as TS.CompilerOptions & { configFile?: unknown };
    this.project = new morph.Project({ compilerOptions, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    for (const root of roots) {
      const text = texts.get(root);
      if (text !== undefined) this.project.createSourceFile(root, text, { overwrite: true });
      else this.project.addSourceFileAtPathIfExists(root);
    }
    for (const [file, text] of texts) this.originals.set(file, text);
    this.program = this.project.getProgram().compilerObject;
    this.checker = new TrackedChecker(this.program);
  }

  /** The program (and a lazily created checker) in which `file` has `text`. */
  typed(file: string, text: string): { program: TS.Program; sourceFile: TS.SourceFile | undefined; checker: TS.TypeChecker } {
    const current = this.program.getSourceFile(file);
    if (!current || current.text !== text) this.replace(file, text);
    return { program: this.program, sourceFile: this.program.getSourceFile(file), checker: this.checker.checker };
  }

  /** Puts `file` back to the text it was loaded with, so the next file is analysed against the originals. */
  restore(file: string): void {
    const original = this.originals.get(file);
    if (original !== undefined && this.program.getSourceFile(file)?.text !== original) this.replace(file, original);
  }

  private replace(file: string, text: string): void {
    this.project.createSourceFile(file, text, { overwrite: true });
    this.program = this.project.getProgram().compilerObject;
    this.checker = new TrackedChecker(this.program);
  }
}

/**
 * One ts-morph Project over `roots` with one set of compiler options, and its language service:
 * what `loop-audit migrate` follows references through, across every file at once.
 */
export function languageServiceProject(
  morph: TsMorph,
  options: TS.CompilerOptions,
  roots: Iterable<string>,
): { project: InstanceType<TsMorph['Project']>; program: TS.Program; languageService: TS.LanguageService } {
  const { configFile: _configFile, ...usable } = options as TS.CompilerOptions & { configFile?: unknown };
  const project = new morph.Project({ compilerOptions: usable, skipAddingFilesFromTsConfig: true });
  for (const file of roots) project.addSourceFileAtPathIfExists(file);
  const languageService = project.getLanguageService().compilerObject;
  const program = languageService.getProgram();
  if (!program) throw new Error('loop-audit migrate: the language service built no program');
  return { project, program, languageService };
}
