import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { ts } from 'ts-morph';
import type { RuleId } from '../core/types.js';
import { isPythonFile } from '../python/files.js';
import { normalizePythonText, pythonScopes } from '../python/fingerprint.js';

const requireFromHere = createRequire(import.meta.url);
let typescriptApi: typeof ts | undefined;
/** ts-morph's TypeScript, loaded on first use: importing the API must not cost a TypeScript load. */
function typescript(): typeof ts {
  return (typescriptApi ??= (requireFromHere('ts-morph') as { ts: typeof ts }).ts);
}

/**
 * The least a finding must carry to be measured and fingerprinted. The scanner's findings have
 * all of it; `start`/`end` (offsets into the file's text) are optional and derived from the
 * 1-based line and column when absent.
 */
export interface ProgressFinding {
  ruleId: RuleId;
  /** Relative to the project root, forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  start?: number;
  end?: number;
}

/** What a fingerprint is made of, kept readable in the baseline so a reviewer sees what moved. */
export interface FingerprintParts {
  ruleId: RuleId;
  file: string;
  /** Enclosing class / function / variable path, outermost first: `OrderService.place > events.on("paid")`. */
  context: string;
  /** Hash of the offending text with whitespace and comments normalised away. */
  textHash: string;
  /** Index among findings with the same rule, file, context and text, in source order. */
  occurrence: number;
}

export interface FingerprintedFinding<F extends ProgressFinding = ProgressFinding> extends FingerprintParts {
  fingerprint: string;
  finding: F;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function fingerprintOf(parts: FingerprintParts): string {
  return sha256([parts.ruleId, parts.file, parts.context, parts.textHash, String(parts.occurrence)].join('\0')).slice(0, 24);
}

/** Offset of a 1-based line and column (UTF-16 units, as ESLint and the scanner count) in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

/**
 * The offending text as tokens joined by single spaces: reindenting, rewrapping or commenting
 * the code does not change it; changing what the code does, does.
 */
export function normalizeText(text: string): string {
  const ts = typescript();
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /* skipTrivia */ true, ts.LanguageVariant.Standard, text);
  const tokens: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    tokens.push(scanner.getTokenText());
  }
  return tokens.join(' ');
}

function nameText(name: ts.Node | undefined, sourceFile: ts.SourceFile): string | undefined {
  const ts = typescript();
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return name.getText(sourceFile).replace(/\s+/g, '');
}

/** `events.on("order-paid")`, `setInterval()`: how an anonymous callback is known by the call it is handed to. */
function callLabel(call: ts.CallExpression | ts.NewExpression, sourceFile: ts.SourceFile): string {
  const ts = typescript();
  const callee = call.expression.getText(sourceFile).replace(/\s+/g, '');
  const first = call.arguments?.[0];
  const tag = first && ts.isStringLiteralLike(first) ? JSON.stringify(first.text) : '';
  return `${call.kind === ts.SyntaxKind.NewExpression ? 'new ' : ''}${callee}(${tag})`;
}

/** The label a node adds to the enclosing path, or undefined when it is not a named scope. */
function scopeLabel(node: ts.Node, sourceFile: ts.SourceFile): string | undefined {
  const ts = typescript();
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) return nameText(node.name, sourceFile) ?? '<class>';
  if (ts.isFunctionDeclaration(node)) return nameText(node.name, sourceFile) ?? '<default>';
  if (ts.isModuleDeclaration(node)) return nameText(node.name, sourceFile);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isPropertyDeclaration(node)) {
    return nameText(node.name, sourceFile);
  }
  if (ts.isPropertyAssignment(node)) return nameText(node.name, sourceFile);
  if (ts.isVariableDeclaration(node)) return nameText(node.name, sourceFile);
  if (ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
    if (ts.isFunctionExpression(node) && node.name) return node.name.text;
    const parent = node.parent;
    // Named by what holds it: `const f = () =>` and `{ f: () => }` are labelled by their own nodes above.
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return callLabel(parent, sourceFile);
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return parent.left.getText(sourceFile).replace(/\s+/g, '');
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return undefined;
    return '<function>';
  }
  return undefined;
}

/** The innermost node whose span covers `[start, end)`. */
function coveringNode(sourceFile: ts.SourceFile, start: number, end: number): ts.Node {
  let node: ts.Node = sourceFile;
  for (;;) {
    let next: ts.Node | undefined;
    node.forEachChild((child) => {
      if (next === undefined && child.getStart(sourceFile) <= start && end <= child.getEnd()) next = child;
    });
    if (!next) return node;
    node = next;
  }
}

/** The enclosing scope path of a range, outermost first, joined by `>`. */
export function contextPath(sourceFile: ts.SourceFile, start: number, end: number): string {
  const labels: string[] = [];
  for (let node: ts.Node | undefined = coveringNode(sourceFile, start, end); node && node !== sourceFile; node = node.parent) {
    const label = scopeLabel(node, sourceFile);
    if (label !== undefined) labels.push(label);
  }
  return labels.reverse().join(' > ');
}

function parse(file: string, text: string): ts.SourceFile {
  const ts = typescript();
  const kind = /\.[cm]?jsx?$/.test(file) ? (file.endsWith('x') ? ts.ScriptKind.JSX : ts.ScriptKind.JS) : file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, /* setParentNodes */ true, kind);
}

/** A file's scope paths and token normalisation: TypeScript's scanner and parser, or, for `.py` files, the Python frontend's. */
function languageOf(file: string, text: string): { context: (start: number, end: number) => string; normalize: (text: string) => string } {
  if (isPythonFile(file)) return { context: pythonScopes(text), normalize: normalizePythonText };
  const sourceFile = parse(file, text);
  return { context: (start, end) => contextPath(sourceFile, start, end), normalize: normalizeText };
}

/**
 * Fingerprints every finding. `readText` returns a file's text as the scanner analysed it
 * (BOM stripped), or undefined when it cannot be read, in which case the finding's message
 * stands in for its text and its context is empty: still stable, only less precise.
 */
export function fingerprintFindings<F extends ProgressFinding>(findings: readonly F[], readText: (file: string) => string | undefined): FingerprintedFinding<F>[] {
  const byFile = new Map<string, F[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.file);
    if (list) list.push(finding);
    else byFile.set(finding.file, [finding]);
  }
  const out: FingerprintedFinding<F>[] = [];
  for (const [file, list] of byFile) {
    const raw = readText(file);
    const text = raw === undefined ? undefined : raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const language = text === undefined ? undefined : languageOf(file, text);
    const located = list.map((finding) => {
      if (text === undefined || language === undefined) return { finding, start: 0, context: '', textHash: sha256(finding.message).slice(0, 16) };
      const start = finding.start ?? offsetOf(text, finding.line, finding.column);
      const end = Math.max(start, finding.end ?? offsetOf(text, finding.endLine, finding.endColumn));
      return { finding, start, context: language.context(start, end), textHash: sha256(language.normalize(text.slice(start, end))).slice(0, 16) };
    });
    located.sort((a, b) => a.start - b.start || a.finding.ruleId.localeCompare(b.finding.ruleId));
    const seen = new Map<string, number>();
    for (const { finding, context, textHash } of located) {
      const key = [finding.ruleId, context, textHash].join('\0');
      const occurrence = seen.get(key) ?? 0;
      seen.set(key, occurrence + 1);
      const parts: FingerprintParts = { ruleId: finding.ruleId, file, context, textHash, occurrence };
      out.push({ ...parts, fingerprint: fingerprintOf(parts), finding });
    }
  }
  return out;
}
