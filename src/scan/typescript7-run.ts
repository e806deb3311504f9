import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Node as Ts7Node } from 'typescript7/unstable/ast';
import type { Project } from 'typescript7/unstable/sync';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { Fingerprints, GraphNode } from './cache.js';
import { hashText } from './hash.js';
import { stripBom } from './source.js';
import type { OpenedProject, Typescript7 } from './typescript7.js';
import { Typescript7Questions } from './typescript7-questions.js';

/**
 * What a scan needs around the TypeScript 7 backend besides the questions: the TypeScript 6 trees
 * the detectors walk, and the import graph the scan cache keys typed results on.
 */

/**
 * The TypeScript 6 tree of a file the detectors analyse, parsed as the scanner's own programs
 * parse it (no JSDoc in TypeScript files: it carries no types there). Parent pointers are set:
 * detectors walk up.
 */
export function parseForAnalysis(ts: TypeScriptApi, fileName: string, text: string): TS.SourceFile {
  return ts.createSourceFile(fileName, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeInfo }, true);
}

/** The parser's own errors of a tree parsed outside a program. */
export function syntaxErrors(ts: TypeScriptApi, sourceFile: TS.SourceFile): readonly TS.DiagnosticWithLocation[] {
  const own = (sourceFile as unknown as { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  return own.filter((d) => d.category === ts.DiagnosticCategory.Error);
}

/**
 * TypeScript 6 trees by file name: the analysed files' own trees, and, parsed from disk when a
 * question leads there, other files of the program (a bridge helper's declaration in a module the
 * run does not analyse).
 */
export class SourceTrees {
  private readonly trees = new Map<string, TS.SourceFile | null>();

  constructor(private readonly ts: TypeScriptApi) {}

  add(sourceFile: TS.SourceFile): void {
    this.trees.set(path.resolve(sourceFile.fileName), sourceFile);
  }

  get(fileName: string): TS.SourceFile | undefined {
    const file = path.resolve(fileName);
    const known = this.trees.get(file);
    if (known !== undefined) return known ?? undefined;
    let tree: TS.SourceFile | null;
    try {
      tree = parseForAnalysis(this.ts, file, stripBom(readFileSync(file, 'utf8')));
    } catch {
      tree = null;
    }
    this.trees.set(file, tree);
    return tree ?? undefined;
  }
}

/** Where the `typescript@7` binary keeps its default libraries (they are part of the tool, not of a project's graph). */
export function libraryDirOf(typescript7: Typescript7): string | undefined {
  try {
    const from = createRequire(path.join(typescript7.packageDir, 'package.json'));
    return path.join(path.dirname(from.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`)), 'lib');
  } catch {
    return undefined;
  }
}

interface RemoteFile {
  readonly fileName: string;
  readonly text: string;
  readonly imports: readonly Ts7Node[];
  readonly moduleAugmentations: readonly Ts7Node[];
  readonly ambientModuleNames: readonly string[];
  readonly referencedFiles: readonly { fileName: string }[];
  readonly typeReferenceDirectives: readonly { fileName: string }[];
  readonly externalModuleIndicator: unknown;
}

/**
 * Records a TypeScript 7 program's import graph, as `recordGraph` does for a TypeScript 6 one:
 * for every file that is not a default library, its text hash, the files its imports resolve to
 * (asked of the checker: the module symbol of each specifier, in one request for the whole
 * program) and whether it is global. `/// <reference types>` directives are resolved by
 * TypeScript 6's resolver under the project's options; one that does not resolve makes its file
 * global, the safe side.
 */
export function recordGraphTypescript7(
  ts: TypeScriptApi,
  typescript7: Typescript7,
  project: Project,
  options: TS.CompilerOptions,
  fingerprints: Fingerprints,
  graph: Record<string, GraphNode>,
  knownHashes: ReadonlyMap<string, string>,
): void {
  const libraryDir = libraryDirOf(typescript7);
  const names = project.program.getSourceFileNames();
  const inProgram = new Set(names.map((name) => path.resolve(name)));
  const files: { file: string; remote: RemoteFile; deps: Set<string>; global: boolean }[] = [];
  const specifiers: Ts7Node[] = [];
  const owners: number[] = [];
  for (const name of names) {
    const file = path.resolve(name);
    if (libraryDir !== undefined && path.dirname(file) === libraryDir) continue;
    const remote = project.program.getSourceFile(name) as unknown as RemoteFile | undefined;
    if (!remote) continue;
    const isModule = remote.externalModuleIndicator !== undefined;
    const entry = { file, remote, deps: new Set<string>(), global: !isModule || remote.moduleAugmentations.length > 0 || remote.ambientModuleNames.length > 0 };
    for (const specifier of remote.imports) {
      specifiers.push(specifier);
      owners.push(files.length);
    }
    for (const augmentation of remote.moduleAugmentations) {
      if (augmentation.kind === typescript7.ast.SyntaxKind.StringLiteral) {
        specifiers.push(augmentation);
        owners.push(files.length);
      }
    }
    for (const ref of remote.referencedFiles) {
      const target = path.resolve(path.dirname(file), ref.fileName);
      if (inProgram.has(target)) entry.deps.add(target);
    }
    for (const ref of remote.typeReferenceDirectives) {
      const resolved = ts.resolveTypeReferenceDirective(ref.fileName, file, options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName;
      if (resolved && inProgram.has(path.resolve(resolved))) entry.deps.add(path.resolve(resolved));
      else entry.global = true;
    }
    files.push(entry);
  }
  const symbols = specifiers.length > 0 ? project.checker.getSymbolAtLocation(specifiers) : [];
  symbols.forEach((symbol, i) => {
    const declaration = symbol?.declarations[0];
    if (!declaration) return;
    const target = path.resolve(project.program.getSourceFile(declaration.path)?.fileName ?? declaration.path);
    if (inProgram.has(target)) files[owners[i]!]!.deps.add(target);
  });
  for (const { file, remote, deps, global } of files) {
    deps.delete(file);
    const { hash, stat } = fingerprints.record(file, remote.text, knownHashes.get(file));
    graph[file] = { hash, ...(stat ? { stat } : {}), deps: [...deps].sort(), ...(global ? { global: true as const } : {}) };
  }
}

/** A project's dirty files parsed for the TypeScript 7 backend (before its programs are collected: they are being built meanwhile). */
export interface ParsedProject {
  trees: SourceTrees;
  parsed: { file: string; text: string; sourceFile: TS.SourceFile }[];
}

export function parseProject(ts: TypeScriptApi, texts: ReadonlyMap<string, string>): ParsedProject {
  const trees = new SourceTrees(ts);
  const parsed = [...texts].map(([file, text]) => {
    const sourceFile = parseForAnalysis(ts, file, text);
    trees.add(sourceFile);
    return { file, text, sourceFile };
  });
  return { trees, parsed };
}

/**
 * Analyses one project's dirty files with TypeScript 7's answers: per file, the questions the
 * detectors are known to ask go out in one request before they run. `analyze` records each
 * file's result (file-analysis.ts). Returns the program's file count. Throws
 * Typescript7Unavailable when the Go process fails: the scan then starts over with TypeScript 6.
 */
export function analyzeProjectWithTypescript7(
  ts: TypeScriptApi,
  typescript7: Typescript7,
  opened: OpenedProject,
  project: ParsedProject,
  analyze: (file: { path: string; hash: string; sourceFile: TS.SourceFile; syntax: readonly TS.Diagnostic[] }, questions: Typescript7Questions) => void,
  graph?: { options: TS.CompilerOptions; fingerprints: Fingerprints; nodes: Record<string, GraphNode> },
): number {
  const questions = new Typescript7Questions(ts, typescript7, opened.project, (fileName) => project.trees.get(fileName));
  const hashes = new Map<string, string>();
  for (const { file, text, sourceFile } of project.parsed) {
    const hash = hashText(text);
    hashes.set(file, hash);
    const syntax = syntaxErrors(ts, sourceFile);
    if (syntax.length === 0) questions.prepare(sourceFile);
    questions.consulted = false;
    analyze({ path: file, hash, sourceFile, syntax }, questions);
    questions.forget(sourceFile);
  }
  if (process.env.LOOP_AUDIT_DEBUG_TS7) process.stderr.write(`loop-audit: typescript7 ${opened.request.configFile ?? '(inferred project)'}: ${JSON.stringify(questions.stats)}\n`);
  if (graph) recordGraphTypescript7(ts, typescript7, opened.project, graph.options, graph.fingerprints, graph.nodes, hashes);
  return opened.project.program.getSourceFileNames().length;
}
