import type { TSESLint } from '@typescript-eslint/utils';
import noFloatingPromise from '../rules/no-floating-promise.js';
import noLoopPerCall from '../rules/no-loop-per-call.js';
import noSyncBridge from '../rules/no-sync-bridge.js';
import noSyncWrapper from '../rules/no-sync-wrapper.js';
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
  plugins: Record<string, unknown>;
  rules: Partial<RulesConfig>;
  languageOptions?: { parserOptions?: Record<string, unknown> };
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

plugin.configs.recommended = { name: 'loop-audit/recommended', plugins, rules: recommendedRules };
plugin.configs['recommended-type-checked'] = {
  name: 'loop-audit/recommended-type-checked',
  plugins,
  rules: recommendedRules,
  // Type information makes no-floating-promise see every thenable, as typescript-eslint does.
  languageOptions: { parserOptions: { projectService: true } },
};
plugin.configs.strict = {
  name: 'loop-audit/strict',
  plugins,
  rules: {
    ...recommendedRules,
    'loop-audit/no-sync-wrapper': 'error',
    // The seeds' lesson: a task dropped with `void` loses its error just the same.
    'loop-audit/no-floating-promise': ['error', { allowVoid: false }],
  },
};
plugin.configs.migration = {
  name: 'loop-audit/migration',
  plugins,
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
