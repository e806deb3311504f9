// Types of markers.mjs for the TypeScript tests that import it.
export type RuleName = 'no-loop-per-call' | 'no-sync-bridge' | 'no-sync-wrapper' | 'no-floating-promise';
export declare const RULES: readonly RuleName[];
export declare const VERDICTS: readonly ['expected', 'forbidden'];

export interface Marker {
  package: string;
  file: string;
  from: number;
  to: number;
  rule: RuleName;
  verdict: 'expected' | 'forbidden';
  reason: string;
  /** Line of the markers file. */
  source: number;
}

export interface CorpusFinding {
  package: string;
  file: string;
  line: number;
  column: number;
  rule: string;
  message?: string;
}

export interface RuleScore {
  findings: number;
  judged: number;
  truePositives: number;
  falsePositives: number;
  conflicts: number;
  unjudged: number;
  precision: number | undefined;
  expected: number;
  recalled: number;
  recall: number | undefined;
}

export interface Scored<F extends CorpusFinding> {
  judged: { finding: F; verdict: 'true' | 'false' | 'conflict' | 'unjudged'; markers: Marker[] }[];
  expected: { marker: Marker; recalled: boolean }[];
  forbidden: { marker: Marker; reported: boolean }[];
  byRule: Record<RuleName, RuleScore>;
}

export declare function parseMarkers(text: string, fileName?: string): Marker[];
export declare function findingKey(finding: CorpusFinding): string;
export declare function sampleFindings<F extends CorpusFinding>(findings: readonly F[], size: number, seed: string): Set<F>;
export declare function score<F extends CorpusFinding>(findings: readonly F[], markers: readonly Marker[], analysedPackages: ReadonlySet<string>): Scored<F>;
