import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/core/analyze.js';
import { planImport, RUNTIME_MODULE } from '../../src/core/fixes/imports.js';
import { FileFacts } from '../../src/core/facts.js';
import { diskModuleFacts } from '../../src/core/module-facts.js';
import { applyFixPass, mergeEdits } from '../../src/fix/apply.js';
import { fixProject } from '../../src/fix/run.js';
import { migrate } from '../../src/migrate/migrate.js';
import { cli } from '../migrate/helpers.js';
import { repoRoot } from './helpers.js';

/**
 * Item 5 of issue 11: what a fix writes follows the file (quotes, semicolons, bracket spacing,
 * indentation, a list's trailing comma, a wrapped callback re-indented), and a project that keeps
 * its code formatted with prettier or biome still passes its format check after `fix --write` and
 * `migrate --write`: the project's own formatter runs on the rewritten files (`--no-format` skips it).
 */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function planned(text: string, names: string[], fileName = 'a.ts'): string {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const plan = planImport(FileFacts.of({ ts, sourceFile }), RUNTIME_MODULE, names);
  const edit = mergeEdits(text, plan.edits);
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

function fixedOnce(text: string, fileName: string, runtimeDependency = true): string {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const findings = analyzeFile({ ts, sourceFile, runtimeDependency, moduleFacts: diskModuleFacts(ts) });
  return applyFixPass(text, findings).output;
}

describe('inserted code follows the file', () => {
  it('bracket spacing: `{spawn}` in a file that writes `{a}`', () => {
    expect(planned("import {readFile} from 'node:fs';\n\nreadFile;\n", ['spawn'])).toBe("import {readFile} from 'node:fs';\nimport {spawn} from '@loop-audit/runtime';\n\nreadFile;\n");
    expect(planned("const {join} = require('node:path');\nmodule.exports = join;\n", ['spawn'], 'a.cjs')).toBe(
      "const {join} = require('node:path');\nconst {spawn} = require('@loop-audit/runtime');\nmodule.exports = join;\n",
    );
  });

  it('a list written one name per line gets one more line, before its trailing comma or after its last name', () => {
    expect(planned("import {\n  defineSync,\n  runMain,\n} from '@loop-audit/runtime';\n", ['spawn'])).toBe("import {\n  defineSync,\n  runMain,\n  spawn,\n} from '@loop-audit/runtime';\n");
    expect(planned("import {\n    defineSync,\n    runMain\n} from '@loop-audit/runtime';\n", ['spawn', 'getRunner'])).toBe(
      "import {\n    defineSync,\n    runMain,\n    spawn,\n    getRunner\n} from '@loop-audit/runtime';\n",
    );
  });

  it('spawn options follow the bracket spacing and quotes; a wrapped function body is re-indented one level, with tabs in a tab file', () => {
    const input =
      'import {EventEmitter} from "node:events"\n\nexport function wire(bus: EventEmitter) {\n\tbus.on("tick", async function onTick() {\n\t\tawait Promise.resolve(1)\n\t\tconst text = `a\n\tb`\n\t\tconsole.log(text)\n\t})\n}\n';
    expect(fixedOnce(input, 'wire.ts')).toBe(
      'import {EventEmitter} from "node:events"\nimport {spawn} from "@loop-audit/runtime"\n\nexport function wire(bus: EventEmitter) {\n\tbus.on("tick", function onTick() {\n\t\tspawn(async () => {\n\t\t\tawait Promise.resolve(1)\n\t\t\tconst text = `a\n\tb`\n\t\t\tconsole.log(text)\n\t\t}, {name: "wire: on tick"})\n\t})\n}\n',
    );
  });

  it("the dependency-free entry-point form uses the file's indentation unit", () => {
    expect(fixedOnce("'use strict';\nasync function main() {\n    return 1;\n}\nif (require.main === module) {\n    main();\n}\n", 'cli.cjs', false)).toBe(
      "'use strict';\nasync function main() {\n    return 1;\n}\nif (require.main === module) {\n    main().catch((error) => {\n        console.error(error);\n        process.exit(1);\n    });\n}\n",
    );
  });
});

/** A scratch package of these files, with the runtime and Node's types installed (linked). */
function scratchProject(prefix: string, manifest: Record<string, unknown>, sources: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify({ private: true, type: 'module', ...manifest }, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] }, include: ['src'] }, null, 2)}\n`,
    'src/store.ts': 'export async function save(item: string): Promise<void> {\n  if (item === "") throw new Error("empty");\n}\n',
    ...sources,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules/@loop-audit'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
  symlinkSync(path.join(repoRoot, 'runtime'), path.join(dir, 'node_modules/@loop-audit/runtime'));
  return dir;
}

/** A scratch application whose code is formatted by its own formatter before anything runs. */
function formattedProject(formatter: 'prettier' | 'biome'): string {
  const dir = scratchProject(
    `loop-audit-style-${formatter}-`,
    { name: 'styled' },
    {
      'src/wire.ts':
        'import {EventEmitter} from "node:events";\nimport {save} from "./store.js";\n\nexport function wire(bus: EventEmitter): void {\n  bus.on("item", async (item: string) => {\n    await save(item);\n    console.log("saved", item);\n  });\n  setInterval(async function flush() {\n    await save("tick");\n  }, 1000);\n}\n\nexport function kick(): void {\n  save("now");\n}\n',
      'src/untidy.ts': 'import {save} from "./store.js";\nexport function   later():void { save("x") }\n',
    },
  );
  if (formatter === 'prettier') {
    symlinkSync(path.join(repoRoot, 'node_modules/prettier'), path.join(dir, 'node_modules/prettier'));
    writeFileSync(path.join(dir, '.prettierrc.json'), '{ "bracketSpacing": false, "useTabs": true, "printWidth": 100 }\n');
    writeFileSync(path.join(dir, '.prettierignore'), 'src/untidy.ts\n');
  } else {
    mkdirSync(path.join(dir, 'node_modules/@biomejs'), { recursive: true });
    symlinkSync(path.join(repoRoot, 'node_modules/@biomejs/biome'), path.join(dir, 'node_modules/@biomejs/biome'));
    for (const cli of ['cli-linux-x64', 'cli-linux-x64-musl', 'cli-linux-arm64', 'cli-darwin-arm64', 'cli-darwin-x64']) {
      const target = path.join(repoRoot, 'node_modules/@biomejs', cli);
      if (statExists(target)) symlinkSync(target, path.join(dir, 'node_modules/@biomejs', cli));
    }
    writeFileSync(
      path.join(dir, 'biome.json'),
      `${JSON.stringify({ formatter: { indentStyle: 'space', indentWidth: 4 }, javascript: { formatter: { quoteStyle: 'single' } }, files: { includes: ['**', '!src/untidy.ts'] } }, null, 2)}\n`,
    );
  }
  formatCheck(dir, formatter, true);
  expect(formatCheck(dir, formatter)).toEqual([]);
  return dir;
}

function statExists(file: string): boolean {
  try {
    readFileSync(path.join(file, 'package.json'));
    return true;
  } catch {
    return false;
  }
}

/** The files the formatter would change (with `write`, formats them instead). */
function formatCheck(dir: string, formatter: 'prettier' | 'biome', write = false): string[] {
  const run =
    formatter === 'prettier'
      ? spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/prettier/bin/prettier.cjs'), write ? '--write' : '--list-different', 'src'], { cwd: dir, encoding: 'utf8' })
      : spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/@biomejs/biome/bin/biome'), 'format', ...(write ? ['--write'] : []), 'src'], { cwd: dir, encoding: 'utf8' });
  if (write) return [];
  if (formatter === 'prettier') return run.stdout.split('\n').filter(Boolean).sort();
  return run.status === 0 ? [] : [...new Set([...`${run.stdout}${run.stderr}`.matchAll(/(src\/[\w.-]+):\d+:\d+ format/g)].map((m) => m[1]!))].sort();
}

describe("the project's formatter runs on the fixed files", () => {
  for (const formatter of ['prettier', 'biome'] as const) {
    it(`${formatter}: the format check still passes after fix --write; --no-format leaves the fixes as written`, async () => {
      const dir = formattedProject(formatter);
      const untidy = readFileSync(path.join(dir, 'src/untidy.ts'), 'utf8');
      const raw = await fixProject({ cwd: dir, write: false, format: false });
      const rawWire = raw.files.find((entry) => entry.file === 'src/wire.ts')!.after;
      expect(rawWire).toContain('spawn(async () => {');

      const result = await fixProject({ cwd: dir, write: true });
      expect(result.files.filter((entry) => entry.written).map((entry) => entry.file)).toEqual(['src/untidy.ts', 'src/wire.ts']);
      expect(result.files.find((entry) => entry.file === 'src/wire.ts')!.formatted).toBe(formatter);
      expect(formatCheck(dir, formatter)).toEqual([]);
      const wire = readFileSync(path.join(dir, 'src/wire.ts'), 'utf8');
      expect(wire).not.toBe(rawWire);
      expect(wire).toMatch(/spawn\(\s*async \(\) => \{/);
      // An ignored file keeps the fix as written, and nothing else of it changes.
      expect(readFileSync(path.join(dir, 'src/untidy.ts'), 'utf8')).toBe(fixedOnce(untidy, path.join(dir, 'src/untidy.ts')));

      const again = await fixProject({ cwd: dir, write: true });
      expect(again.files.filter((entry) => entry.written)).toEqual([]);
    });
  }

  it('the CLI: --no-format next to --format json skips the formatter and keeps the JSON output', async () => {
    const dir = formattedProject('prettier');
    const run = await cli(dir, 'fix', '--write', '--format', 'json', '--no-format', '--fail-on', 'off');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { files: { file: string; formatted?: string }[] };
    expect(report.files.find((entry) => entry.file === 'src/wire.ts')?.formatted).toBeUndefined();
    expect(formatCheck(dir, 'prettier')).toEqual(['src/wire.ts']);
    const formatted = formattedProject('prettier');
    const run2 = await cli(formatted, 'fix', '--no-format', '--format', 'json', '--write', '--fail-on', 'off');
    expect(JSON.parse(run2.stdout)).toMatchObject({ write: true });
    const run3 = await cli(formatted, 'fix', '--write');
    expect(run3.stderr).not.toContain("formatted the fixed files with the project's prettier");
    const fresh = formattedProject('prettier');
    const run4 = await cli(fresh, 'fix', '--write', '--fail-on', 'off');
    expect(run4.stderr).toContain("formatted the fixed files with the project's prettier");
    expect(formatCheck(fresh, 'prettier')).toEqual([]);
  });

  it('prettier: migrate --write formats the rewritten files too, and --no-format does not', async () => {
    const dir = formattedProject('prettier');
    writeFileSync(
      path.join(dir, 'src/sync.ts'),
      'import {defineSync} from "@loop-audit/runtime";\nimport type {save} from "./store.js";\n\nexport function saveSync(item: string): void {\n\treturn defineSync<typeof save>(new URL("./store.js", import.meta.url), "save")(item);\n}\n',
    );
    writeFileSync(path.join(dir, 'src/caller.ts'), 'import {saveSync} from "./sync.js";\n\nexport function store(items: string[]): void {\n\tfor (const item of items) saveSync(item);\n}\n');
    formatCheck(dir, 'prettier', true);
    const dry = await migrate({ cwd: dir, write: false, format: false });
    const result = await migrate({ cwd: dir, write: true });
    expect(result.notes).toContain("rewritten files were formatted with the project's prettier");
    expect(formatCheck(dir, 'prettier')).toEqual([]);
    expect(dry.diff).not.toBe(result.diff);
  });
});

describe('prettier without a configuration file', () => {
  /** A package that checks its format with `prettier --check` and prettier's defaults (no .prettierrc, no `prettier` key). */
  function defaultsProject(scripts: Record<string, string>): string {
    const dir = scratchProject(
      'loop-audit-style-defaults-',
      { name: 'defaults', scripts },
      {
        'src/poll.ts':
          'import { save } from "./store.js";\n\nexport function poll(ms: number): void {\n  setTimeout(async () => {\n    await save("a rather long item name that fills the line");\n  }, ms)?.unref();\n}\n',
      },
    );
    symlinkSync(path.join(repoRoot, 'node_modules/prettier'), path.join(dir, 'node_modules/prettier'));
    expect(formatCheck(dir, 'prettier')).toEqual([]);
    return dir;
  }

  it('a package.json script that runs prettier makes it the formatter, with its defaults', async () => {
    const dir = defaultsProject({ lint: 'prettier --check "src/**/*.ts" --end-of-line auto' });
    const result = await fixProject({ cwd: dir, write: true });
    expect(result.files.find((entry) => entry.file === 'src/poll.ts')).toMatchObject({ written: true, formatted: 'prettier' });
    expect(formatCheck(dir, 'prettier')).toEqual([]);
  });

  it('prettier installed but run by no script and configured nowhere is not the formatter', async () => {
    const dir = defaultsProject({ test: 'vitest run', prettiest: 'echo prettier-plugin' });
    const result = await fixProject({ cwd: dir, write: true });
    const poll = result.files.find((entry) => entry.file === 'src/poll.ts');
    expect(poll?.written).toBe(true);
    expect(poll?.formatted).toBeUndefined();
    expect(formatCheck(dir, 'prettier')).toEqual(['src/poll.ts']);
  });
});
