#!/usr/bin/env node
// Accuracy on real code: `npm run corpus` (builds first).
//
// For every pinned package of bench/corpus/packages.json: `npm pack` it into bench/.work/corpus
// (gitignored; third-party code never enters the repository), write a tsconfig (allowJs, checkJs)
// and an ESLint config for exactly the files listed in `paths`, run the built `loop-audit scan`
// (json) and typescript-eslint's no-floating-promises + no-misused-promises (typed) over those
// files, then score the findings against bench/corpus/markers.txt and write docs/accuracy.md.
//
// A package that cannot be downloaded, or a tool that fails on one, is reported in the document
// and makes the run exit 1; it is never dropped silently. So is a file that was neither analysed
// nor listed in the scan's `errors`.
//
// Options:
//   --only a,b        only these packages (names or name@version); writes bench/.work/corpus/accuracy.partial.md
//   --no-eslint       skip typescript-eslint (the comparison columns say so)
//   --fresh           ignore the cached typescript-eslint results (they are keyed on the files and tool versions)
//   --record-before   also store this run's findings as the BEFORE snapshot (bench/corpus/before.tsv)
//   --bin path        the built CLI to run (default dist/src/cli/bin.js): a copy of dist keeps a long run
//                     apart from rebuilds (copy dist to a folder inside this repository, e.g. bench/.work/dist-copy)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseMarkers, sampleFindings, score } from './markers.mjs';
import { renderReport } from './report.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.join(repo, 'bench/corpus');
const work = path.join(repo, 'bench/.work/corpus');
const defaultBin = path.join(repo, 'dist/src/cli/bin.js');
let bin = defaultBin;
const require = createRequire(import.meta.url);

/** The floating-promise sample: size and seed are part of the method (docs/accuracy.md states them). */
export const SAMPLE = { size: 120, seed: 'loop-audit-corpus-2025' };
/** The same method on the held-out set (packages.json `"set": "held-out"`), sampled apart so the tuning sample is unchanged. */
export const HELD_OUT_SAMPLE = { size: 30, seed: SAMPLE.seed };
const HELD_OUT = 'held-out';
const isHeldOut = (pkg) => pkg.set === HELD_OUT;
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/i;
const DECLARATION_FILE = /\.d\.(?:[^/]+\.)?[cm]?ts$/i;
const TOOL_TIMEOUT_MS = 30 * 60 * 1000;
/** node:test's functions whose promises its runner tracks: loop-audit's default allowForKnownSafeCalls, in typescript-eslint's form. */
const NODE_TEST_SAFE_CALLS = { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'only', 'skip', 'todo'] };
/** Bumped when what is kept of an ESLint run changes, so cached runs are redone. */
const ESLINT_CACHE_VERSION = 2;

function parseArgs(argv) {
  const args = { only: undefined, eslint: true, fresh: false, recordBefore: false, bin: defaultBin };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only')
      args.only = argv[++i]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a.startsWith('--only='))
      args.only = a
        .slice(7)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--no-eslint') args.eslint = false;
    else if (a === '--fresh') args.fresh = true;
    else if (a === '--record-before') args.recordBefore = true;
    else if (a === '--bin') args.bin = path.resolve(argv[++i] ?? '');
    else if (a.startsWith('--bin=')) args.bin = path.resolve(a.slice(6));
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

