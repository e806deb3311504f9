import type { Checker, NodeHandle, Project, Signature, Symbol as Ts7Symbol, Type } from 'typescript7/unstable/sync';
import type { Node as Ts7Node } from 'typescript7/unstable/ast';
import type { Declarations, SignatureHandle, SymbolHandle, TypeHandle, TypeQuestions } from '../core/type-questions.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { isDeclarationFile } from './discover.js';
import { Typescript7Unavailable, type Typescript7 } from './typescript7.js';

/**
 * TypeScript 7 answers to the detectors' type questions about TypeScript 6 syntax trees.
 *
 * The detectors walk the tree TypeScript 6 parsed in-process (the ESLint plugin needs that very
 * tree anyway); the checker lives in the Go process, which accepts only nodes of its own trees.
 * Both parsers build the same tree from the same text, and TypeScript 7 reports positions in
 * UTF-16 units as TypeScript 6 does, so a node is found in TypeScript 7's tree by its range and
 * kind: each file's tree is fetched once as the flat binary table the API transfers, and indexed
 * by range without materialising its nodes.
 *
 * Every answer costs a round trip to the Go process (~50 µs against ~10 µs in-process), so:
 * - before the detectors run on a file, `prepare` asks in one request for the types of the nodes
 *   the detectors are known to ask about (calls, discarded expressions, handed-on callbacks);
 * - answers about types, signatures and symbols are kept by their ids for the whole run (one
 *   checker per project): most files meet the same few hundred types.
 */

/** The parts of the API's source file (a view over the binary tree) this module reads. */
interface RemoteFile {
  readonly view: DataView;
  readonly _offsetNodes: number;
  readonly fileName: string;
  readonly path: string;
  readonly text: string;
  readonly isDeclarationFile: boolean;
  getOrCreateNodeAtIndex(index: number): Ts7Node;
}

/**
 * A type as the API's objects carry it at run time (its TypeObject): the ids of related objects
 * come inline, and their getters ask the process only for objects not yet seen.
 */
interface TypeData {
  readonly id: number;
  readonly flags: number;
  readonly objectFlags?: number;
  readonly symbol?: number;
  readonly aliasSymbol?: number;
  readonly target?: number;
  getTypes(): readonly Type[] | undefined;
  getSymbol(): Ts7Symbol | undefined;
  getAliasSymbol(): Ts7Symbol | undefined;
  getTarget(): Type;
}

/** The binary node record (typescript7's api/node/protocol.js, protocol version 5). */
const NODE_LEN = 28;
const NODE_KIND = 0;
const NODE_POS = 4;
const NODE_END = 8;
const NODE_FLAGS = 24;
const KIND_NODE_LIST = 0xffffffff;
/** Range keys pack pos and end into one number: both below 2^26 (files above 64 MiB are not analysed). */
const RANGE_LIMIT = 2 ** 26;

interface FileIndex {
  remote: RemoteFile;
  /** pos * 2^26 + end → node index, or indices when several nodes share the range. */
  byRange: Map<number, number | number[]>;
  /** Whether TypeScript 7 read the same text TypeScript 6 parsed (a file can change mid-scan). */
  sameText: boolean;
}

export interface Typescript7QuestionStats {
  requests: number;
  prefetched: number;
  prefetchHits: number;
  unmapped: number;
  /** Requests by what asked them (only with LOOP_AUDIT_DEBUG_TS7). */
  byQuestion?: Record<string, number>;
}

const DEBUG = process.env.LOOP_AUDIT_DEBUG_TS7 !== undefined;

export class Typescript7Questions implements TypeQuestions {
  readonly backend = 'typescript7';
  /** Whether a detector asked anything since this was last reset (the scan cache keys such results on imports). */
  consulted = false;
  readonly stats: Typescript7QuestionStats = { requests: 0, prefetched: 0, prefetchHits: 0, unmapped: 0 };

  private readonly checker: Checker;
  private readonly kind7: Int32Array;
  private readonly kind6: Map<number, number>;
  private readonly flags: { any: number; unknown: number; union: number; intersection: number; object: number; classOrInterface: number; alias: number; reparsed: number };
  private readonly callKind: number;
  private readonly thisTypeKind: number;

