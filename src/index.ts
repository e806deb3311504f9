export { analyzeFile, analyzeRule, DETECTORS, type RuleSelection } from './core/analyze.js';
export { FileFacts, type Reference } from './core/facts.js';
export { createDiskModuleFacts } from './core/module-facts.js';
export type { Detector } from './core/detector.js';
export {
  FAMILY_OF_RULE,
  RULE_IDS,
  type AnalysisInput,
  type Family,
  type Finding,
  type ModuleFacts,
  type RuleId,
  type RuleMeta,
  type Suggestion,
  type TextEdit,
} from './core/types.js';
export { formatMessage } from './core/messages.js';
export { PACKAGE } from './version.js';
