import { Ajv, type ErrorObject } from 'ajv';
import { DETECTORS } from '../core/analyze.js';
import { RULE_IDS, type RuleId } from '../core/types.js';
import { ConfigError, type LoopAuditConfig, type PhaseConfig, type RuleEntry, type Severity } from './types.js';

const SEVERITIES: readonly Severity[] = ['off', 'warn', 'error'];
const TOP_LEVEL_KEYS = ['$schema', 'rules', 'include', 'exclude', 'phases', 'typeBackend'] as const;
const TYPE_BACKENDS = ['auto', 'typescript7', 'typescript6'];
const PHASE_KEYS = ['name', 'description', 'globs', 'rules', 'order', 'packages'] as const;
const RULE_PREFIX = 'loop-audit/';

/** `loop-audit/no-sync-wrapper` and `no-sync-wrapper` name the same rule; anything else is unknown. */
export function normalizeRuleId(key: string): RuleId | undefined {
  const bare = key.startsWith(RULE_PREFIX) ? key.slice(RULE_PREFIX.length) : key;
  return (RULE_IDS as readonly string[]).includes(bare) ? (bare as RuleId) : undefined;
}

/** `phases[2].rulez`, `rules["loop-audit/no-sync-bridge"]`: the way a reader finds the key in the file. */
export function keyPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let ajv: Ajv | undefined;
const optionValidators = new Map<RuleId, ReturnType<Ajv['compile']>>();

/** Rule options are checked against the very schema the ESLint rule declares, so both fronts accept the same options. */
function optionsErrors(ruleId: RuleId, options: unknown): ErrorObject[] {
  let validate = optionValidators.get(ruleId);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(DETECTORS[ruleId].meta.optionsSchema);
    optionValidators.set(ruleId, validate);
  }
  return validate(options) ? [] : [...(validate.errors ?? [])];
}

function ajvErrorToMessage(base: string, error: ErrorObject): string {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let where = base;
  for (const segment of segments) where = /^\d+$/.test(segment) ? keyPath(where, Number(segment)) : keyPath(where, segment);
  if (error.keyword === 'additionalProperties') {
    return `${keyPath(where, (error.params as { additionalProperty: string }).additionalProperty)}: unknown option`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${where}: must be one of ${allowed}`;
  }
  return `${where}: ${error.message ?? 'is invalid'}`;
}

function stringArray(value: unknown, path: string, problems: string[], { nonEmpty = false } = {}): void {
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be an array of strings, got ${describe(value)}`);
    return;
  }
  if (nonEmpty && value.length === 0) problems.push(`${path}: must not be empty`);
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.length === 0) problems.push(`${keyPath(path, i)}: must be a non-empty string, got ${describe(item)}`);
  });
}

function validateRuleEntry(key: string, entry: unknown, path: string, problems: string[]): void {
  const ruleId = normalizeRuleId(key);
  if (!ruleId) {
    problems.push(`${path}: unknown rule "${key}" (known: ${RULE_IDS.join(', ')})`);
    return;
  }
  const severity: unknown = Array.isArray(entry) ? entry[0] : entry;
  const severityPath = Array.isArray(entry) ? keyPath(path, 0) : path;
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as Severity)) {
    problems.push(`${severityPath}: severity must be one of "off", "warn", "error" (or [severity, options]), got ${describe(severity)}`);
  }
  if (!Array.isArray(entry)) return;
  if (entry.length > 2) problems.push(`${path}: must be [severity] or [severity, options], got ${entry.length} items`);
  if (entry.length >= 2) {
    const options: unknown = entry[1];
    if (!isPlainObject(options)) problems.push(`${keyPath(path, 1)}: options must be an object, got ${describe(options)}`);
    else for (const error of optionsErrors(ruleId, options)) problems.push(ajvErrorToMessage(keyPath(path, 1), error));
  }
}