  private readonly files = new Map<string, FileIndex | null>();
  private readonly remoteFiles = new Map<string, RemoteFile | null>();
  private readonly nodeTypes = new Map<TS.Node, Type>();
  private readonly nodeSymbols = new Map<TS.Node, Ts7Symbol | undefined>();
  private readonly declarationCache = new Map<number, Declarations>();
  private readonly aliasCache = new Map<number, Ts7Symbol>();
  private readonly unionCache = new Map<number, readonly Type[]>();
  private readonly intersectionCache = new Map<number, readonly Type[]>();
  private readonly apparentCache = new Map<number, Type>();
  private readonly arrayCache = new Map<number, boolean>();
  private readonly typeArgumentCache = new Map<number, readonly Type[]>();
  private readonly signatureCache = new Map<number, readonly Signature[]>();
  private readonly propertyCache = new Map<string, Ts7Symbol | null>();
  private readonly symbolNameCache = new Map<number, string | null>();
  private readonly baseTypeCache = new Map<number, readonly Type[] | null>();
  private readonly returnTypeCache = new Map<number, Type>();
  private readonly parameterCache = new Map<number, readonly Ts7Symbol[]>();
  private readonly symbolTypeCache = new Map<string, Type>();
  private anyType: Type | undefined;

  constructor(
    private readonly ts: TypeScriptApi,
    typescript7: Typescript7,
    private readonly project: Project,
    /** TypeScript 6 trees of the program's files, by file name: the analysed files' own, others parsed on demand. */
    private readonly sourceFileFor: (fileName: string) => TS.SourceFile | undefined,
  ) {
    this.checker = project.checker;
    const { SyntaxKind, NodeFlags } = typescript7.ast;
    const { TypeFlags, ObjectFlags, SymbolFlags, SignatureKind } = typescript7.api;
    // SyntaxKind numbers differ between the two (202 of them): map by name. Marker names
    // (FirstToken, LastKeyword, ...) alias real kinds, so real names win.
    const names7 = SyntaxKind as unknown as Record<string, number>;
    const names6 = ts.SyntaxKind as unknown as Record<string, number>;
    const max6 = Math.max(...Object.values(names6).filter((v): v is number => typeof v === 'number'));
    this.kind7 = new Int32Array(max6 + 1).fill(-1);
    this.kind6 = new Map();
    const entries = Object.entries(names6).sort(([a], [b]) => Number(/^(First|Last)/.test(a)) - Number(/^(First|Last)/.test(b)));
    for (const [name, value6] of entries) {
      const value7 = names7[name];
      if (typeof value6 !== 'number' || typeof value7 !== 'number') continue;
      if (this.kind7[value6] === -1) this.kind7[value6] = value7;
      if (!this.kind6.has(value7)) this.kind6.set(value7, value6);
    }
    this.flags = {
      any: TypeFlags.Any,
      unknown: TypeFlags.Unknown,
      union: TypeFlags.Union,
      intersection: TypeFlags.Intersection,
      object: TypeFlags.Object,
      classOrInterface: ObjectFlags.ClassOrInterface,
      alias: SymbolFlags.Alias,
      reparsed: (NodeFlags as unknown as Record<string, number>).Reparsed ?? 0,
    };
    this.callKind = SignatureKind.Call;
    this.thisTypeKind = SyntaxKind.ThisType;
  }

  /**
   * Before the detectors analyse `sourceFile`: fetch its TypeScript 7 tree and, in one request,
   * the types of the nodes they are known to ask about. Answers only speed things up: a question
   * about any other node is asked when it comes.
   */
  prepare(sourceFile: TS.SourceFile): void {
    const index = this.fileIndex(sourceFile);
    if (!index?.sameText) return;
    const wanted = prefetchCandidates(this.ts, sourceFile);
    const typed = this.remoteNodes(
      wanted.types.filter((node) => !this.nodeTypes.has(node)),
      index,
    );
    if (typed.remote.length > 0) {
      const types = this.request(() => this.checker.getTypeAtLocation(typed.remote));
      this.stats.prefetched += typed.remote.length;
      types.forEach((type, i) => this.nodeTypes.set(typed.owners[i]!, type ?? this.any()));
    }
    const named = this.remoteNodes(
      wanted.symbols.filter((node) => !this.nodeSymbols.has(node)),
      index,
    );
    if (named.remote.length > 0) {
      const symbols = this.request(() => this.checker.getSymbolAtLocation(named.remote));
      this.stats.prefetched += named.remote.length;
      symbols.forEach((symbol, i) => this.nodeSymbols.set(named.owners[i]!, symbol));
    }
  }

