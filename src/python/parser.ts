import { createRequire } from 'node:module';
import type { Language as LanguageType, Parser as ParserType, TreeCursor } from 'web-tree-sitter';
import type { PyNode } from './tree.js';
import { lineAndColumn } from '../util/line-column.js';

const requireHere = createRequire(import.meta.url);

/** Where the Python grammar's WebAssembly build is: the `tree-sitter-python` package ships it. */
export function grammarPath(): string {
  return requireHere.resolve('tree-sitter-python/tree-sitter-python.wasm');
}

/** The versions that decide how Python parses: part of the scan cache's tool identity. */
export function parserVersions(): string {
  const version = (name: string): string => {
    try {
      return (requireHere(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return `web-tree-sitter@${version('web-tree-sitter')},tree-sitter-python@${version('tree-sitter-python')}`;
}

let loading: Promise<ParserType> | undefined;
let loaded: ParserType | undefined;

/**
 * tree-sitter's runtime and the Python grammar, both WebAssembly, loaded once per process. Loading
 * is asynchronous (WebAssembly compilation); parsing afterwards is synchronous.
 */
export function loadPythonParser(): Promise<ParserType> {
  loading ??= (async () => {
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init();
    const language: LanguageType = await Language.load(grammarPath());
    const parser = new Parser();
    parser.setLanguage(language);
    loaded = parser;
    return parser;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** The parser if `loadPythonParser` has finished, for synchronous callers that run after a scan. */
export function loadedPythonParser(): ParserType | undefined {
  return loaded;
}

/** Why a file is not analysed: it does not parse as Python 3. */
export interface PythonSyntaxProblem {
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export interface ParsedPython {
  root: PyNode;
  problem: PythonSyntaxProblem | undefined;
}

/** Leaves whose text the detectors read: names, keywords, literals. */
const TEXT_LEAVES = new Set(['identifier', 'integer', 'float', 'true', 'false', 'none', 'string_content', 'keyword_identifier']);
/** Anonymous tokens worth keeping: keywords and operators the detectors look at. Punctuation is dropped. */
const KEPT_TOKEN = /^(?:[a-z]+|==|!=|=|:=|\*|\*\*)$/;

/** Per grammar: type and field names by id, and whether a type is named or a token worth keeping. */
interface TypeTables {
  types: string[];
  fields: (string | null)[];
  /** 0: unknown yet, 1: named, 2: a kept token, 3: dropped punctuation. */
  kinds: Uint8Array;
}
const tablesByLanguage = new WeakMap<object, TypeTables>();

function tablesOf(parser: ParserType): TypeTables {
  const language = parser.language!;
  let tables = tablesByLanguage.get(language);
  if (!tables) {
    tables = { types: language.types, fields: language.fields, kinds: new Uint8Array(65536) };
    // tree-sitter's ERROR node has the id 65535 and no entry in the type table.
    tables.kinds[65535] = 1;
    tablesByLanguage.set(language, tables);
  }
  return tables;
}

/**
 * Parses Python text into a plain tree. tree-sitter always produces a tree; one with ERROR or
 * MISSING nodes, or with Python 2 statements (the grammar still accepts `print x` and `exec
 * code`), is reported as a syntax problem and not analysed.
 */
export function parsePython(parser: ParserType, text: string): ParsedPython {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const hasError = tree.rootNode.hasError;
    const cursor = tree.walk();
    const root = copy(cursor, text, tablesOf(parser), hasError);
    cursor.delete();
    const problem = hasError ? firstError(root, text) : python2Statement(root, text);
    return { root, problem };
  } finally {
    tree.delete();
  }
}

/**
 * Copies the tree with as few calls into WebAssembly as possible (each cursor read crosses
 * over): the type id first, positions and field only for the nodes kept.
 */
function copy(cursor: TreeCursor, text: string, tables: TypeTables, hasError: boolean): PyNode {
  const rootNode: PyNode = makeNode(cursor, undefined, text, tables, cursor.nodeTypeId, hasError);
  const stack: PyNode[] = [rootNode];
  if (!cursor.gotoFirstChild()) return rootNode;
  for (;;) {
    const parent = stack[stack.length - 1]!;
    const id = cursor.nodeTypeId;
    let kind = tables.kinds[id]!;
    if (kind === 0) {
      kind = cursor.nodeIsNamed ? 1 : KEPT_TOKEN.test(tables.types[id] ?? '') ? 2 : 3;
      tables.kinds[id] = kind;
    }
    let node: PyNode | undefined;
    if (kind !== 3 || (hasError && cursor.nodeIsMissing)) {
      node = makeNode(cursor, parent, text, tables, id, hasError);
      parent.children.push(node);
    }
    if (node && cursor.gotoFirstChild()) {
      stack.push(node);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || stack.length === 1) return rootNode;
      stack.pop();
    }
  }
}

function makeNode(cursor: TreeCursor, parent: PyNode | undefined, text: string, tables: TypeTables, id: number, hasError: boolean): PyNode {
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  const base = tables.types[id] ?? 'ERROR';
  const type = hasError && cursor.nodeIsMissing ? `MISSING ${base}` : base;
  const fieldId = parent ? cursor.currentFieldId : 0;
  return {
    type,
    start,
    end,
    named: tables.kinds[id] === 1 || parent === undefined,
    field: fieldId > 0 ? (tables.fields[fieldId] ?? undefined) : undefined,
    children: [],
    parent,
    text: TEXT_LEAVES.has(type) ? text.slice(start, end) : undefined,
  };
}

function firstError(root: PyNode, text: string): PythonSyntaxProblem {
  let found: PyNode | undefined;
  const stack = [root];
  while (stack.length > 0 && !found) {
    const node = stack.pop()!;
    if (node.type === 'ERROR' || node.type.startsWith('MISSING ')) {
      found = node;
      break;
    }
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  const at = found ?? root;
  const where = lineAndColumn(text, at.start);
  const snippet = text
    .slice(at.start, Math.min(at.end, at.start + 30))
    .split('\n')[0]!
    .trim();
  const python2 = python2Hint(text.slice(at.start, at.end), text, at.start);
  const detail = found?.type.startsWith('MISSING ') ? `missing ${found.type.slice('MISSING '.length)}` : snippet ? `unexpected \`${snippet}\`` : 'invalid syntax';
  return { ...where, message: python2 ? `Python 2 syntax (${python2}): loop-audit analyses Python 3` : detail };
}

/** Python 2 forms that tree-sitter cannot parse as Python 3, to name the cause of an error. */
function python2Hint(errorText: string, text: string, start: number): string | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', start);
  const line = text.slice(lineStart, lineEnd === -1 ? text.length : lineEnd);
  if (/^\s*except\s+[\w.]+\s*,\s*\w+\s*:/.test(line)) return '`except X, e:`';
  if (/^\s*raise\s+[\w.]+\s*,/.test(line)) return '`raise E, message`';
  if (/`[^`]+`/.test(errorText)) return 'backquote repr';
  if (/(^|[^\w.])0[0-7]+\b/.test(errorText) && !/\b0[oO]/.test(errorText)) return 'octal literal without 0o';
  if (/\b\d+[lL]\b/.test(errorText)) return 'long integer literal';
  if (/\bur["']/i.test(errorText)) return 'ur"" string';
  if (/^\s*print\s+[^(=\s]/.test(line)) return 'print statement';
  if (/^\s*exec\s+[^(=\s]/.test(line)) return 'exec statement';
  return undefined;
}

function python2Statement(root: PyNode, text: string): PythonSyntaxProblem | undefined {
  for (const node of root.children) {
    const found = findPython2(node);
    if (found) {
      const where = lineAndColumn(text, found.start);
      const what = found.type === 'print_statement' ? 'print statement' : found.type === 'exec_statement' ? 'exec statement' : '`except X, e:`';
      return { ...where, message: `Python 2 syntax (${what}): loop-audit analyses Python 3` };
    }
  }
  return undefined;
}

function findPython2(node: PyNode): PyNode | undefined {
  if (node.type === 'print_statement' || node.type === 'exec_statement') return node;
  // `except ValueError, e:` parses as an except clause with two values.
  if (node.type === 'except_clause' && node.children.filter((c) => c.field === 'value').length > 1) return node;
  for (const c of node.children) {
    const found = findPython2(c);
    if (found) return found;
  }
  return undefined;
}
