import { createRequire } from 'node:module';
import type { ParserServices, TSESLint } from '@typescript-eslint/utils';
import { analyzeRule } from '../core/analyze.js';
import { runtimePolicy } from '../fix/dependency.js';
import { ruleMeta, type MessageIdOf, type OptionsOf } from '../core/meta/index.js';
import { diskModuleFacts, scriptKindOf } from '../core/module-facts.js';
import type { AnalysisInput, RuleId, TS, TypeScriptApi } from '../core/types.js';

export const DOCS_BASE_URL = 'https://github.com/loop-audit/loop-audit/blob/main/docs/rules/';

const require = createRequire(import.meta.url);
let typescript: TypeScriptApi | undefined;

/**
 * The `typescript` that @typescript-eslint's parser uses, so SyntaxKind numbers agree with the
 * nodes it hands us. A project may have none (plain JS, espree), or TypeScript 7, whose
 * `typescript` package exports only its version (typescript-eslint cannot run on it either): then
 * ts-morph's bundled TypeScript 6 parses the file (it is only ever used to parse text we own in
 * that case).
 */
function loadTypeScript(): TypeScriptApi {
  if (typescript) return typescript;
  let found: Partial<TypeScriptApi> | undefined;
  try {
    const estree = require.resolve('@typescript-eslint/typescript-estree');
    found = createRequire(estree)('typescript') as Partial<TypeScriptApi>;
  } catch {
    found = undefined;
  }
  const hasCompilerApi = typeof found?.createSourceFile === 'function' && typeof found.SyntaxKind === 'object';
  typescript = hasCompilerApi ? (found as TypeScriptApi) : (require('ts-morph') as { ts: TypeScriptApi }).ts;
  return typescript;
}

function isObjectNotArray(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The user's options merged over the rule's defaults, objects deeply and anything else replaced (as typescript-eslint's rules do). */
function withDefaults(defaults: Record<string, unknown>, given: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    const base = merged[key];
    merged[key] = isObjectNotArray(base) && isObjectNotArray(value) ? withDefaults(base, value) : value;
  }
  return merged;
}

/** One parse per file per lint run, shared by the four rules (ESLint gives them one SourceCode). */
const parsedBySourceCode = new WeakMap<object, AnalysisInput>();

type AnyContext = Readonly<TSESLint.RuleContext<string, readonly unknown[]>>;

export function analysisInputFor(context: AnyContext): AnalysisInput {
  const sourceCode = context.sourceCode;
  const cached = parsedBySourceCode.get(sourceCode);
  if (cached) return cached;
  const ts = loadTypeScript();
  const services = sourceCode.parserServices as Partial<ParserServices> | undefined;
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

/**
 * Builds the ESLint rule for one core detector: parse (or borrow the parser's AST), detect, report.
 * The rule object is what typescript-eslint's RuleCreator makes (docs URL, options merged over the
 * defaults), built here so the plugin depends on no typescript-eslint package at run time: those
 * require TypeScript < 6.1 as a peer, and a project on TypeScript 7 must still install and run it.
 */
export function createLoopAuditRule<Id extends RuleId>(ruleId: Id): TSESLint.RuleModule<MessageIdOf<Id>, [OptionsOf<Id>]> {
  const meta = ruleMeta(ruleId);
  const defaultOptions: [OptionsOf<Id>] = [meta.defaultOptions];
  return {
    meta: {
      type: meta.type,
      docs: { description: meta.description, url: `${DOCS_BASE_URL}${ruleId}.md` },
      messages: meta.messages,
      schema: [meta.optionsSchema as never],
      ...(meta.fixable ? { fixable: 'code' as const } : {}),
      ...(meta.hasSuggestions ? { hasSuggestions: true } : {}),
    },
    defaultOptions,
    create(context) {
      const given = context.options[0];
      const options = (isObjectNotArray(given) ? withDefaults(structuredClone(meta.defaultOptions) as Record<string, unknown>, given) : structuredClone(meta.defaultOptions)) as OptionsOf<Id>;
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
  };
}
