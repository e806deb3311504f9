import { existsSync } from 'node:fs';
import path from 'node:path';
import type { RuleSelection } from '../core/analyze.js';
import { hashText } from '../scan/hash.js';
import type { ScanErrorKind } from '../scan/types.js';
import { analyzePython } from './analyze.js';
import { PythonFileFacts } from './facts.js';
import { ancestors, readPythonManifest } from './manifests.js';
import { formatPythonMessage } from './messages.js';
import { loadPythonParser, parsePython } from './parser.js';
import { PythonProject } from './project.js';
import type { PythonContext } from './semantics.js';
import { readPythonSource } from './source.js';
import type { SourceRead } from '../scan/source.js';

export { isPythonFile } from './files.js';

export interface LocatedFinding {
  ruleId: string;
  messageId: string;
  data?: Record<string, string | number>;
  message: string;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface PythonFileOutcome {
  /** Hash of the text analysed ('' when it could not be read). */
  hash: string;
  findings: LocatedFinding[];
  errors: { kind: ScanErrorKind; message: string; skipped: boolean }[];
  /** Other project files whose facts the analysis consulted (absolute): the result depends on them. */
  deps: string[];
  /** A result not worth caching (the file vanished or could not be read). */
  transient: boolean;
}

export interface PythonAnalysisOptions {
  /** Every Python file of the scan (the module index for imports), absolute. */
  files: readonly string[];
  /** The files to analyse now, a subset of `files`. */
  analyze: readonly string[];
  /** Scan roots: module names are also taken relative to them. */
  roots: readonly string[];
  selection: RuleSelection;
  onFile?: (file: string) => void;
  /** How to read a file (default: from disk, as Python does: `readPythonSource`). */
  read?: (file: string) => SourceRead;
}

/** Offsets → 1-based line and column (UTF-16 code units, as ESLint and the TypeScript scanner count). */
export function locator(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** Console-script entry points declared by the manifests above the files, as `file\0function`. */
function entryPointsOf(files: readonly string[], project: PythonProject): Set<string> {
  const dirs = new Set<string>();
  for (const file of files)
    for (const dir of ancestors(path.dirname(file), undefined)) {
      if (dirs.has(dir)) break;
      dirs.add(dir);
    }
  const entries = new Set<string>();
  for (const dir of dirs) {
    if (!existsSync(path.join(dir, 'pyproject.toml')) && !existsSync(path.join(dir, 'setup.cfg'))) continue;
    for (const entry of readPythonManifest(dir).entryPoints) {
      const file = project.moduleFile(entry.module);
      if (file) entries.add(`${file}\0${entry.function}`);
    }
  }
  return entries;
}

/**
 * Analyses Python files with tree-sitter's Python grammar: parse, facts, the four detectors.
 * Never runs the code. A file that cannot be read or does not parse as Python 3 gets an
 * `errors` entry and the others go on; a detector that throws on a file is an `analysis` error
 * for that file only.
 */
export async function analyzePythonFiles(options: PythonAnalysisOptions): Promise<Map<string, PythonFileOutcome>> {
  const outcomes = new Map<string, PythonFileOutcome>();
  if (options.analyze.length === 0) return outcomes;
  const parser = await loadPythonParser();
  const readFile = options.read ?? readPythonSource;
  const texts = new Map<string, string>();
  const load = (file: string): PythonFileFacts | undefined => {
    let text = texts.get(file);
    if (text === undefined) {
      const read = readFile(file);
      if (!read.ok) return undefined;
      text = read.text;
    }
    const parsed = parsePython(parser, text);
    return parsed.problem ? undefined : new PythonFileFacts(file, text, parsed.root);
  };
  const project = new PythonProject(options.files, options.roots, load);
  const entryPoints = entryPointsOf(options.analyze, project);
  for (const file of options.analyze) {
    outcomes.set(file, analyzeOne(file, readFile(file), parser, project, entryPoints, options.selection, texts));
    options.onFile?.(file);
  }
  return outcomes;
}

function analyzeOne(
  file: string,
  read: SourceRead,
  parser: Awaited<ReturnType<typeof loadPythonParser>>,
  project: PythonProject,
  entryPoints: ReadonlySet<string>,
  selection: RuleSelection,
  texts: Map<string, string>,
): PythonFileOutcome {
  if (!read.ok) {
    const transient = !read.error.skipped;
    return { hash: '', findings: [], errors: [{ kind: read.error.kind, message: read.error.message, skipped: read.error.skipped }], deps: [], transient };
  }
  const text = read.text;
  const hash = hashText(text);
  // Parsed already if an earlier file imports it (and it read the same text).
  let facts = project.peek(file);
  if (!facts || facts.text !== text) {
    let parsed;
    try {
      parsed = parsePython(parser, text);
    } catch (error) {
      return { hash, findings: [], errors: [{ kind: 'analysis', message: `the Python parser failed: ${(error as Error).message}`, skipped: false }], deps: [], transient: true };
    }
    if (parsed.problem) {
      const { line, column, message } = parsed.problem;
      return { hash, findings: [], errors: [{ kind: 'syntax', message: `syntax error: ${line}:${column}: ${message}`, skipped: false }], deps: [], transient: false };
    }
    facts = new PythonFileFacts(file, text, parsed.root);
    project.remember(facts);
  }
  texts.set(file, text);
  const consulted = project.startRecording();
  const ctx: PythonContext = { facts, project, entryPoints };
  try {
    const findings = analyzePython(ctx, selection);
    const at = locator(text);
    const located = findings.map((finding): LocatedFinding => {
      const from = at(finding.start);
      const to = at(finding.end);
      return {
        ruleId: finding.ruleId,
        messageId: finding.messageId,
        ...(finding.data ? { data: finding.data } : {}),
        message: formatPythonMessage(finding),
        start: finding.start,
        end: finding.end,
        line: from.line,
        column: from.column,
        endLine: to.line,
        endColumn: to.column,
      };
    });
    consulted.delete(file);
    return { hash, findings: located, errors: [], deps: [...consulted].sort(), transient: false };
  } catch (error) {
    return { hash, findings: [], errors: [{ kind: 'analysis', message: `analysis failed: ${(error as Error).message ?? String(error)}`, skipped: false }], deps: [], transient: true };
  }
}
