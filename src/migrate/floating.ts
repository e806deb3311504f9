import path from 'node:path';
import { analyzeRule } from '../core/analyze.js';
import { FileFacts, skipOuterExpressions } from '../core/facts.js';
import { codeStyle, planImport, RUNTIME_MODULE, stringLiteral } from '../core/fixes/imports.js';
import { formatMessage } from '../core/messages.js';
import type { Finding, TextEdit, TS } from '../core/types.js';
import { fixText } from '../fix/apply.js';
import { runtimePolicy } from '../fix/dependency.js';
import { isAsync, isFunctionNode } from './ast.js';
import { indentOf, syntaxErrorCount, wrapBlockEdits } from './edits.js';
import { classifyConsumer } from './entry-points.js';
import type { MigrationProject } from './project.js';

export interface FloatingFix {
  line: number;
  message: string;
}

export interface FloatingOutcome {
  text: string;
  fixed: FloatingFix[];
  dropped: string[];
}

/**
 * The second pass, over the text the async rewrite produced: async node:http handlers (those it
 * made async, and in scope those that were already) answer 500 when they fail and hand their error
 * to the runner's `spawn`; with `fixFloating`, the other floating promises of the file get the same
 * autofix `loop-audit fix` applies. Each fix is checked to parse, as `fix` does.
 */