function validatePhase(phase: unknown, path: string, problems: string[]): void {
  if (!isPlainObject(phase)) {
    problems.push(`${path}: a phase must be an object, got ${describe(phase)}`);
    return;
  }
  for (const key of Object.keys(phase)) {
    if (!(PHASE_KEYS as readonly string[]).includes(key)) problems.push(`${keyPath(path, key)}: unknown key (allowed: ${PHASE_KEYS.join(', ')})`);
  }
  if (phase.name === undefined) problems.push(`${keyPath(path, 'name')}: is required`);
  else if (typeof phase.name !== 'string' || phase.name.trim() === '') problems.push(`${keyPath(path, 'name')}: must be a non-empty string, got ${describe(phase.name)}`);
  if (phase.description !== undefined && typeof phase.description !== 'string') {
    problems.push(`${keyPath(path, 'description')}: must be a string, got ${describe(phase.description)}`);
  }
  if (phase.globs !== undefined) stringArray(phase.globs, keyPath(path, 'globs'), problems);
  if (phase.rules === undefined) problems.push(`${keyPath(path, 'rules')}: is required`);
  else {
    stringArray(phase.rules, keyPath(path, 'rules'), problems);
    if (Array.isArray(phase.rules)) {
      phase.rules.forEach((rule, i) => {
        if (typeof rule === 'string' && rule.length > 0 && !normalizeRuleId(rule)) {
          problems.push(`${keyPath(keyPath(path, 'rules'), i)}: unknown rule "${rule}" (known: ${RULE_IDS.join(', ')})`);
        }
      });
    }
  }
  if (phase.order !== undefined && (typeof phase.order !== 'number' || !Number.isFinite(phase.order))) {
    problems.push(`${keyPath(path, 'order')}: must be a number, got ${describe(phase.order)}`);
  }
  // Bridge packages that must be gone from package.json before the phase is done (see src/progress/phases.ts).
  if (phase.packages !== undefined) stringArray(phase.packages, keyPath(path, 'packages'), problems);
}

/**
 * Checks a parsed configuration object and returns it typed, or throws one ConfigError that
 * lists every problem, each starting with the path of the bad key (`phases[2].rulez: unknown key`).
 */
export function validateConfig(raw: unknown, source: string): LoopAuditConfig {
  const problems: string[] = [];
  if (!isPlainObject(raw)) throw new ConfigError(`${source}: the configuration must be a JSON object, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) problems.push(`${keyPath('', key)}: unknown key (allowed: ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  if (raw.$schema !== undefined && typeof raw.$schema !== 'string') problems.push(`$schema: must be a string, got ${describe(raw.$schema)}`);
  if (raw.rules !== undefined) {
    if (!isPlainObject(raw.rules)) problems.push(`rules: must be an object mapping rule ids to severities, got ${describe(raw.rules)}`);
    else {
      const seen = new Map<RuleId, string>();
      for (const [key, entry] of Object.entries(raw.rules)) {
        const path = keyPath('rules', key);
        validateRuleEntry(key, entry, path, problems);
        const ruleId = normalizeRuleId(key);
        if (ruleId && seen.has(ruleId)) problems.push(`${path}: the same rule is already configured as ${seen.get(ruleId)}`);
        if (ruleId) seen.set(ruleId, path);
      }
    }
  }
  if (raw.include !== undefined) stringArray(raw.include, 'include', problems);
  if (raw.exclude !== undefined) stringArray(raw.exclude, 'exclude', problems);
  if (raw.typeBackend !== undefined && !TYPE_BACKENDS.includes(raw.typeBackend as string)) {
    problems.push(`typeBackend: must be one of ${TYPE_BACKENDS.map((b) => `"${b}"`).join(', ')}, got ${describe(raw.typeBackend)}`);
  }
  if (raw.phases !== undefined) {
    if (!Array.isArray(raw.phases)) problems.push(`phases: must be an array of phases, got ${describe(raw.phases)}`);
    else {
      const names = new Map<string, number>();
      raw.phases.forEach((phase, i) => {
        const path = keyPath('phases', i);
        validatePhase(phase, path, problems);
        if (isPlainObject(phase) && typeof phase.name === 'string') {
          const earlier = names.get(phase.name);
          if (earlier !== undefined) problems.push(`${keyPath(path, 'name')}: duplicate phase name "${phase.name}" (also phases[${earlier}])`);
          else names.set(phase.name, i);
        }
      });
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return raw;
}

export function ruleEntryParts(entry: RuleEntry): { severity: Severity; options: Record<string, unknown> } {
  if (Array.isArray(entry)) return { severity: entry[0], options: entry[1] ?? {} };
  return { severity: entry, options: {} };
}

export type { PhaseConfig };
