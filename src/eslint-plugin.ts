import type { TSESLint } from '@typescript-eslint/utils';
import noFloatingPromise from '../rules/no-floating-promise.js';
import noLoopPerCall from '../rules/no-loop-per-call.js';
import noSyncBridge from '../rules/no-sync-bridge.js';
import noSyncWrapper from '../rules/no-sync-wrapper.js';
import { parser } from './eslint/parser.js';
import { PACKAGE } from './version.js';

export const rules = {
  'no-loop-per-call': noLoopPerCall,
  'no-sync-bridge': noSyncBridge,
  'no-sync-wrapper': noSyncWrapper,
  'no-floating-promise': noFloatingPromise,
};

type Severity = 'off' | 'warn' | 'error';
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

const recommendedRules: RulesConfig = {
  'loop-audit/no-loop-per-call': 'error',
  'loop-audit/no-sync-bridge': 'error',
  // Sync wrappers are migration debt, not a bug by themselves: visible, not blocking.
  'loop-audit/no-sync-wrapper': 'warn',
  'loop-audit/no-floating-promise': 'error',
};

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
plugin.configs.strict = {
  name: 'loop-audit/strict',
  ...untyped,
  rules: {
    ...recommendedRules,
    'loop-audit/no-sync-wrapper': 'error',
    // The seeds' lesson: a task dropped with `void` loses its error just the same.
    'loop-audit/no-floating-promise': ['error', { allowVoid: false }],
  },
};
plugin.configs.migration = {
  name: 'loop-audit/migration',
  ...untyped,
  // Mid-migration: stabilise first (no loop per call, no re-entering bridge), report the rest.
  rules: {
    'loop-audit/no-loop-per-call': 'error',
    'loop-audit/no-sync-bridge': 'error',
    'loop-audit/no-sync-wrapper': 'warn',
    'loop-audit/no-floating-promise': 'warn',
  },
};

export default plugin;
export type { TSESLint };
