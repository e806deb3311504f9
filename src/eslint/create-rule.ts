import { createRequire } from 'node:module';
import { ESLintUtils, type TSESLint } from '@typescript-eslint/utils';
import { analyzeRule } from '../core/analyze.js';
import { runtimePolicy } from '../fix/dependency.js';
import { ruleMeta, type MessageIdOf, type OptionsOf } from '../core/meta/index.js';
import { diskModuleFacts, scriptKindOf } from '../core/module-facts.js';
import type { AnalysisInput, RuleId, TS, TypeScriptApi } from '../core/types.js';
import { ruleDocsUrl } from '../version.js';

const createRule = ESLintUtils.RuleCreator(ruleDocsUrl);

const require = createRequire(import.meta.url);
let typescript: TypeScriptApi | undefined;

/**
 * The `typescript` that @typescript-eslint's parser uses, so SyntaxKind numbers agree with the
 * nodes it hands us. A plain JS project may have no `typescript` at all: then ts-morph's bundled
 * copy parses the file (it is only ever used to parse text we own in that case).
 */
function loadTypeScript(): TypeScriptApi {
  if (typescript) return typescript;
  try {
    const estree = require.resolve('@typescript-eslint/typescript-estree', { paths: [require.resolve('@typescript-eslint/parser')] });
    const candidate = createRequire(estree)('typescript') as Partial<TypeScriptApi>;
    // TypeScript 7's `typescript` module is a version stub with no compiler API in JavaScript.
    if (typeof candidate.createSourceFile === 'function') typescript = candidate as TypeScriptApi;
  } catch {
    // no typescript-eslint to borrow from
  }
  typescript ??= (require('ts-morph') as { ts: TypeScriptApi }).ts;
  return typescript;
}

/** One parse per file per lint run, shared by the four rules (ESLint gives them one SourceCode). */
const parsedBySourceCode = new WeakMap<object, AnalysisInput>();

type AnyContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

export function analysisInputFor(context: AnyContext): AnalysisInput {
  const sourceCode = context.sourceCode;
  const cached = parsedBySourceCode.get(sourceCode);
  if (cached) return cached;
  const ts = loadTypeScript();
  const services = sourceCode.parserServices as Partial<ReturnType<typeof ESLintUtils.getParserServices>> | undefined;
  let input: AnalysisInput | undefined;
  const nodeMap = services?.esTreeNodeToTSNodeMap;
  if (nodeMap) {
    const program = services.program ?? undefined;
    const sourceFile = (program?.getSourceFile(context.filename) ?? nodeMap.get(sourceCode.ast as never)) as TS.SourceFile | undefined;
    if (sourceFile && ts.isSourceFile(sourceFile) && sourceFile.text === sourceCode.text) {
      const checker = program?.getTypeChecker() as TS.TypeChecker | undefined;
      input = { ts, sourceFile, checker, moduleFacts: checker ? undefined : diskModuleFacts(ts), ...(program ? { compilerOptions: program.getCompilerOptions() as TS.CompilerOptions } : {}) };
    }
  }
  if (!input) {
    // Any other parser (espree, babel): TypeScript parses the same text, so offsets line up.
    const sourceFile = ts.createSourceFile(context.filename, sourceCode.text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, context.filename));
    input = { ts, sourceFile, moduleFacts: diskModuleFacts(ts) };
  }
  // As `loop-audit fix` decides it: a published library without the runtime gets suggestions, not fixes that import it.
  const settings = (context.settings as { 'loop-audit'?: { allowRuntimeDependency?: unknown } } | undefined)?.['loop-audit'];
  input.runtimeDependency = runtimePolicy(context.filename, settings?.allowRuntimeDependency === true).allowed;
  parsedBySourceCode.set(sourceCode, input);
  return input;
}

/** Builds the ESLint rule for one core detector: parse (or borrow the parser's AST), detect, report. */
export function createLoopAuditRule<Id extends RuleId>(ruleId: Id) {
  const meta = ruleMeta(ruleId);
  return createRule<[OptionsOf<Id>], MessageIdOf<Id>>({
    name: ruleId,
    meta: {
      type: meta.type,
      docs: { description: meta.description },
      messages: meta.messages,
      schema: [meta.optionsSchema as never],
      ...(meta.fixable ? { fixable: 'code' as const } : {}),
      ...(meta.hasSuggestions ? { hasSuggestions: true } : {}),
    },
    defaultOptions: [meta.defaultOptions],
    create(context, [options]) {
      return {
        Program() {
          const sourceCode = context.sourceCode;
          const findings = analyzeRule(analysisInputFor(context as AnyContext), ruleId, options);
          for (const finding of findings) {
            context.report({
              messageId: finding.messageId,
              data: finding.data,
              loc: { start: sourceCode.getLocFromIndex(finding.start), end: sourceCode.getLocFromIndex(finding.end) },
              fix: finding.fix ? (fixer) => finding.fix!.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)) : null,
              suggest: finding.suggestions?.map((suggestion) => ({
                messageId: suggestion.messageId,
                data: suggestion.data,
                fix: (fixer: TSESLint.RuleFixer) => suggestion.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)),
              })),
            });
          }
        },
      };
    },
  });
}