  private remoteNodes(nodes: readonly TS.Node[], index: FileIndex): { remote: Ts7Node[]; owners: TS.Node[] } {
    const remote: Ts7Node[] = [];
    const owners: TS.Node[] = [];
    for (const node of new Set(nodes)) {
      const found = this.remoteNode(node, index);
      if (!found) continue;
      remote.push(found);
      owners.push(node);
    }
    return { remote, owners };
  }

  /** Drops what was learnt about one file's nodes (after its analysis; types, signatures and symbols stay). */
  forget(sourceFile: TS.SourceFile): void {
    for (const node of this.nodeTypes.keys()) if (node.getSourceFile() === sourceFile) this.nodeTypes.delete(node);
    for (const node of this.nodeSymbols.keys()) if (node.getSourceFile() === sourceFile) this.nodeSymbols.delete(node);
  }

  // ---------------------------------------------------------------- nodes

  typeAt(node: TS.Node): TypeHandle {
    this.consulted = true;
    const known = this.nodeTypes.get(node);
    if (known) {
      this.stats.prefetchHits++;
      return handle(known);
    }
    const remote = this.remoteNode(node);
    const type = (remote && this.request(() => this.checker.getTypeAtLocation(remote))) ?? this.any();
    this.nodeTypes.set(node, type);
    return handle(type);
  }

  contextualType(node: TS.Expression): TypeHandle | undefined {
    this.consulted = true;
    const remote = this.remoteNode(node);
    const type = remote && this.request(() => this.checker.getContextualType(remote as never));
    return type && handle(type);
  }

  typeOfTypeNode(node: TS.TypeNode): TypeHandle {
    this.consulted = true;
    const remote = this.remoteNode(node);
    return handle((remote && this.request(() => this.checker.getTypeFromTypeNode(remote as never))) ?? this.any());
  }

  signatureOfDeclaration(node: TS.SignatureDeclaration): SignatureHandle | undefined {
    this.consulted = true;
    const remote = this.remoteNode(node);
    const signature = remote && this.request(() => this.checker.getSignatureFromDeclaration(remote));
    return signature && (signature as unknown as SignatureHandle);
  }

  declarationsOf(identifier: TS.Identifier): Declarations | undefined {
    this.consulted = true;
    let symbol: Ts7Symbol | undefined;
    if (this.nodeSymbols.has(identifier)) {
      this.stats.prefetchHits++;
      symbol = this.nodeSymbols.get(identifier);
    } else {
      const remote = this.remoteNode(identifier);
      if (!remote) return undefined;
      symbol = this.request(() => this.checker.getSymbolAtLocation(remote));
    }
    if (symbol && symbol.flags & this.flags.alias) {
      const alias = symbol;
      symbol = this.memo(this.aliasCache, alias.id, () => this.checker.getAliasedSymbol(alias));
    }
    if (!symbol || symbol.declarations.length === 0) return undefined;
    const resolved = symbol;
    let found = this.declarationCache.get(resolved.id);
    if (!found) {
      const inSource: TS.Declaration[] = [];
      for (const declaration of resolved.declarations) {
        const node = this.localNode(declaration);
        if (node) inSource.push(node as TS.Declaration);
      }
      found = { total: resolved.declarations.length, inSource };
      this.declarationCache.set(resolved.id, found);
    }
    return found;
  }

  resolvesToThisReturning(call: TS.CallExpression): boolean {
    this.consulted = true;
    const remote = this.remoteNode(call);
    const declaration = remote && this.request(() => this.checker.getResolvedSignature(remote))?.declaration;
    if (!declaration) return false;
    // The declaration's file (often a library's .d.ts) is fetched once; its nodes are read locally.
    const file = this.remoteFile(declaration.path);
    const node = file?.getOrCreateNodeAtIndex(declaration.index) as { readonly type?: Ts7Node } | undefined;
    return node?.type !== undefined && node.type.kind === this.thisTypeKind;
  }

  // ---------------------------------------------------------------- types

  unionParts(handle_: TypeHandle): readonly TypeHandle[] {
    const type = unwrap(handle_);
    if (!(type.flags & this.flags.union)) return [handle_];
    return handles(this.memo(this.unionCache, type.id, () => type.getTypes() ?? []));
  }

  intersectionParts(handle_: TypeHandle): readonly TypeHandle[] | undefined {
    const type = unwrap(handle_);
    if (!(type.flags & this.flags.intersection)) return undefined;
    return handles(this.memo(this.intersectionCache, type.id, () => type.getTypes() ?? []));
  }

