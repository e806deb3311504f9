import { chmodSync, symlinkSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/scan.js';
import { ScanUsageError } from '../../src/scan/types.js';
import { MAX_FILE_BYTES } from '../../src/scan/source.js';
import { cleanupProjects, DISEASED_TS, makeProject, TSCONFIG } from './helpers.js';

afterAll(cleanupProjects);

function errorsByFile(result: Awaited<ReturnType<typeof scan>>) {
  return Object.fromEntries(result.errors.map((e) => [e.file, e]));
}

describe('bad input is survived', () => {
  it('a syntax error becomes an errors entry and the other files are still analysed', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/broken.ts': 'export function (a {\n  return a;\n', 'src/ok.ts': DISEASED_TS });
    const result = await scan({ cwd: root, config: false });
    const broken = errorsByFile(result)['src/broken.ts']!;
    expect(broken.kind).toBe('syntax');
    expect(broken.skipped).toBe(false);
    expect(broken.message).toMatch(/^syntax error: 1:\d+: /);
    expect(result.files).toEqual(['src/ok.ts']);
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['src/ok.ts:4 no-floating-promise', 'src/ok.ts:5 no-loop-per-call']);
  });

  it('binary, invalid UTF-8, huge and minified files are skipped with a notice', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'src/blob.ts': Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x00, 0x01, 0x02]),
      'src/latin1.js': Buffer.from([0x2f, 0x2f, 0x20, 0xe9, 0xe8, 0x0a]),
      'src/huge.js': 'export const a = 1;\n'.repeat(Math.ceil((MAX_FILE_BYTES + 10) / 20)),
      'src/bundle.js': `export const data = [${'1,'.repeat(8000)}1];\n`,
      'src/vendor.min.js': 'export const x = 1;\n',
      'src/ok.ts': DISEASED_TS,
    });
    const result = await scan({ cwd: root, config: false });
    const byFile = errorsByFile(result);
    expect(byFile['src/blob.ts']).toMatchObject({ kind: 'binary', skipped: true });
    expect(byFile['src/latin1.js']).toMatchObject({ kind: 'binary', skipped: true, message: 'skipped: not UTF-8 text' });
    expect(byFile['src/huge.js']).toMatchObject({ kind: 'too-large', skipped: true });
    expect(byFile['src/bundle.js']).toMatchObject({ kind: 'minified', skipped: true });
    expect(byFile['src/vendor.min.js']).toMatchObject({ kind: 'minified', skipped: true });
    expect(result.files).toEqual(['src/ok.ts']);
    expect(result.findings).toHaveLength(2);
  });

  it('a readable bundle is analysed even with one very long line (an inline source map); a minified one with line breaks is skipped', async () => {
    const modules = Array.from({ length: 2500 }, (_, i) => `  // module ${i}\n  function helper${i}(value) {\n    return value + ${i};\n  }\n`).join('');
    const readable = `(function () {\n${modules}  async function save() {}\n  function onEvent() {\n    save();\n  }\n  globalThis.onEvent = onEvent;\n})();\n//# sourceMappingURL=data:application/json;base64,${'QUJD'.repeat(20_000)}\n`;
    // Wrapped every ~800 characters, as some minifiers do: long lines on average.
    const minified = Array.from({ length: 20 }, (_, i) => `var a${i}=function(b){return b+${i}};`.repeat(25)).join('\n');
    const root = makeProject({ 'src/bundle.js': readable, 'src/wrapped.js': minified });
    expect(readable.split('\n').length).toBeGreaterThan(10_000);
    const result = await scan({ cwd: root, config: false });
    expect(result.files).toContain('src/bundle.js');
    expect(result.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['src/bundle.js no-floating-promise']);
    expect(errorsByFile(result)['src/wrapped.js']).toMatchObject({ kind: 'minified', skipped: true, message: expect.stringMatching(/characters per line on average/) });
  });

  it('symbolic link loops are reported once and not followed', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/ok.ts': DISEASED_TS });
    symlinkSync('..', path.join(root, 'src', 'parent-loop'));
    symlinkSync('self.ts', path.join(root, 'src', 'self.ts'));
    symlinkSync('b.ts', path.join(root, 'src', 'a.ts'));
    symlinkSync('a.ts', path.join(root, 'src', 'b.ts'));
    const result = await scan({ cwd: root, config: false });
    const loops = result.errors
      .filter((e) => e.kind === 'symlink-loop')
      .map((e) => e.file)
      .sort();
    expect(loops).toEqual(['src/a.ts', 'src/b.ts', 'src/parent-loop', 'src/self.ts']);
    expect(result.files).toEqual(['src/ok.ts']);
    expect(result.findings).toHaveLength(2);
  });

  it('a file that vanishes after discovery is an error entry, and the scan goes on', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/gone.ts': DISEASED_TS, 'src/ok.ts': DISEASED_TS });
    const result = await scan({
      cwd: root,
      config: false,
      onProgress: (event) => {
        if (event.phase === 'discover') unlinkSync(path.join(root, 'src/gone.ts'));
      },
    });
    expect(errorsByFile(result)['src/gone.ts']).toMatchObject({ kind: 'vanished', skipped: false });
    expect(result.files).toEqual(['src/ok.ts']);
    expect(result.findings).toHaveLength(2);
  });

  it('an unreadable file is an error entry (permission denied)', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/secret.ts': DISEASED_TS, 'src/ok.ts': DISEASED_TS });
    chmodSync(path.join(root, 'src/secret.ts'), 0o000);
    if (process.getuid?.() === 0) {
      // root reads anything: the permission case is exercised through the CLI as an unprivileged user in test/cli.
      chmodSync(path.join(root, 'src/secret.ts'), 0o644);
      return;
    }
    const result = await scan({ cwd: root, config: false });
    expect(errorsByFile(result)['src/secret.ts']).toMatchObject({ kind: 'unreadable', skipped: false });
    expect(result.files).toEqual(['src/ok.ts']);
  });

  it('a missing tsconfig is a usage error naming it', async () => {
    const root = makeProject({ 'src/ok.ts': DISEASED_TS });
    await expect(scan({ cwd: root, tsconfig: 'nope/tsconfig.json', config: false })).rejects.toThrow(ScanUsageError);
    await expect(scan({ cwd: root, tsconfig: 'nope/tsconfig.json', config: false })).rejects.toThrow(/tsconfig not found: .*nope\/tsconfig\.json/);
  });

  it('a broken tsconfig (bad JSON, unknown option, missing extends, missing reference) found beside the sources is an error entry naming it; its files are still analysed; named with --tsconfig it stops the scan', async () => {
    const cases: [string, RegExp][] = [
      ['{ "compilerOptions": { "strict": true, } ', /broken tsconfig .*tsconfig\.json/],
      ['{ "compilerOptions": { "notAnOption": true } }', /Unknown compiler option 'notAnOption'/],
      ['{ "extends": "./missing-base.json" }', /missing-base\.json/],
      ['{ "files": [], "references": [{ "path": "./packages/none" }] }', /tsconfig not found: .*packages\/none.*referenced from/],
    ];
    for (const [tsconfig, message] of cases) {
      const root = makeProject({ 'tsconfig.json': tsconfig, 'src/ok.ts': DISEASED_TS });
      const result = await scan({ cwd: root, config: false });
      const entry = result.errors.find((error) => error.kind === 'tsconfig');
      expect(entry, tsconfig).toMatchObject({ skipped: false, message: expect.stringMatching(message) });
      expect(result.files).toEqual(['src/ok.ts']);
      expect(result.findings).toHaveLength(2);
      await expect(scan({ cwd: root, config: false, tsconfig: 'tsconfig.json' })).rejects.toThrow(message);
    }
  });

  it('one broken tsconfig among many: an error entry names it, its files are analysed in the inferred program, the rest with their own', async () => {
    const root = makeProject({
      'packages/good/tsconfig.json': TSCONFIG,
      'packages/good/src/a.ts': DISEASED_TS,
      'packages/typings/tsconfig.json': '{ "extends": "../../tsconfig.base.json" }',
      'packages/typings/src/b.ts': DISEASED_TS,
      'packages/other/tsconfig.json': TSCONFIG,
      'packages/other/src/c.ts': DISEASED_TS,
    });
    const result = await scan({ cwd: root, config: false });
    expect(result.files).toEqual(['packages/good/src/a.ts', 'packages/other/src/c.ts', 'packages/typings/src/b.ts']);
    expect(result.findings).toHaveLength(6);
    expect(result.errors).toEqual([
      expect.objectContaining({ file: 'packages/typings/tsconfig.json', kind: 'tsconfig', skipped: false, message: expect.stringMatching(/tsconfig\.base\.json[\s\S]*analysed without it/) }),
    ]);
    expect(result.projects).toEqual([path.join(root, 'packages/good/tsconfig.json'), path.join(root, 'packages/other/tsconfig.json')]);
  });

  it('never executes the scanned code', async () => {
    const marker = path.join(makeProject({}), 'executed');
    const payload = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport {};\n`;
    const root = makeProject({
      'package.json': JSON.stringify({ name: 'x', scripts: { postinstall: `node -e "require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')"` } }),
      'src/payload.ts': payload,
      'src/payload.cjs': `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`,
      'loop-audit.config.json': '{}',
    });
    writeFileSync(path.join(root, 'eslint.config.js'), payload);
    const result = await scan({ cwd: root });
    expect(result.errors).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });
});
