// From typescript itself, not ./types.js (which re-exports them): types.ts imports this module.
import type * as TS from 'typescript';
import type typescript from 'typescript';

type TypeScriptApi = typeof typescript;

/**
 * The type questions the detectors ask, answered by one of two backends: TypeScript 6's checker
 * in-process (the scanner's own program, or typescript-eslint's inside ESLint), or TypeScript 7's
 * checker in a Go process through its synchronous API (src/scan/typescript7-questions.ts). The
 * detectors walk the same TypeScript 6 syntax tree either way and pass its nodes; they never see a
 * checker, so each detection is written once and the two backends must answer alike.
 *
 * Types, signatures and symbols are opaque handles: a detector only hands them back. Handles of
 * one backend are stable for its lifetime (one handle per type), so they can key memos.
 */
export interface TypeHandle {
  readonly [typeBrand]: 'type';
}
export interface SignatureHandle {
  readonly [signatureBrand]: 'signature';
}
export interface SymbolHandle {
  readonly [symbolBrand]: 'symbol';
}
declare const typeBrand: unique symbol;
declare const signatureBrand: unique symbol;
declare const symbolBrand: unique symbol;

export type TypeBackendName = 'typescript6' | 'typescript7';

export interface Declarations {
  /** How many declarations there are, counting those in declaration files (`.d.ts`, libraries). */
  total: number;
  /**
   * Those in files with code, as nodes of the same kind of syntax tree the question came from
   * (any file of the program; the analysed file's own nodes are the very nodes analysed).
   */
  inSource: readonly TS.Declaration[];
}

export interface TypeQuestions {
  readonly backend: TypeBackendName;

  // ---------------------------------------------------------------- nodes
  /** The type of an expression or declaration (the checker's `getTypeAtLocation`). */
  typeAt(node: TS.Node): TypeHandle;
  /** The type the context of an expression expects of it, if any. */
  contextualType(node: TS.Expression): TypeHandle | undefined;
  /** The type a written type annotation denotes. */
  typeOfTypeNode(node: TS.TypeNode): TypeHandle;
  /** The signature a function-like declaration declares. */
  signatureOfDeclaration(node: TS.SignatureDeclaration): SignatureHandle | undefined;
  /**
   * The declarations of what an identifier names, aliases (imports, re-exports) followed;
   * undefined when the name resolves to nothing (no symbol, or a symbol without declarations,
   * such as an unresolved `require`).
   */
  declarationsOf(identifier: TS.Identifier): Declarations | undefined;
  /**
   * Whether the signature a call resolves to declares its return type as `this` (a fluent
   * method, `where(…): this`), wherever it is declared (declaration files included).
   */
  resolvesToThisReturning(call: TS.CallExpression): boolean;

  // ---------------------------------------------------------------- types
  /** The members of a union, or the type itself. */
  unionParts(type: TypeHandle): readonly TypeHandle[];
  /** The members of an intersection; undefined for any other type. */
  intersectionParts(type: TypeHandle): readonly TypeHandle[] | undefined;
  /** The type whose members a value of `type` has (constraint of a type parameter, wrapper of a primitive). */
  apparentType(type: TypeHandle): TypeHandle;
  isAny(type: TypeHandle): boolean;
  isAnyOrUnknown(type: TypeHandle): boolean;
  isArrayOrTupleType(type: TypeHandle): boolean;
  /** Type arguments of a type reference (`Promise<void>[]` → `Promise<void>`). */
  typeArguments(type: TypeHandle): readonly TypeHandle[];
  callSignatures(type: TypeHandle): readonly SignatureHandle[];
  /** A property of the type itself (apparent types are the caller's business). */
  propertyOfType(type: TypeHandle, name: string): SymbolHandle | undefined;
  /** Name of the type's symbol (`Promise` for `Promise<number>`), if it has one. */
  symbolName(type: TypeHandle): string | undefined;
  /** Name of the alias the type was written through (`type Pending = Promise<void>`), if any. */
  aliasSymbolName(type: TypeHandle): string | undefined;
  /**
   * Base types of the class or interface that `type` is, or instantiates; undefined when it is
   * neither (an anonymous object type, a primitive).
   */
  classOrInterfaceBaseTypes(type: TypeHandle): readonly TypeHandle[] | undefined;

  // ---------------------------------------------------------------- signatures and symbols
  returnType(signature: SignatureHandle): TypeHandle;
  parameters(signature: SignatureHandle): readonly SymbolHandle[];
  /**
   * The declaration a signature comes from when it is in a file with code (any file of the
   * program); undefined for signatures declared in declaration files, JSDoc or synthesised.
   */
  signatureDeclaration(signature: SignatureHandle): TS.SignatureDeclaration | undefined;
  symbolNameOf(symbol: SymbolHandle): string;
  /** The type of a symbol as seen at `location` (narrowing applies to references there). */
  typeOfSymbolAt(symbol: SymbolHandle, location: TS.Node): TypeHandle;
}

const byChecker = new WeakMap<TS.TypeChecker, TypeQuestions>();

/**
 * TypeScript 6 answers, straight from a checker of the program the nodes belong to. One instance
 * per checker, so analyses that meet the same checker (the four ESLint rules on one file, a
 * helper lookup in another file) share it.
 */
export function checkerQuestions(ts: TypeScriptApi, checker: TS.TypeChecker): TypeQuestions {
  let questions = byChecker.get(checker);
  if (!questions) {
    questions = new CheckerQuestions(ts, checker);
    byChecker.set(checker, questions);
  }
  return questions;
}

