import { RULE_META } from './meta/index.js';
import type { Finding } from './types.js';

/** Renders a finding's message exactly as ESLint does: `{{ name }}` placeholders filled from data. */
export function formatMessage(finding: Pick<Finding, 'ruleId' | 'messageId' | 'data'>): string {
  const messages: Readonly<Record<string, string>> = RULE_META[finding.ruleId].messages;
  const template = messages[finding.messageId];
  if (template === undefined) throw new Error(`loop-audit: rule ${finding.ruleId} has no message '${finding.messageId}'`);
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, key: string) => {
    const value = finding.data?.[key];
    return value === undefined ? whole : String(value);
  });
}
