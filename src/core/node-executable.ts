import type { FileFacts } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { localValue } from './local-modules.js';
import type { TS } from './types.js';

/**
 * Whether a command starts node: the executable as written (`'node'`, `process.execPath`,
 * `process.argv0`, `process.argv[0]`), kept in a constant of this file or of a module imported by
 * relative path, or at the head of a shell command string, quoted or not, whether a template
 * (`` `"${process.execPath}" -e …` ``) or a concatenation (`'"' + process.execPath + '" -e …'`).
 */
export function launchesNode(facts: FileFacts, argument: TS.Expression, isShellCommand: boolean): boolean {
  return commandHead(facts, argument, isShellCommand, 0) === 'node';
}

/** Whether an expression is the path of the node executable itself. */
export function isNodeExecutable(facts: FileFacts, expression: TS.Expression): boolean {
  return commandHead(facts, expression, false, 0) === 'node';
}

const NODE_WORD = /^(?:\S*[\\/])?node(?:\.exe)?$/;
const NODE_COMMAND = /^(?:\S*[\\/])?node(?:\.exe)?(?:\s|$)/;
const MAX_DEPTH = 4;

/** 'node' when the command (or its shell string's first word) is node, 'other' when it is known not to be, undefined when unknown. */
function commandHead(facts: FileFacts, argument: TS.Expression, isShellCommand: boolean, depth: number): 'node' | 'other' | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, argument);
  if (isExecPath(facts, expr)) return 'node';
  if (ts.isStringLiteralLike(expr)) return wordHead(expr.text, isShellCommand);
  if (ts.isTemplateExpression(expr)) {
    const head = stripQuote(expr.head.text);
    const firstSpan = expr.templateSpans[0];
    if (head === '' && firstSpan && commandHead(facts, firstSpan.expression, false, depth + 1) === 'node') return 'node';
    return wordHead(expr.head.text, isShellCommand || firstSpan !== undefined);
  }
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    // `'"' + process.execPath + '" -e …'`: the first piece that is not an opening quote decides.
    const pieces = concatenation(ts, expr);
    for (const piece of pieces) {
      const inner = skipOuterExpressions(ts, piece);
      if (ts.isStringLiteralLike(inner) && stripQuote(inner.text) === '') continue;
      if (ts.isStringLiteralLike(inner)) return wordHead(inner.text, true);
      return commandHead(facts, inner, true, depth + 1);
    }
    return undefined;
  }
  if ((ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) && depth < MAX_DEPTH) {
    const value = localValue(facts, expr);
    if (value) return commandHead(value.facts, value.expression, isShellCommand, depth + 1);
  }
  return undefined;
}

function wordHead(text: string, isShellCommand: boolean): 'node' | 'other' {
  const command = stripQuote(text.trimStart()).trim();
  if (isShellCommand) return NODE_COMMAND.test(command) ? 'node' : 'other';
  return NODE_WORD.test(command) ? 'node' : 'other';
}

function stripQuote(text: string): string {
  return text.replace(/^["']/, '');
}

function concatenation(ts: FileFacts['ts'], expr: TS.BinaryExpression): TS.Expression[] {
  const left = skipOuterExpressions(ts, expr.left);
  const head = ts.isBinaryExpression(left) && left.operatorToken.kind === ts.SyntaxKind.PlusToken ? concatenation(ts, left) : [left];
  return [...head, expr.right];
}

function isExecPath(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  if (facts.refersToGlobal(expression, 'process', 'execPath') || facts.refersTo(expression, 'process', 'execPath')) return true;
  if (facts.refersToGlobal(expression, 'process', 'argv0') || facts.refersTo(expression, 'process', 'argv0')) return true;
  // `process.argv[0]`
  if (ts.isElementAccessExpression(expression) && ts.isNumericLiteral(expression.argumentExpression) && expression.argumentExpression.text === '0') {
    return facts.refersToGlobal(expression.expression, 'process', 'argv') || facts.refersTo(expression.expression, 'process', 'argv');
  }
  return false;
}
