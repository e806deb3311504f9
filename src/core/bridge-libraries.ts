/**
 * The libraries that turn async work into a blocking call: one table, from which every use
 * derives what it needs — no-sync-bridge and no-sync-wrapper the factories and blocking calls
 * (bridges.ts), no-loop-per-call the factories that cost a worker or a process per call, the
 * runner rewrites which bridges they can take over and which calls are harmless at a module's top
 * level, and the progress engine's cleanup phase the packages that must leave package.json.
 */

export type BridgeKind =
  | 'deasync' // deasync(fn) / deasync-promise: spins the event loop re-entrantly
  | 'deasync-loop' // deasync.loopWhile / runLoopOnce / sleep
  | 'make-synchronous' // 2.x: a worker per makeSynchronous(); /subprocess (and 0.x): a node process per call
  | 'synckit' // a worker per createSyncFn, blocking calls
  | 'sync-rpc' // a server process, blocking calls
  | 'sync-threads' // a worker per call
  | 'do-sync' // a process per call
  | 'fibers'
  | 'atomics-wait'
  | 'exec-node' // execSync/spawnSync of node to get a result
  | 'busy-wait'
  | 'receive-message-poll'
  | 'sync-message-port' // SyncMessagePort#receiveMessage: Atomics.wait until another thread posts
  | 'pseudo-bridge'
  | 'process-wait' // a busy wait on a file or flag that a node process started just before changes
  | 'local-bridge' // a call of the project's own bridge, imported by relative path
  | 'runner'; // loop-audit/runtime's own bridge: the cure, still a bridge for no-sync-wrapper

/** The bridges loop-audit/runtime's runner can take over: the autofix families of the runner rewrites. */
export type RewritableBridge = 'make-synchronous' | 'synckit';

export interface BridgeEntry {
  /** The module as imported: `make-synchronous/subprocess`. */
  module: string;
  /** The export called (`createSyncFn`); none when the module itself is the function. */
  export?: string;
  kind: BridgeKind;
  /**
   * `factory`: returns a blocking function (`deasync(fn)`); `blocking`: blocks where it is called
   * (`deasync.loopWhile(...)`); `instance`: a class whose instances block in `blockingMethods`
   * (`new SyncMessagePort(port)`, then `port.receiveMessage()`).
   */
  role: 'factory' | 'blocking' | 'instance';
  /** For an `instance` entry: the methods that block the calling thread. */
  blockingMethods?: readonly string[];
  /** What building one costs, for a factory that no-loop-per-call reports when it is called per call. */
  perCallCost?: 'worker' | 'process';
  /** A factory whose bridge the runner can take over, and how. */
  rewrite?: RewritableBridge;
  /** Calling it at a module's top level only builds a function: loading that module again (in the runner's worker) starts nothing. */
  inertAtLoad?: boolean;
}

export interface BridgeLibrary {
  /** The npm package. */
  package: string;
  /** Its only job is to block on async work: a migration is over when no package.json depends on it (the cleanup phase). */
  removeWhenMigrated: boolean;
  entries: readonly BridgeEntry[];
}