const idOf = (pkg) => `${pkg.name}@${pkg.version}`;
const dirName = (pkg) => idOf(pkg).replace(/\//g, '+');
const sha = (text) => createHash('sha256').update(text).digest('hex');

function log(message) {
  process.stderr.write(`corpus: ${message}\n`);
}

/** npm pack the pinned version into the cache and unpack it; an existing, complete unpack is reused. */
function download(pkg) {
  const into = path.join(work, 'packages', dirName(pkg));
  const root = path.join(into, 'package');
  const stamp = path.join(into, '.complete');
  if (existsSync(stamp)) return root;
  rmSync(into, { recursive: true, force: true });
  const tarballs = path.join(work, 'tarballs');
  mkdirSync(tarballs, { recursive: true });
  const out = execFileSync('npm', ['pack', idOf(pkg), '--json', '--pack-destination', tarballs], { cwd: tarballs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60 * 1000 });
  const [packed] = JSON.parse(out);
  if (!packed || packed.version !== pkg.version) throw new Error(`npm pack returned ${packed?.name}@${packed?.version}, not ${idOf(pkg)}`);
  const staging = `${into}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', ['xzf', path.join(tarballs, packed.filename), '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!existsSync(path.join(staging, 'package'))) throw new Error(`the tarball of ${idOf(pkg)} has no package/ folder`);
  // Its own repository, as the package is in its own project: this repository's .gitignore (which
  // ignores bench/.work) must not apply to it.
  execFileSync('git', ['init', '-q', path.join(staging, 'package')]);
  writeFileSync(path.join(staging, '.integrity'), `${packed.integrity}\n`);
  renameSync(staging, into);
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return root;
}

/** The source files under `paths`, sorted: what both tools analyse. */
function listFiles(root, paths) {
  const files = new Set();
  const missing = [];
  const walk = (rel) => {
    const abs = path.join(root, rel);
    let stat;
    try {
      stat = statSync(abs);
    } catch {
      missing.push(rel);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(abs)) {
        if (entry === 'node_modules' || entry.startsWith('.')) continue;
        walk(rel === '.' ? entry : `${rel}/${entry}`);
      }
    } else if (SOURCE_FILE.test(rel) && !DECLARATION_FILE.test(rel)) files.add(rel.replace(/^\.\//, ''));
  };
  for (const p of paths) walk(p);
  return { files: [...files].sort(), missing };
}

function lineCount(text) {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.endsWith('\n') ? n : n + 1;
}

/** One tsconfig for both tools: the listed files, JavaScript checked, Node's types from this repository. */
function writeTsconfig(root, files) {
  const tsconfig = {
    compilerOptions: {
      allowJs: true,
      checkJs: true,
      noEmit: true,
      skipLibCheck: true,
      strict: true,
      target: 'es2022',
      lib: ['es2023', 'dom', 'dom.iterable'],
      module: 'preserve',
      moduleResolution: 'bundler',
      resolveJsonModule: true,
      experimentalDecorators: true,
      jsx: 'preserve',
      types: ['node'],
      typeRoots: [path.join(repo, 'node_modules/@types')],
    },
    files,
  };
  writeFileSync(path.join(root, 'tsconfig.corpus.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
}

/**
 * typescript-eslint's two rules, typed. `no-floating-promises` runs twice in one pass: as the
 * comparison (allowing node:test's test functions, as loop-audit does by default and as the parity
 * test configures it) and with its defaults (reported alongside, under the `defaults/` prefix).
 */
function writeEslintConfig(root) {
  const tseslint = pathToFileURL(require.resolve('typescript-eslint')).href;
  writeFileSync(
    path.join(root, 'eslint.corpus.config.mjs'),
    `import tseslint from ${JSON.stringify(tseslint)};
export default [
  {
    files: ['**/*.{js,cjs,mjs,jsx,ts,cts,mts,tsx}'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.corpus.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin, defaults: tseslint.plugin },
    // The package's own eslint-disable comments would hide findings from one tool and not the other.
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [${JSON.stringify(NODE_TEST_SAFE_CALLS)}] }],
      '@typescript-eslint/no-misused-promises': 'error',
      'defaults/no-floating-promises': 'error',
    },
  },
];
`,
  );
}

function run(command, args, options) {
  const started = Date.now();
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: TOOL_TIMEOUT_MS, ...options });
  return { ...child, seconds: (Date.now() - started) / 1000 };
}

function scanPackage(root, files) {
  const child = run(process.execPath, [bin, 'scan', '--tsconfig', 'tsconfig.corpus.json', '--format', 'json', '--fail-on', 'off', '--quiet', ...files], { cwd: root });
  if (child.error) throw new Error(`loop-audit scan did not run: ${child.error.message}`);
  let report;
  try {
    report = JSON.parse(child.stdout);
  } catch {
    throw new Error(`loop-audit scan exited ${child.status ?? child.signal} without a json report: ${(child.stderr || '').trim().split('\n').slice(-5).join(' / ')}`);
  }
  return { report, seconds: child.seconds, status: child.status };
}

function eslintVersions() {
  const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  return `eslint ${version('eslint')}, typescript-eslint ${version('typescript-eslint')}, typescript ${version('typescript')}`;
}

function eslintPackage(root, files, pkg, fresh) {
  const key = sha(
    [String(ESLINT_CACHE_VERSION), eslintVersions(), readFileSync(path.join(root, 'tsconfig.corpus.json'), 'utf8'), readFileSync(path.join(root, 'eslint.corpus.config.mjs'), 'utf8'), ...files].join(
      '\n',
    ),
  );
  const cacheFile = path.join(work, 'eslint-cache', `${dirName(pkg)}.json`);
  if (!fresh && existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    if (cached.key === key) return { ...cached.result, cached: true };
  }
  const eslint = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin/eslint.js');
  const child = run(process.execPath, [eslint, '--config', 'eslint.corpus.config.mjs', '--no-warn-ignored', '--format', 'json', ...files], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=6144`.trim() },
  });
  if (child.error) throw new Error(`eslint did not run: ${child.error.message}`);
  let results;
  try {
    results = JSON.parse(child.stdout);
  } catch {
    throw new Error(`eslint exited ${child.status ?? child.signal} without a json report: ${(child.stderr || '').trim().split('\n').slice(-5).join(' / ')}`);
  }
  const messages = [];
  const defaults = [];
  const fatal = [];
  for (const result of results) {
    const file = path.relative(root, result.filePath).split(path.sep).join('/');
    for (const m of result.messages) {
      if (m.fatal) fatal.push({ file, message: m.message });
      // Other messages without a rule are notices about comments (\`/* eslint-env */\` under noInlineConfig).
      else if (m.ruleId) {
        const message = { file, line: m.line, column: m.column, rule: m.ruleId.replace('@typescript-eslint/', ''), messageId: m.messageId };
        (m.ruleId.startsWith('defaults/') ? defaults : messages).push(message);
      }
    }
  }
  const result = { messages, defaults, fatal, files: results.length, seconds: child.seconds };
  mkdirSync(path.dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ key, result }));
  return result;
}

