import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Linter } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { RULE_META } from '../../src/core/meta/index.js';
import { RULE_IDS } from '../../src/core/types.js';
import plugin from '../../src/eslint-plugin.js';
import { PYTHON_MESSAGES } from '../../src/python/messages.js';
import { analyzeSources } from '../python/helpers.js';
import { repoRoot } from '../support/rule-tester.js';

/**
 * Every rule page has the same shape, as typescript-eslint's docs test demands of its own: the
 * same `##` sections in the same order, the rule's `meta.description` as its first line, one
 * `###` heading per option of the rule's schema, and examples that say the truth: every ❌ (and
 * ⚠️) block is reported by its rule, every ✅ block is not, and a line whose comment names a rule
 * (`// no-sync-bridge`) or, in Python, one of the rule's Python message ids (`# loopPerCall`) is
 * reported there by it. The blocks run through the real rules: ESLint's Linter with the plugin
 * for TypeScript and JavaScript, the Python frontend for Python.
 */
const SECTIONS = ['What it reports', 'Why', 'Examples', 'Fix', 'Options', 'Python', 'When not to use it', 'Known limits'];
const DOCS = path.join(repoRoot, 'docs/rules');

interface Block {
  lang: string;
  code: string;
  /** 1-based line of the block's first code line in the page. */
  line: number;
  section: string;
  subsection: string | undefined;
}

interface Page {
  title: string;
  firstLine: string;
  sections: string[];
  /** `###` headings, by their `##` section. */
  subsections: Map<string, string[]>;
  blocks: Block[];
}

function parsePage(text: string): Page {
  const lines = text.split('\n');
  const page: Page = { title: lines[0] ?? '', firstLine: '', sections: [], subsections: new Map(), blocks: [] };
  let section = '';
  let subsection: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      const start = i + 1;
      let end = start;
      while (end < lines.length && !lines[end]!.startsWith('```')) end++;
      page.blocks.push({ lang: fence[1]!, code: lines.slice(start, end).join('\n') + '\n', line: start + 1, section, subsection });
      i = end;
      continue;
    }
    if (page.firstLine === '' && section === '' && line.trim() !== '') page.firstLine = line;
    const heading = /^(#{2,3}) (.+)$/.exec(line);
    if (!heading) continue;
    if (heading[1] === '##') {
      section = heading[2]!;
      subsection = undefined;
      page.sections.push(section);
      page.subsections.set(section, []);
    } else {
      subsection = heading[2]!;
      page.subsections.get(section)?.push(subsection);
    }
  }
  return page;
}

const RULE_MARKER = new RegExp(`//\\s*(${RULE_IDS.join('|')})\\b`, 'g');

/** `line ruleId` of every loop-audit finding ESLint reports on the block (all four rules, default options). */
function lintBlock(block: Block): { findings: string[]; fatal: string[] } {
  const linter = new Linter({ configType: 'flat' });
  const filename = block.lang === 'js' ? 'example.js' : 'example.ts';
  const messages = linter.verify(
    block.code,
    [
      {
        ...plugin.configs.recommended,
        rules: Object.fromEntries(RULE_IDS.map((id) => [`loop-audit/${id}`, 'error'])),
      } as Linter.Config,
    ],
    filename,
  );
  return {
    findings: messages.filter((message) => message.ruleId?.startsWith('loop-audit/')).map((message) => `${message.line} ${message.ruleId!.slice('loop-audit/'.length)}`),
    fatal: messages.filter((message) => message.fatal).map((message) => `${message.line}:${message.column} ${message.message}`),
  };
}

/**
 * TypeScript's grammar errors in the block (codes below 2000: a `return` outside a function, an
 * `await` outside an async one), which typescript-eslint's parser lets through. Type errors are
 * expected: an example names things it does not declare.
 */
