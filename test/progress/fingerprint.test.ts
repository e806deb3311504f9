import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/core/analyze.js';
import { formatMessage } from '../../src/core/messages.js';
import type { TypeScriptApi } from '../../src/core/types.js';
import { compareWithBaseline, entryOf, makeBaseline, parseBaseline, serializeBaseline, updateBaseline } from '../../src/progress/baseline.js';
import { contextPath, fingerprintFindings, normalizeText, offsetOf, type ProgressFinding } from '../../src/progress/fingerprint.js';

/** Findings straight from the core (no type checker), located the way the scanner reports them. */
function findingsOf(file: string, text: string): ProgressFinding[] {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the test's typescript module is the TypeScriptApi the core takes; only its enum declarations differ
  return analyzeFile({ ts: ts as unknown as TypeScriptApi, sourceFile }).map((f) => {
    const start = sourceFile.getLineAndCharacterOfPosition(f.start);
    const end = sourceFile.getLineAndCharacterOfPosition(f.end);
    return { ruleId: f.ruleId, file, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1, message: formatMessage(f) };
  });
}

function fingerprints(file: string, text: string) {
  return fingerprintFindings(findingsOf(file, text), () => text);
}

const BEFORE = `import deasync from 'deasync';

export class Inventory {
  async count(sku: string): Promise<number> {
    return 1;
  }

  countSync(sku: string): number {
    return deasync(this.count.bind(this))(sku);
  }
}

export function startPolling(bus: { on(event: string, fn: () => unknown): void }) {
  bus.on('tick', async () => {
    await Promise.resolve();
  });
  bus.on('tock', async () => {
    await Promise.resolve();
  });
}
`;

describe('fingerprints', () => {
  it('are built from the rule, the file, the enclosing scope path, the normalised text and an occurrence index', () => {
    const items = fingerprints('src/inventory.ts', BEFORE);
    expect(items.length).toBeGreaterThanOrEqual(3);
    const floating = items.filter((i) => i.ruleId === 'no-floating-promise');
    expect(floating.map((i) => i.context)).toEqual(['startPolling > bus.on("tick")', 'startPolling > bus.on("tock")']);
    expect(new Set(items.map((i) => i.fingerprint)).size).toBe(items.length);
    expect(items.every((i) => /^[0-9a-f]{24}$/.test(i.fingerprint))).toBe(true);
  });

  it('survive moved lines, reindenting, comments and unrelated edits', () => {
    const moved = `// Inventory, now with a header comment and a helper above it.
import deasync from 'deasync';

export const VERSION = 2;

export function startPolling(bus: { on(event: string, fn: () => unknown): void }) {
  bus.on('tock', async () => {
    await Promise.resolve();
  });
  bus.on('tick',   async () => {
        await   Promise.resolve(); // spacing changed
  });
}

export class Inventory {
  /** Unrelated doc comment. */
  async count(sku: string): Promise<number> {
    return 2;
  }

  countSync(sku: string): number {
    return deasync(this.count.bind(this))(sku);
  }
}
`;
    const before = fingerprints('src/inventory.ts', BEFORE);
    const after = fingerprints('src/inventory.ts', moved);
    expect(after.map((i) => i.fingerprint).sort()).toEqual(before.map((i) => i.fingerprint).sort());
    const comparison = compareWithBaseline(after, makeBaseline(before.map(entryOf)));
    expect(comparison.new).toEqual([]);
    expect(comparison.resolved).toEqual([]);
  });

  it('catch one finding fixed and another of the same rule added in the same file', () => {
    const swapped = BEFORE.replace("bus.on('tick', async () => {\n    await Promise.resolve();\n  });", "bus.on('tick', () => undefined);").replace("bus.on('tock'", "bus.on('reset'");
    const baseline = makeBaseline(fingerprints('src/inventory.ts', BEFORE).map(entryOf));
    const after = fingerprints('src/inventory.ts', swapped);
    // Same rule, same file, same count of findings: only the fingerprint tells them apart.
    expect(after.filter((i) => i.ruleId === 'no-floating-promise')).toHaveLength(1);
    const comparison = compareWithBaseline(after, baseline);
    expect(comparison.new.map((i) => i.context)).toEqual(['startPolling > bus.on("reset")']);
    expect(comparison.resolved.map((e) => e.context).sort()).toEqual(['startPolling > bus.on("tick")', 'startPolling > bus.on("tock")']);
  });

  it('number identical findings in one scope by occurrence, so removing one resolves exactly one', () => {
    const twice = "export function f(bus: { on(e: string, fn: () => unknown): void }) {\n  bus.on('x', async () => {});\n  bus.on('x', async () => {});\n}\n";
    const once = "export function f(bus: { on(e: string, fn: () => unknown): void }) {\n  bus.on('x', async () => {});\n}\n";
    const before = fingerprints('a.ts', twice);
    expect(before.map((i) => i.occurrence)).toEqual([0, 1]);
    const comparison = compareWithBaseline(fingerprints('a.ts', once), makeBaseline(before.map(entryOf)));
    expect(comparison.new).toHaveLength(0);
    expect(comparison.known).toHaveLength(1);
    expect(comparison.resolved).toHaveLength(1);
  });

  it('depend on the file: the same code elsewhere is a different finding', () => {
    const a = fingerprints('src/a.ts', BEFORE).map((i) => i.fingerprint);
    const b = fingerprints('src/b.ts', BEFORE).map((i) => i.fingerprint);
    expect(a.filter((f) => b.includes(f))).toEqual([]);
  });

  it('fall back to the message when the file cannot be read', () => {
    const findings = findingsOf('src/inventory.ts', BEFORE);
    const unreadable = fingerprintFindings(findings, () => undefined);
    expect(unreadable.every((i) => i.context === '')).toBe(true);
    expect(new Set(unreadable.map((i) => i.fingerprint)).size).toBe(findings.length);
  });
});

