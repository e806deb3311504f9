import type { SyncWrapper } from '../core/detectors/sync-wrapper.js';
import { skipOuterExpressions } from '../core/facts.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { isAsync } from './ast.js';

/**
 * Async pass-through wrappers: `export async function findUserSync(id) { return await findUser(id); }`,
 * what an earlier migration (or a hand edit) leaves of a sync wrapper once it became async. It
 * only awaits its sibling with its own parameters, and its `…Sync` name now lies. Migrate treats
 * it like a sync wrapper: its callers call the sibling and it goes.
 */
export function findPassThroughs(ts: TypeScriptApi, sourceFile: TS.SourceFile): SyncWrapper[] {
  const found: SyncWrapper[] = [];
  const consider = (fn: TS.FunctionDeclaration | TS.MethodDeclaration | TS.ArrowFunction | TS.FunctionExpression, nameNode: TS.Node | undefined): void => {
    if (!nameNode || !(ts.isIdentifier(nameNode) || ts.isPrivateIdentifier(nameNode)) || !/.Sync$/.test(nameNode.text) || !isAsync(ts, fn) || !fn.body) return;
    const call = passedCall(ts, fn.body);
    if (!call) return;
    const callee = skipOuterExpressions(ts, call.expression);
    const siblingName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (!siblingName || siblingName === nameNode.text) return;
    const owner = ts.isMethodDeclaration(fn) && ts.isClassLike(fn.parent) && fn.parent.name ? `${fn.parent.name.text}.` : '';
    found.push({
      form: 'forward',
      node: fn as SyncWrapper['node'],
      range: { start: nameNode.getStart(sourceFile), end: nameNode.getEnd() },
      name: `${owner}${nameNode.text}`,
      siblingName,
      siblingForm: 'call',
      sibling: call.expression,
      siblingCall: call,
      bridgeCall: call,
      bridgeKind: 'configured',
    });
  };
  const visit = (node: TS.Node): void => {
    if (ts.isFunctionDeclaration(node) && ts.isSourceFile(node.parent)) consider(node, node.name);
    else if (ts.isMethodDeclaration(node) && ts.isClassLike(node.parent)) consider(node, node.name);
    else if (ts.isVariableDeclaration(node) && node.initializer && ts.isVariableStatement(node.parent.parent) && ts.isSourceFile(node.parent.parent.parent)) {
      const init = skipOuterExpressions(ts, node.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) consider(init, node.name);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

/** The call a body only returns (awaited or not): `{ return await f(a); }`, `=> f(a)`. */
function passedCall(ts: TypeScriptApi, body: TS.ConciseBody): TS.CallExpression | undefined {
  let expression: TS.Expression | undefined;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1) return undefined;
    const only = body.statements[0]!;
    if (!ts.isReturnStatement(only) || !only.expression) return undefined;
    expression = only.expression;
  } else expression = body;
  let expr = skipOuterExpressions(ts, expression);
  if (ts.isAwaitExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
  return ts.isCallExpression(expr) && !expr.questionDotToken ? expr : undefined;
}