  apparentType(handle_: TypeHandle): TypeHandle {
    const type = unwrap(handle_);
    return handle(this.memo(this.apparentCache, type.id, () => this.checker.getApparentType(type) ?? type));
  }

  isAny(handle_: TypeHandle): boolean {
    return (unwrap(handle_).flags & this.flags.any) !== 0;
  }

  isAnyOrUnknown(handle_: TypeHandle): boolean {
    return (unwrap(handle_).flags & (this.flags.any | this.flags.unknown)) !== 0;
  }

  isArrayOrTupleType(handle_: TypeHandle): boolean {
    const type = unwrap(handle_);
    // Arrays and tuples are object types: anything else is neither without asking.
    if (!(type.flags & this.flags.object)) return false;
    return this.memo(this.arrayCache, type.id, () => this.checker.isArrayType(type) || this.checker.isTupleType(type));
  }

  typeArguments(handle_: TypeHandle): readonly TypeHandle[] {
    const type = unwrap(handle_);
    return handles(this.memo(this.typeArgumentCache, type.id, () => this.checker.getTypeArguments(type as never)));
  }

  callSignatures(handle_: TypeHandle): readonly SignatureHandle[] {
    const type = unwrap(handle_);
    return this.memo(this.signatureCache, type.id, () => this.checker.getSignaturesOfType(type, this.callKind)) as unknown as readonly SignatureHandle[];
  }

  propertyOfType(handle_: TypeHandle, name: string): SymbolHandle | undefined {
    const type = unwrap(handle_);
    const found = this.memo(this.propertyCache, `${type.id}\0${name}`, () => this.checker.getPropertyOfType(type, name) ?? null);
    return found ? (found as unknown as SymbolHandle) : undefined;
  }

  symbolName(handle_: TypeHandle): string | undefined {
    const type = unwrap(handle_);
    if (!type.symbol) return undefined;
    return this.memo(this.symbolNameCache, type.symbol, () => type.getSymbol()?.name ?? null) ?? undefined;
  }

  aliasSymbolName(handle_: TypeHandle): string | undefined {
    const type = unwrap(handle_);
    if (!type.aliasSymbol) return undefined;
    return this.memo(this.symbolNameCache, type.aliasSymbol, () => type.getAliasSymbol()?.name ?? null) ?? undefined;
  }

  classOrInterfaceBaseTypes(handle_: TypeHandle): readonly TypeHandle[] | undefined {
    const type = unwrap(handle_);
    const bases = this.memo(this.baseTypeCache, type.id, () => {
      const target = (type.target ? type.getTarget() : type) as Type & TypeData;
      if (!(target.flags & this.flags.object) || !((target.objectFlags ?? 0) & this.flags.classOrInterface)) return null;
      return this.checker.getBaseTypes(target as never);
    });
    return bases ? handles(bases) : undefined;
  }

  // ---------------------------------------------------------------- signatures and symbols

  returnType(handle_: SignatureHandle): TypeHandle {
    const signature = handle_ as unknown as Signature;
    return handle(this.memo(this.returnTypeCache, signature.id, () => this.checker.getReturnTypeOfSignature(signature) ?? this.any()));
  }

  parameters(handle_: SignatureHandle): readonly SymbolHandle[] {
    const signature = handle_ as unknown as Signature;
    return this.memo(this.parameterCache, signature.id, () => signature.getParameters()) as unknown as readonly SymbolHandle[];
  }

  signatureDeclaration(handle_: SignatureHandle): TS.SignatureDeclaration | undefined {
    const declaration = (handle_ as unknown as Signature).declaration;
    return declaration && (this.localNode(declaration) as TS.SignatureDeclaration | undefined);
  }

  symbolNameOf(handle_: SymbolHandle): string {
    return (handle_ as unknown as Ts7Symbol).name;
  }

  typeOfSymbolAt(handle_: SymbolHandle, location: TS.Node): TypeHandle {
    this.consulted = true;
    const symbol = handle_ as unknown as Ts7Symbol;
    // A source file is never a reference to the symbol, so the answer is the same for all of them.
    const key = this.ts.isSourceFile(location) ? `${symbol.id}` : `${symbol.id}\0${location.getSourceFile().fileName}\0${location.pos}\0${location.end}\0${location.kind}`;
    const type = this.memo(this.symbolTypeCache, key, () => {
      const remote = this.remoteNode(location);
      return (remote && this.checker.getTypeOfSymbolAtLocation(symbol, remote)) ?? this.any();
    });
    return handle(type);
  }

