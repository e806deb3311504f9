import { analyzeFile, type RuleSelection } from '../core/analyze.js';
import { formatMessage } from '../core/messages.js';
import { RULE_IDS, type Finding, type RuleId } from '../core/types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { MigrationProject } from './project.js';
import type { Refusal, Unhandled } from './types.js';
import { nodeAt } from './ast.js';
import { importsRuntime, runtimePolicy } from '../fix/dependency.js';
import { RUNTIME_PACKAGE } from '../core/runtime-package.js';
import { describeSyncContract, syncContractOf } from './sync-contract.js';

/**
 * Findings of the phase's rules that a migration left in scope without a refusal of its own: what
 * `loop-audit progress` still counts in the phase after a run that changed nothing. Each one says
 * why migrate does not handle it and what does.
 */
export function unhandledFindings(
  project: MigrationProject,
  config: ResolvedConfig,
  files: readonly string[],
  rules: readonly RuleId[],
  refusals: readonly Refusal[],
  relative: (file: string) => string,
  allowRuntimeDependency = false,
): Unhandled[] {
  const selection: RuleSelection = {};
  for (const id of RULE_IDS) {
    const rule = config.rules[id];
    selection[id] = rules.includes(id) && rule.severity !== 'off' ? rule.options : false;
  }
  const refused = new Set(refusals.map((refusal) => `${refusal.file}:${refusal.line}`));
  const out: Unhandled[] = [];
  for (const file of files) {
    const sourceFile = project.program.getSourceFile(file);
    if (!sourceFile) continue;
    for (const finding of analyzeFile({ ts: project.ts, sourceFile, checker: project.checker }, selection)) {
      const line = sourceFile.getLineAndCharacterOfPosition(finding.start).line + 1;
      const where = relative(file);
      if (refused.has(`${where}:${line}`)) continue;
      // A bridge an ESLint rule needs is not debt migrate could pay: say so rather than "make it async".
      const contract = finding.ruleId === 'no-sync-bridge' ? syncContractOf(project, nodeAt(project.ts, sourceFile, finding.start), relative) : undefined;
      const library = contract ? undefined : runtimeWithheld(finding, file, allowRuntimeDependency, relative);
      const why = contract ? describeSyncContract(contract) : (library ?? whyAndWhatToDo(finding));
      out.push({ file: where, line, ruleId: `loop-audit/${finding.ruleId}`, message: formatMessage(finding), ...why });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId));
}

/**
 * A floating promise whose autofix hands it to the runtime's spawn(), in a published library that
 * does not depend on the runtime: migrate (as fix) leaves it a suggestion rather than add a
 * dependency to the library's users by surprise. Say that, not that no rewrite exists.
 */
function runtimeWithheld(finding: Finding, file: string, allowRuntimeDependency: boolean, relative: (file: string) => string): { reason: string; todo: string } | undefined {
  if (finding.ruleId !== 'no-floating-promise' || !finding.fix?.some((edit) => importsRuntime(edit.text))) return undefined;
  const policy = runtimePolicy(file, allowRuntimeDependency);
  if (policy.allowed || !policy.manifest) return undefined;
  const manifest = relative(policy.manifest.file);
  return {
    reason: `its autofix hands the promise to spawn() from ${RUNTIME_PACKAGE}, and ${manifest} is a published library that does not depend on it: the fix stays a suggestion rather than add a dependency to the library's users`,
    todo: `rerun with --allow-runtime-dependency to apply it and add ${RUNTIME_PACKAGE} to ${manifest}'s dependencies, or await it, return it or end it with .catch(...) by hand`,
  };
}

function whyAndWhatToDo(finding: Finding): { reason: string; todo: string } {
  const fixable = finding.fix !== undefined && finding.fix.length > 0;
  const fix = `run \`loop-audit fix --rule ${finding.ruleId}\` (dry run first; --write applies it)`;
  switch (finding.ruleId) {
    case 'no-loop-per-call':
      return {
        reason: 'migrate removes sync wrappers and moves bridges onto the runner; it does not move a worker, process, pool or client built per call',
        todo: fixable ? fix : 'create it once (module scope or a cached singleton) and reuse it, as the finding says',
      };
    case 'no-sync-bridge':
      return {
        reason: 'this bridge is not a sync wrapper of an async sibling (a function whose body only blocks on it), so there is no wrapper to remove or move',
        todo: fixable ? fix : 'make the enclosing function async and await the work, or give the async work a function of its own that a wrapper calls (migrate then handles that wrapper)',
      };
    case 'no-sync-wrapper':
      return {
        reason: 'the wrapper was not in a shape migrate can rewrite safely',
        todo: 'make its callers await the async sibling by hand, then delete the wrapper',
      };
    case 'no-floating-promise':
      return {
        reason: 'no rewrite keeps the behaviour provably the same here (migrate fixes floating promises only where it does)',
        todo: fixable ? fix : 'await it, return it, or hand it to spawn() from loop-audit/runtime so its failure is reported',
      };
  }
}