export function fixEntryPointsAndFloating(
  project: MigrationProject,
  file: string,
  text: string,
  options: { fixFloating: boolean; allHttpHandlers: boolean; httpOffsets: readonly number[]; ruleOptions: object; allowRuntimeDependency?: boolean },
): FloatingOutcome {
  const { ts } = project;
  const fixed: FloatingFix[] = [];
  let firstPass = true;
  const driver = {
    analyze: (current: string): Finding[] => {
      const view = viewOf(project, file, current);
      if (!view) return [];
      const http = httpFindings(view, options.allHttpHandlers ? undefined : firstPass ? options.httpOffsets : []);
      firstPass = false;
      if (!options.fixFloating) return http;
      const floating = analyzeRule(
        { ts, sourceFile: view.sourceFile, checker: view.checker, compilerOptions: project.compilerOptions, runtimeDependency: runtimePolicy(file, options.allowRuntimeDependency === true).allowed },
        'no-floating-promise',
        options.ruleOptions,
      ).filter((finding) => finding.fix && finding.fix.length > 0 && !http.some((h) => overlaps(h, finding)));
      return [...http, ...floating];
    },
    syntaxErrors: (current: string): number => syntaxErrorCount(ts, file, current),
  };
  const outcome = fixText(text, driver);
  for (const finding of outcome.applied) {
    fixed.push({ line: lineAt(text, finding.start), message: finding.messageId === 'migrateHttpHandler' ? String(finding.data?.text) : `fixed: ${formatMessage(finding)}` });
  }
  return { text: outcome.output, fixed, dropped: outcome.dropped.map((d) => d.reason) };
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function overlaps(a: Finding, b: Finding): boolean {
  return a.start < b.end && b.start < a.end;
}

interface View {
  project: MigrationProject;
  sourceFile: TS.SourceFile;
  checker: TS.TypeChecker;
}

/** The project as it is with this text for the file: a fresh program from the language service. */
function viewOf(project: MigrationProject, file: string, text: string): View | undefined {
  project.project.createSourceFile(file, text, { overwrite: true });
  const program = project.languageService.getProgram();
  const sourceFile = program?.getSourceFile(file);
  if (!program || !sourceFile) return undefined;
  const checker = program.getTypeChecker();
  return { project: { ...project, program, checker }, sourceFile, checker };
}

/**
 * Async handlers of node:http `createServer(handler)` / `server.on('request', handler)`. Node
 * ignores the promise: a rejection is unhandled and the request never gets an answer. The
 * handler becomes a sync function that hands its work to `spawn` (tracked, its error reported
 * once), and that work answers 500 when it fails.
 */
function httpFindings(view: View, onlyAt: readonly number[] | undefined): Finding[] {
  const { project, sourceFile } = view;
  const ts = project.ts;
  const findings: Finding[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const handler = node.arguments[node.arguments.length - 1]!;
      const fn = skipOuterExpressions(ts, handler);
      const allowed = !onlyAt || onlyAt.some((offset) => handler.getStart(sourceFile) <= offset && offset < handler.getEnd());
      if (allowed && isAsyncHandler(view, fn)) {
        const consumer = classifyConsumer(project, node, isFunctionNode(ts, fn) ? fn : undefined);
        if ('entry' in consumer && consumer.entry === 'http') {
          const fix = httpFix(view, node, handler);
          if (fix) {
            findings.push({
              ruleId: 'no-floating-promise',
              messageId: 'migrateHttpHandler',
              data: { text: `the node:http handler answers 500 when it fails and reports its error through spawn() instead of leaving an unhandled rejection` },
              start: handler.getStart(sourceFile),
              end: handler.getEnd(),
              fix,
            });
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings;
}

function isAsyncHandler(view: View, fn: TS.Expression): boolean {
  const ts = view.project.ts;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) return isAsync(ts, fn);
  if (!ts.isIdentifier(fn) && !ts.isPropertyAccessExpression(fn)) return false;
  const checker = view.checker;
  return checker
    .getTypeAtLocation(fn)
    .getCallSignatures()
    .some((signature) => checker.getPropertyOfType(checker.getApparentType(signature.getReturnType()), 'then') !== undefined);
}

function httpFix(view: View, call: TS.CallExpression, handler: TS.Expression): TextEdit[] | undefined {
  const { project, sourceFile } = view;
  const ts = project.ts;
  const facts = FileFacts.of({ ts, sourceFile, checker: view.checker });
  const style = codeStyle(facts);
  const plan = planImport(facts, RUNTIME_MODULE, ['spawn']);
  const spawn = plan.local.spawn!;
  const semicolon = style.semicolon ? ';' : '';
  const enclosing = facts.enclosingFunction(call);
  const name = stringLiteral(style, `${enclosing ? facts.functionName(enclosing) : path.basename(sourceFile.fileName)}: request`);
  const newline = style.newline;
  const text = sourceFile.text;
  const indent = indentOf(text, handler.getStart(sourceFile));
  const fn = skipOuterExpressions(ts, handler);
  const failure = (res: string, i: string, unit: string): string =>
    `} catch (error) {${newline}${i}${unit}if (!${res}.headersSent) ${res}.statusCode = 500${semicolon}${newline}${i}${unit}if (!${res}.writableEnded) ${res}.end()${semicolon}${newline}${i}${unit}throw error${semicolon}${newline}${i}}`;

  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const res = fn.parameters[1];
    if (!res || !ts.isIdentifier(res.name)) return undefined;
    const resName = res.name.text;
    const edits: TextEdit[] = [...plan.edits];
    const asyncKeyword = fn.modifiers?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
    if (!asyncKeyword) return undefined;
    edits.push({ start: asyncKeyword.getStart(sourceFile), end: asyncKeyword.getEnd() + (/\s/.test(text[asyncKeyword.getEnd()] ?? '') ? 1 : 0), text: '' });
    if (fn.type) {
      const colon = text.lastIndexOf(':', fn.type.getStart(sourceFile));
      edits.push({ start: colon, end: fn.type.getEnd(), text: '' });
    }
    if (ts.isBlock(fn.body)) {
      edits.push(
        ...wrapBlockEdits(ts, sourceFile, fn.body, indent, newline, (i, unit, nl) => ({
          open: `${spawn}(async () => {${nl}${i}${unit}${unit}try {`,
          close: `${unit}${failure(resName, `${i}${unit}${unit}`, unit)}${nl}${i}${unit}}, { name: ${name} })${semicolon}`,
          depth: 2,
        })),
      );
    } else {
      const body = fn.body;
      edits.push({
        start: body.getStart(sourceFile),
        end: body.getEnd(),
        text: `{ ${spawn}(async () => { try { await (${body.getText(sourceFile)})${semicolon} ${failure(resName, '', '').replace(/\r?\n/g, ' ')} }, { name: ${name} })${semicolon} }`,
      });
    }
    return edits;
  }
  // A named handler: the registration gets the sync shell, the handler stays as it is.
  const reference = handler.getText(sourceFile);
  const [req, res] = reference === 'req' || reference === 'res' ? ['request', 'response'] : ['req', 'res'];
  const shell = `(${req}, ${res}) => { ${spawn}(async () => { try { await ${reference}(${req}, ${res})${semicolon} ${failure(res, '', '').replace(/\r?\n/g, ' ')} }, { name: ${name} })${semicolon} }`;
  return [...plan.edits, { start: handler.getStart(sourceFile), end: handler.getEnd(), text: shell }];
}

/** Whether a file as it is has anything for the second pass, so untouched files are not re-analysed for nothing. */
export function hasEntryPointWork(project: MigrationProject, sourceFile: TS.SourceFile, fixFloating: boolean, ruleOptions: object, allowRuntimeDependency = false): boolean {
  const view: View = { project, sourceFile, checker: project.checker };
  if (httpFindings(view, undefined).length > 0) return true;
  const runtimeDependency = runtimePolicy(sourceFile.fileName, allowRuntimeDependency).allowed;
  return (
    fixFloating &&
    analyzeRule({ ts: project.ts, sourceFile, checker: project.checker, compilerOptions: project.compilerOptions, runtimeDependency }, 'no-floating-promise', ruleOptions).some(
      (f) => (f.fix?.length ?? 0) > 0,
    )
  );
}