function analyse(pkg, args) {
  const entry = { id: idOf(pkg), name: pkg.name, version: pkg.version, part: pkg.part, set: isHeldOut(pkg) ? HELD_OUT : 'tuning', why: pkg.why, problems: [] };
  let root;
  try {
    root = download(pkg);
  } catch (error) {
    entry.status = 'download failed';
    entry.problems.push(`download: ${String(error.message).split('\n')[0]}`);
    return entry;
  }
  const { files, missing } = listFiles(root, pkg.paths);
  for (const p of missing) entry.problems.push(`path ${p} is not in the package`);
  if (files.length === 0) {
    entry.status = 'no files';
    entry.problems.push('no source file under the listed paths');
    return entry;
  }
  writeTsconfig(root, files);
  writeEslintConfig(root);
  entry.root = root;
  entry.fileCount = files.length;

  try {
    const { report, seconds, status } = scanPackage(root, files);
    entry.scanSeconds = seconds;
    entry.scanStatus = status;
    const errorFiles = new Set(report.errors.map((e) => e.file));
    entry.errors = report.errors;
    entry.analysedFiles = report.summary.files;
    // Item 5 of the issue: every listed file is analysed or an `errors` entry.
    const accounted = report.summary.files + errorFiles.size;
    if (accounted !== files.length) entry.problems.push(`${files.length} files listed, ${report.summary.files} analysed + ${errorFiles.size} in errors`);
    if (status === 2) entry.problems.push('loop-audit scan exited 2 (broken input)');
    // Skipped files (minified, binary) and files that do not parse are what `errors` is for; anything
    // else there (a detector that threw, an unreadable file) is a failure of the run.
    const crashes = report.errors.filter((e) => !e.message.startsWith('skipped:') && !e.message.startsWith('syntax error'));
    for (const e of crashes) entry.problems.push(`scan error in ${e.file}: ${e.message}`);
    entry.syntaxErrors = new Set(report.errors.filter((e) => e.message.startsWith('syntax error')).map((e) => e.file));
    entry.findings = report.findings.map((f) => ({
      package: entry.id,
      file: f.file,
      line: f.line,
      column: f.column,
      rule: f.ruleId.replace('loop-audit/', ''),
      message: f.message,
    }));
    let lines = 0;
    for (const file of files) if (!errorFiles.has(file)) lines += lineCount(readFileSync(path.join(root, file), 'utf8'));
    entry.lines = lines;
  } catch (error) {
    entry.status = 'scan failed';
    entry.problems.push(`scan: ${error.message}`);
    return entry;
  }

  if (args.eslint) {
    try {
      const result = eslintPackage(root, files, pkg, args.fresh);
      entry.eslint = result;
      // A file that does not parse for either tool is broken on purpose (a test fixture); one that only ESLint cannot parse is a problem.
      const fatal = result.fatal.filter((f) => !entry.syntaxErrors.has(f.file));
      for (const f of fatal.slice(0, 10)) entry.problems.push(`typescript-eslint could not parse ${f.file}: ${f.message}`);
      if (fatal.length > 10) entry.problems.push(`typescript-eslint could not parse ${fatal.length - 10} more files`);
    } catch (error) {
      entry.problems.push(`typescript-eslint: ${error.message}`);
      entry.eslintFailed = true;
    }
  }
  entry.status = entry.problems.length === 0 ? 'ok' : 'analysed, with problems';
  return entry;
}

