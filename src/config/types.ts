import type { RuleId, Severity } from '../core/types.js';

export type { Severity };

/** A rule's entry as written: a severity, or `[severity, options]` as in ESLint. */
export type RuleEntry = Severity | [Severity] | [Severity, Record<string, unknown>];

/**
 * A migration phase (the progress command's model): the layer it covers, the rules whose
 * findings must reach zero in it, and where it stands in the sequence.
 */
export interface PhaseConfig {
  name: string;
  description?: string;
  /** Globs of the phase's layer, relative to the config file's directory. None: everywhere. */
  globs?: string[];
  /** Rule ids (`no-sync-wrapper` or `loop-audit/no-sync-wrapper`) that this phase drives to zero. */
  rules: string[];
  order?: number;
  /** Packages that must be gone from package.json dependencies before the phase is done. */
  packages?: string[];
}

/** The configuration file's content (`loop-audit.config.json` or `"loopAudit"` in package.json). */
export interface LoopAuditConfig {
  $schema?: string;
  rules?: Record<string, RuleEntry>;
  include?: string[];
  exclude?: string[];
  phases?: PhaseConfig[];
  /** Which TypeScript answers type questions in `loop-audit scan` (`--type-backend` overrides it). */
  typeBackend?: 'auto' | 'typescript7' | 'typescript6';
}

/** A rule as the scanner runs it: its severity and its options merged over nothing (the core adds defaults). */
export interface ResolvedRule {
  severity: Severity;
  options: Record<string, unknown>;
}

/** A configuration after validation, with every rule present and paths made absolute. */
export interface ResolvedConfig {
  /** Absolute path of the file it came from, or undefined for the built-in defaults. */
  file: string | undefined;
  /** Directory the include/exclude/phase globs are relative to. */
  baseDir: string;
  rules: Record<RuleId, ResolvedRule>;
  include: string[];
  exclude: string[];
  phases: PhaseConfig[] | undefined;
  typeBackend: 'auto' | 'typescript7' | 'typescript6' | undefined;
}

/** A configuration problem: the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
