import type { TSESLint } from '@typescript-eslint/utils';
import noFloatingPromise from '../rules/no-floating-promise.js';
import noLoopPerCall from '../rules/no-loop-per-call.js';
import noSyncBridge from '../rules/no-sync-bridge.js';
import noSyncWrapper from '../rules/no-sync-wrapper.js';
import { sharedConfigEntries } from './core/meta/index.js';
import { parser } from './eslint/parser.js';
import { RULE_IDS, type Severity, type SharedConfig } from './core/types.js';
import { PACKAGE } from './version.js';

export const rules = {
  'no-loop-per-call': noLoopPerCall,
  'no-sync-bridge': noSyncBridge,
  'no-sync-wrapper': noSyncWrapper,
  'no-floating-promise': noFloatingPromise,
};

type RuleEntry = Severity | [Severity, Record<string, unknown>];
type RulesConfig = Record<`loop-audit/${keyof typeof rules}`, RuleEntry>;

export interface FlatConfig {
  name: string;
  files: string[];
  plugins: Record<string, unknown>;
  rules: Partial<RulesConfig>;
  languageOptions: { parser: typeof parser; parserOptions?: Record<string, unknown> };
}

export interface LoopAuditPlugin {
  meta: { name: string; version: string; namespace: string };
  rules: typeof rules;
  configs: {
    recommended: FlatConfig;
    'recommended-type-checked': FlatConfig;
    strict: FlatConfig;
    migration: FlatConfig;
  };
}

/** A shared config's rules, from each rule's meta (`configs`), as typescript-eslint generates its configs. */
function rulesOf(config: SharedConfig): RulesConfig {
  const entries = sharedConfigEntries(config);
  const rulesConfig = {} as RulesConfig;
  for (const id of RULE_IDS) {
    const entry = entries[id];
    rulesConfig[`loop-audit/${id}`] = typeof entry === 'string' ? entry : [entry[0], { ...entry[1] }];
  }
  return rulesConfig;
}

const recommendedRules = rulesOf('recommended');

const plugin: LoopAuditPlugin = {
  meta: { name: PACKAGE.name, version: PACKAGE.version, namespace: 'loop-audit' },
  rules,
  configs: {} as LoopAuditPlugin['configs'],
};

const plugins = { 'loop-audit': plugin };
/** Every config lints these by itself: no `files` entry, no parser to add for TypeScript. */
export const LINTED_FILES = ['**/*.{js,mjs,cjs,jsx,ts,tsx,mts,cts}'];
const untyped = { files: LINTED_FILES, plugins, languageOptions: { parser } };

plugin.configs.recommended = { name: 'loop-audit/recommended', ...untyped, rules: recommendedRules };
plugin.configs['recommended-type-checked'] = {
  name: 'loop-audit/recommended-type-checked',
  files: LINTED_FILES,
  plugins,
  rules: recommendedRules,
  // Type information makes no-floating-promise see every thenable, as typescript-eslint does.
  languageOptions: { parser, parserOptions: { projectService: true } },
};
plugin.configs.strict = { name: 'loop-audit/strict', ...untyped, rules: rulesOf('strict') };
// Mid-migration: stabilise first (no loop per call, no re-entering bridge), report the rest.
plugin.configs.migration = { name: 'loop-audit/migration', ...untyped, rules: rulesOf('migration') };

export default plugin;
export type { TSESLint };
