/** What a migration did, one entry per change, located in the file as it was before. */
export type ChangeKind =
  | 'wrapper-deleted'
  | 'wrapper-moved-to-runner'
  | 'call-rewritten'
  | 'made-async'
  | 'signature-changed'
  | 'entry-point'
  | 'parse-async'
  | 'public-boundary'
  | 'helper-deleted'
  | 'declaration-deleted'
  | 'import-changed'
  | 'floating-fixed'
  | 'package-removed'
  | 'package-added';

export interface Change {
  kind: ChangeKind;
  /** Relative to the root, forward slashes. */
  file: string;
  /** 1-based, in the file before the migration. */
  line: number;
  message: string;
}

/** Why something was left as it was. */
export type RefusalKind =
  | 'constructor'
  | 'accessor'
  | 'generator'
  | 'overload'
  | 'type-predicate'
  | 'declared-type'
  | 'callback'
  | 'executor'
  | 'describe'
  | 'done-callback'
  | 'value-use'
  | 'unawaitable-context'
  | 'top-level'
  | 'outside-project'
  | 'library-type'
  | 'sibling'
  | 'parameters'
  | 'program'
  | 'public-boundary'
  | 'runner'
  | 'syntax'
  | 'unsafe-write'
  | 'kept';

export interface Refusal {
  kind: RefusalKind;
  file: string;
  line: number;
  message: string;
}

/** A finding of the phase's rules that the run left as it was without a refusal: why, and what to do instead. */
export interface Unhandled {
  file: string;
  line: number;
  ruleId: string;
  message: string;
  reason: string;
  todo: string;
}

export type MigrationMode = 'async' | 'runner';

export interface FileOutcome {
  file: string;
  status: 'changed' | 'refused' | 'written';
  /** Why a changed file was not written (it would not parse, or the path is not safe to write). */
  reason?: string;
}

export interface MigrateSummary {
  wrappersFound: number;
  wrappersRemoved: number;
  wrappersMovedToRunner: number;
  wrappersKept: number;
  functionsMadeAsync: number;
  callSitesRewritten: number;
  entryPoints: number;
  floatingFixed: number;
  filesChanged: number;
  filesRefused: number;
  refusals: number;
  /** Files in scope (analysed). */
  filesInScope: number;
  unhandled: number;
}

export interface MigrateResult {
  root: string;
  scope: string;
  mode: MigrationMode;
  write: boolean;
  files: FileOutcome[];
  changes: Change[];
  refusals: Refusal[];
  /** When the run changed nothing: the findings of the phase's rules still in scope that it does not handle. */
  unhandled: Unhandled[];
  /** Things to know that are neither a change nor a refusal (a public API that changed, a runner caveat). */
  notes: string[];
  /** The unified diff of every file that changed (or would change). */
  diff: string;
  summary: MigrateSummary;
}

export interface MigrateOptions {
  /** Project root: files outside it are never written. Default: process.cwd(). */
  cwd?: string;
  /** A phase of the phases configuration: its layer is the scope, its rules choose what to do. */
  phase?: string;
  /** Files, directories or globs (relative to cwd) to migrate; with `phase`, both must match. */
  paths?: string[];
  tsconfig?: string;
  /** Configuration file (default: the one `scan` finds). */
  config?: string;
  /** Apply the changes. Without it, nothing is written and the diff shows what would change. */
  write?: boolean;
  /**
   * `async`: callers await the async sibling and the wrapper goes. `runner`: the wrapper stays
   * but blocks through loop-audit/runtime's runner (the stabilize phase). Default: `runner` for a
   * phase whose rules are about bridges only, `async` otherwise.
   */
  mode?: MigrationMode;
  /** Exported functions keep a sync signature: a marked wrapper over the runner stays at the boundary. */
  keepPublicSync?: boolean;
  /** Functions named `…Sync` that become async keep their names (by default they lose the suffix, across files). */
  keepNames?: boolean;
  /** Move wrappers onto the runtime in a published library too, adding @loop-audit/runtime to its dependencies. */
  allowRuntimeDependency?: boolean;
  /** Run the project's formatter (prettier, biome, dprint) on the rewritten files it kept formatted (default true). */
  format?: boolean;
}