  // ---------------------------------------------------------------- mapping nodes

  /** A file's TypeScript 7 tree (by file name or path), fetched once. */
  private remoteFile(file: string): RemoteFile | undefined {
    let remote = this.remoteFiles.get(file);
    if (remote === undefined) {
      remote = (this.request(() => this.project.program.getSourceFile(file)) as unknown as RemoteFile | undefined) ?? null;
      this.remoteFiles.set(file, remote);
    }
    return remote ?? undefined;
  }

  private fileIndex(sourceFile: TS.SourceFile): FileIndex | undefined {
    const known = this.files.get(sourceFile.fileName);
    if (known !== undefined) return known ?? undefined;
    const remote = this.remoteFile(sourceFile.fileName);
    if (!remote) {
      this.files.set(sourceFile.fileName, null);
      return undefined;
    }
    const index: FileIndex = { remote, byRange: new Map(), sameText: remote.text === sourceFile.text };
    const view = remote.view;
    const count = (view.byteLength - remote._offsetNodes) / NODE_LEN;
    // Index 0 is nil and 1 the source file itself; list containers and nodes TypeScript 7
    // synthesised from JSDoc ("reparsed", TypeScript 6 has no such nodes) are not addressable.
    for (let i = 2; i < count; i++) {
      const at = remote._offsetNodes + i * NODE_LEN;
      if (view.getUint32(at + NODE_KIND, true) === KIND_NODE_LIST) continue;
      if (view.getUint32(at + NODE_FLAGS, true) & this.flags.reparsed) continue;
      const pos = view.getInt32(at + NODE_POS, true);
      const end = view.getInt32(at + NODE_END, true);
      if (pos < 0 || end >= RANGE_LIMIT) continue;
      const key = pos * RANGE_LIMIT + end;
      const previous = index.byRange.get(key);
      if (previous === undefined) index.byRange.set(key, i);
      else if (typeof previous === 'number') index.byRange.set(key, [previous, i]);
      else previous.push(i);
    }
    this.files.set(sourceFile.fileName, index);
    return index;
  }

  /** The TypeScript 7 node for a TypeScript 6 node: same file, same range, same kind. */
  private remoteNode(node: TS.Node, known?: FileIndex): Ts7Node | undefined {
    const sourceFile = node.getSourceFile();
    const index = known ?? this.fileIndex(sourceFile);
    if (!index) {
      this.stats.unmapped++;
      return undefined;
    }
    if (!index.sameText) throw new Error(`${sourceFile.fileName} changed while it was scanned`);
    if (node === sourceFile) return index.remote as unknown as Ts7Node;
    const kind = this.kind7[node.kind] ?? -1;
    const found = index.byRange.get(node.pos * RANGE_LIMIT + node.end);
    const view = index.remote.view;
    const kindAt = (i: number): number => view.getUint32(index.remote._offsetNodes + i * NODE_LEN + NODE_KIND, true);
    let at: number | undefined;
    if (typeof found === 'number') at = kindAt(found) === kind ? found : undefined;
    else if (found) at = found.find((i) => kindAt(i) === kind);
    if (at === undefined) {
      this.stats.unmapped++;
      return undefined;
    }
    return index.remote.getOrCreateNodeAtIndex(at);
  }

  /**
   * The TypeScript 6 node for a TypeScript 7 node handle (a declaration, possibly in another
   * file); undefined for declaration files (`.d.ts`, libraries), which are never parsed here.
   */
  private localNode(handle_: NodeHandle): TS.Node | undefined {
    if (isDeclarationFile(handle_.path)) return undefined;
    const remote = this.remoteFile(handle_.path);
    if (!remote || remote.isDeclarationFile) return undefined;
    const sourceFile = this.sourceFileFor(remote.fileName);
    if (!sourceFile) return undefined;
    if (sourceFile.text !== remote.text) throw new Error(`${remote.fileName} changed while it was scanned`);
    const at = remote._offsetNodes + handle_.index * NODE_LEN;
    if (at + NODE_LEN > remote.view.byteLength) return undefined;
    const pos = remote.view.getInt32(at + NODE_POS, true);
    const end = remote.view.getInt32(at + NODE_END, true);
    const kind = this.kind6.get(remote.view.getUint32(at + NODE_KIND, true));
    if (kind === undefined) return undefined;
    return findNode(this.ts, sourceFile, pos, end, kind);
  }

