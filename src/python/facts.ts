import { child, childrenOf, decoratorsOf, enclosingFunction, hasToken, isAsyncFunction, isFunction, namedChildren, owningClass, unwrap, walk, type PyNode } from './tree.js';

/** Where a name comes from in one scope. */
export type Binding =
  /** `import a.b as m` (qualified `a.b`), `from a.b import c` (qualified `a.b.c`); `level` > 0 for relative imports. */
  | { kind: 'import'; qualified: string; level: number; module: string; name: string | undefined; node: PyNode }
  | { kind: 'def'; fn: PyFunction }
  | { kind: 'class'; cls: PyClass }
  | { kind: 'assign'; value: PyNode | undefined; node: PyNode }
  | { kind: 'param'; index: number; fn: PyFunction };

export interface PyFunction {
  node: PyNode;
  /** `<lambda>` for a lambda. */
  name: string;
  /** `Class.method`, `outer.inner`, or the name. */
  displayName: string;
  isAsync: boolean;
  isLambda: boolean;
  cls: PyClass | undefined;
  /** Parameter names in order (with `self`/`cls` for methods); `*args` and `**kwargs` keep their stars. */
  params: string[];
  decorators: PyNode[];
  /** Whether it yields (a generator, or an async generator, not a coroutine function). */
  isGenerator: boolean;
  /** The function it is written in. */
  outer: PyFunction | undefined;
  /** The body's statements (a lambda: its expression). */
  body: PyNode[];
}

export interface PyClass {
  node: PyNode;
  name: string;
  bases: PyNode[];
  methods: Map<string, PyFunction>;
  /** Class-level assignments (`x = ...` in the class body). */
  attributes: Map<string, PyNode>;
}

export interface Scope {
  fn: PyFunction | undefined;
  bindings: Map<string, Binding[]>;
  /** Names declared `global` (or `nonlocal`) in this function. */
  globals: Set<string>;
}

/**
 * One Python file's facts: functions, classes, scopes and import bindings, computed once and
 * shared by the four detectors. Everything is syntax: Python has no type checker here, so a
 * name resolves through the file's own scopes and imports (and, through the project, the
 * project's other modules).
 */
export class PythonFileFacts {
  readonly functions: PyFunction[] = [];
  readonly classes: PyClass[] = [];
  readonly moduleScope: Scope = { fn: undefined, bindings: new Map(), globals: new Set() };
  private readonly scopes = new Map<PyNode, Scope>();
  private readonly functionByNode = new Map<PyNode, PyFunction>();
  private readonly classByNode = new Map<PyNode, PyClass>();
  /** `if __name__ == "__main__":` blocks. */
  readonly mainBlocks: PyNode[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
    readonly root: PyNode,
  ) {
    this.collect();
  }

  textOf(node: PyNode): string {
    return this.text.slice(node.start, node.end);
  }

  /** Source text with runs of whitespace collapsed, for messages. */
  shortText(node: PyNode, max = 60): string {
    const text = this.textOf(node).replace(/\s+/g, ' ');
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }

  functionOf(node: PyNode): PyFunction | undefined {
    return this.functionByNode.get(node);
  }

  classOf(node: PyNode): PyClass | undefined {
    return this.classByNode.get(node);
  }

  scopeOf(fn: PyFunction | undefined): Scope {
    return fn ? this.scopes.get(fn.node)! : this.moduleScope;
  }

  /** The innermost function whose body holds `node`. */
  enclosing(node: PyNode): PyFunction | undefined {
    const fn = enclosingFunction(node);
    return fn ? this.functionByNode.get(fn) : undefined;
  }

  // ---------------------------------------------------------------- collection

