import type * as TS from 'typescript';
import type typescript from 'typescript';

/**
 * The TypeScript namespace handed to detectors. Detectors never import `typescript` at run
 * time: inside ESLint it is the `typescript` package that parsed the file, inside the scanner
 * it is ts-morph's bundled copy. Mixing them would make `SyntaxKind` numbers disagree.
 */
export type TypeScriptApi = typeof typescript;
export type { TS };

export const RULE_IDS = [
  'no-loop-per-call',
  'no-sync-bridge',
  'no-sync-wrapper',
  'no-floating-promise',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type Family = 'loop-per-call' | 'sync-bridge' | 'sync-wrapper' | 'floating-promise';

export const FAMILY_OF_RULE: Readonly<Record<RuleId, Family>> = {
  'no-loop-per-call': 'loop-per-call',
  'no-sync-bridge': 'sync-bridge',
  'no-sync-wrapper': 'sync-wrapper',
  'no-floating-promise': 'floating-promise',
};

/** A replacement of `[start, end)` of the file's text (offsets into the text the AST was built from). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Suggestion {
  messageId: string;
  data?: Record<string, string | number>;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: RuleId;
  messageId: string;
  data?: Record<string, string | number>;
  /** Offsets of the reported range in the file's text. */
  start: number;
  end: number;
  /** An autofix: edits applied together by `eslint --fix` and `loop-audit fix`. */
  fix?: TextEdit[];
  suggestions?: Suggestion[];
}

export interface RuleMeta<Options extends object = object> {
  id: RuleId;
  family: Family;
  description: string;
  /** 'problem' for bugs waiting to happen, 'suggestion' for migration debt. */
  type: 'problem' | 'suggestion';
  messages: Record<string, string>;
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
}

/** Answers questions about other modules when there is no type checker (ESLint without a program). */
export interface ModuleFacts {
  /** Names a module exports that are async functions or functions declared to return a promise. */
  asyncExports(fromFile: string, specifier: string): ReadonlySet<string> | undefined;
}

export interface AnalysisInput {
  ts: TypeScriptApi;
  sourceFile: TS.SourceFile;
  checker?: TS.TypeChecker;
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
