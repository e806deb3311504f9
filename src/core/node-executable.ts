import type { FileFacts } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { localValue } from './local-modules.js';
import type { TS } from './types.js';

/**
 * Whether a command starts node: the executable as written (`'node'`, `process.execPath`,
 * `process.argv0`, `process.argv[0]`), kept in a constant of this file or of a module imported by
 * relative path, or in a property of an object kept there (`config.execPath`, whose literal or
 * whose methods and file assign it `process.execPath`), or at the head of a shell command string, quoted or not, whether a template
 * (`` `"${process.execPath}" -e …` ``) or a concatenation (`'"' + process.execPath + '" -e …'`).
 */
export function launchesNode(facts: FileFacts, argument: TS.Expression, isShellCommand: boolean): boolean {
  return commandHead(facts, argument, isShellCommand, 0) === 'node';
}

/** Whether an expression is the path of the node executable itself. */
export function isNodeExecutable(facts: FileFacts, expression: TS.Expression): boolean {
  return commandHead(facts, expression, false, 0) === 'node';
}

const CHILD_SYNC_CALLS = new Set(['execSync', 'execFileSync', 'spawnSync']);

/** `execSync('node -e …')`, `execFileSync(process.execPath, [...])`, `spawnSync('node', ['script.js'])`. */
export function isNodeChildSync(facts: FileFacts, call: TS.CallExpression): boolean {
  const ref = facts.resolve(call.expression);
  if (ref?.kind !== 'module' || ref.module !== 'child_process' || ref.path.length !== 1 || !CHILD_SYNC_CALLS.has(ref.path[0]!)) return false;
  const first = call.arguments[0];
  return first !== undefined && launchesNode(facts, first, ref.path[0] === 'execSync');
}

/**
 * The function reads a file synchronously after the call (`fs.readFileSync(stdoutFile)`): a node
 * process run as a statement whose result comes back through a file it wrote.
 */
export function readsFileAfter(facts: FileFacts, call: TS.CallExpression): boolean {
  const ts = facts.ts;
  const fn = facts.enclosingFunction(call);
  if (!fn?.body) return false;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found || (node !== fn && facts.isFunctionLike(node))) return;
    if (ts.isCallExpression(node) && node.pos >= call.end && facts.refersTo(node.expression, 'fs', 'readFileSync')) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/** A call whose value is kept: assigned, returned, passed on, or read — not a bare statement. */
export function isResultUsed(facts: FileFacts, node: TS.Expression): boolean {
  const ts = facts.ts;
  let current: TS.Node = node;
  while (current.parent && (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent))) {
    current = current.parent;
  }
  const parent = current.parent;
  if (!parent) return false;
  if (ts.isExpressionStatement(parent)) return false;
  if (ts.isVoidExpression(parent)) return false;
  return true;
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
    if (ts.isPropertyAccessExpression(expr)) return propertyHead(facts, expr, isShellCommand, depth);
  }
  return undefined;
}

/**
 * `config.execPath` where `config` is an object literal of the project's code (this file's, or one
 * a relative module exports): every value the property is given — in the literal, by `this.x = …`
 * in the literal's own methods, by `config.x = …` in its file — that is known. Node when one is
 * node and none is another program; `null` and `undefined` (not set yet) do not count.
 */
function propertyHead(facts: FileFacts, access: TS.PropertyAccessExpression, isShellCommand: boolean, depth: number): 'node' | 'other' | undefined {
  const owner = objectOf(facts, access.expression);
  if (!owner) return undefined;
  const heads = propertyValues(owner, access.name.text)
    .filter((value) => !isUnset(owner.facts, value))
    .map((value) => commandHead(owner.facts, value, isShellCommand, depth + 1));
  if (heads.includes('other')) return 'other';
  return heads.includes('node') ? 'node' : undefined;
}

interface ObjectOwner {
  facts: FileFacts;
  literal: TS.ObjectLiteralExpression;
  /** The variable holding it in its file, if any. */
  name: string | undefined;
}

function objectOf(facts: FileFacts, expression: TS.Expression): ObjectOwner | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isIdentifier(expr)) {
    const literal = objectVariable(facts, expr.text);
    if (literal) return { facts, literal, name: expr.text };
  }
  const value = localValue(facts, expr);
  if (!value) return undefined;
  const found = skipOuterExpressions(ts, value.expression);
  if (ts.isObjectLiteralExpression(found)) {
    const declaration = found.parent;
    return { facts: value.facts, literal: found, name: declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) ? declaration.name.text : undefined };
  }
  if (ts.isIdentifier(found)) {
    const literal = objectVariable(value.facts, found.text);
    if (literal) return { facts: value.facts, literal, name: found.text };
  }
  return undefined;
}

/** `var config = { … }` (any kind of declaration), declared once in the file and never assigned again. */
function objectVariable(facts: FileFacts, name: string): TS.ObjectLiteralExpression | undefined {
  const ts = facts.ts;
  let literal: TS.ObjectLiteralExpression | undefined;
  let bindings = 0;
  let reassigned = false;
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) {
      bindings++;
      const init = node.initializer && skipOuterExpressions(ts, node.initializer);
      if (init && ts.isObjectLiteralExpression(init)) literal = init;
    } else if ((ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name && ts.isIdentifier(node.name) && node.name.text === name) {
      bindings++;
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(skipOuterExpressions(ts, node.left)) &&
      (skipOuterExpressions(ts, node.left) as TS.Identifier).text === name
    ) {
      reassigned = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return bindings === 1 && !reassigned ? literal : undefined;
}

/** What a property of an object literal is given: its initializer, `this.x = …` in the literal's methods, `name.x = …` in its file. */
function propertyValues(owner: ObjectOwner, property: string): TS.Expression[] {
  const { facts, literal, name } = owner;
  const ts = facts.ts;
  const values: TS.Expression[] = [];
  const assignedTo = (root: TS.Node, isTarget: (target: TS.Expression) => boolean, stopAtFunctions: boolean): void => {
    const visit = (node: TS.Node): void => {
      if (stopAtFunctions && node !== root && facts.isFunctionLike(node) && !ts.isArrowFunction(node)) return;
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const target = skipOuterExpressions(ts, node.left);
        if (ts.isPropertyAccessExpression(target) && target.name.text === property && isTarget(skipOuterExpressions(ts, target.expression))) values.push(node.right);
      }
      ts.forEachChild(node, visit);
    };
    visit(root);
  };
  for (const member of literal.properties) {
    const key = member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
    if (ts.isPropertyAssignment(member) && key === property) values.push(member.initializer);
    if (ts.isShorthandPropertyAssignment(member) && key === property) values.push(member.name);
    // `this` in the literal's own methods (not in nested non-arrow functions) is the object.
    const method = ts.isMethodDeclaration(member)
      ? member
      : ts.isPropertyAssignment(member) && ts.isFunctionExpression(skipOuterExpressions(ts, member.initializer))
        ? skipOuterExpressions(ts, member.initializer)
        : undefined;
    if (method) assignedTo(method, (target) => target.kind === ts.SyntaxKind.ThisKeyword, true);
  }
  if (name !== undefined) assignedTo(facts.sourceFile, (target) => ts.isIdentifier(target) && target.text === name, false);
  return values;
}

function isUnset(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  return expr.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(expr) && expr.text === 'undefined') || ts.isVoidExpression(expr);
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
