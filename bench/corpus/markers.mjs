// The markers file and the scoring of findings against it. Pure functions (no I/O beyond what the
// caller hands in), so test/bench/corpus-markers.test.ts can check them on their own.
import { createHash } from 'node:crypto';

export const RULES = ['no-loop-per-call', 'no-sync-bridge', 'no-sync-wrapper', 'no-floating-promise'];
export const VERDICTS = ['expected', 'forbidden'];

/**
 * Parses the markers file: one marker a line,
 *   package@version | file | line or first-last | rule | expected|forbidden | reason
 * `#` starts a comment line; blank lines are ignored. Throws on the first malformed line, naming it.
 */
export function parseMarkers(text, fileName = 'markers.txt') {
  const markers = [];
  const seen = new Map();
  text.split('\n').forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split('|').map((f) => f.trim());
    const where = `${fileName}:${lineNo}`;
    if (fields.length < 6) throw new Error(`${where}: expected 6 fields separated by '|' (package@version | file | lines | rule | verdict | reason), got ${fields.length}`);
    const [pkg, file, lines, ruleField, verdict, ...reasonParts] = fields;
    const reason = reasonParts.join(' | ');
    const at = pkg.lastIndexOf('@');
    if (at <= 0) throw new Error(`${where}: package must be name@version, got '${pkg}'`);
    const window = /^(\d+)(?:-(\d+))?$/.exec(lines);
    if (!window) throw new Error(`${where}: lines must be N or N-M, got '${lines}'`);
    const from = Number(window[1]);
    const to = window[2] === undefined ? from : Number(window[2]);
    if (to < from) throw new Error(`${where}: line window ${lines} ends before it starts`);
    const rule = ruleField.replace(/^loop-audit\//, '');
    if (!RULES.includes(rule)) throw new Error(`${where}: unknown rule '${ruleField}'`);
    if (!VERDICTS.includes(verdict)) throw new Error(`${where}: verdict must be expected or forbidden, got '${verdict}'`);
    if (reason === '') throw new Error(`${where}: a marker needs a reason`);
    if (file === '' || file.startsWith('/') || file.includes('\\')) throw new Error(`${where}: file must be relative to the package root with forward slashes, got '${file}'`);
    const key = `${pkg}|${file}|${from}|${to}|${rule}`;
    if (seen.has(key)) throw new Error(`${where}: the same marker as line ${seen.get(key)}`);
    seen.set(key, lineNo);
    markers.push({ package: pkg, file, from, to, rule, verdict, reason, source: lineNo });
  });
  return markers;
}

/** The identity of a finding for sampling: stable across runs because packages are pinned. */
export function findingKey(finding) {
  return `${finding.package}|${finding.file}|${finding.line}|${finding.column}|${finding.rule}`;
}

/**
 * A seeded random sample of `size` findings: the ones with the smallest hash of seed + identity
 * ("bottom-k"). The same finding stays in the sample as long as it is reported and fewer than
 * `size` findings hash below it, so judgements carry over from run to run.
 */
export function sampleFindings(findings, size, seed) {
  const ranked = findings.map((f) => ({
    f,
    h: createHash('sha256')
      .update(`${seed}|${findingKey(f)}`)
      .digest('hex'),
  }));
  ranked.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  return new Set(ranked.slice(0, size).map((r) => r.f));
}

function matches(marker, finding) {
  return marker.package === finding.package && marker.file === finding.file && marker.rule === finding.rule && finding.line >= marker.from && finding.line <= marker.to;
}

/**
 * Scores findings against markers. Each finding is true (inside an expected marker's window), false
 * (inside a forbidden one), conflicting (both) or unjudged. Each expected marker is recalled when a
 * finding of its rule falls in its window. Only markers of `analysedPackages` count: a package that
 * could not be analysed is reported apart, never scored as a miss.
 */
export function score(findings, markers, analysedPackages) {
  const live = markers.filter((m) => analysedPackages.has(m.package));
  const judged = findings.map((finding) => {
    const hits = live.filter((m) => matches(m, finding));
    const verdicts = new Set(hits.map((m) => m.verdict));
    const verdict = verdicts.size === 0 ? 'unjudged' : verdicts.size === 2 ? 'conflict' : hits[0].verdict === 'expected' ? 'true' : 'false';
    return { finding, verdict, markers: hits };
  });
  const expected = live.filter((m) => m.verdict === 'expected').map((marker) => ({ marker, recalled: findings.some((f) => matches(marker, f)) }));
  const forbidden = live.filter((m) => m.verdict === 'forbidden').map((marker) => ({ marker, reported: findings.some((f) => matches(marker, f)) }));
  const byRule = {};
  for (const rule of RULES) {
    const ofRule = judged.filter((j) => j.finding.rule === rule);
    const tp = ofRule.filter((j) => j.verdict === 'true').length;
    const fp = ofRule.filter((j) => j.verdict === 'false').length;
    const exp = expected.filter((e) => e.marker.rule === rule);
    const recalled = exp.filter((e) => e.recalled).length;
    byRule[rule] = {
      findings: ofRule.length,
      judged: tp + fp,
      truePositives: tp,
      falsePositives: fp,
      conflicts: ofRule.filter((j) => j.verdict === 'conflict').length,
      unjudged: ofRule.filter((j) => j.verdict === 'unjudged').length,
      precision: tp + fp === 0 ? undefined : tp / (tp + fp),
      expected: exp.length,
      recalled,
      recall: exp.length === 0 ? undefined : recalled / exp.length,
    };
  }
  return { judged, expected, forbidden, byRule };
}
