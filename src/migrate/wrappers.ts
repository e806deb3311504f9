import path from 'node:path';
import type { SyncWrapper } from '../core/detectors/sync-wrapper.js';
import { skipOuterExpressions } from '../core/facts.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { hasModifier, isDeclarationFileName, resolveAlias } from './ast.js';
import type { MigrationProject } from './project.js';
import type { RefusalKind } from './types.js';

/** The async function a wrapper's callers will await instead. */
export type Sibling =
  /** `this.listForUserAsync(...)`: a member of the wrapper's own class or object. */
  | { kind: 'member'; name: string; isPrivate: boolean; owner: TS.Node | undefined }
  /** A module-level function, by its declaration and the name its module exports it under. */
  | { kind: 'function'; name: string; declaration: TS.Node; sourceFile: TS.SourceFile; exportName: string | undefined };

export interface WrapperInfo {
  wrapper: SyncWrapper;
  sourceFile: TS.SourceFile;
  /** The name the wrapper is called by (a function, method, variable or property name). */
  nameNode: TS.Identifier | undefined;
  /** The node whose removal deletes the wrapper: its statement, class member or object property. */
  declaration: TS.Node;
  sibling: Sibling | undefined;
  /**
   * The arguments the bridge passes on to the sibling, as written in the wrapper, when they are
   * exactly the wrapper's own parameters in order (so a call site's arguments can be kept as they
   * are). `'all'`: a binding of a factory, which passes every argument through.
   */
  forwarded: readonly TS.Expression[] | 'all' | undefined;
  refusal?: { kind: RefusalKind; message: string };
  /** Module-level and exported (so outside code may call it). */
  exported: boolean;
  /** An async wrapper that only awaits its sibling (pass-through.ts): its calls already return the promise, so they are renamed, not awaited. */
  passThrough?: boolean;
}

function refuse(info: WrapperInfo, kind: RefusalKind, message: string): WrapperInfo {
  return info.refusal ? info : { ...info, refusal: { kind, message } };
}

/** The statement, member or property that holds the wrapper. */
function holder(ts: TypeScriptApi, wrapper: SyncWrapper): { declaration: TS.Node; nameNode: TS.Identifier | undefined } | undefined {
  let node: TS.Node = wrapper.node;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent))) node = node.parent;
    node = node.parent;
  }
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) {
    return { declaration: node, nameNode: node.name && ts.isIdentifier(node.name) ? node.name : undefined };
  }
  if (ts.isVariableDeclaration(node)) {
    const list = node.parent;
    const statement = ts.isVariableDeclarationList(list) && ts.isVariableStatement(list.parent) && list.declarations.length === 1 ? list.parent : undefined;
    if (!statement) return undefined;
    return { declaration: statement, nameNode: ts.isIdentifier(node.name) ? node.name : undefined };
  }
  if (ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) {
    return { declaration: node, nameNode: ts.isIdentifier(node.name) ? node.name : undefined };
  }
  return undefined;
}

/**
 * What migrating a wrapper needs: its name (to find callers), the sibling its callers will call,
 * how arguments reach the sibling. Anything this cannot establish is a refusal with its reason.
 */
export function describeWrapper(project: MigrationProject, sourceFile: TS.SourceFile, wrapper: SyncWrapper): WrapperInfo {
  const { ts } = project;
  const held = holder(ts, wrapper);
  let info: WrapperInfo = {
    wrapper,
    sourceFile,
    nameNode: held?.nameNode,
    declaration: held?.declaration ?? wrapper.node,
    sibling: undefined,
    forwarded: undefined,
    exported: held !== undefined && ts.isSourceFile(held.declaration.parent) && hasModifier(ts, held.declaration, ts.SyntaxKind.ExportKeyword),
  };
  if (!held || !held.nameNode) {
    return refuse(info, 'sibling', `'${wrapper.name}' is assigned (\`x.${wrapper.name.split('.').pop()} = ...\`) or has a computed name: its callers cannot be followed`);
  }
  if (wrapper.siblingForm === 'inline') {
    return refuse(info, 'sibling', `'${wrapper.name}' blocks on an inline async function: give that function a name (and export it), then run migrate again`);
  }
  info = { ...info, sibling: siblingOf(project, sourceFile, wrapper) };
  if (!info.sibling) return refuse(info, 'sibling', `the sibling '${wrapper.siblingName}' of '${wrapper.name}' is neither a method reached through \`this\` nor a function declared in the project`);
  if (!returnsPromise(project, wrapper)) {
    return refuse(info, 'sibling', `the sibling '${wrapper.siblingName}' of '${wrapper.name}' does not return a promise (a callback-style function): promisify it first`);
  }
  const forwarded = forwardedArguments(project, wrapper);
  if (forwarded.refusal) return refuse(info, 'parameters', forwarded.refusal);
  info = { ...info, forwarded: forwarded.args };
  const sibling = info.sibling!;
  if (sibling.kind === 'member' && !ts.isMethodDeclaration(wrapper.node) && !ts.isPropertyDeclaration(held.declaration)) {
    return refuse(info, 'sibling', `'${wrapper.name}' reaches its sibling through \`this\` but is not a method: its callers' receivers are unknown`);
  }
  if (sibling.kind === 'function' && (ts.isMethodDeclaration(held.declaration) || ts.isPropertyDeclaration(held.declaration) || ts.isPropertyAssignment(held.declaration))) {
    return refuse(info, 'sibling', `'${wrapper.name}' is a member whose sibling '${sibling.name}' is a plain function: calling that instead would skip the member's own dispatch`);
  }
  return info;
}