function grammarErrors(block: Block): string[] {
  const fileName = block.lang === 'js' ? 'example.js' : 'example.ts';
  const options: ts.CompilerOptions = {
    noLib: true,
    noResolve: true,
    allowJs: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  const sourceFile = ts.createSourceFile(fileName, block.code, ts.ScriptTarget.ES2022, true);
  const host = ts.createCompilerHost(options);
  host.getSourceFile = (name) => (name === fileName ? sourceFile : undefined);
  const program = ts.createProgram([fileName], options, host);
  return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
    .filter((diagnostic) => diagnostic.code < 2000)
    .map((diagnostic) => `${sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`);
}

/** `line ruleId` of every `// <rule id>` comment in the block. */
function ruleMarkers(code: string): string[] {
  const markers: string[] = [];
  code.split('\n').forEach((text, index) => {
    for (const match of text.matchAll(RULE_MARKER)) markers.push(`${index + 1} ${match[1]}`);
  });
  return markers;
}

const pages = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .map((name) => name.slice(0, -'.md'.length))
  .sort();

describe('docs/rules', () => {
  it('has one page per rule and no other', () => {
    expect(pages).toEqual([...RULE_IDS].sort());
  });
});

for (const ruleId of RULE_IDS) {
  const meta = RULE_META[ruleId];
  const file = path.join(DOCS, `${ruleId}.md`);
  const page = parsePage(readFileSync(file, 'utf8'));
  const where = (block: Block): string => `docs/rules/${ruleId}.md:${block.line}`;

  describe(`docs/rules/${ruleId}.md`, () => {
    it('is titled by the rule and opens with its meta.description', () => {
      expect(page.title).toBe(`# \`loop-audit/${ruleId}\``);
      expect(page.firstLine).toBe(`${meta.description}.`);
    });

    it('has the sections every rule page has, in order', () => {
      expect(page.sections).toEqual(SECTIONS);
    });

    it('has one heading per option of the schema', () => {
      const schema = meta.optionsSchema as { properties?: Record<string, unknown> } | undefined;
      const options = Object.keys(schema?.properties ?? {}).sort();
      expect(options.length).toBeGreaterThan(0);
      expect((page.subsections.get('Options') ?? []).map((heading) => heading.replace(/^`(.+)`$/, '$1')).sort()).toEqual(options);
    });

    const examples = page.blocks.filter((block) => block.section === 'Examples' && ['ts', 'js', 'tsx'].includes(block.lang));
    it('has ❌ and ✅ examples', () => {
      const kinds = page.subsections.get('Examples') ?? [];
      expect(kinds.filter((heading) => heading.startsWith('❌')).length).toBe(1);
      expect(kinds.filter((heading) => heading.startsWith('✅')).length).toBe(1);
      expect(examples.filter((block) => block.subsection?.startsWith('❌')).length).toBeGreaterThan(0);
      expect(examples.filter((block) => block.subsection?.startsWith('✅')).length).toBeGreaterThan(0);
    });

    for (const block of examples) {
      const kind = block.subsection ?? '';
      const reported = kind.startsWith('❌') || kind.startsWith('⚠️');
      it(`${where(block)} (${kind || 'no ❌/✅ heading'}) ${reported ? 'is reported' : 'is not reported'} by ${ruleId}`, () => {
        expect(kind === '' ? 'an example outside ❌/✅/⚠️' : 'ok').toBe('ok');
        const { findings, fatal } = lintBlock(block);
        expect(fatal, 'the example must parse').toEqual([]);
        expect(grammarErrors(block), 'the example must be valid code').toEqual([]);
        const own = findings.filter((finding) => finding.endsWith(` ${ruleId}`));
        if (reported) expect(own.length).toBeGreaterThan(0);
        else expect(own).toEqual([]);
        // Every line a comment attributes to a rule is reported there by that rule.
        const missing = ruleMarkers(block.code).filter((marker) => !findings.includes(marker));
        expect(missing).toEqual([]);
      });
    }

    const python = page.blocks.filter((block) => block.section === 'Python' && block.lang === 'python');
    it('has Python examples in its Python section', () => {
      expect(python.length).toBeGreaterThan(0);
    });
    const messageIds = Object.keys(PYTHON_MESSAGES[ruleId]);
    const pythonMarker = new RegExp(`#\\s*(${messageIds.join('|')})\\b`);
    for (const block of python) {
      it(`${where(block)} (Python) is reported by ${ruleId} where its comments say`, async () => {
        const result = await analyzeSources({ 'app/example.py': block.code });
        expect(result.errors).toEqual([]);
        const found = result.findings.filter((finding) => finding.ruleId === ruleId).map((finding) => `${finding.line} ${finding.messageId}`);
        const expected: string[] = [];
        block.code.split('\n').forEach((text, index) => {
          const marker = pythonMarker.exec(text);
          if (marker) expected.push(`${index + 1} ${marker[1]}`);
        });
        expect(expected.length, 'a Python example marks what it reports (`# messageId`)').toBeGreaterThan(0);
        expect(found.sort()).toEqual(expected.sort());
      });
    }
  });
}
