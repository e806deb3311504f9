import path from 'node:path';
import { codeStyle, moduleSystemOf, stringLiteral } from '../core/fixes/imports.js';
import { RUNTIME_PACKAGE } from '../core/runtime-package.js';
import { runtimePolicy } from '../fix/dependency.js';
import type { TS } from '../core/types.js';
import { impliedFormat, relativeSpecifier, resolveAlias } from './ast.js';
import { noteBridgeHelper } from './plan-edits.js';
import { factsOf } from './entry-points.js';
import type { Plan } from './plan.js';
import type { MigrationProject } from './project.js';
import type { WrapperInfo } from './wrappers.js';

/** How the file runs: what decides whether `import.meta.url` or `__filename` names it. */
export function runtimeFormat(project: MigrationProject, sourceFile: TS.SourceFile): 'esm' | 'cjs' {
  const { ts, compilerOptions } = project;
  if (/\.(?:mjs|mts)$/.test(sourceFile.fileName)) return 'esm';
  if (/\.(?:cjs|cts)$/.test(sourceFile.fileName)) return 'cjs';
  const module = compilerOptions.module;
  if (module !== undefined && module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) {
    return impliedFormat(project, sourceFile) === ts.ModuleKind.ESNext ? 'esm' : 'cjs';
  }
  if (module === ts.ModuleKind.CommonJS || module === ts.ModuleKind.AMD || module === ts.ModuleKind.UMD) return 'cjs';
  return moduleSystemOf(factsOf(project, sourceFile));
}

/**
 * The stabilize phase's rewrite: the wrapper keeps its name and signature but blocks through
 * loop-audit/runtime's one persistent worker (`defineSync(module, 'export')`) instead of its
 * own bridge. The runner loads functions by module and export name, so the sibling must be an
 * exported module-level function; a method's instance cannot cross into the worker.
 */
export function moveToRunner(plan: Plan, info: WrapperInfo): boolean {
  const { ts, checker } = plan.project;
  const { wrapper, sourceFile } = info;
  const refuse = (message: string): false => {
    plan.refuse('runner', sourceFile, wrapper.range.start, `'${wrapper.name}' stays on its bridge: ${message}`);
    return false;
  };
  if (info.refusal) return refuse(info.refusal.message);
  const sibling = info.sibling!;
  if (sibling.kind === 'member') return refuse(`its sibling '${sibling.name}' is a method, and an instance cannot cross into the runner's worker; migrate its callers to await it instead`);
  if (!sibling.exportName) return refuse(`its sibling '${sibling.name}' is not exported, and the runner loads functions by module and export name`);
  if (sibling.exportName === 'default') return refuse(`its sibling is a default export`);
  const policy = runtimePolicy(sourceFile.fileName, plan.allowRuntimeDependency);
  if (!policy.allowed) {
    return refuse(
      `${plan.relative(policy.manifest.file)} is a published library that does not depend on ${RUNTIME_PACKAGE}; --allow-runtime-dependency moves it onto the runner and adds the dependency`,
    );
  }

  const format = runtimeFormat(plan.project, sourceFile);
  const style = codeStyle(factsOf(plan.project, sourceFile));
  const sameFile = sibling.sourceFile === sourceFile;
  let specifier: string | undefined;
  let localName: string | undefined;
  if (sameFile) localName = sibling.name;
  else {
    // The name and module the wrapper's file already uses for the sibling.
    const symbol = resolveAlias(
      ts,
      checker,
      checker.getSymbolAtLocation(ts.isVariableDeclaration(sibling.declaration) || ts.isFunctionDeclaration(sibling.declaration) ? sibling.declaration.name! : sibling.declaration),
    );
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements) {
        if (resolveAlias(ts, checker, checker.getSymbolAtLocation(element.name)) === symbol) {
          localName = element.name.text;
          specifier = statement.moduleSpecifier.text;
        }
      }
    }
    specifier ??= relativeSpecifier(ts, sourceFile, sibling.sourceFile.fileName);
  }
  const quote = (text: string): string => stringLiteral(style, text);
  const locator = sameFile ? (format === 'esm' ? 'import.meta.url' : '__filename') : format === 'esm' ? `new URL(${quote(specifier!)}, import.meta.url)` : `require.resolve(${quote(specifier!)})`;
  const typeOf = localName ? `typeof ${localName}` : `typeof import(${quote(specifier!)}).${sibling.exportName}`;
  const defineSync = plan.runtimeName(sourceFile, 'defineSync');
  const factory = `${defineSync}<${typeOf}>(${locator}, ${quote(sibling.exportName)})`;
  const edits = plan.editsFor(sourceFile);
  const bridge = wrapper.bridgeCall;
  if (wrapper.form === 'binding') {
    edits.replace(bridge.getStart(sourceFile), bridge.getEnd(), factory);
  } else {
    const args = info.forwarded === 'all' || info.forwarded === undefined ? [] : info.forwarded.map((a) => a.getText(sourceFile));
    edits.replace(bridge.getStart(sourceFile), bridge.getEnd(), `${factory}(${args.join(', ')})`);
  }
  noteBridgeHelper(plan, info);
  plan.pruneFiles.add(path.resolve(sourceFile.fileName));
  plan.change(
    'wrapper-moved-to-runner',
    sourceFile,
    wrapper.range.start,
    `'${wrapper.name}' now blocks through @loop-audit/runtime's runner (defineSync of '${sibling.exportName}') instead of ${wrapper.viaHelper ? `'${wrapper.viaHelper}'` : 'its own bridge'}`,
  );
  plan.notes.add(
    "Wrappers moved onto loop-audit/runtime run their sibling in the runner's one persistent worker thread: arguments and results are copied (structured clone), module state lives in the worker, and the worker's process.env is a copy taken when it starts (a bridge that started a worker per call saw later changes). A TypeScript project run from its sources needs its loader in that worker too: preload it with --require, which Node also runs in worker threads (--import is not).",
  );
  return true;
}

/** Moves every wrapper in scope that blocks through its own bridge onto the runner. */
export function moveWrappersToRunner(plan: Plan, wrappers: readonly WrapperInfo[]): { moved: number; kept: number } {
  let moved = 0;
  let kept = 0;
  for (const info of wrappers) {
    if (info.wrapper.bridgeKind === 'runner') continue;
    if (moveToRunner(plan, info)) moved++;
    else kept++;
  }
  return { moved, kept };
}