  private collect(): void {
    const visit = (node: PyNode, scope: Scope, cls: PyClass | undefined, outer: PyFunction | undefined): void => {
      switch (node.type) {
        case 'function_definition':
        case 'lambda': {
          const fn = this.makeFunction(node, cls, outer);
          if (fn.name !== '<lambda>') addBinding(scope, fn.name, { kind: 'def', fn });
          if (cls && fn.name !== '<lambda>') cls.methods.set(fn.name, fn);
          const inner: Scope = { fn, bindings: new Map(), globals: new Set() };
          this.scopes.set(node, inner);
          fn.params.forEach((param, index) => addBinding(inner, param.replace(/^\*+/, ''), { kind: 'param', index, fn }));
          // Defaults and decorators belong to the enclosing scope.
          for (const c of node.children) {
            if (c.field === 'parameters') {
              for (const p of namedChildren(c)) {
                const value = child(p, 'value');
                if (value) visit(value, scope, undefined, outer);
              }
            } else if (c.field === 'body') visit(c, inner, undefined, fn);
          }
          return;
        }
        case 'class_definition': {
          const name = child(node, 'name')?.text ?? '<class>';
          const klass: PyClass = { node, name, bases: namedChildren(child(node, 'superclasses')), methods: new Map(), attributes: new Map() };
          this.classes.push(klass);
          this.classByNode.set(node, klass);
          addBinding(scope, name, { kind: 'class', cls: klass });
          for (const base of klass.bases) visit(base, scope, undefined, outer);
          const body = child(node, 'body');
          if (body) {
            for (const statement of namedChildren(body)) {
              const assignment = statement.type === 'expression_statement' ? namedChildren(statement)[0] : undefined;
              if (assignment?.type === 'assignment') {
                const left = child(assignment, 'left');
                const right = child(assignment, 'right');
                if (left?.type === 'identifier' && right) klass.attributes.set(left.text!, right);
              }
              // A class body is its own scope, which methods do not see: its names are attributes.
              visit(statement, { fn: outer, bindings: new Map(), globals: new Set() }, klass, outer);
            }
          }
          return;
        }
        case 'decorated_definition': {
          for (const c of node.children) visit(c, scope, c.field === 'definition' ? cls : undefined, outer);
          return;
        }
        case 'import_statement':
        case 'import_from_statement':
          this.collectImport(node, scope);
          return;
        case 'global_statement':
        case 'nonlocal_statement':
          for (const name of namedChildren(node)) if (name.text) scope.globals.add(name.text);
          return;
        case 'assignment':
        case 'augmented_assignment': {
          const left = child(node, 'left');
          const right = child(node, 'right');
          if (left) for (const target of targetNames(left)) addBinding(scope, target.text!, { kind: 'assign', value: left === target ? right : undefined, node });
          break;
        }
        case 'named_expression': {
          const name = child(node, 'name');
          if (name?.text) addBinding(scope, name.text, { kind: 'assign', value: child(node, 'value'), node });
          break;
        }
        case 'for_statement':
        case 'for_in_clause': {
          const left = child(node, 'left');
          if (left) for (const target of targetNames(left)) addBinding(scope, target.text!, { kind: 'assign', value: undefined, node });
          break;
        }
        case 'as_pattern': {
          const alias = child(node, 'alias');
          const value = namedChildren(node)[0];
          if (alias) for (const target of targetNames(alias)) addBinding(scope, target.text!, { kind: 'assign', value: node.parent?.type === 'with_item' ? value : undefined, node });
          break;
        }
        case 'except_clause': {
          // `except E as e:` has the same as_pattern shape; nothing special.
          break;
        }
        case 'if_statement':
          if (scope === this.moduleScope && this.isMainGuard(child(node, 'condition'))) {
            const consequence = child(node, 'consequence');
            if (consequence) this.mainBlocks.push(consequence);
          }
          break;
      }
      for (const c of node.children) visit(c, scope, undefined, outer);
    };
    for (const c of this.root.children) visit(c, this.moduleScope, undefined, undefined);
  }

