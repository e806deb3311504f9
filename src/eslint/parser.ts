import { createRequire } from 'node:module';
import { PACKAGE } from '../version.js';

/**
 * The parser the plugin's configs carry, so that `configs.recommended` lints TypeScript files with
 * nothing else configured:
 * - TypeScript files go to typescript-eslint's parser: the copy loop-audit depends on, which npm
 *   dedupes with the project's own typescript-eslint 8.x when there is one (one copy, one
 *   TypeScript). In a TypeScript 7 project that copy sits under loop-audit with its own
 *   TypeScript 6, since typescript-eslint needs the TypeScript 6 API.
 * - JavaScript files go to espree, the very parser (and version) ESLint itself would use, with
 *   the same options: adding loop-audit changes nothing in how a JS file is parsed.
 * - With type information asked for (`projectService` or `project`), every file goes to
 *   typescript-eslint; a file no tsconfig includes (eslint.config.js, a script) is parsed without
 *   types instead of failing the whole lint. The loop-audit rules work untyped on it.
 * Everything is loaded on first parse: importing the plugin stays cheap.
 */

type ParseResult = { ast: unknown; services?: unknown; scopeManager?: unknown; visitorKeys?: unknown };
interface TsEslintParser {
  parseForESLint(code: string, options?: Record<string, unknown>): ParseResult;
  withoutProjectParserOptions<T extends object>(options: T): T;
}
interface Espree {
  parse(code: string, options?: Record<string, unknown>): unknown;
  VisitorKeys?: unknown;
}

const requireHere = createRequire(import.meta.url);
let tsEslintParser: TsEslintParser | undefined;
let espree: Espree | null | undefined;

function typescriptEslintParser(): TsEslintParser {
  tsEslintParser ??= requireHere('@typescript-eslint/parser') as TsEslintParser;
  return tsEslintParser;
}

/** ESLint's own espree (null when it cannot be found: typescript-eslint then parses JS as well). */
function eslintEspree(): Espree | null {
  if (espree === undefined) {
    try {
      espree = createRequire(requireHere.resolve('eslint/package.json'))('espree') as Espree;
    } catch {
      espree = null;
    }
  }
  return espree;
}

const JS_FILE = /\.(?:js|mjs|cjs|jsx)$/i;
/** What typescript-estree says when a file is outside every project it was given. */
const OUTSIDE_PROJECT = /was not found by the project service|TSConfig does not include this file|parserOptions\.project.*has been provided|was not found in any of the provided project/i;

function wantsTypes(options: Record<string, unknown>): boolean {
  const { projectService, project } = options;
  return (projectService !== undefined && projectService !== false && projectService !== null) || (project !== undefined && project !== false && project !== null);
}

export const parser = {
  meta: { name: `${PACKAGE.name}/parser`, version: PACKAGE.version },
  parseForESLint(code: string, options: Record<string, unknown> = {}): ParseResult {
    const file = typeof options.filePath === 'string' ? options.filePath : '';
    const typed = wantsTypes(options);
    if (!typed && JS_FILE.test(file)) {
      const js = eslintEspree();
      // ESLint computes the scopes itself when a parser returns none, as it does for espree.
      // A .jsx file is JSX by its name, as typescript-eslint decides for .tsx.
      const jsOptions = /\.jsx$/i.test(file) ? { ...options, ecmaFeatures: { ...(options.ecmaFeatures as object | undefined), jsx: true } } : options;
      if (js) return { ast: js.parse(code, jsOptions), ...(js.VisitorKeys ? { visitorKeys: js.VisitorKeys } : {}) };
    }
    const ts = typescriptEslintParser();
    if (!typed) return ts.parseForESLint(code, options);
    try {
      return ts.parseForESLint(code, options);
    } catch (error) {
      if (!OUTSIDE_PROJECT.test((error as Error).message ?? '')) throw error;
      return ts.parseForESLint(code, ts.withoutProjectParserOptions(options));
    }
  },
};