function siblingOf(project: MigrationProject, sourceFile: TS.SourceFile, wrapper: SyncWrapper): Sibling | undefined {
  const { ts } = project;
  let expr: TS.Expression = wrapper.siblingForm === 'call' && wrapper.siblingCall ? wrapper.siblingCall.expression : wrapper.sibling;
  expr = skipOuterExpressions(ts, expr);
  // `this.readAsync.bind(this)`
  while (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression) && expr.expression.name.text === 'bind') {
    expr = skipOuterExpressions(ts, expr.expression.expression);
  }
  if (wrapper.siblingForm === 'export-name') return exportedSibling(project, sourceFile, wrapper);
  if (ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const symbol = project.checker.getSymbolAtLocation(expr.name);
    const declaration = symbol?.declarations?.[0];
    const isPrivate =
      ts.isPrivateIdentifier(expr.name) || (declaration !== undefined && (hasModifier(ts, declaration, ts.SyntaxKind.PrivateKeyword) || hasModifier(ts, declaration, ts.SyntaxKind.ProtectedKeyword)));
    let owner: TS.Node | undefined = wrapper.node.parent;
    while (owner && !ts.isClassLike(owner) && !ts.isObjectLiteralExpression(owner)) owner = owner.parent;
    return { kind: 'member', name: expr.name.text, isPrivate, owner };
  }
  if (ts.isIdentifier(expr) || (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression))) {
    return functionSibling(project, ts.isIdentifier(expr) ? expr : expr.name);
  }
  return undefined;
}

/** A function declared at module level in a project file (followed through imports), and its export name. */
function functionSibling(project: MigrationProject, name: TS.Node): Sibling | undefined {
  const { ts, checker } = project;
  const symbol = resolveAlias(ts, checker, checker.getSymbolAtLocation(name));
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!symbol || !declaration) return undefined;
  const file = declaration.getSourceFile();
  if (isDeclarationFileName(file.fileName) || !project.files.has(path.resolve(file.fileName))) return undefined;
  const isFunction =
    ts.isFunctionDeclaration(declaration) ||
    (ts.isVariableDeclaration(declaration) &&
      declaration.initializer !== undefined &&
      (ts.isArrowFunction(skipOuterExpressions(ts, declaration.initializer)) || ts.isFunctionExpression(skipOuterExpressions(ts, declaration.initializer))));
  if (!isFunction) return undefined;
  const statement = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
  if (!ts.isSourceFile(statement.parent)) return undefined;
  return { kind: 'function', name: symbol.name, declaration, sourceFile: file, exportName: exportNameOf(project, file, symbol) };
}

/** The name `file` exports `symbol` under, if it does. */
export function exportNameOf(project: MigrationProject, file: TS.SourceFile, symbol: TS.Symbol): string | undefined {
  const { ts, checker } = project;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) return undefined;
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    if (exported === symbol || resolveAlias(ts, checker, exported) === symbol) return exported.name;
  }
  return undefined;
}

/** `defineSync(new URL('./graph.js', import.meta.url), 'listEvents')`: the export of that module, found in the project. */
function exportedSibling(project: MigrationProject, sourceFile: TS.SourceFile, wrapper: SyncWrapper): Sibling | undefined {
  const { ts, checker, program } = project;
  const exportName = wrapper.siblingName;
  if (exportName === 'default') return undefined;
  const factory = ts.isCallExpression(skipOuterExpressions(ts, wrapper.bridgeCall.expression)) ? (skipOuterExpressions(ts, wrapper.bridgeCall.expression) as TS.CallExpression) : wrapper.bridgeCall;
  const locator = factory.arguments[0];
  const target = locator ? moduleOfLocator(ts, program, sourceFile, locator) : undefined;
  if (!target) return undefined;
  const moduleSymbol = checker.getSymbolAtLocation(target);
  const exported = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === exportName);
  const symbol = resolveAlias(ts, checker, exported);
  const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!symbol || !declaration || !project.files.has(path.resolve(declaration.getSourceFile().fileName))) return undefined;
  return { kind: 'function', name: symbol.name, declaration, sourceFile: declaration.getSourceFile(), exportName };
}