describe('fingerprint helpers', () => {
  it('normalise away whitespace and comments but not code', () => {
    expect(normalizeText('foo( a ,\n  b ) /* c */ // d')).toBe(normalizeText('foo(a, b)'));
    expect(normalizeText('foo(a, b)')).not.toBe(normalizeText('foo(b, a)'));
  });

  it('convert 1-based lines and columns to offsets', () => {
    const text = 'ab\ncde\n\nf';
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 3)).toBe(5);
    expect(offsetOf(text, 4, 1)).toBe(8);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });

  it('name scopes: classes, methods, accessors, object properties, assigned and passed callbacks', () => {
    const text = `class A { get b() { return X; } m() { const h = { k: () => X }; this.cb = function () { X; }; run(() => X, 1); } }`;
    const sf = ts.createSourceFile('s.ts', text, ts.ScriptTarget.Latest, true);
    const spans = [...text.matchAll(/X/g)].map((m) => contextPath(sf, m.index, m.index + 1));
    expect(spans).toEqual(['A > b', 'A > m > h > k', 'A > m > this.cb', 'A > m > run()']);
  });
});

describe('baseline files', () => {
  it('serialise sorted with a final newline and parse back identically', () => {
    const entries = fingerprints('src/inventory.ts', BEFORE).map(entryOf).reverse();
    const baseline = makeBaseline(entries);
    const text = serializeBaseline(baseline);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseBaseline(text, 'b.json')).toEqual(baseline);
    expect(serializeBaseline(parseBaseline(text, 'b.json'))).toBe(text);
  });

  it('reject broken files instead of reading them as empty', () => {
    expect(() => parseBaseline('{', 'b.json')).toThrow(/b\.json is not valid JSON/);
    expect(() => parseBaseline('{"version":2,"findings":[]}', 'b.json')).toThrow(/unsupported baseline version 2/);
    expect(() => parseBaseline('{"version":1,"findings":[{"fingerprint":"x"}]}', 'b.json')).toThrow(/findings\[0\]\.ruleId must be a string/);
  });

  it('ratchet: resolved entries are pruned, new ones join only when accepted', () => {
    const before = fingerprints('src/inventory.ts', BEFORE);
    const baseline = makeBaseline(before.map(entryOf));
    const swapped = fingerprints('src/inventory.ts', BEFORE.replace("bus.on('tock'", "bus.on('reset'"));
    const comparison = compareWithBaseline(swapped, baseline);
    const tightened = updateBaseline(baseline, comparison, false);
    expect(tightened.findings).toHaveLength(baseline.findings.length - 1);
    const accepted = updateBaseline(baseline, comparison, true);
    expect(accepted.findings).toHaveLength(baseline.findings.length);
    expect(compareWithBaseline(swapped, accepted).new).toEqual([]);
  });
});
