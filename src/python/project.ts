import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Binding, PyClass, PyFunction, PythonFileFacts } from './facts.js';
import { child, namedChildren, unwrap, type PyNode } from './tree.js';

/** What an expression stands for, as far as syntax and the project's own modules tell. */
export type Resolved =
  | { kind: 'function'; facts: PythonFileFacts; fn: PyFunction; bound: boolean }
  | { kind: 'class'; facts: PythonFileFacts; cls: PyClass }
  | { kind: 'instance'; facts: PythonFileFacts; cls: PyClass }
  | { kind: 'module'; file: string }
  | { kind: 'external'; qualified: string };

const MAX_DEPTH = 24;

/**
 * The project's Python modules: which file a module name or a relative import means, each
 * file's facts (parsed on demand), and what a name imported from another module is. Every file
 * consulted while analysing one is recorded, so the scan cache knows what a result depends on.
 */
export class PythonProject {
  private readonly byModule = new Map<string, string>();
  private readonly known: Set<string>;
  private readonly factsCache = new Map<string, PythonFileFacts | undefined>();
  /** Files consulted since the last `startRecording`. */
  private recording: Set<string> | undefined;
  private readonly resolving = new Set<string>();

  constructor(
    files: readonly string[],
    roots: readonly string[],
    private readonly load: (file: string) => PythonFileFacts | undefined,
  ) {
    this.known = new Set(files);
    for (const file of files) {
      for (const { name, base } of moduleNames(file, roots, this.known)) {
        if (!this.byModule.has(name)) this.byModule.set(name, file);
        this.bases.add(base);
      }
    }
  }

  /** Directories module names are relative to (package roots, scan roots, `src/`): where a module outside the scanned paths is looked for. */
  private readonly bases = new Set<string>();
  private readonly onDisk = new Map<string, boolean>();

  private exists(file: string): boolean {
    if (this.known.has(file)) return true;
    let found = this.onDisk.get(file);
    if (found === undefined) {
      found = existsSync(file);
      this.onDisk.set(file, found);
    }
    return found;
  }

  startRecording(): Set<string> {
    this.recording = new Set();
    return this.recording;
  }

  factsOf(file: string): PythonFileFacts | undefined {
    this.recording?.add(file);
    if (!this.factsCache.has(file)) this.factsCache.set(file, this.load(file));
    return this.factsCache.get(file);
  }

  /** The facts of a file if they were parsed already (as another file's import), without recording a dependency. */
  peek(file: string): PythonFileFacts | undefined {
    return this.factsCache.get(file);
  }

  /** Seeds the cache with facts already parsed (the file being analysed). */
  remember(facts: PythonFileFacts): void {
    this.factsCache.set(facts.file, facts);
  }

  /** Drops parsed facts (each holds its whole tree) once the scan no longer needs them. */
  forget(file: string): void {
    this.factsCache.delete(file);
  }

  /** The file of an absolute module name: a scanned file, or one beside them that the scan did not include (`scan src/services` still sees `src/lib`). */
  moduleFile(dotted: string): string | undefined {
    const known = this.byModule.get(dotted);
    if (known || !/^[A-Za-z_][\w.]*$/.test(dotted)) return known;
    for (const base of this.bases) {
      const file = this.fileFor(path.join(base, ...dotted.split('.')));
      if (file) {
        this.byModule.set(dotted, file);
        return file;
      }
    }
    return undefined;
  }

  /** The file of `from <level dots><module> import ...` written in `fromFile`. */
  relativeModuleFile(fromFile: string, level: number, module: string): string | undefined {
    let dir = path.dirname(fromFile);
    for (let i = 1; i < level; i++) dir = path.dirname(dir);
    const base = module ? path.join(dir, ...module.split('.')) : dir;
    return this.fileFor(base);
  }

  private fileFor(base: string): string | undefined {
    for (const candidate of [`${base}.py`, path.join(base, '__init__.py')]) if (this.exists(candidate)) return candidate;
    return undefined;
  }

