import type { RuleSelection } from '../core/analyze.js';
import type { TypeBackendName } from '../core/type-questions.js';
import type { AnalysisInput, TS, TypeScriptApi } from '../core/types.js';
import type { CachedFinding, CachedResult } from './cache.js';
import type { ScanProject } from './reuse.js';
import { Typescript7Unavailable } from './typescript7.js';

/**
 * One file's analysis as both type backends record it: syntax errors reported, findings located,
 * the result keyed for the cache (typed when a detector asked a type question).
 */

/** A project with files to analyse in this run. */
export interface ProjectWork {
  index: number;
  /** With its options (parsed again on a warm run). */
  project: ScanProject;
  /** The dirty files that could be read, and their texts. */
  texts: Map<string, string>;
  /** The program's root files: the tsconfig's and the dirty ones on a cold run; the dirty and global ones on a warm run. */
  roots: string[];
  /** Whether the roots are exactly the tsconfig's own files (a cold run), so the tsconfig can be opened as it is. */
  ownRoots: boolean;
}

/** The analysis core, loaded (with TypeScript) only when a run has something to analyse. */
export interface AnalysisCore {
  analyzeFile: typeof import('../core/analyze.js').analyzeFile;
  formatMessage: typeof import('../core/messages.js').formatMessage;
  helperLookupUsedChecker: typeof import('../core/bridge-helpers.js').helperLookupUsedChecker;
}

export async function loadAnalysisCore(): Promise<AnalysisCore> {
  const [{ analyzeFile }, { formatMessage }, { helperLookupUsedChecker }] = await Promise.all([import('../core/analyze.js'), import('../core/messages.js'), import('../core/bridge-helpers.js')]);
  return { analyzeFile, formatMessage, helperLookupUsedChecker };
}

export interface FileAnalysis {
  ts: TypeScriptApi;
  core: AnalysisCore;
  selection: RuleSelection;
  results: Map<string, CachedResult>;
  /** Files whose result must not be cached (a failed analysis). */
  transient: Set<string>;
}

function locate(sourceFile: TS.SourceFile, start: number, end: number) {
  const from = sourceFile.getLineAndCharacterOfPosition(start);
  const to = sourceFile.getLineAndCharacterOfPosition(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

/**
 * Records one parsed file's result: a syntax error, or the findings of every selected rule.
 * `consulted` says whether the analysis asked a type question. A failure of the TypeScript 7
 * process propagates (the scan falls back); any other failure is this file's error.
 */
export function analyzeParsedFile(
  run: FileAnalysis,
  file: { path: string; hash: string; project: number; sourceFile: TS.SourceFile; syntax: readonly TS.Diagnostic[] },
  input: AnalysisInput,
  consulted: () => boolean,
  backend: TypeBackendName,
): void {
  const { ts, results } = run;
  const { path, hash, project, sourceFile, syntax } = file;
  if (syntax.length > 0) {
    const first = syntax[0]!;
    const at = first.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(first.start) : undefined;
    const where = at ? `${at.line + 1}:${at.character + 1}: ` : '';
    const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more)` : '';
    const message = `syntax error: ${where}${ts.flattenDiagnosticMessageText(first.messageText, ' ')}${more}`;
    results.set(path, { hash, typed: false, project, findings: [], errors: [{ kind: 'syntax', message, skipped: false }] });
    return;
  }
  const { analyzeFile, formatMessage, helperLookupUsedChecker } = run.core;
  try {
    const findings = analyzeFile(input, run.selection);
    const located: CachedFinding[] = findings.map((finding) => ({
      ruleId: finding.ruleId,
      messageId: finding.messageId,
      ...(finding.data ? { data: finding.data } : {}),
      message: formatMessage(finding),
      start: finding.start,
      end: finding.end,
      ...locate(sourceFile, finding.start, finding.end),
      ...(finding.fix ? { fix: finding.fix } : {}),
      ...(finding.suggestions ? { suggestions: finding.suggestions } : {}),
    }));
    // Typed also when this file's bridge helpers were worked out with the checker while another file was analysed.
    const typed = consulted() || helperLookupUsedChecker(sourceFile);
    results.set(path, { hash, typed, backend, project, findings: located, errors: [] });
  } catch (error) {
    if (error instanceof Typescript7Unavailable) throw error;
    run.transient.add(path);
    const message = `analysis failed: ${(error as Error).message ?? String(error)}`;
    results.set(path, { hash, typed: true, project, findings: [], errors: [{ kind: 'analysis', message, skipped: false }] });
  }
}
