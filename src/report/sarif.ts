import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DETECTORS } from '../core/analyze.js';
import { RULE_IDS, type RuleId } from '../core/types.js';
import type { ScanResult } from '../scan/types.js';
import { PACKAGE } from '../version.js';
import { HOMEPAGE, publicRuleId, ruleDocsUrl, sourceReader, splitLines } from './common.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SRCROOT = '%SRCROOT%';

function level(severity: 'error' | 'warn' | 'off'): 'error' | 'warning' | 'none' {
  return severity === 'error' ? 'error' : severity === 'warn' ? 'warning' : 'none';
}

function artifactUri(file: string): string {
  // Relative URI references: each path segment percent-encoded, slashes kept.
  return file.split('/').map(encodeURIComponent).join('/');
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, the four rules with help text and docs links,
 * results with relative locations against %SRCROOT%, and a `partialFingerprints` entry that
 * follows the finding when lines move (rule + file + the normalised text of the line + the
 * occurrence number of that combination), so an alert survives unrelated edits above it.
 */
export function toSarif(result: ScanResult, readSource = sourceReader()): Record<string, unknown> {
  const ruleIndex = new Map<RuleId, number>(RULE_IDS.map((id, i) => [id, i]));
  const rules = RULE_IDS.map((id) => {
    const meta = DETECTORS[id].meta;
    const url = ruleDocsUrl(id);
    return {
      id: publicRuleId(id),
      name: id.replace(/(^|-)([a-z])/g, (_, __, ch: string) => ch.toUpperCase()),
      shortDescription: { text: meta.description },
      fullDescription: { text: `${meta.description}. Family: ${meta.family}.` },
      helpUri: url,
      help: {
        text: `${meta.description}. See ${url}`,
        markdown: `**${publicRuleId(id)}** (${meta.family}): ${meta.description}.\n\nSee [the rule's documentation](${url}).`,
      },
      defaultConfiguration: { level: level(result.config.rules[id].severity) },
      properties: { family: meta.family, tags: ['event-loop', meta.family, meta.type], precision: 'high', 'problem.severity': meta.type === 'problem' ? 'error' : 'warning' },
    };
  });
  const occurrences = new Map<string, number>();
  const results = result.findings.map((finding) => {
    const lines = readSource(finding.path);
    const lineText = lines === undefined ? '' : (splitLines(lines)[finding.line - 1] ?? '');
    const base = `${publicRuleId(finding.ruleId)}\0${finding.file}\0${lineText.replace(/\s+/g, '')}`;
    const occurrence = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, occurrence);
    const fingerprint = `${createHash('sha256').update(base).digest('hex').slice(0, 32)}:${occurrence}`;
    return {
      ruleId: publicRuleId(finding.ruleId),
      ruleIndex: ruleIndex.get(finding.ruleId)!,
      level: level(finding.severity),
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(finding.file), uriBaseId: SRCROOT },
            region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
          },
        },
      ],
      partialFingerprints: { 'loopAudit/v1': fingerprint },
    };
  });
  const notifications = result.errors.map((error) => ({
    level: error.skipped ? 'note' : 'error',
    message: { text: `${error.file}: ${error.message}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(error.file), uriBaseId: SRCROOT } } }],
  }));
  const rootUri = pathToFileURL(result.root).href;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: PACKAGE.name, version: PACKAGE.version, semanticVersion: PACKAGE.version, informationUri: HOMEPAGE, rules } },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri.endsWith('/') ? rootUri : `${rootUri}/` } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(result: ScanResult): string {
  return `${JSON.stringify(toSarif(result), null, 2)}\n`;
}