  /** A module-level name of a project file: its def, class, instance, or what it re-exports. */
  entity(file: string, name: string, depth = 0): Resolved | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const facts = this.factsOf(file);
    if (!facts) return undefined;
    const bindings = facts.moduleScope.bindings.get(name);
    if (!bindings || bindings.length === 0) {
      // `from pkg import mod`: a submodule.
      if (path.basename(file) === '__init__.py') {
        const sub = this.fileFor(path.join(path.dirname(file), name));
        if (sub) return { kind: 'module', file: sub };
      }
      return undefined;
    }
    // The last definition at module scope wins, as at run time (conditional imports: the first is as good a guess).
    return this.resolveBinding(facts, bindings[bindings.length - 1]!, name, depth + 1);
  }

  resolveBinding(facts: PythonFileFacts, binding: Binding, name: string, depth: number): Resolved | undefined {
    if (depth > MAX_DEPTH) return undefined;
    switch (binding.kind) {
      case 'def':
        return { kind: 'function', facts, fn: binding.fn, bound: false };
      case 'class':
        return { kind: 'class', facts, cls: binding.cls };
      case 'import':
        return this.resolveImport(facts, binding, depth);
      case 'assign':
        return binding.value ? this.resolveValue(facts, binding.value, depth + 1) : undefined;
      case 'param': {
        if (binding.index === 0 && binding.fn.cls && !binding.fn.isLambda) {
          const decorators = binding.fn.decorators.map((d) => facts.textOf(d));
          if (decorators.includes('staticmethod')) return undefined;
          if (decorators.includes('classmethod')) return { kind: 'class', facts, cls: binding.fn.cls };
          return { kind: 'instance', facts, cls: binding.fn.cls };
        }
        void name;
        return undefined;
      }
    }
  }

  private resolveImport(facts: PythonFileFacts, binding: Extract<Binding, { kind: 'import' }>, depth: number): Resolved | undefined {
    const key = `${facts.file}\0${binding.qualified}`;
    if (this.resolving.has(key)) return undefined;
    this.resolving.add(key);
    try {
      if (binding.level > 0) {
        const moduleFile = this.relativeModuleFile(facts.file, binding.level, binding.module);
        if (binding.name === undefined) return moduleFile ? { kind: 'module', file: moduleFile } : undefined;
        if (moduleFile) {
          const found = this.entity(moduleFile, binding.name, depth);
          if (found) return found;
        }
        const dir = binding.module ? path.join(relativeBase(facts.file, binding.level), ...binding.module.split('.')) : relativeBase(facts.file, binding.level);
        const sub = this.fileFor(path.join(dir, binding.name));
        return sub ? { kind: 'module', file: sub } : undefined;
      }
      if (binding.name === undefined) {
        const file = this.moduleFile(binding.qualified);
        return file ? { kind: 'module', file } : { kind: 'external', qualified: binding.qualified };
      }
      const moduleFile = this.moduleFile(binding.module);
      if (moduleFile) {
        const found = this.entity(moduleFile, binding.name, depth);
        if (found) return found;
      }
      const sub = this.moduleFile(binding.qualified);
      if (sub) return { kind: 'module', file: sub };
      return moduleFile ? undefined : { kind: 'external', qualified: binding.qualified };
    } finally {
      this.resolving.delete(key);
    }
  }

  /** What an expression evaluates to or names: a function, a class, an instance of a project class, a module. */
  resolve(facts: PythonFileFacts, expression: PyNode | undefined, depth = 0): Resolved | undefined {
    const expr = unwrap(expression);
    if (!expr || depth > MAX_DEPTH) return undefined;
    if (expr.type === 'identifier') {
      const found = facts.lookup(expr.text!, expr);
      if (!found) return undefined;
      const bindings = found.bindings;
      // A name assigned more than once in a function could be anything; a module-level name is its last definition.
      if (found.scope.fn && bindings.length > 1 && !bindings.every((b) => b.kind === 'import')) return undefined;
      return this.resolveBinding(facts, bindings[bindings.length - 1]!, expr.text!, depth + 1);
    }
    if (expr.type === 'attribute') {
      const attribute = child(expr, 'attribute')?.text;
      if (!attribute) return undefined;
      const base = this.resolve(facts, child(expr, 'object'), depth + 1);
      if (!base) return undefined;
      return this.member(base, attribute, depth + 1);
    }
    if (expr.type === 'call') return this.resolveValue(facts, expr, depth + 1);
    return undefined;
  }

  /** What a value expression produces: `Cls(...)` an instance, `get_runner()` what the function returns, a name its meaning. */
  resolveValue(facts: PythonFileFacts, value: PyNode, depth: number): Resolved | undefined {
    const expr = unwrap(value);
    if (!expr || depth > MAX_DEPTH) return undefined;
    if (expr.type === 'call') {
      const callee = this.resolve(facts, child(expr, 'function'), depth + 1);
      if (callee?.kind === 'class') return { kind: 'instance', facts: callee.facts, cls: callee.cls };
      if (callee?.kind === 'function' && !callee.fn.isAsync) return this.returned(callee.facts, callee.fn, depth + 1);
      if (callee?.kind === 'external') return { kind: 'external', qualified: `${callee.qualified}()` };
      return undefined;
    }
    if (expr.type === 'identifier' || expr.type === 'attribute') return this.resolve(facts, expr, depth + 1);
    return undefined;
  }

  /** A function's result when every `return` yields the same project instance (a `get_runner()` accessor). */
  private returned(facts: PythonFileFacts, fn: PyFunction, depth: number): Resolved | undefined {
    let result: Resolved | undefined;
    let ok = true;
    const visit = (node: PyNode): void => {
      if (!ok) return;
      if (node.type === 'return_statement') {
        const value = namedChildren(node)[0];
        const r = value ? this.resolveValue(facts, value, depth + 1) : undefined;
        if (r?.kind !== 'instance' || (result && (result.kind !== 'instance' || result.cls !== r.cls))) ok = false;
        else result = r;
        return;
      }
      if (node !== fn.node && (node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition')) return;
      for (const c of node.children) visit(c);
    };
    for (const statement of fn.body) visit(statement);
    return ok ? result : undefined;
  }

  /** `base.name`. */
  member(base: Resolved, name: string, depth: number): Resolved | undefined {
    switch (base.kind) {
      case 'module': {
        const found = this.entity(base.file, name, depth);
        if (found) return found;
        const sub = this.fileFor(path.join(path.dirname(base.file), name));
        return path.basename(base.file) === '__init__.py' && sub ? { kind: 'module', file: sub } : undefined;
      }
      case 'external':
        return { kind: 'external', qualified: `${base.qualified}.${name}` };
      case 'class':
      case 'instance': {
        const method = this.method(base.facts, base.cls, name, depth);
        if (method) return { ...method, bound: base.kind === 'instance' };
        if (base.kind === 'instance') {
          const attribute = this.instanceAttribute(base.facts, base.cls, name, depth);
          if (attribute) return attribute;
        }
        const classValue = base.cls.attributes.get(name);
        return classValue ? this.resolveValue(base.facts, classValue, depth + 1) : undefined;
      }
      case 'function':
        return undefined;
    }
  }

  /** A method of a class or of its project base classes (depth-first, as a simple MRO). */
  method(facts: PythonFileFacts, cls: PyClass, name: string, depth = 0): { kind: 'function'; facts: PythonFileFacts; fn: PyFunction; bound: boolean } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const own = cls.methods.get(name);
    if (own) return { kind: 'function', facts, fn: own, bound: false };
    for (const base of cls.bases) {
      if (base.type === 'keyword_argument') continue;
      const resolved = this.resolve(facts, base, depth + 1);
      if (resolved?.kind === 'class') {
        const found = this.method(resolved.facts, resolved.cls, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** `self.name = Cls(...)` in one of the class's methods: an instance attribute holding a project object. */
  private instanceAttribute(facts: PythonFileFacts, cls: PyClass, name: string, depth: number): Resolved | undefined {
    if (depth > MAX_DEPTH) return undefined;
    for (const value of selfAssignments(facts, cls, name)) {
      const resolved = this.resolveValue(facts, value, depth + 1);
      if (resolved) return resolved;
    }
    // `self.io_loop = IOLoop.current()` in a base class of the project.
    for (const base of cls.bases) {
      if (base.type === 'keyword_argument') continue;
      const resolved = this.resolve(facts, base, depth + 1);
      if (resolved?.kind === 'class') {
        const found = this.instanceAttribute(resolved.facts, resolved.cls, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}

const selfAssignmentMemo = new WeakMap<PyClass, Map<string, PyNode[]>>();

/** Values assigned to `self.<name>` in the methods of a class (all attributes worked out once per class). */
export function selfAssignments(facts: PythonFileFacts, cls: PyClass, name: string): PyNode[] {
  let byName = selfAssignmentMemo.get(cls);
  if (!byName) {
    const found = new Map<string, PyNode[]>();
    byName = found;
    for (const method of cls.methods.values()) {
      const self = method.params[0];
      if (!self || method.isLambda) continue;
      const visit = (node: PyNode): void => {
        if (node.type === 'assignment') {
          const left = child(node, 'left');
          const right = child(node, 'right');
          const attribute = left?.type === 'attribute' ? child(left, 'attribute')?.text : undefined;
          if (attribute && right && unwrap(child(left!, 'object'))?.text === self) {
            const list = found.get(attribute);
            if (list) list.push(right);
            else found.set(attribute, [right]);
          }
        }
        for (const c of node.children) if (c.type !== 'function_definition' && c.type !== 'class_definition') visit(c);
      };
      for (const statement of method.body) visit(statement);
    }
    selfAssignmentMemo.set(cls, found);
  }
  void facts;
  return byName.get(name) ?? [];
}

function relativeBase(file: string, level: number): string {
  let dir = path.dirname(file);
  for (let i = 1; i < level; i++) dir = path.dirname(dir);
  return dir;
}

/**
 * The dotted names a file can be imported as: from its package root (the first directory up
 * without an `__init__.py`), from each scan root it is under, and from a `src/` directory above it.
 */
export function moduleNames(file: string, roots: readonly string[], known: ReadonlySet<string>): { name: string; base: string }[] {
  const names = new Map<string, string>();
  const hasInit = (dir: string): boolean => known.has(path.join(dir, '__init__.py')) || existsSync(path.join(dir, '__init__.py'));
  const add = (base: string): void => {
    const relative = path.relative(base, file);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) return;
    const parts = relative.replace(/\.py$/, '').split(path.sep);
    if (parts[parts.length - 1] === '__init__') parts.pop();
    if (parts.length === 0 || parts.some((part) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(part))) return;
    if (!names.has(parts.join('.'))) names.set(parts.join('.'), base);
  };
  let packageRoot = path.dirname(file);
  while (hasInit(packageRoot) && path.dirname(packageRoot) !== packageRoot) packageRoot = path.dirname(packageRoot);
  add(packageRoot);
  for (const root of roots) add(root);
  for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'src') {
      add(dir);
      break;
    }
  }
  return [...names].map(([name, base]) => ({ name, base }));
}
