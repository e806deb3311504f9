import type { Finding, RuleId, TS, TypeScriptApi } from './types.js';

/**
 * ESLint's inline disable comments, for the fronts that run the core outside ESLint (scan, fix,
 * migrate): a finding ESLint would drop because of `// eslint-disable-next-line loop-audit/...`
 * is dropped there too, so the project that is clean under `eslint` is clean under `loop-audit scan`.
 * Understood as ESLint does: `eslint-disable-line`, `eslint-disable-next-line` (line or block
 * comment), and `eslint-disable` / `eslint-enable` ranges; no rule list means every rule; a
 * ` -- reason` tail is ignored. Rules are named `loop-audit/<id>`.
 */
const DIRECTIVE = /^\s*(eslint-disable-next-line|eslint-disable-line|eslint-disable|eslint-enable)(?:\s+([\s\S]*))?$/;
const PLUGIN_PREFIX = 'loop-audit/';

/**
 * Rules of other plugins that report the same fact: a line a maintainer already judged and
 * silenced for typescript-eslint's floating-promise rules is not reported again (nor rewritten by
 * `fix`, which would leave the old comment disabling nothing). Applied in every front, ESLint's
 * included, so they agree.
 */
const EQUIVALENT_RULES: Partial<Record<RuleId, readonly string[]>> = {
  'no-floating-promise': ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises'],
};

interface Directive {
  kind: 'disable-next-line' | 'disable-line' | 'disable' | 'enable';
  /** Rule ids (without the plugin prefix); undefined means every rule. */
  rules: Set<string> | undefined;
  /** 0-based line of the comment's start and end. */
  line: number;
  endLine: number;
  pos: number;
}

const directivesCache = new WeakMap<TS.SourceFile, Directive[]>();

function directivesOf(ts: TypeScriptApi, sourceFile: TS.SourceFile): Directive[] {
  const text = sourceFile.text;
  // Cheap exit: most files have none.
  if (!text.includes('eslint-')) return [];
  const cached = directivesCache.get(sourceFile);
  if (cached) return cached;
  const directives: Directive[] = [];
  // Comments hang off the tokens around them: collecting them node by node (rather than scanning
  // the text) never mistakes a template literal's or regex's text for a comment.
  const seen = new Set<number>();
  const collect = (ranges: TS.CommentRange[] | undefined): void => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      const raw = text.slice(range.pos, range.end);
      const body = range.kind === ts.SyntaxKind.SingleLineCommentTrivia ? raw.slice(2) : raw.slice(2, -2);
      const match = DIRECTIVE.exec(body);
      if (!match) continue;
      const list = ` ${match[2] ?? ''}`.split(/\s--(?:\s|$)/)[0]!.trim();
      directives.push({
        kind: match[1]!.slice('eslint-'.length) as Directive['kind'],
        rules:
          list === ''
            ? undefined
            : new Set(
                list
                  .split(',')
                  .map((name) => name.trim())
                  .filter((name) => name !== ''),
              ),
        line: sourceFile.getLineAndCharacterOfPosition(range.pos).line,
        endLine: sourceFile.getLineAndCharacterOfPosition(range.end).line,
        pos: range.pos,
      });
    }
  };
  // Every token, not only every node: a comment before `else` or `)` belongs to no node.
  const visit = (node: TS.Node): void => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(sourceFile)) visit(child);
  };
  visit(sourceFile);
  directives.sort((a, b) => a.pos - b.pos);
  directivesCache.set(sourceFile, directives);
  return directives;
}

/** Which names a directive must list to turn a rule off: its own, its equivalents, or both. */
export type DirectiveNames = 'all' | 'equivalents';

function names(directive: Directive, ruleId: RuleId, which: DirectiveNames): boolean {
  if (directive.rules === undefined) return which === 'all';
  if (which === 'all' && directive.rules.has(`${PLUGIN_PREFIX}${ruleId}`)) return true;
  return (EQUIVALENT_RULES[ruleId] ?? []).some((name) => directive.rules!.has(name));
}

/** Whether an inline ESLint directive in the file turns this finding off. */
function isDisabled(sourceFile: TS.SourceFile, directives: readonly Directive[], finding: Finding, which: DirectiveNames): boolean {
  const line = sourceFile.getLineAndCharacterOfPosition(finding.start).line;
  let disabledByRange = false;
  for (const directive of directives) {
    if (!names(directive, finding.ruleId, which)) continue;
    if (directive.kind === 'disable-line' && directive.line === line) return true;
    if (directive.kind === 'disable-next-line' && directive.endLine + 1 === line) return true;
    // Ranges apply in source order, up to the finding's position.
    if (directive.pos > finding.start) continue;
    if (directive.kind === 'disable') disabledByRange = true;
    if (directive.kind === 'enable') disabledByRange = false;
  }
  return disabledByRange;
}

/**
 * The findings no inline ESLint directive of the file turns off. `equivalents`: only directives
 * naming another plugin's equivalent rule count (inside ESLint, which applies those naming
 * loop-audit's rules itself).
 */
export function withoutDisabled<F extends Finding>(ts: TypeScriptApi, sourceFile: TS.SourceFile, findings: F[], which: DirectiveNames = 'all'): F[] {
  if (findings.length === 0) return findings;
  if (which === 'equivalents' && !findings.some((finding) => EQUIVALENT_RULES[finding.ruleId])) return findings;
  const directives = directivesOf(ts, sourceFile);
  if (directives.length === 0) return findings;
  return findings.filter((finding) => !isDisabled(sourceFile, directives, finding, which));
}