const type = (handle: TypeHandle): TS.Type => handle as unknown as TS.Type;
const signature = (handle: SignatureHandle): TS.Signature => handle as unknown as TS.Signature;
const symbol = (handle: SymbolHandle): TS.Symbol => handle as unknown as TS.Symbol;
const asType = (t: TS.Type): TypeHandle => t as unknown as TypeHandle;
const asTypes = (types: readonly TS.Type[]): readonly TypeHandle[] => types as unknown as readonly TypeHandle[];
const asSignatures = (signatures: readonly TS.Signature[]): readonly SignatureHandle[] => signatures as unknown as readonly SignatureHandle[];
const asSymbol = (s: TS.Symbol): SymbolHandle => s as unknown as SymbolHandle;

class CheckerQuestions implements TypeQuestions {
  readonly backend = 'typescript6';

  constructor(
    private readonly ts: TypeScriptApi,
    private readonly checker: TS.TypeChecker,
  ) {}

  typeAt(node: TS.Node): TypeHandle {
    return asType(this.checker.getTypeAtLocation(node));
  }

  contextualType(node: TS.Expression): TypeHandle | undefined {
    const contextual = this.checker.getContextualType(node);
    return contextual && asType(contextual);
  }

  typeOfTypeNode(node: TS.TypeNode): TypeHandle {
    return asType(this.checker.getTypeFromTypeNode(node));
  }

  signatureOfDeclaration(node: TS.SignatureDeclaration): SignatureHandle | undefined {
    const found = this.checker.getSignatureFromDeclaration(node);
    return found && (found as unknown as SignatureHandle);
  }

  declarationsOf(identifier: TS.Identifier): Declarations | undefined {
    let found = this.checker.getSymbolAtLocation(identifier);
    if (found && found.flags & this.ts.SymbolFlags.Alias) found = this.checker.getAliasedSymbol(found);
    const declarations = found?.declarations;
    if (!declarations || declarations.length === 0) return undefined;
    return { total: declarations.length, inSource: declarations.filter((declaration) => !declaration.getSourceFile().isDeclarationFile) };
  }

  resolvesToThisReturning(call: TS.CallExpression): boolean {
    const declaration = this.checker.getResolvedSignature(call)?.getDeclaration();
    const returnType = declaration && 'type' in declaration ? declaration.type : undefined;
    return returnType?.kind === this.ts.SyntaxKind.ThisType;
  }

  unionParts(handle: TypeHandle): readonly TypeHandle[] {
    const t = type(handle);
    return t.isUnion() ? asTypes(t.types) : [handle];
  }

  intersectionParts(handle: TypeHandle): readonly TypeHandle[] | undefined {
    const t = type(handle);
    return t.isIntersection() ? asTypes(t.types) : undefined;
  }

  apparentType(handle: TypeHandle): TypeHandle {
    return asType(this.checker.getApparentType(type(handle)));
  }

  isAny(handle: TypeHandle): boolean {
    return (type(handle).flags & this.ts.TypeFlags.Any) !== 0;
  }

  isAnyOrUnknown(handle: TypeHandle): boolean {
    return (type(handle).flags & (this.ts.TypeFlags.Any | this.ts.TypeFlags.Unknown)) !== 0;
  }

  isArrayOrTupleType(handle: TypeHandle): boolean {
    return this.checker.isArrayType(type(handle)) || this.checker.isTupleType(type(handle));
  }

  typeArguments(handle: TypeHandle): readonly TypeHandle[] {
    return asTypes(this.checker.getTypeArguments(type(handle) as TS.TypeReference));
  }

  callSignatures(handle: TypeHandle): readonly SignatureHandle[] {
    return asSignatures(type(handle).getCallSignatures());
  }

  propertyOfType(handle: TypeHandle, name: string): SymbolHandle | undefined {
    const found = type(handle).getProperty(name);
    return found && asSymbol(found);
  }

  symbolName(handle: TypeHandle): string | undefined {
    return type(handle).getSymbol()?.name;
  }

  aliasSymbolName(handle: TypeHandle): string | undefined {
    return type(handle).aliasSymbol?.name;
  }

  classOrInterfaceBaseTypes(handle: TypeHandle): readonly TypeHandle[] | undefined {
    const ts = this.ts;
    const t = type(handle);
    const target = (t as TS.TypeReference).target ?? t;
    if (!(target.flags & ts.TypeFlags.Object) || !((target as TS.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return undefined;
    return asTypes(this.checker.getBaseTypes(target) ?? []);
  }

  returnType(handle: SignatureHandle): TypeHandle {
    return asType(this.checker.getReturnTypeOfSignature(signature(handle)));
  }

  parameters(handle: SignatureHandle): readonly SymbolHandle[] {
    return signature(handle).getParameters() as unknown as readonly SymbolHandle[];
  }

  signatureDeclaration(handle: SignatureHandle): TS.SignatureDeclaration | undefined {
    const declaration = signature(handle).getDeclaration() as TS.SignatureDeclaration | TS.JSDocSignature | undefined;
    if (!declaration || this.ts.isJSDocSignature(declaration) || declaration.getSourceFile().isDeclarationFile) return undefined;
    return declaration;
  }

  symbolNameOf(handle: SymbolHandle): string {
    return symbol(handle).name;
  }

  typeOfSymbolAt(handle: SymbolHandle, location: TS.Node): TypeHandle {
    return asType(this.checker.getTypeOfSymbolAtLocation(symbol(handle), location));
  }
}
