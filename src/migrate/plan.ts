import path from 'node:path';
import { planImport, RUNTIME_MODULE } from '../core/fixes/imports.js';
import type { TS } from '../core/types.js';
import { lineOf } from './ast.js';
import { FileEdits } from './edits.js';
import { factsOf } from './entry-points.js';
import type { MigrationProject } from './project.js';
import type { Change, ChangeKind, Refusal, RefusalKind } from './types.js';

/** An import a caller needs: the sibling it now calls, from the module that declares it. */
export interface NeededImport {
  exportName: string;
  local: string;
  /** The module file the name comes from, or a package specifier (`loop-audit/runtime`). */
  from: TS.SourceFile | string;
  /** The imported name it takes the place of when that one is no longer used (the wrapper's). */
  replaces?: string;
}

/**
 * Everything a run decides, before anything is written: the edits of every file (against the
 * original texts), what changed and what was refused, the imports still to place.
 */
export class Plan {
  readonly edits = new Map<string, FileEdits>();
  readonly changes: Change[] = [];
  readonly refusals: Refusal[] = [];
  readonly notes = new Set<string>();
  readonly imports = new Map<string, NeededImport[]>();
  /** Offsets (original text) of node:http handlers this run made async, for the floating-promise pass. */
  readonly httpHandlers = new Map<string, number[]>();
  /** Bridge helpers whose wrappers this run rewrote: deleted when nothing uses them any more. */
  readonly helperCandidates = new Set<TS.Node>();
  /** Files whose declarations were deleted: their now-dead private code is pruned. */
  readonly pruneFiles = new Set<string>();
  /** Import bindings renamed with the function they import (`…Sync` that lost its suffix): in use still, whatever their old name's uses say. */
  readonly renamedBindings = new Set<TS.Node>();
  /** `--allow-runtime-dependency`: a published library may get the runtime as a dependency. */
  allowRuntimeDependency = false;

  constructor(readonly project: MigrationProject) {}

  editsFor(sourceFile: TS.SourceFile): FileEdits {
    const key = path.resolve(sourceFile.fileName);
    let edits = this.edits.get(key);
    if (!edits) this.edits.set(key, (edits = new FileEdits(sourceFile.text)));
    return edits;
  }

  relative(file: string): string {
    return path.relative(this.project.root, file).split(path.sep).join('/');
  }

  where(sourceFile: TS.SourceFile, position: number): string {
    return `${this.relative(sourceFile.fileName)}:${lineOf(sourceFile, position)}`;
  }

  change(kind: ChangeKind, sourceFile: TS.SourceFile, position: number, message: string): void {
    this.changes.push({ kind, file: this.relative(sourceFile.fileName), line: lineOf(sourceFile, position), message });
  }

  refuse(kind: RefusalKind, sourceFile: TS.SourceFile, position: number, message: string): void {
    const entry = { kind, file: this.relative(sourceFile.fileName), line: lineOf(sourceFile, position), message };
    if (!this.refusals.some((r) => r.file === entry.file && r.line === entry.line && r.message === entry.message)) this.refusals.push(entry);
  }

  /** The local name `name` from loop-audit/runtime will have in the file (the import is added at the end). */
  runtimeName(sourceFile: TS.SourceFile, name: string): string {
    const local = planImport(factsOf(this.project, sourceFile), RUNTIME_MODULE, [name]).local[name]!;
    this.needImport(sourceFile, { exportName: name, local, from: RUNTIME_MODULE });
    return local;
  }

  needImport(sourceFile: TS.SourceFile, needed: NeededImport): void {
    const key = path.resolve(sourceFile.fileName);
    const list = this.imports.get(key) ?? [];
    if (!list.some((i) => i.local === needed.local && i.from === needed.from)) list.push(needed);
    this.imports.set(key, list);
  }

  markHttpHandler(sourceFile: TS.SourceFile, position: number): void {
    const key = path.resolve(sourceFile.fileName);
    const list = this.httpHandlers.get(key) ?? [];
    list.push(position);
    this.httpHandlers.set(key, list);
  }

  sourceFile(file: string): TS.SourceFile | undefined {
    return this.project.program.getSourceFile(file);
  }
}
