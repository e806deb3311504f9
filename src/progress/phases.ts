import picomatch from 'picomatch';
import { BRIDGE_PACKAGES } from '../core/bridge-libraries.js';
import { RULE_IDS, type RuleId } from '../core/types.js';
import { ConfigError } from '../config/types.js';

/**
 * A migration phase as the progress engine uses it: the phases block of the configuration, with
 * defaults filled in, rule ids normalised and the phases sorted by `order`.
 */
export interface Phase {
  name: string;
  description: string;
  /** Globs of the phase's layer, relative to the configuration's directory; empty means everywhere. */
  globs: string[];
  rules: RuleId[];
  order: number;
  /** Packages that must be gone from package.json before the phase is done (the cleanup phase's bridges). */
  packages: string[];
}

export { BRIDGE_PACKAGES };

/** Python distributions whose only job is to block on async work (names normalised as PEP 503 does). */
export const PYTHON_BRIDGE_PACKAGES: readonly string[] = ['nest-asyncio', 'syncer', 'unsync'];

const DATA_LAYER_DIRS = 'repositories,repository,db,data,dal,clients';
const CLI_DIRS = 'cli,commands,bin';
const WEB_DIRS = 'routes,controllers,handlers,api,web,server';
const JOB_DIRS = 'jobs,workers,schedulers,queues,cron';
/**
 * Python projects name their layers after the same directories, plus their frameworks' (`crud`
 * of FastAPI's templates, Django's `views.py`, Celery's `tasks.py`), and often keep a layer in one
 * module rather than a directory (`services.py`, `user_repository.py`).
 */
const PY_DATA_LAYER = ['**/{crud,dao,repos}/**/*.py', '**/{repositories,repository,crud,dao,db}.py', '**/*_{repository,repositories,repo,dao}.py'];
const PY_SERVICES = ['**/{services,service}.py', '**/*_service.py'];
const PY_APPLICATION = ['**/{views,routers,endpoints,blueprints}/**/*.py', '**/{views,api,routes,routers,endpoints,cli,commands}.py', '**/*_{views,api,routes}.py'];
const PY_JOBS = ['**/{tasks,consumers}/**/*.py', '**/{tasks,jobs,workers,scheduler,consumers}.py', '**/*_{job,jobs,task,tasks,worker}.py'];

/** The phased plan of seeds 001 and 003, in order: stabilise the bridges, then go async layer by layer from the bottom up. */
export const DEFAULT_PHASES: readonly Phase[] = [
  {
    name: 'stabilize',
    description: 'Everywhere: no event loop, worker or process per call, and no bridge that re-enters or spins the loop; every remaining bridge goes through the one runner.',
    globs: [],
    rules: ['no-loop-per-call', 'no-sync-bridge'],
    order: 1,
    packages: [],
  },
  {
    name: 'data-layer',
    description: 'Repositories, data access and clients expose async APIs only: no sync wrappers, no bridges.',
    globs: [`**/{${DATA_LAYER_DIRS}}/**`, ...PY_DATA_LAYER],
    rules: ['no-sync-wrapper', 'no-sync-bridge'],
    order: 2,
    packages: [],
  },
  {
    name: 'services',
    description: 'Business logic awaits the data layer: no sync wrappers or bridge calls in services.',
    globs: ['**/services/**', ...PY_SERVICES],
    rules: ['no-sync-wrapper', 'no-sync-bridge'],
    order: 3,
    packages: [],
  },
  {
    name: 'application',
    description: 'CLI commands and web handlers are async (commander parseAsync, async route handlers) and handle their promises: no bridges.',
    globs: [`**/{${CLI_DIRS}}/**`, `**/{${WEB_DIRS}}/**`, ...PY_APPLICATION],
    rules: ['no-sync-wrapper', 'no-sync-bridge', 'no-floating-promise'],
    order: 4,
    packages: [],
  },
  {
    name: 'background-jobs',
    description: 'Scheduled jobs, workers and queue consumers run async handlers whose errors are handled: no floating promises.',
    globs: [`**/{${JOB_DIRS}}/**`, ...PY_JOBS],
    rules: ['no-floating-promise', 'no-sync-wrapper', 'no-sync-bridge'],
    order: 5,
    packages: [],
  },
  {
    name: 'cleanup',
    description: 'Everywhere: no sync wrapper, no bridge, no floating promise, and no bridge package left in package.json or the Python manifests.',
    globs: [],
    rules: ['no-sync-wrapper', 'no-sync-bridge', 'no-floating-promise'],
    order: 6,
    packages: [...BRIDGE_PACKAGES, ...PYTHON_BRIDGE_PACKAGES],
  },
];

/** The keys a phase may have in the configuration. */
export const PHASE_KEYS = ['name', 'description', 'globs', 'rules', 'order', 'packages'] as const;

const RULE_PREFIX = 'loop-audit/';

function ruleIdOf(value: string): RuleId | undefined {
  const bare = value.startsWith(RULE_PREFIX) ? value.slice(RULE_PREFIX.length) : value;
  return (RULE_IDS as readonly string[]).includes(bare) ? (bare as RuleId) : undefined;
}

function keyPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStrings(value: unknown, where: string, problems: string[]): value is string[] {
  if (!Array.isArray(value)) {
    problems.push(`${where}: must be an array of strings, got ${describeValue(value)}`);
    return false;
  }
  let ok = true;
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      problems.push(`${keyPath(where, i)}: must be a non-empty string, got ${describeValue(item)}`);
      ok = false;
    }
  });
  return ok;
}

/**
 * Problems in a configuration's `phases` value, each starting with the path of the bad key
 * (`phases[2].rules[0]: unknown rule "no-sync-wraper"`). Empty when it is valid.
 */
export function phaseProblems(raw: unknown, base = 'phases'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(raw)) return [`${base}: must be an array of phases, got ${describeValue(raw)}`];
  if (raw.length === 0) problems.push(`${base}: must list at least one phase (leave the key out for the default phases)`);
  const names = new Map<string, number>();
  raw.forEach((phase, i) => {
    const where = keyPath(base, i);
    if (!isPlainObject(phase)) {
      problems.push(`${where}: a phase must be an object, got ${describeValue(phase)}`);
      return;
    }
    for (const key of Object.keys(phase)) {
      if (!(PHASE_KEYS as readonly string[]).includes(key)) problems.push(`${keyPath(where, key)}: unknown key (allowed: ${PHASE_KEYS.join(', ')})`);
    }
    if (phase.name === undefined) problems.push(`${keyPath(where, 'name')}: is required`);
    else if (typeof phase.name !== 'string' || phase.name.trim() === '') {
      problems.push(`${keyPath(where, 'name')}: must be a non-empty string, got ${describeValue(phase.name)}`);
    } else if (names.has(phase.name)) {
      problems.push(`${keyPath(where, 'name')}: duplicate phase name "${phase.name}" (also ${keyPath(base, names.get(phase.name)!)})`);
    } else names.set(phase.name, i);
    if (phase.description !== undefined && typeof phase.description !== 'string') {
      problems.push(`${keyPath(where, 'description')}: must be a string, got ${describeValue(phase.description)}`);
    }
    if (phase.globs !== undefined && checkStrings(phase.globs, keyPath(where, 'globs'), problems)) {
      phase.globs.forEach((glob, g) => {
        if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob)) problems.push(`${keyPath(keyPath(where, 'globs'), g)}: must be relative to the configuration's directory, got "${glob}"`);
      });
    }
    if (phase.rules === undefined) problems.push(`${keyPath(where, 'rules')}: is required`);
    else if (checkStrings(phase.rules, keyPath(where, 'rules'), problems)) {
      if (phase.rules.length === 0) problems.push(`${keyPath(where, 'rules')}: must name at least one rule`);
      phase.rules.forEach((rule, r) => {
        if (!ruleIdOf(rule)) problems.push(`${keyPath(keyPath(where, 'rules'), r)}: unknown rule "${rule}" (known: ${RULE_IDS.join(', ')})`);
      });
    }
    if (phase.order !== undefined && (typeof phase.order !== 'number' || !Number.isFinite(phase.order))) {
      problems.push(`${keyPath(where, 'order')}: must be a number, got ${describeValue(phase.order)}`);
    }
    if (phase.packages !== undefined) checkStrings(phase.packages, keyPath(where, 'packages'), problems);
  });
  return problems;
}

/**
 * The phases to measure: the defaults when the configuration has no `phases` block, otherwise the
 * user's list, which replaces the defaults entirely (so phases can be renamed, reordered, added or
 * dropped), sorted by `order` (ties and phases without one keep their position in the list).
 * A phase named `cleanup` without `packages` checks the default bridge packages, as the built-in
 * one does. Throws a ConfigError naming every bad key.
 */
export function resolvePhases(raw: unknown, source = 'configuration'): Phase[] {
  if (raw === undefined) return DEFAULT_PHASES.map((phase) => ({ ...phase, globs: [...phase.globs], rules: [...phase.rules], packages: [...phase.packages] }));
  const problems = phaseProblems(raw);
  if (problems.length > 0) throw new ConfigError(`invalid phases in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const list = raw as Array<{ name: string; description?: string; globs?: string[]; rules: string[]; order?: number; packages?: string[] }>;
  const phases = list.map((phase, index) => ({
    phase: {
      name: phase.name,
      description: phase.description ?? '',
      globs: [...(phase.globs ?? [])],
      rules: [...new Set(phase.rules.map((rule) => ruleIdOf(rule)!))],
      order: phase.order ?? index + 1,
      packages: [...(phase.packages ?? (phase.name === 'cleanup' ? [...BRIDGE_PACKAGES, ...PYTHON_BRIDGE_PACKAGES] : []))],
    },
    index,
  }));
  phases.sort((a, b) => a.phase.order - b.phase.order || a.index - b.index);
  return phases.map(({ phase }) => phase);
}

/** Whether `file` (relative to the configuration's directory, forward slashes) belongs to the phase's layer. */
export function phaseMatcher(phase: Pick<Phase, 'globs'>): (file: string) => boolean {
  if (phase.globs.length === 0) return () => true;
  const matchers = phase.globs.map((glob) => picomatch(glob, { dot: true }));
  return (file) => matchers.some((match) => match(file));
}