function recordBefore(findings) {
  const header = '# BEFORE snapshot of `npm run corpus` findings (package, file, line, column, rule, message); written by --record-before.\n';
  const rows = findings.map((f) => [f.package, f.file, f.line, f.column, f.rule, f.message.replace(/[\t\n]/g, ' ')].join('\t'));
  writeFileSync(path.join(corpusDir, 'before.tsv'), header + rows.join('\n') + '\n');
}

export function readBefore(name = 'before.tsv') {
  const file = path.join(corpusDir, name);
  if (!existsSync(file)) return undefined;
  const findings = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [pkg, f, l, c, rule, message] = line.split('\t');
    findings.push({ package: pkg, file: f, line: Number(l), column: Number(c), rule, message });
  }
  return findings;
}

/** The code around a finding, for the person judging it. */
function context(root, file, line, radius = 7) {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const from = Math.max(1, line - radius);
  const to = Math.min(lines.length, line + radius);
  const out = [];
  for (let i = from; i <= to; i++) out.push(`${i === line ? '>' : ' '}${String(i).padStart(6)}  ${lines[i - 1]}`);
  return out.join('\n');
}

function writeWorksheet(entries, toJudge) {
  const roots = new Map(entries.map((e) => [e.id, e.root]));
  const parts = [`# Findings to judge (${toJudge.length})\n`, 'Each block ends with a marker line to complete and copy into bench/corpus/markers.txt.\n'];
  for (const f of toJudge) {
    parts.push(
      `## ${f.package} ${f.file}:${f.line}:${f.column} ${f.rule}\n\n${f.message}\n\n\`\`\`\n${context(roots.get(f.package), f.file, f.line)}\n\`\`\`\n\n    ${f.package} | ${f.file} | ${f.line} | ${f.rule} | ? | \n`,
    );
  }
  writeFileSync(path.join(work, 'worksheet.md'), parts.join('\n'));
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  bin = args.bin;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first (npm run corpus does)`);
  const list = JSON.parse(readFileSync(path.join(corpusDir, 'packages.json'), 'utf8')).packages;
  const ids = new Set(list.map(idOf));
  if (ids.size !== list.length) throw new Error('packages.json lists a package twice');
  const heldOutIds = new Set(list.filter(isHeldOut).map(idOf));
  for (const p of list) if (p.set !== undefined && p.set !== HELD_OUT) throw new Error(`packages.json: ${idOf(p)} has set '${p.set}'; the only set is '${HELD_OUT}' (absent: the tuning set)`);
  const markers = parseMarkers(readFileSync(path.join(corpusDir, 'markers.txt'), 'utf8'));
  for (const m of markers) if (!ids.has(m.package)) throw new Error(`markers.txt:${m.source}: ${m.package} is not in packages.json`);
  const selected = args.only ? list.filter((p) => args.only.includes(p.name) || args.only.includes(idOf(p))) : list;
  if (args.only && selected.length !== args.only.length) throw new Error(`--only names a package that is not in packages.json: ${args.only.join(', ')}`);
  mkdirSync(work, { recursive: true });

  const entries = [];
  for (const pkg of selected) {
    log(`${idOf(pkg)} …`);
    const entry = analyse(pkg, args);
    log(
      `${idOf(pkg)}: ${entry.status}${entry.findings ? `, ${entry.findings.length} findings in ${entry.lines} lines (${entry.scanSeconds.toFixed(1)} s)` : ''}${entry.eslint ? `, typescript-eslint ${entry.eslint.messages.length}${entry.eslint.cached ? ' (cached)' : ` (${entry.eslint.seconds.toFixed(1)} s)`}` : ''}`,
    );
    for (const p of entry.problems) log(`  ${p}`);
    entries.push(entry);
  }

  // A marker whose file is not in the package is a typo, not a miss.
  for (const m of markers) {
    const entry = entries.find((e) => e.id === m.package);
    if (entry?.root && !existsSync(path.join(entry.root, m.file))) throw new Error(`markers.txt:${m.source}: ${m.package} has no file ${m.file}`);
  }

  // The tuning set (the rules were tuned on it) and the held-out set are scored and sampled apart:
  // the tables of the tuning set are what they were before the held-out set was added.
  const scoreSet = (setEntries, spec) => {
    const analysed = new Set(setEntries.filter((e) => e.findings).map((e) => e.id));
    const findings = setEntries.flatMap((e) => e.findings ?? []);
    const scored = score(findings, markers, analysed);
    const sample = sampleFindings(
      findings.filter((f) => f.rule === 'no-floating-promise'),
      spec.size,
      spec.seed,
    );
    const mustJudge = (f) => f.rule !== 'no-floating-promise' || sample.has(f);
    const toJudge = scored.judged.filter((j) => j.verdict === 'unjudged' && mustJudge(j.finding)).map((j) => j.finding);
    return { entries: setEntries, analysed, findings, scored, sample, toJudge, sampleSpec: spec };
  };
  const tuning = scoreSet(
    entries.filter((e) => e.set !== HELD_OUT),
    SAMPLE,
  );
  const heldOut = scoreSet(
    entries.filter((e) => e.set === HELD_OUT),
    HELD_OUT_SAMPLE,
  );
  const { analysed, scored, sample } = tuning;
  const findings = entries.flatMap((e) => e.findings ?? []);
  const toJudge = [...tuning.toJudge, ...heldOut.toJudge];

  let before;
  if (args.recordBefore) {
    if (args.only) throw new Error('--record-before needs the whole corpus (no --only)');
    recordBefore(tuning.findings);
  }
  before = readBefore();
  // Precision before is measured on BEFORE's own seeded sample of floating promises, as now on today's.
  const beforeSample =
    before &&
    sampleFindings(
      before.filter((f) => f.rule === 'no-floating-promise'),
      SAMPLE.size,
      SAMPLE.seed,
    );
  const beforeScored = before && !args.only ? score(before, markers, analysed) : undefined;
  const beforePrecision =
    before && !args.only
      ? score(
          before.filter((f) => f.rule !== 'no-floating-promise' || beforeSample.has(f)),
          markers,
          analysed,
        )
      : undefined;

  // The held-out set as first measured, before detectors were changed while looking at it: scored
  // against the same markers, its floating-promise precision on its own seeded sample.
  const heldOutFirst = readBefore('held-out-before.tsv')?.filter((f) => heldOut.analysed.has(f.package));
  if (heldOutFirst) {
    const firstSample = sampleFindings(
      heldOutFirst.filter((f) => f.rule === 'no-floating-promise'),
      HELD_OUT_SAMPLE.size,
      HELD_OUT_SAMPLE.seed,
    );
    heldOut.first = {
      findings: heldOutFirst,
      scored: score(heldOutFirst, markers, heldOut.analysed),
      precision: score(
        heldOutFirst.filter((f) => f.rule !== 'no-floating-promise' || firstSample.has(f)),
        markers,
        heldOut.analysed,
      ),
    };
  }

  writeWorksheet(entries, toJudge);
  const summary = {
    heldOutByRule: heldOut.scored.byRule,
    entries: entries.map(({ findings: _f, eslint, root: _r, syntaxErrors: _s, ...rest }) => ({ ...rest, eslintMessages: eslint?.messages.length })),
    byRule: scored.byRule,
  };
  writeFileSync(path.join(work, 'results.json'), JSON.stringify({ summary, findings, eslint: entries.map((e) => ({ id: e.id, messages: e.eslint?.messages ?? [] })) }, null, 1));

  const markdown = renderReport({
    entries: tuning.entries,
    scored,
    beforeScored,
    beforePrecision,
    before,
    sample,
    sampleSpec: SAMPLE,
    toJudge: tuning.toJudge,
    eslintRan: args.eslint,
    markers: markers.filter((m) => !heldOutIds.has(m.package)),
    partial: Boolean(args.only),
    heldOut,
  });
  const out = args.only ? path.join(work, 'accuracy.partial.md') : path.join(repo, 'docs/accuracy.md');
  writeFileSync(out, markdown);
  log(`wrote ${path.relative(repo, out)}; ${toJudge.length} findings still to judge (bench/.work/corpus/worksheet.md)`);

  const failed = entries.filter((e) => e.status !== 'ok');
  if (failed.length > 0) {
    log(`${failed.length} package(s) with problems: ${failed.map((e) => `${e.id} (${e.status})`).join(', ')}`);
    process.exitCode = 1;
  }
  if (tuning.analysed.size + heldOut.analysed.size === 0) {
    log('nothing was analysed');
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (error) {
    log(error.stack ?? String(error));
    process.exitCode = 2;
  }
}
