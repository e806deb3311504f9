import type { TS, TypeScriptApi } from '../core/types.js';
import { hasModifier, outermost, type FunctionNode } from './ast.js';
import type { EntryKind } from './entry-points.js';
import type { RefusalKind } from './types.js';
import type { WrapperInfo } from './wrappers.js';

/**
 * The async conversion's graph (async.ts builds and solves it, async-edits.ts turns the solution
 * into edits): units that become async together, the call sites between them, the wrappers.
 */

export type UnitKind = 'function' | 'program' | 'assertion' | 'top-level';

export interface Refused {
  kind: RefusalKind;
  message: string;
}

/**
 * A unit of the async conversion: functions that become async together (one function, or a
 * method with the interface members and implementations that must change with it), a commander
 * program (whose `parse` becomes `parseAsync`), an `expect(() => …).toThrow()` assertion, or a
 * file's top level.
 */
export interface Unit {
  id: number;
  kind: UnitKind;
  node: TS.Node;
  name: string;
  members: FunctionNode[];
  /** Interface members, abstract methods and function-typed properties whose return type changes too. */
  signatures: (TS.MethodSignature | TS.PropertySignature | TS.MethodDeclaration | TS.PropertyDeclaration)[];
  alreadyAsync: boolean;
  refusal?: Refused;
  /** For a function handed to an entry-point API where it is written. */
  entry?: { kind: EntryKind; call: TS.CallExpression; express4?: boolean };
  /** Where the unit is called: each call needs an `await` once it is async. */
  callers: Site[];
  /** Where a named function is handed to an entry-point API (`createServer(handler)`). */
  registrations: { kind: EntryKind; node: TS.Node; call: TS.CallExpression }[];
  dependsOn: Unit[];
  /** Calls inside the unit that return a promise once the migration is done: its reasons to become async. */
  sites: Site[];
  explored: boolean;
  /** Programs: their action handlers; `seeded` when an action was async before this run. */
  actions: Unit[];
  seeded: boolean;
  /** Set when the unit stopped being a candidate: the caller that could not await. */
  blockedBy?: Site;
  assertion?: Assertion;
  /** `--keep-public-sync`: the async body moves to `<name>Async`, a sync boundary keeps the name. */
  boundary?: { asyncName: string };
  /** Uses as a value (stored, handed to an API that drops the result): settled after exploring. */
  valueUses: { node: TS.Node; kind: RefusalKind; message: string }[];
  /** Its callers cannot be followed and its result is unused: it stays sync, its body runs as a tracked task. */
  taskBoundary?: { name: string };
  /** A subclass's override of a method wrapper: it becomes the async override of the sibling (`list` → `async listAsync`). */
  overrideOf?: { wrapper: WrapperState; renameTo: string };
}

export interface Site {
  call: TS.CallExpression;
  context: Unit;
  kind: 'redirect' | 'await' | 'parse' | 'assertion';
  wrapper?: WrapperState;
  target?: Unit;
}

export interface Assertion {
  kind: 'expect' | 'assert';
  arrow: TS.ArrowFunction | TS.FunctionExpression;
  inner: TS.CallExpression;
  /** `expect(...)` or `assert.throws(...)`. */
  call: TS.CallExpression;
  /** The awaited call: `expect(...).toThrow(...)`, or the `assert.throws(...)` call itself. */
  outer: TS.CallExpression;
}

export interface WrapperState {
  /** Replaced by a refused copy when seeding finds the wrapper cannot move at all (an override). */
  info: WrapperInfo;
  sites: Site[];
  /** Uses that are not calls (or calls that cannot be redirected): the wrapper stays for them. */
  kept: string[];
  exportSpecifiers: TS.ExportSpecifier[];
  /** Interface (or type literal) members that declare the wrapper method beside its sibling: they go with it. */
  memberSignatures: TS.TypeElement[];
}

export interface AsyncOptions {
  keepPublicSync: boolean;
  /** Keep `…Sync` names of functions that became async (`--keep-names`); by default they lose the suffix. */
  keepNames?: boolean;
  /** Files of the scope: their commander programs with async actions get `parseAsync` even when nothing else changes. */
  inScope(file: string): boolean;
}

/** Whether a function is part of its module's public API: an exported function (not the default export). */
export function isPublic(ts: TypeScriptApi, fn: FunctionNode): boolean {
  if (ts.isFunctionDeclaration(fn)) return ts.isSourceFile(fn.parent) && hasModifier(ts, fn, ts.SyntaxKind.ExportKeyword) && !hasModifier(ts, fn, ts.SyntaxKind.DefaultKeyword);
  const outer = outermost(ts, fn);
  const declaration = outer.parent;
  if (!declaration || !ts.isVariableDeclaration(declaration)) return false;
  const statement = declaration.parent.parent;
  return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword);
}

/** The solver's answer: the units that become async, and what follows from it for each call site. */
export class Solution {
  readonly candidates = new Set<Unit>();

  constructor(private readonly ts: TypeScriptApi) {}

  canAwait(unit: Unit): boolean {
    return unit.alreadyAsync || this.candidates.has(unit);
  }

  siteOk(site: Site): boolean {
    if (site.kind === 'redirect' && site.wrapper?.info.passThrough) return true;
    if (this.canAwait(site.context)) return true;
    if (site.kind === 'parse') return this.runMainFallback(site) !== undefined;
    return false;
  }

  /** A program parsed by a top-level statement where `await` is not allowed: `runMain(() => program.parseAsync())`. */
  runMainFallback(site: Site): TS.ExpressionStatement | undefined {
    const ts = this.ts;
    if (site.context.kind !== 'top-level') return undefined;
    const statement = outermost(ts, site.call).parent;
    return statement && ts.isExpressionStatement(statement) && ts.isSourceFile(statement.parent) ? statement : undefined;
  }

  siteActive(site: Site): boolean {
    if (site.kind === 'redirect') return !site.wrapper!.info.refusal;
    return site.target !== undefined && (this.candidates.has(site.target) || (site.kind === 'parse' && site.target.alreadyAsync));
  }
}
