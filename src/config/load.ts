import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RuleSelection } from '../core/analyze.js';
import { DEFAULT_SEVERITIES } from '../core/meta/index.js';
import { RULE_IDS, type RuleId } from '../core/types.js';
import { ConfigError, type LoopAuditConfig, type ResolvedConfig, type ResolvedRule } from './types.js';

export const CONFIG_FILE_NAME = 'loop-audit.config.json';
export const PACKAGE_JSON_KEY = 'loopAudit';

// The severities of the plugin's `recommended` config, from each rule's meta.
export { DEFAULT_SEVERITIES };

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface FoundConfig {
  file: string;
  /** What the user sees in messages: the file, or `package.json#loopAudit`. */
  source: string;
  raw: unknown;
}

/**
 * The nearest configuration above `startDir` (inclusive): a `loop-audit.config.json`, or a
 * package.json with a `loopAudit` key, searching no higher than the repository root (a `.git`).
 * A directory with both is ambiguous and an error.
 */
export function findConfig(startDir: string): FoundConfig | undefined {
  for (let dir = path.resolve(startDir); ;) {
    const configFile = path.join(dir, CONFIG_FILE_NAME);
    const configText = readText(configFile);
    const pkgFile = path.join(dir, 'package.json');
    const pkgText = readText(pkgFile);
    let fromPackage: unknown;
    if (pkgText !== undefined) {
      const pkg = parseJson(pkgText, pkgFile);
      if (typeof pkg === 'object' && pkg !== null && PACKAGE_JSON_KEY in pkg) fromPackage = (pkg as Record<string, unknown>)[PACKAGE_JSON_KEY];
    }
    if (configText !== undefined && fromPackage !== undefined) {
      throw new ConfigError(`both ${configFile} and "${PACKAGE_JSON_KEY}" in ${pkgFile} configure loop-audit: keep one`);
    }
    if (configText !== undefined) return { file: configFile, source: configFile, raw: parseJson(configText, configFile) };
    if (fromPackage !== undefined) return { file: pkgFile, source: `${pkgFile} ("${PACKAGE_JSON_KEY}")`, raw: fromPackage };
    // A repository's root is as far as a search goes: a config above it belongs to something else.
    if (existsAsGitEntry(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function existsAsGitEntry(p: string): boolean {
  try {
    return statSync(p) !== undefined;
  } catch {
    return false;
  }
}

/** Reads an explicitly named configuration file (`--config FILE`): a loop-audit.config.json-shaped file or a package.json. */
export function readConfigFile(file: string): FoundConfig {
  const absolute = path.resolve(file);
  const text = readText(absolute);
  if (text === undefined) throw new ConfigError(`configuration file not found: ${absolute}`);
  const raw = parseJson(text, absolute);
  if (path.basename(absolute) === 'package.json') {
    const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)[PACKAGE_JSON_KEY] : undefined;
    if (value === undefined) throw new ConfigError(`${absolute} has no "${PACKAGE_JSON_KEY}" key`);
    return { file: absolute, source: `${absolute} ("${PACKAGE_JSON_KEY}")`, raw: value };
  }
  return { file: absolute, source: absolute, raw };
}

/** Every rule present, defaults filled in. `config` must already be validated. */
export async function resolveConfig(config: LoopAuditConfig | undefined, file: string | undefined, baseDir: string): Promise<ResolvedConfig> {
  const rules = {} as Record<RuleId, ResolvedRule>;
  for (const id of RULE_IDS) rules[id] = { severity: DEFAULT_SEVERITIES[id], options: {} };
  if (config?.rules) {
    const { normalizeRuleId, ruleEntryParts } = await import('./validate.js');
    for (const [key, entry] of Object.entries(config.rules)) {
      const id = normalizeRuleId(key)!;
      const { severity, options } = ruleEntryParts(entry);
      rules[id] = { severity, options };
    }
  }
  return {
    file,
    baseDir,
    rules,
    include: config?.include ?? [],
    exclude: config?.exclude ?? [],
    phases: config?.phases,
    typeBackend: config?.typeBackend,
  };
}

/**
 * Finds (or reads the named) configuration, validates it and resolves it. No file at all
 * means the defaults, rooted at `cwd`.
 */
export async function loadConfig(cwd: string, explicitFile?: string): Promise<ResolvedConfig> {
  const found = explicitFile ? readConfigFile(path.resolve(cwd, explicitFile)) : findConfig(cwd);
  if (!found) return resolveConfig(undefined, undefined, path.resolve(cwd));
  // The validator (and its JSON Schema engine for rule options) loads only when there is something to validate.
  const { validateConfig } = await import('./validate.js');
  const config = validateConfig(found.raw, found.source);
  return resolveConfig(config, found.file, path.dirname(found.file));
}

/** The rules to run: the configuration's (rules set to `off` are not run), narrowed to `only` when given. */
export function ruleSelection(config: ResolvedConfig, only?: ReadonlySet<RuleId>): RuleSelection {
  const selection: RuleSelection = {};
  for (const id of RULE_IDS) {
    const rule = config.rules[id];
    selection[id] = rule.severity === 'off' || (only && !only.has(id)) ? false : rule.options;
  }
  return selection;
}
