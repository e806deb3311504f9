export { analyzeFile, analyzeRule, DETECTORS, type RuleSelection } from './core/analyze.js';
export { FileFacts, type Reference } from './core/facts.js';
export { createDiskModuleFacts } from './core/module-facts.js';
export type { Detector } from './core/detector.js';
export { FAMILY_OF_RULE, RULE_META } from './core/meta/index.js';
export { RULE_IDS, type AnalysisInput, type Family, type Finding, type ModuleFacts, type RuleId, type RuleMeta, type Suggestion, type TextEdit } from './core/types.js';
export { formatMessage } from './core/messages.js';
export { PACKAGE } from './version.js';
export { scan } from './scan/scan.js';
export { ScanUsageError, type ScanError, type ScanErrorKind, type ScanFinding, type ScanOptions, type ScanProgress, type ScanResult, type ScanStats } from './scan/types.js';
export { loadConfig, DEFAULT_SEVERITIES } from './config/load.js';
export { ConfigError, type LoopAuditConfig, type PhaseConfig, type ResolvedConfig, type ResolvedRule, type RuleEntry, type Severity } from './config/types.js';
export { formatReport, FORMATS, toJsonReport, toSarif, type JsonReport, type ReportFormat } from './report/index.js';
export { runProgress, runBaseline, applyScanBaseline, type ProgressOptions, type ProgressOutcome, type BaselineOptions } from './progress/run.js';
export { DEFAULT_PHASES, BRIDGE_PACKAGES, resolvePhases, type Phase } from './progress/phases.js';
export type { ProgressReport } from './progress/compute.js';
export { migrate } from './migrate/migrate.js';
export { formatMigrateJson, formatMigrateReport } from './migrate/format.js';
export type {
  Change as MigrateChange,
  ChangeKind as MigrateChangeKind,
  FileOutcome as MigrateFileOutcome,
  MigrateOptions,
  MigrateResult,
  MigrateSummary,
  MigrationMode,
  Refusal as MigrateRefusal,
  RefusalKind as MigrateRefusalKind,
} from './migrate/types.js';
export { fixProject, formatDiff, type FixOptions, type FixResult, type FixedFile } from './fix/run.js';