  private makeFunction(node: PyNode, cls: PyClass | undefined, outer: PyFunction | undefined): PyFunction {
    const isLambda = node.type === 'lambda';
    const name = isLambda ? '<lambda>' : (child(node, 'name')?.text ?? '<def>');
    const owner = isLambda ? undefined : (cls ?? (owningClass(node) ? this.classByNode.get(owningClass(node)!) : undefined));
    const params: string[] = [];
    for (const p of namedChildren(child(node, 'parameters'))) {
      if (p.type === 'identifier') params.push(p.text!);
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') params.push(child(p, 'name')?.text ?? '?');
      else if (p.type === 'typed_parameter') {
        const inner = namedChildren(p)[0];
        if (inner?.type === 'identifier') params.push(inner.text!);
        else if (inner?.type === 'list_splat_pattern') params.push(`*${namedChildren(inner)[0]?.text ?? ''}`);
        else if (inner?.type === 'dictionary_splat_pattern') params.push(`**${namedChildren(inner)[0]?.text ?? ''}`);
      } else if (p.type === 'list_splat_pattern') params.push(`*${namedChildren(p)[0]?.text ?? ''}`);
      else if (p.type === 'dictionary_splat_pattern') params.push(`**${namedChildren(p)[0]?.text ?? ''}`);
    }
    const bodyNode = child(node, 'body');
    const body = isLambda ? (bodyNode ? [bodyNode] : []) : namedChildren(bodyNode).filter((s) => s.type !== 'comment');
    const fn: PyFunction = {
      node,
      name,
      displayName: owner ? `${owner.name}.${name}` : outer && !isLambda ? `${outer.displayName}.${name}` : name,
      isAsync: isAsyncFunction(node),
      isLambda,
      cls: owner,
      params,
      decorators: isLambda ? [] : decoratorsOf(node),
      isGenerator: !isLambda && bodyNode !== undefined && containsYield(bodyNode),
      outer,
      body,
    };
    this.functions.push(fn);
    this.functionByNode.set(node, fn);
    return fn;
  }

  private collectImport(node: PyNode, scope: Scope): void {
    if (node.type === 'import_statement') {
      for (const name of childrenOf(node, 'name')) {
        if (name.type === 'aliased_import') {
          const dotted = this.textOf(child(name, 'name')!);
          const alias = child(name, 'alias')?.text;
          if (alias) addBinding(scope, alias, { kind: 'import', qualified: dotted, level: 0, module: dotted, name: undefined, node });
        } else {
          // `import a.b.c` binds `a`; attribute access then spells out the rest.
          const dotted = this.textOf(name);
          const head = dotted.split('.')[0]!;
          addBinding(scope, head, { kind: 'import', qualified: head, level: 0, module: head, name: undefined, node });
        }
      }
      return;
    }
    const moduleNode = child(node, 'module_name');
    if (!moduleNode) return;
    let level = 0;
    let module = '';
    if (moduleNode.type === 'relative_import') {
      const prefix = namedChildren(moduleNode).find((c) => c.type === 'import_prefix');
      level = prefix ? prefix.end - prefix.start : 0;
      const dotted = namedChildren(moduleNode).find((c) => c.type === 'dotted_name');
      module = dotted ? this.textOf(dotted) : '';
    } else module = this.textOf(moduleNode);
    for (const name of childrenOf(node, 'name')) {
      const imported = name.type === 'aliased_import' ? this.textOf(child(name, 'name')!) : this.textOf(name);
      const local = name.type === 'aliased_import' ? (child(name, 'alias')?.text ?? imported) : imported;
      const qualified = `${'.'.repeat(level)}${module}${module && imported ? '.' : ''}${imported}`;
      addBinding(scope, local, { kind: 'import', qualified, level, module, name: imported, node });
    }
  }

