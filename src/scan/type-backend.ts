import type { ResolvedConfig } from '../config/types.js';
import type { TypeBackendName } from '../core/type-questions.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { CachedResult } from './cache.js';
import type { ProjectWork } from './file-analysis.js';
import { ScanUsageError, TYPE_BACKEND_OPTIONS, type ScanError, type ScanOptions, type ScanResult, type TypeBackendOption } from './types.js';
import { loadTypescript7, Typescript7Session, Typescript7Unavailable, type OpenedProject, type Typescript7, type Typescript7ProjectRequest } from './typescript7.js';

/**
 * Which TypeScript answers a scan's type questions (see `ScanOptions.typeBackend`), and the
 * TypeScript 7 processes that serve it.
 */

export type Notice = Omit<ScanError, 'file'>;

export interface Typescript7Run {
  typescript7: Typescript7;
  sessions: Typescript7Session[];
  /** By project index. */
  projects: Map<number, OpenedProject>;
}

export interface TypeBackendChoice {
  name: TypeBackendName;
  run?: Typescript7Run;
  /** Why `auto` fell back to TypeScript 6. */
  notice?: Notice;
}

/** The option, else the configuration's key, else LOOP_AUDIT_TYPE_BACKEND (CI runs the suite under each), else `auto`. */
export function requestedBackend(options: ScanOptions, config: ResolvedConfig): TypeBackendOption {
  if (options.typeBackend !== undefined) return options.typeBackend;
  if (config.typeBackend !== undefined) return config.typeBackend;
  const value = process.env.LOOP_AUDIT_TYPE_BACKEND;
  if (value === undefined || value === '') return 'auto';
  if (!(TYPE_BACKEND_OPTIONS as readonly string[]).includes(value)) {
    throw new ScanUsageError(`LOOP_AUDIT_TYPE_BACKEND must be one of ${TYPE_BACKEND_OPTIONS.join(', ')}, got "${value}"`);
  }
  return value as TypeBackendOption;
}

/**
 * A cold run's TypeScript 7 session, started before TypeScript 6 is loaded, with the tsconfigs
 * found so far sent ahead to be opened: the Go process builds their programs while this process
 * loads TypeScript 6 and parses the files. Undefined when TypeScript 7 cannot start (the choice of
 * backend says why later).
 */
export function startTypescript7Early(configFiles: readonly string[], cwd: string): Typescript7Session | undefined {
  try {
    const session = Typescript7Session.start(loadTypescript7(), cwd, false);
    session.openAhead(configFiles);
    return session;
  } catch (error) {
    if (error instanceof Typescript7Unavailable) return undefined;
    throw error;
  }
}

/**
 * TypeScript 7 when it is asked for, or `auto` and it loads every project to analyse; else
 * TypeScript 6 for the whole run, with a notice when `auto` fell back (a usage error when
 * TypeScript 7 was forced). Projects opened as their own tsconfig, and the inferred project (a
 * real temporary tsconfig), go to a session that reads files itself (the early one, when there is
 * one); a configured project with explicit roots (a warm run) needs a virtual tsconfig beside the
 * real one, served by a session that reads files through this process.
 */
export function chooseTypeBackend(ts: TypeScriptApi, requested: TypeBackendOption, work: readonly ProjectWork[], cwd: string, early: Typescript7Session | undefined): TypeBackendChoice {
  if (requested === 'typescript6') {
    early?.close();
    return { name: 'typescript6' };
  }
  const sessions: Typescript7Session[] = [];
  try {
    const typescript7 = loadTypescript7();
    const requests: Typescript7ProjectRequest[] = work.map((item) => ({
      configFile: item.project.configFile,
      ...(item.ownRoots ? {} : { roots: item.roots }),
      ...(item.project.configFile ? {} : { inferredOptions: tsconfigJsonOptions(ts, item.project.options!), inferredDir: process.cwd() }),
    }));
    const isVirtual = (request: Typescript7ProjectRequest): boolean => request.configFile !== undefined && request.roots !== undefined;
    const projects = new Map<number, OpenedProject>();
    for (const virtualConfigs of [false, true]) {
      const indices = requests.flatMap((request, i) => (isVirtual(request) === virtualConfigs ? [i] : []));
      if (indices.length === 0) continue;
      const session = !virtualConfigs && early ? early : Typescript7Session.start(typescript7, cwd, virtualConfigs);
      if (session === early) early = undefined;
      sessions.push(session);
      session.open(indices.map((i) => requests[i]!)).forEach((opened, j) => projects.set(work[indices[j]!]!.index, opened));
    }
    early?.close();
    return { name: 'typescript7', run: { typescript7, sessions, projects } };
  } catch (error) {
    early?.close();
    for (const session of sessions) session.close();
    if (!(error instanceof Typescript7Unavailable)) throw error;
    if (requested === 'typescript7') throw new ScanUsageError(`type backend typescript7: ${error.message}`);
    return { name: 'typescript6', notice: fallbackNotice(error, cwd) };
  }
}

/** The notice of a run that fell back to TypeScript 6, on the tsconfig TypeScript 7 could not load when it was one. */
export function fallbackNotice(error: Typescript7Unavailable, cwd: string): Notice {
  return { path: error.configFile ?? cwd, kind: 'type-backend', message: `${error.message}; analysed with TypeScript 6 instead`, skipped: true };
}

/** Compiler options in tsconfig form (enum values by name), for the inferred project's tsconfig. */
function tsconfigJsonOptions(ts: TypeScriptApi, options: TS.CompilerOptions): Record<string, unknown> {
  const enums: Record<string, Record<string, unknown>> = {
    target: ts.ScriptTarget as unknown as Record<string, unknown>,
    module: ts.ModuleKind as unknown as Record<string, unknown>,
    moduleResolution: ts.ModuleResolutionKind as unknown as Record<string, unknown>,
    jsx: ts.JsxEmit as unknown as Record<string, unknown>,
  };
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const names = enums[key];
    // `Latest` aliases ESNext; a tsconfig spells it `esnext`.
    const name = names && typeof value === 'number' ? Object.entries(names).find(([k, v]) => v === value && k !== 'Latest')?.[0] : undefined;
    json[key] = name !== undefined ? name.toLowerCase() : value;
  }
  return json;
}

/** `typescript7` only when every result analysed with types came from it; `none` when none was. */
export function reportedBackend(files: readonly string[], results: ReadonlyMap<string, CachedResult>): ScanResult['typeBackend'] {
  let backend: ScanResult['typeBackend'] = 'none';
  for (const file of files) {
    const used = results.get(file)?.backend;
    if (used === 'typescript6') return 'typescript6';
    if (used === 'typescript7') backend = 'typescript7';
  }
  return backend;
}
