/**
 * A Python syntax tree as plain objects, copied once from tree-sitter's tree. tree-sitter's own
 * nodes live in WebAssembly memory and every property read crosses into it; the detectors walk
 * the tree many times, so one copy up front is cheaper and frees the WASM tree at once.
 */
export interface PyNode {
  /** tree-sitter's node type: `call`, `function_definition`, or the token itself for anonymous nodes (`async`, `not`). */
  type: string;
  /** Offsets into the file's text (UTF-16 code units, as JavaScript strings and ESLint count). */
  start: number;
  end: number;
  named: boolean;
  /** The field this node fills in its parent (`function`, `arguments`, `body`), if any. */
  field: string | undefined;
  children: PyNode[];
  parent: PyNode | undefined;
  /** The text of a leaf (identifiers, keywords, numbers, string contents); undefined for inner nodes. */
  text: string | undefined;
}

export function child(node: PyNode | undefined, field: string): PyNode | undefined {
  if (!node) return undefined;
  for (const c of node.children) if (c.field === field) return c;
  return undefined;
}

export function childrenOf(node: PyNode | undefined, field: string): PyNode[] {
  return node ? node.children.filter((c) => c.field === field) : [];
}

export function namedChildren(node: PyNode | undefined): PyNode[] {
  return node ? node.children.filter((c) => c.named) : [];
}

export function hasToken(node: PyNode, token: string): boolean {
  return node.children.some((c) => !c.named && c.type === token);
}

/** Visits `node` and its descendants depth-first; return `false` from `visit` to skip a node's children. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- most visitors return nothing; `false` alone skips the children
export function walk(node: PyNode, visit: (node: PyNode) => boolean | void): void {
  const stack: PyNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (visit(current) === false) continue;
    for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]!);
  }
}

export const FUNCTION_TYPES = new Set(['function_definition', 'lambda']);

export function isFunction(node: PyNode): boolean {
  return FUNCTION_TYPES.has(node.type);
}

export function isAsyncFunction(node: PyNode): boolean {
  return node.type === 'function_definition' && hasToken(node, 'async');
}

/** The nearest enclosing `def` or `lambda` of a node (not the node itself). */
export function enclosingFunction(node: PyNode): PyNode | undefined {
  for (let current = node.parent; current; current = current.parent) if (isFunction(current)) return current;
  return undefined;
}

/** The class whose body directly holds a `def` (through a decorator), if it is a method. */
export function owningClass(fn: PyNode): PyNode | undefined {
  let holder = fn.parent;
  if (holder?.type === 'decorated_definition') holder = holder.parent;
  if (holder?.type !== 'block') return undefined;
  return holder.parent?.type === 'class_definition' ? holder.parent : undefined;
}

/** Decorators of a `def` or `class` (their expressions, without the `@`). */
export function decoratorsOf(definition: PyNode): PyNode[] {
  const holder = definition.parent;
  if (holder?.type !== 'decorated_definition') return [];
  return holder.children
    .filter((c) => c.type === 'decorator')
    .map((d) => namedChildren(d)[0]!)
    .filter(Boolean);
}

/** Looks through parentheses. */
export function unwrap(node: PyNode | undefined): PyNode | undefined {
  let current = node;
  while (current?.type === 'parenthesized_expression') current = namedChildren(current)[0];
  return current;
}

/** The node's parent, looking through parentheses. */
export function outerParent(node: PyNode): { parent: PyNode | undefined; child: PyNode } {
  let current = node;
  while (current.parent?.type === 'parenthesized_expression') current = current.parent;
  return { parent: current.parent, child: current };
}

/** Positional and keyword arguments of a call. */
export function callArguments(call: PyNode): { positional: PyNode[]; keywords: Map<string, PyNode>; all: PyNode[] } {
  const list = child(call, 'arguments');
  const positional: PyNode[] = [];
  const keywords = new Map<string, PyNode>();
  const all: PyNode[] = [];
  if (list?.type === 'argument_list') {
    for (const argument of namedChildren(list)) {
      if (argument.type === 'comment') continue;
      all.push(argument);
      if (argument.type === 'keyword_argument') {
        const name = child(argument, 'name');
        const value = child(argument, 'value');
        if (name?.text !== undefined && value) keywords.set(name.text, value);
      } else positional.push(argument);
    }
  } else if (list) {
    // A generator argument: `f(x for x in y)`.
    positional.push(list);
    all.push(list);
  }
  return { positional, keywords, all };
}