/** The project file a runner locator names: `import.meta.url`, `__filename`, `new URL('./x.js', import.meta.url)`. */
function moduleOfLocator(ts: TypeScriptApi, program: TS.Program, sourceFile: TS.SourceFile, locator: TS.Expression): TS.SourceFile | undefined {
  const expr = skipOuterExpressions(ts, locator);
  const text = expr.getText(sourceFile);
  if (text === 'import.meta.url' || text === '__filename' || text === 'new URL(import.meta.url)') return sourceFile;
  let specifier: string | undefined;
  if (ts.isNewExpression(expr) && expr.arguments?.[0] && ts.isStringLiteralLike(expr.arguments[0]) && expr.arguments[1]?.getText(sourceFile) === 'import.meta.url') specifier = expr.arguments[0].text;
  if (ts.isCallExpression(expr) && expr.expression.getText(sourceFile) === 'require.resolve' && expr.arguments[0] && ts.isStringLiteralLike(expr.arguments[0])) specifier = expr.arguments[0].text;
  if (!specifier || !specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(sourceFile.fileName), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base.replace(/\.mjs$/, '.mts'), base.replace(/\.cjs$/, '.cts'), `${base}.ts`, `${base}.js`];
  for (const candidate of candidates) {
    const file = program.getSourceFile(candidate);
    if (file) return file;
  }
  return undefined;
}

/** With types: the sibling returns a thenable (or `any`, untyped JS). A known non-thenable is a callback-style function. */
function returnsPromise(project: MigrationProject, wrapper: SyncWrapper): boolean {
  const { ts, checker } = project;
  const isThenable = (type: TS.Type): boolean => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    const then = checker.getPropertyOfType(checker.getApparentType(type), 'then');
    return then !== undefined;
  };
  if (wrapper.siblingForm === 'call' && wrapper.siblingCall) return isThenable(checker.getTypeAtLocation(wrapper.siblingCall));
  if (wrapper.siblingForm === 'export-name') return true;
  const signatures = checker.getTypeAtLocation(wrapper.sibling).getCallSignatures();
  if (signatures.length === 0) return true;
  return signatures.some((signature) => isThenable(signature.getReturnType()));
}

/**
 * The arguments the sibling receives, when they are the wrapper's own parameters, unchanged and
 * in order: then a call site's arguments can be handed to the sibling as they are.
 */
function forwardedArguments(project: MigrationProject, wrapper: SyncWrapper): { args?: readonly TS.Expression[] | 'all'; refusal?: string } {
  const { ts, checker } = project;
  if (wrapper.form === 'binding') return { args: 'all' };
  const fn = wrapper.node as TS.SignatureDeclarationBase;
  let args: readonly TS.Expression[];
  const bridgeCallee = skipOuterExpressions(ts, wrapper.bridgeCall.expression);
  if (wrapper.siblingForm === 'call' && wrapper.siblingCall) args = wrapper.siblingCall.arguments;
  else if (ts.isCallExpression(bridgeCallee)) {
    // `deasync(this.readAsync.bind(this))(...args)`, `defineSync(url, 'x')(a)`: the outer call's arguments.
    args = wrapper.bridgeCall.arguments;
  } else {
    // `runSync(findOrder, id)`: the helper takes the function, then the arguments it passes on.
    const index = wrapper.bridgeCall.arguments.findIndex((a) => a.pos <= wrapper.sibling.pos && wrapper.sibling.end <= a.end);
    const helper = resolveAlias(ts, checker, checker.getSymbolAtLocation(ts.isPropertyAccessExpression(bridgeCallee) ? bridgeCallee.name : bridgeCallee));
    const declaration = helper?.valueDeclaration;
    const helperFn = declaration && ts.isVariableDeclaration(declaration) && declaration.initializer ? skipOuterExpressions(ts, declaration.initializer) : declaration;
    const parameters =
      helperFn && (ts.isFunctionDeclaration(helperFn) || ts.isArrowFunction(helperFn) || ts.isFunctionExpression(helperFn) || ts.isMethodDeclaration(helperFn)) ? helperFn.parameters : undefined;
    const rest = parameters?.[index + 1];
    if (index < 0 || !parameters || !rest || !rest.dotDotDotToken || parameters.length !== index + 2) {
      return { refusal: `cannot tell how '${wrapper.viaHelper ?? 'the bridge'}' passes arguments to '${wrapper.siblingName}' (expected a helper like \`runSync(fn, ...args)\`)` };
    }
    args = wrapper.bridgeCall.arguments.slice(index + 1);
  }
  const parameters = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
  const same =
    args.length === parameters.length &&
    parameters.every((parameter, i) => {
      const arg = args[i]!;
      if (!ts.isIdentifier(parameter.name) || parameter.initializer) return false;
      if (parameter.dotDotDotToken) return ts.isSpreadElement(arg) && ts.isIdentifier(arg.expression) && arg.expression.text === parameter.name.text;
      const value = skipOuterExpressions(ts, arg);
      return ts.isIdentifier(value) && value.text === parameter.name.text;
    });
  if (!same) return { refusal: `'${wrapper.name}' does not pass its parameters to '${wrapper.siblingName}' unchanged and in order, so its call sites cannot simply call the sibling` };
  return { args };
}