  // ---------------------------------------------------------------- plumbing

  private any(): Type {
    this.anyType ??= this.request(() => this.checker.getAnyType());
    return this.anyType;
  }

  private memo<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
    if (cache.has(key)) return cache.get(key)!;
    const value = this.request(compute);
    cache.set(key, value);
    return value;
  }

  /** Every call into the Go process goes through here: a failure of the process is no failure of one file. */
  private request<T>(ask: () => T): T {
    this.stats.requests++;
    if (DEBUG) {
      const caller =
        /at (?:Typescript7Questions\.)?(\w+)/.exec(
          new Error()
            .stack!.split('\n')
            .slice(2)
            .find((line) => !/\b(memo|request)\b/.test(line)) ?? '',
        )?.[1] ?? '?';
      (this.stats.byQuestion ??= {})[caller] = (this.stats.byQuestion[caller] ?? 0) + 1;
    }
    try {
      return ask();
    } catch (error) {
      throw new Typescript7Unavailable(`TypeScript 7 failed while answering: ${(error as Error).message}`);
    }
  }
}

function handle(type: Type): TypeHandle {
  return type as unknown as TypeHandle;
}

function handles(types: readonly Type[]): readonly TypeHandle[] {
  return types as unknown as readonly TypeHandle[];
}

function unwrap(handle_: TypeHandle): Type & TypeData {
  return handle_ as unknown as Type & TypeData;
}

/** The node of `kind` spanning exactly `[pos, end)`, found by descending through the nodes that contain it. */
function findNode(ts: TypeScriptApi, sourceFile: TS.SourceFile, pos: number, end: number, kind: number): TS.Node | undefined {
  let current: TS.Node = sourceFile;
  for (;;) {
    if (current.kind === kind && current.pos === pos && current.end === end) return current;
    let next: TS.Node | undefined;
    ts.forEachChild(current, (child) => {
      if (child.pos <= pos && end <= child.end && !(child.pos === child.end && pos !== end)) {
        next = child;
        return true;
      }
      return undefined;
    });
    if (!next) return undefined;
    current = next;
  }
}

/**
 * What the detectors ask about in nearly every file, asked in one request each per file: the
 * types of the expressions statements discard (and of the parts a comma, `void`, a conditional
 * or a logical operator hands on; not assignments, which never float), and the symbols of the
 * callees of calls that hand on a parameter of an enclosing function (bridge-helper lookups).
 * Measured on rxjs and the mongodb driver, these are nearly all of the types asked for; other
 * questions (a `.then` handler, a callback handed to `forEach`) are asked one by one.
 */
export function prefetchCandidates(ts: TypeScriptApi, sourceFile: TS.SourceFile): { types: TS.Node[]; symbols: TS.Node[] } {
  const types: TS.Node[] = [];
  const symbols: TS.Node[] = [];
  const parameters: Set<string>[] = [];
  const discarded = (expression: TS.Expression): void => {
    let expr = expression;
    while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
    if (ts.isBinaryExpression(expr)) {
      const operator = expr.operatorToken.kind;
      if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) return;
      types.push(expr);
      if (operator === ts.SyntaxKind.CommaToken || operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
        discarded(expr.left);
        discarded(expr.right);
      }
      return;
    }
    types.push(expr);
    if (ts.isConditionalExpression(expr)) {
      discarded(expr.whenTrue);
      discarded(expr.whenFalse);
    } else if (ts.isVoidExpression(expr)) discarded(expr.expression);
  };
  const handsOnParameter = (call: TS.CallExpression): boolean =>
    call.arguments.some((argument) => {
      let expr = argument;
      while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
      return ts.isIdentifier(expr) && parameters.some((names) => names.has(expr.text));
    });
  const visit = (node: TS.Node): void => {
    if (ts.isExpressionStatement(node)) discarded(node.expression);
    else if (ts.isCallExpression(node) && parameters.length > 0 && handsOnParameter(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee)) symbols.push(callee);
      else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name)) symbols.push(callee.name);
    }
    if (ts.isFunctionLike(node)) {
      const names = new Set<string>();
      for (const parameter of node.parameters) if (ts.isIdentifier(parameter.name)) names.add(parameter.name.text);
      parameters.push(names);
      ts.forEachChild(node, visit);
      parameters.pop();
    } else ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { types, symbols };
}