  private isMainGuard(condition: PyNode | undefined): boolean {
    const c = unwrap(condition);
    if (c?.type !== 'comparison_operator') return false;
    const text = this.textOf(c).replace(/\s+/g, '').replace(/'/g, '"');
    return text === '__name__=="__main__"' || text === '"__main__"==__name__';
  }

  // ---------------------------------------------------------------- lookup

  /**
   * What `name` means at `node`: the bindings of the nearest scope that binds it (Python's
   * rules: enclosing functions, then the module; class bodies are not seen from methods).
   */
  lookup(name: string, node: PyNode): { scope: Scope; bindings: Binding[] } | undefined {
    for (let fn = this.enclosing(node) ?? (isFunction(node) ? this.functionOf(node) : undefined); fn; fn = fn.outer) {
      const scope = this.scopeOf(fn);
      if (scope.globals.has(name)) break;
      const bindings = scope.bindings.get(name);
      if (bindings) return { scope, bindings };
    }
    const bindings = this.moduleScope.bindings.get(name);
    return bindings ? { scope: this.moduleScope, bindings } : undefined;
  }

  /** Whether `name` at `node` is a local of the function it is written in (not a module global). */
  isLocalName(name: string, node: PyNode): boolean {
    const found = this.lookup(name, node);
    return found !== undefined && found.scope.fn !== undefined;
  }

  /**
   * The qualified name an expression stands for through imports: `asyncio.run` for `asyncio.run`,
   * `run` after `from asyncio import run`, `aio.run` after `import asyncio as aio`. Relative
   * imports keep their dots (`.runner.run_async`). Undefined for anything not rooted in an import.
   */
  qualify(expression: PyNode | undefined): string | undefined {
    const expr = unwrap(expression);
    if (!expr) return undefined;
    if (expr.type === 'identifier') {
      const found = this.lookup(expr.text!, expr);
      const binding = found?.bindings.find((b) => b.kind === 'import');
      // `try: import aiohttp except ImportError: aiohttp = None`: the None is the module's absence, not another meaning.
      if (!binding || binding.kind !== 'import' || found!.bindings.some((b) => b.kind !== 'import' && !isNoneFallback(b))) return undefined;
      return binding.qualified;
    }
    if (expr.type === 'attribute') {
      const base = this.qualify(child(expr, 'object'));
      const attribute = child(expr, 'attribute')?.text;
      return base !== undefined && attribute ? `${base}.${attribute}` : undefined;
    }
    return undefined;
  }

  /** The single value a local (or module) name is assigned, when it has exactly one assignment with a value. */
  valueOf(name: PyNode): PyNode | undefined {
    if (name.type !== 'identifier') return undefined;
    const found = this.lookup(name.text!, name);
    if (!found || found.bindings.length !== 1) return undefined;
    const binding = found.bindings[0]!;
    return binding.kind === 'assign' ? binding.value : undefined;
  }

  /** Every assignment `name = value` (with a value) of a name in the scope that binds it. */
  valuesOf(name: PyNode): PyNode[] {
    if (name.type !== 'identifier') return [];
    const found = this.lookup(name.text!, name);
    return (found?.bindings ?? []).flatMap((b) => (b.kind === 'assign' && b.value ? [b.value] : []));
  }

  /** Uses of a name (identifiers spelled the same) inside `within`, other than `except` itself. */
  usesOf(name: string, within: PyNode, except?: PyNode): PyNode[] {
    const uses: PyNode[] = [];
    walk(within, (node) => {
      if (node.type === 'identifier' && node.text === name && node !== except) uses.push(node);
    });
    return uses;
  }

  /** The class a method's `self`/`cls` stands for, when `expr` is that first parameter. */
  selfClass(expr: PyNode | undefined): PyClass | undefined {
    const e = unwrap(expr);
    if (e?.type !== 'identifier') return undefined;
    const found = this.lookup(e.text!, e);
    const param = found?.bindings.find((b) => b.kind === 'param');
    if (!param || param.kind !== 'param' || param.index !== 0) return undefined;
    const fn = param.fn;
    if (!fn.cls || isStatic(this, fn)) return undefined;
    return fn.cls;
  }
}

export function isStatic(facts: PythonFileFacts, fn: PyFunction): boolean {
  return fn.decorators.some((d) => facts.textOf(d) === 'staticmethod');
}

/** `name = None` written in an `except` clause: the fallback of an optional import. */
function isNoneFallback(binding: Binding): boolean {
  if (binding.kind !== 'assign' || unwrap(binding.value)?.type !== 'none') return false;
  for (let node = binding.node.parent; node; node = node.parent) {
    if (node.type === 'except_clause') return true;
    if (isFunction(node) || node.type === 'class_definition') return false;
  }
  return false;
}

function addBinding(scope: Scope, name: string, binding: Binding): void {
  const list = scope.bindings.get(name);
  if (list) list.push(binding);
  else scope.bindings.set(name, [binding]);
}

/** Names an assignment target binds: `a`, `a, b`, `(a, [b, *c])`; not attributes or subscripts. */
function targetNames(target: PyNode): PyNode[] {
  if (target.type === 'identifier') return [target];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target'].includes(target.type)) {
    return namedChildren(target).flatMap(targetNames);
  }
  return [];
}

function containsYield(body: PyNode): boolean {
  let found = false;
  walk(body, (node) => {
    if (found) return false;
    if (node.type === 'yield') {
      found = true;
      return false;
    }
    // A nested function's or class's yield is its own.
    if (node !== body && (isFunction(node) || node.type === 'class_definition')) return false;
    return true;
  });
  return found;
}

export { hasToken };
