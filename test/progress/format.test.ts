import { describe, expect, it } from 'vitest';
import { computeProgress, type ProgressReport } from '../../src/progress/compute.js';
import { formatProgress } from '../../src/progress/format.js';
import type { HistoryReport } from '../../src/progress/history-types.js';
import { resolvePhases } from '../../src/progress/phases.js';
import { progressSchemaErrors } from './support.js';

const phases = resolvePhases([
  { name: 'first', description: 'stabilise <everything> & more', rules: ['no-sync-bridge'] },
  { name: 'layer|two', globs: ['src/data/**'], rules: ['no-sync-wrapper'] },
]);

function report(): ProgressReport {
  return computeProgress({
    root: '/project',
    phases,
    findings: [
      { ruleId: 'no-sync-wrapper', file: 'src/data/a.ts', fingerprint: 'kept' },
      { ruleId: 'no-sync-wrapper', file: 'src/data/b.ts', fingerprint: 'fresh' },
    ],
    files: ['src/data/a.ts', 'src/data/b.ts', 'src/x.ts'],
    baseline: {
      file: '.loop-audit/baseline.json',
      baseline: { version: 1, findings: [] },
      comparison: {
        new: [{ fingerprint: 'fresh' }],
        known: [],
        resolved: [
          { fingerprint: 'gone1', ruleId: 'no-sync-bridge', file: 'src/x.ts', context: '', textHash: '', occurrence: 0, message: '' },
          { fingerprint: 'gone2', ruleId: 'no-sync-wrapper', file: 'src/data/c.ts', context: '', textHash: '', occurrence: 0, message: '' },
        ],
      } as never,
    },
  });
}

const history: HistoryReport = {
  points: [
    { commit: 'a'.repeat(40), date: '2024-01-01T00:00:00Z', subject: 'start', phases: { first: 1, 'layer|two': 3 }, total: 4, cached: false },
    { commit: 'b'.repeat(40), date: '2024-02-01T00:00:00Z', subject: 'later', phases: { first: 0, 'layer|two': 2 }, total: 2, cached: true },
  ],
  commitsInRange: 9,
  maxPoints: 2,
  since: null,
  shallow: false,
  notes: ['a note'],
};

describe('progress formats', () => {
  it('computes statuses and percentages with a baseline', () => {
    const r = report();
    expect(r.phases.map((p) => [p.name, p.status, p.remaining, p.resolved, p.new, p.percent, p.files])).toEqual([
      ['first', 'done', 0, 1, 0, 100, 3],
      ['layer|two', 'in progress', 2, 1, 1, 33, 2],
    ]);
    expect(r.currentPhase).toBe('layer|two');
    expect(r.overallPercent).toBe(66);
    expect(r.totals).toEqual({ findings: 2, resolved: 2, new: 1, files: 3 });
  });

  it('json is the documented report, with the history when asked', () => {
    const parsed = JSON.parse(formatProgress(report(), 'json', { history }));
    expect(Object.keys(parsed)).toEqual(['version', 'root', 'baseline', 'phases', 'currentPhase', 'overallPercent', 'totals', 'history']);
    expect(Object.keys(parsed.phases[0])).toEqual(['name', 'description', 'order', 'globs', 'rules', 'status', 'remaining', 'findings', 'byRule', 'packages', 'resolved', 'new', 'percent', 'files']);
    expect(parsed.history.points[1]).toMatchObject({ commit: 'b'.repeat(40), phases: { first: 0, 'layer|two': 2 }, total: 2, cached: true });
    expect(JSON.parse(formatProgress(report(), 'json')).history).toBeUndefined();
  });

  it('json matches the published schema (schema/progress.schema.json)', () => {
    for (const output of [formatProgress(report(), 'json', { history }), formatProgress(report(), 'json')]) {
      expect(progressSchemaErrors(JSON.parse(output))).toEqual([]);
    }
    expect(progressSchemaErrors({ ...JSON.parse(formatProgress(report(), 'json')), extra: 1 })).not.toEqual([]);
  });

  it('markdown is a pull-request comment: a table with escaped cells and a burndown block', () => {
    const md = formatProgress(report(), 'markdown', { history });
    expect(md).toContain('### loop-audit migration progress: 66% overall, current phase `layer|two`');
    expect(md).toContain('| 2 | layer\\|two | 🟡 in progress | `███░░░░░░░` 33% | 2 | 1 | 1 |');
    expect(md).toContain('| `aaaaaaaa` | 2024-01-01 | 1 | 3 | 4 |');
    expect(md).toContain('- a note');
  });

  it('pretty is a table with bars, colours only when asked', () => {
    const plain = formatProgress(report(), 'pretty');
    expect(plain).toMatch(/first\s+done\s+█{20}\s+100%\s+0\s+1\s+0/);
    expect(plain).toContain('current phase: layer|two; overall 66%');
    expect(plain).not.toContain('\u001b[');
    expect(formatProgress(report(), 'pretty', { color: true })).toContain('\u001b[32mdone');
  });

  it('html escapes what it shows and needs nothing from outside', () => {
    const html = formatProgress(report(), 'html', { history });
    expect(html).toContain('stabilise &lt;everything&gt; &amp; more');
    expect(html).not.toContain('<everything>');
    expect(html).toContain('<svg id="phase-chart"');
    expect(html).toContain('<svg id="burndown-chart"');
    expect(html).not.toMatch(/<script|<link|src=|url\(/);
  });
});