export const BRIDGE_LIBRARIES: readonly BridgeLibrary[] = [
  {
    package: 'deasync',
    removeWhenMigrated: true,
    entries: [
      { module: 'deasync', kind: 'deasync', role: 'factory', inertAtLoad: true },
      { module: 'deasync', export: 'loopWhile', kind: 'deasync-loop', role: 'blocking' },
      { module: 'deasync', export: 'runLoopOnce', kind: 'deasync-loop', role: 'blocking' },
      { module: 'deasync', export: 'sleep', kind: 'deasync-loop', role: 'blocking' },
    ],
  },
  { package: 'deasync-promise', removeWhenMigrated: true, entries: [{ module: 'deasync-promise', kind: 'deasync', role: 'blocking' }] },
  { package: 'synchronized-promise', removeWhenMigrated: true, entries: [{ module: 'synchronized-promise', kind: 'deasync', role: 'blocking' }] },
  {
    package: 'make-synchronous',
    removeWhenMigrated: true,
    entries: [
      { module: 'make-synchronous', kind: 'make-synchronous', role: 'factory', perCallCost: 'worker', rewrite: 'make-synchronous', inertAtLoad: true },
      { module: 'make-synchronous/subprocess', kind: 'make-synchronous', role: 'factory', perCallCost: 'process', rewrite: 'make-synchronous', inertAtLoad: true },
    ],
  },
  {
    package: 'synckit',
    removeWhenMigrated: true,
    entries: [{ module: 'synckit', export: 'createSyncFn', kind: 'synckit', role: 'factory', perCallCost: 'worker', rewrite: 'synckit' }],
  },
  { package: 'sync-threads', removeWhenMigrated: true, entries: [{ module: 'sync-threads', export: 'createSyncFn', kind: 'sync-threads', role: 'factory', perCallCost: 'worker' }] },
  { package: 'do-sync', removeWhenMigrated: true, entries: [{ module: 'do-sync', export: 'doSync', kind: 'do-sync', role: 'factory', perCallCost: 'process' }] },
  { package: 'sync-rpc', removeWhenMigrated: true, entries: [{ module: 'sync-rpc', kind: 'sync-rpc', role: 'factory' }] },
  {
    // sass-embedded's and sync-child-process's blocking port: receiveMessage() waits on Atomics.wait.
    package: 'sync-message-port',
    removeWhenMigrated: true,
    entries: [{ module: 'sync-message-port', export: 'SyncMessagePort', kind: 'sync-message-port', role: 'instance', blockingMethods: ['receiveMessage'] }],
  },
  {
    package: 'fibers',
    removeWhenMigrated: true,
    entries: [
      { module: 'fibers', export: 'yield', kind: 'fibers', role: 'blocking' },
      { module: 'fibers/future', export: 'wait', kind: 'fibers', role: 'blocking' },
    ],
  },
  // The package's old name: nothing to recognise in code (it is imported as `fibers`), but a dependency all the same.
  { package: 'node-fibers', removeWhenMigrated: true, entries: [] },
  {
    package: 'wait.for',
    // Recognised in code, but not one of the cleanup phase's packages.
    removeWhenMigrated: false,
    entries: [
      { module: 'wait.for', export: 'for', kind: 'fibers', role: 'blocking' },
      { module: 'wait.for', export: 'forMethod', kind: 'fibers', role: 'blocking' },
    ],
  },
  {
    // The cure: still a bridge (no-sync-wrapper sees through it), never a package to remove.
    package: 'loop-audit',
    removeWhenMigrated: false,
    entries: [
      { module: 'loop-audit/runtime', export: 'defineSync', kind: 'runner', role: 'factory', inertAtLoad: true },
      { module: 'loop-audit/runtime', export: 'syncFunction', kind: 'runner', role: 'factory', inertAtLoad: true },
    ],
  },
];

/** An entry's key as resolved references are written: `module` or `module#export`. */
export function bridgeKey(entry: Pick<BridgeEntry, 'module' | 'export'>): string {
  return entry.export === undefined ? entry.module : `${entry.module}#${entry.export}`;
}

export const BRIDGE_ENTRIES: readonly BridgeEntry[] = BRIDGE_LIBRARIES.flatMap((library) => library.entries);

/** Every entry by its key. */
export const BRIDGE_ENTRY_BY_KEY: ReadonlyMap<string, BridgeEntry> = new Map(BRIDGE_ENTRIES.map((entry) => [bridgeKey(entry), entry]));

/** Libraries whose only job is to block on async work: the migration is over when none is a dependency. */
export const BRIDGE_PACKAGES: readonly string[] = BRIDGE_LIBRARIES.filter((library) => library.removeWhenMigrated)
  .map((library) => library.package)
  .sort();
