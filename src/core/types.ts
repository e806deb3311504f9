import type * as TS from 'typescript';
import type typescript from 'typescript';
import type { TypeQuestions } from './type-questions.js';

/**
 * The TypeScript namespace handed to detectors. Detectors never import `typescript` at run
 * time: inside ESLint it is the `typescript` package that parsed the file, inside the scanner
 * it is ts-morph's bundled copy. Mixing them would make `SyntaxKind` numbers disagree.
 */
export type TypeScriptApi = typeof typescript;
export type { TS };

export const RULE_IDS = ['no-loop-per-call', 'no-sync-bridge', 'no-sync-wrapper', 'no-floating-promise'] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type Family = 'loop-per-call' | 'sync-bridge' | 'sync-wrapper' | 'floating-promise';

export type Severity = 'off' | 'warn' | 'error';

/** The plugin's shared configs whose rule entries each rule's meta declares (`recommended-type-checked` uses `recommended`'s). */
export type SharedConfig = 'recommended' | 'strict' | 'migration';

/** A replacement of `[start, end)` of the file's text (offsets into the text the AST was built from). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Suggestion<MessageId extends string = string> {
  messageId: MessageId;
  data?: Record<string, string | number>;
  edits: TextEdit[];
}

export interface Finding<MessageId extends string = string> {
  ruleId: RuleId;
  messageId: MessageId;
  data?: Record<string, string | number>;
  /** Offsets of the reported range in the file's text. */
  start: number;
  end: number;
  /** An autofix: edits applied together by `eslint --fix` and `loop-audit fix`. */
  fix?: TextEdit[];
  suggestions?: Suggestion<MessageId>[];
}

/**
 * Everything about a rule but its detection, in one place: the ESLint rule's meta, the plugin's
 * shared configs, the scanner's default severities and the rule's family all derive from it.
 */
export interface RuleMeta<Options extends object = object, MessageId extends string = string> {
  id: RuleId;
  family: Family;
  description: string;
  /** 'problem' for bugs waiting to happen, 'suggestion' for migration debt. */
  type: 'problem' | 'suggestion';
  messages: Readonly<Record<MessageId, string>>;
  defaultOptions: Options;
  /** JSON schema of the single options object. */
  optionsSchema: Record<string, unknown>;
  fixable?: boolean;
  hasSuggestions?: boolean;
  /**
   * Whether the rule gains precision from type information. It always runs without it;
   * with a checker it sees more (e.g. any thenable type, imported async functions).
   */
  usesTypeInformation: boolean;
  /** The rule's entry in each shared config; `recommended` is also the scanner's default severity. */
  configs: { recommended: Severity; strict: Severity | readonly [Severity, Partial<Options>]; migration: Severity };
}

/**
 * Types a rule's meta: the options are given, the message ids are inferred from `messages`
 * (`defineRuleMeta<Options>()({ ... })`), so findings and suggestions can only name messages the
 * rule has.
 */
export function defineRuleMeta<Options extends object>() {
  return <MessageId extends string>(meta: RuleMeta<Options, MessageId>): RuleMeta<Options, MessageId> => meta;
}

/**
 * Other files of the project, read from disk. Given as input, it also tells the untyped mode to
 * ask about other modules (ESLint without a program); otherwise analysis reads other files through
 * the process's shared cache (`diskModuleFacts`).
 */
export interface ModuleFacts {
  /** Names a module exports that are async functions or functions declared to return a promise. */
  asyncExports(fromFile: string, specifier: string): ReadonlySet<string> | undefined;
  /** Another file, parsed with parent pointers; undefined when it is missing, unreadable or too large. */
  sourceFile(file: string): TS.SourceFile | undefined;
}

export interface AnalysisInput {
  ts: TypeScriptApi;
  sourceFile: TS.SourceFile;
  /** Type answers from a TypeScript 6 checker of the program `sourceFile` belongs to. */
  checker?: TS.TypeChecker;
  /** Type answers from either backend (type-questions.ts); takes precedence over `checker`. */
  types?: TypeQuestions;
  moduleFacts?: ModuleFacts;
  /**
   * The compiler options of the file's program, when there is one: they decide whether its top
   * level may `await` (the fix of a floating call there).
   */
  compilerOptions?: TS.CompilerOptions;
  /**
   * Whether fixes may import the runtime package (default true). False for a published library
   * that does not depend on it yet: fixes that need it become suggestions, and a dependency-free
   * fix is used where one exists (docs/fix.md).
   */
  runtimeDependency?: boolean;
}
