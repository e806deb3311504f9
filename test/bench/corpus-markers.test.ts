import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMarkers, sampleFindings, score, type CorpusFinding } from '../../bench/corpus/markers.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('corpus markers', () => {
  it('parses markers with windows, rule prefixes and reasons that contain the separator', () => {
    const markers = parseMarkers(
      [
        '# a comment',
        '',
        'a@1.0.0 | lib/x.js | 12 | no-sync-bridge | expected | a deasync loop',
        'a@1.0.0 | lib/x.js | 20-24 | loop-audit/no-loop-per-call | forbidden | cached | guarded by a flag',
      ].join('\n'),
    );
    expect(markers).toEqual([
      { package: 'a@1.0.0', file: 'lib/x.js', from: 12, to: 12, rule: 'no-sync-bridge', verdict: 'expected', reason: 'a deasync loop', source: 3 },
      { package: 'a@1.0.0', file: 'lib/x.js', from: 20, to: 24, rule: 'no-loop-per-call', verdict: 'forbidden', reason: 'cached | guarded by a flag', source: 4 },
    ]);
  });

  it.each([
    ['a@1.0.0 | x.js | 1 | no-sync-bridge | expected', /6 fields/],
    ['a | x.js | 1 | no-sync-bridge | expected | r', /name@version/],
    ['a@1 | x.js | 3-2 | no-sync-bridge | expected | r', /ends before it starts/],
    ['a@1 | x.js | 1 | no-such-rule | expected | r', /unknown rule/],
    ['a@1 | x.js | 1 | no-sync-bridge | maybe | r', /expected or forbidden/],
    ['a@1 | x.js | 1 | no-sync-bridge | expected | ', /reason/],
    ['a@1 | /abs/x.js | 1 | no-sync-bridge | expected | r', /relative/],
  ])('rejects %s, naming the line', (line, message) => {
    expect(() => parseMarkers(`# header\n${line}`, 'm.txt')).toThrow(message);
    expect(() => parseMarkers(`# header\n${line}`, 'm.txt')).toThrow(/m\.txt:2/);
  });

  it('rejects a marker given twice', () => {
    const line = 'a@1 | x.js | 1 | no-sync-bridge | expected | r';
    expect(() => parseMarkers(`${line}\n${line}`)).toThrow(/same marker as line 1/);
  });

  it('parses the repository markers file, every package of which is in the corpus', () => {
    const markers = parseMarkers(readFileSync(path.join(repo, 'bench/corpus/markers.txt'), 'utf8'));
    const ids = new Set(
      (JSON.parse(readFileSync(path.join(repo, 'bench/corpus/packages.json'), 'utf8')) as { packages: { name: string; version: string }[] }).packages.map((p) => `${p.name}@${p.version}`),
    );
    expect(markers.length).toBeGreaterThan(100);
    expect(markers.filter((m) => !ids.has(m.package))).toEqual([]);
  });

  it('samples the same findings for the same seed, and keeps a sampled finding in the sample of a superset unless others outrank it', () => {
    const findings: CorpusFinding[] = Array.from({ length: 200 }, (_, i) => ({ package: 'p@1', file: `f${i % 7}.js`, line: i + 1, column: 1, rule: 'no-floating-promise' }));
    const first = sampleFindings(findings, 20, 'seed');
    expect(first.size).toBe(20);
    expect([...sampleFindings([...findings].reverse(), 20, 'seed')].map((f) => f.line).sort()).toEqual([...first].map((f) => f.line).sort());
    expect([...sampleFindings(findings, 20, 'other seed')].map((f) => f.line).sort()).not.toEqual([...first].map((f) => f.line).sort());
    // Dropping findings outside the sample leaves the sample as it was.
    const kept = findings.filter((f, i) => first.has(f) || i % 2 === 0);
    expect([...sampleFindings(kept, 20, 'seed')].map((f) => f.line).sort()).toEqual([...first].map((f) => f.line).sort());
  });

  it('scores precision on judged findings and recall on expected markers of analysed packages only', () => {
    const markers = parseMarkers(
      [
        'a@1 | x.js | 10-12 | no-sync-bridge | expected | true',
        'a@1 | x.js | 20 | no-sync-bridge | forbidden | false',
        'a@1 | x.js | 30 | no-sync-bridge | expected | missed',
        'a@1 | y.js | 5 | no-loop-per-call | expected | other rule, same line',
        'b@1 | z.js | 1 | no-sync-bridge | expected | package not analysed',
      ].join('\n'),
    );
    const findings: CorpusFinding[] = [
      { package: 'a@1', file: 'x.js', line: 11, column: 3, rule: 'no-sync-bridge' },
      { package: 'a@1', file: 'x.js', line: 20, column: 1, rule: 'no-sync-bridge' },
      { package: 'a@1', file: 'x.js', line: 40, column: 1, rule: 'no-sync-bridge' },
      { package: 'a@1', file: 'y.js', line: 5, column: 1, rule: 'no-sync-bridge' },
    ];
    const scored = score(findings, markers, new Set(['a@1']));
    expect(scored.judged.map((j) => j.verdict)).toEqual(['true', 'false', 'unjudged', 'unjudged']);
    expect(scored.byRule['no-sync-bridge']).toMatchObject({ findings: 4, judged: 2, truePositives: 1, falsePositives: 1, unjudged: 2, precision: 0.5, expected: 2, recalled: 1, recall: 0.5 });
    expect(scored.byRule['no-loop-per-call']).toMatchObject({ findings: 0, precision: undefined, expected: 1, recalled: 0, recall: 0 });
    expect(scored.forbidden).toEqual([{ marker: markers[1], reported: true }]);
  });

  it('calls a finding inside both an expected and a forbidden window a conflict, counted in neither', () => {
    const markers = parseMarkers(['a@1 | x.js | 1-5 | no-sync-bridge | expected | r', 'a@1 | x.js | 5 | no-sync-bridge | forbidden | r'].join('\n'));
    const scored = score([{ package: 'a@1', file: 'x.js', line: 5, column: 1, rule: 'no-sync-bridge' }], markers, new Set(['a@1']));
    expect(scored.byRule['no-sync-bridge']).toMatchObject({ judged: 0, conflicts: 1, precision: undefined });
  });
});
