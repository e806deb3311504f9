import { loadedPythonParser, parsePython } from './parser.js';
import { child, namedChildren, type PyNode } from './tree.js';

/**
 * Python source as tokens joined by single spaces: comments, line continuations and layout
 * (indentation, blank lines, wrapping inside brackets) are gone; strings and names stay as written.
 */
export function normalizePythonText(text: string): string {
  const tokens: string[] = [];
  const token =
    /\s+|\\\r?\n|#[^\n]*|(?:[rRbBuUfF]{0,2})(?:'''[\s\S]*?'''|"""[\s\S]*?"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")|[A-Za-z_][A-Za-z0-9_]*|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?[jJ]?|\*\*=?|\/\/=?|>>=?|<<=?|->|:=|[-+*/%@&|^<>!=]=|./gu;
  for (const match of text.matchAll(token)) {
    const t = match[0];
    if (/^\s/.test(t) || t.startsWith('#') || t.startsWith('\\')) continue;
    tokens.push(t);
  }
  return tokens.join(' ');
}

/** `events.subscribe("paid")`, `threading.Thread()`: how a lambda is known by the call it is handed to. */
function callLabel(call: PyNode, text: string): string {
  const callee = text.slice(child(call, 'function')!.start, child(call, 'function')!.end).replace(/\s+/g, '');
  const first = namedChildren(child(call, 'arguments')).find((a) => a.type !== 'comment');
  const tag = first?.type === 'string' ? JSON.stringify(text.slice(first.start, first.end).replace(/^[rRbBuUfF]*['"]+|['"]+$/g, '')) : '';
  return `${callee}(${tag})`;
}

function scopeLabel(node: PyNode, text: string): string | undefined {
  if (node.type === 'class_definition' || node.type === 'function_definition') return child(node, 'name')?.text ?? '<anonymous>';
  if (node.type === 'lambda') {
    let holder = node.parent;
    while (holder?.type === 'parenthesized_expression') holder = holder.parent;
    if (holder?.type === 'keyword_argument') holder = holder.parent;
    if (holder?.type === 'argument_list' && holder.parent?.type === 'call') return callLabel(holder.parent, text);
    if (holder?.type === 'assignment') return text.slice(child(holder, 'left')!.start, child(holder, 'left')!.end).replace(/\s+/g, '');
    return '<lambda>';
  }
  if (node.type === 'assignment' && node.parent?.type === 'expression_statement') {
    // A module- or class-level assignment names what is written in it (`handler = ...`).
    const block = node.parent.parent;
    if (block?.type === 'module' || block?.parent?.type === 'class_definition') {
      const left = child(node, 'left');
      return left ? text.slice(left.start, left.end).replace(/\s+/g, '') : undefined;
    }
  }
  return undefined;
}

/** The enclosing scope path of a range, outermost first, joined by ` > `: `OrderRepository > find_user`. */
export function pythonContextPath(root: PyNode, text: string, start: number, end: number): string {
  const labels: string[] = [];
  let node: PyNode = root;
  for (;;) {
    const next = node.children.find((c) => c.start <= start && end <= c.end && !(c.start === c.end));
    if (!next) break;
    node = next;
    const label = scopeLabel(node, text);
    if (label !== undefined) labels.push(label);
  }
  return labels.join(' > ');
}

/**
 * What fingerprints need of a Python file: its scope paths. The parser must be loaded (a scan
 * that saw Python files loads it); parsing is then synchronous.
 */
export function pythonScopes(text: string): (start: number, end: number) => string {
  const parser = loadedPythonParser();
  if (!parser) throw new Error('loop-audit: the Python parser is not loaded (await loadPythonParser() before fingerprinting Python findings)');
  const { root } = parsePython(parser, text);
  return (start, end) => pythonContextPath(root, text, start, end);
}
