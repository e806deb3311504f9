import type { LoopAuditConfig, ResolvedConfig, Severity } from '../config/types.js';
import type { TypeBackendName } from '../core/type-questions.js';
import type { Family, RuleId, Suggestion, TextEdit } from '../core/types.js';

/** A finding as the scanner reports it: the core's finding, located and given its configured severity. */
export interface ScanFinding {
  ruleId: RuleId;
  family: Family;
  severity: Exclude<Severity, 'off'>;
  /** Relative to the scan root, forward slashes. */
  file: string;
  /** Absolute path. */
  path: string;
  /** 1-based line and column (UTF-16 code units, as ESLint counts), end exclusive like ESLint's. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Offsets into the file's text, as the core reported them. */
  start: number;
  end: number;
  messageId: string;
  data?: Record<string, string | number>;
  message: string;
  fixable: boolean;
  fix?: TextEdit[];
  suggestions?: Suggestion[];
}

export type ScanErrorKind =
  | 'syntax' // the file does not parse: reported, not analysed
  | 'unreadable' // I/O error (permissions, a FIFO, a dangling symlink)
  | 'vanished' // listed, then gone before it could be read
  | 'binary' // NUL bytes or invalid UTF-8
  | 'too-large'
  | 'minified'
  | 'symlink-loop'
  | 'analysis' // a detector threw on this file: the others go on
  | 'tsconfig' // a tsconfig found beside the sources could not be used: its files were analysed without it
  | 'type-backend'; // a notice: TypeScript 7 could not serve a project, TypeScript 6 did

/** A file that could not be analysed. `skipped` ones are notices (binary, huge, minified, loops), the rest are errors. */
export interface ScanError {
  file: string;
  path: string;
  kind: ScanErrorKind;
  message: string;
  skipped: boolean;
}

export interface ScanOptions {
  /** Files and directories to scan, relative to `cwd`. Default: `cwd` (or, with `tsconfig`, that project's files). */
  paths?: string[];
  /** Working directory and scan root (file names in results are relative to it). Default: process.cwd(). */
  cwd?: string;
  /** Use this tsconfig (and its references) instead of finding them. */
  tsconfig?: string;
  /** Extra globs, relative to `cwd`, added to the configuration's. */
  include?: string[];
  exclude?: string[];
  /**
   * The configuration: an object (validated here), a path to a config file, `false` for the
   * built-in defaults, or undefined to find `loop-audit.config.json` / package.json `loopAudit`.
   */
  config?: LoopAuditConfig | string | false;
  /** Reuse results of unchanged files from an earlier run. */
  cache?: boolean;
  /** Cache file (or directory, then `scan-cache.json` inside it). Default: `<cwd>/.loop-audit-cache/scan-cache.json`. */
  cacheLocation?: string;
  /**
   * Which TypeScript answers the detectors' type questions: `typescript7` (the Go compiler, through
   * its API), `typescript6` (in-process), or `auto` (the default, also the configuration's
   * `typeBackend`): TypeScript 7 when it can load every project to analyse, else TypeScript 6 with
   * a notice. Forcing `typescript7` on a project it cannot load is a usage error. Without this
   * option or the configuration's key, the environment variable LOOP_AUDIT_TYPE_BACKEND decides.
   */
  typeBackend?: TypeBackendOption;
  /** Called as the scan advances (the CLI draws its progress bar from it). */
  onProgress?: (event: ScanProgress) => void;
}

export type ScanProgress =
  { phase: 'discover'; files: number } | { phase: 'program'; project: string; files: number } | { phase: 'analyze'; done: number; total: number; file: string } | { phase: 'done' };

export interface ScanStats {
  /** Files analysed in this run (dirty ones with a cache). */
  analyzed: number;
  /** Files whose result came from the cache. */
  cached: number;
  /** Source files in the TypeScript programs built (0 when everything came from the cache). */
  programFiles: number;
  /** TypeScript 7 processes started (0 when the run needed no types, or used TypeScript 6). */
  typescript7Processes: number;
  durationMs: number;
}

export interface ScanResult {
  /** Absolute scan root. */
  root: string;
  /** Relative paths of every file whose findings are reported (analysed or cached), sorted. */
  files: string[];
  /** Sorted by file, then position, then rule. Rules set to `off` are not run. */
  findings: ScanFinding[];
  /** Sorted by file. */
  errors: ScanError[];
  /** The tsconfig files whose programs were used (absolute); empty for a plain JS tree. */
  projects: string[];
  config: ResolvedConfig;
  stats: ScanStats;
  /**
   * The TypeScript that answered the type questions behind the reported results: `typescript6`
   * when any result came from it, `none` when no file was analysed with types (nothing to analyse).
   */
  typeBackend: TypeBackendName | 'none';
  /**
   * Set when no file was analysed: why (nothing found, or everything left out and by which
   * filter). The commands exit 2 with it; the API leaves the decision to the caller.
   */
  nothingAnalysed?: string;
  /** Source files left out without being asked to, by reason: how many, and how to include them. */
  skipped?: SkippedSummary;
}

export interface SkippedSummary {
  /** Compiled output (build folders, an outDir, a .js beside its .ts). */
  buildOutput: number;
  /** Third-party folders (bower_components, jspm_packages, web_modules). */
  vendored: number;
  /** Read and found minified. */
  minified: number;
}

/** Throws the reason a command analysed no file: zero is never green (exit 2). */
export function requireAnalysedFiles(result: Pick<ScanResult, 'files' | 'nothingAnalysed'>): void {
  if (result.files.length === 0) throw new ScanUsageError(result.nothingAnalysed ?? 'no file was analysed');
}

export type TypeBackendOption = 'auto' | TypeBackendName;
export const TYPE_BACKEND_OPTIONS: readonly TypeBackendOption[] = ['auto', 'typescript7', 'typescript6'];

/** Bad usage or a broken project setup (missing/broken tsconfig, bad paths): the CLI exits with code 2. */
export class ScanUsageError extends Error {
  override name = 'ScanUsageError';
}
