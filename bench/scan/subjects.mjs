// The scanner benchmark's subjects: real, pinned TypeScript code bases from the npm registry,
// unpacked into the gitignored bench/.work/ (their code is never committed). Shared by the
// benchmark (run.mjs) and the test that both type backends report the same on them
// (bench/scan/parity.test.ts, `npm run bench:parity`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WORK = path.join(REPO, 'bench/.work/scan');

/**
 * Each subject ships its TypeScript sources and a tsconfig. Both tsconfigs use an option
 * TypeScript 7 removed, so they are made TypeScript-7-clean the same way for every contender
 * (ESLint and our TypeScript 6 backend read the very same file):
 * - rxjs: `moduleResolution: node` (node10) → `bundler` (with `module: esnext`), no `baseUrl`
 *   (its `paths` are relative to the tsconfig already);
 * - mongodb: no `esModuleInterop: false` (TypeScript 7 only allows true).
 * mongodb's runtime dependencies are installed (without scripts) with @types/node pinned, as its
 * tsconfig asks for `types: ["node"]`.
 */
export const SUBJECTS = [
  {
    name: 'rxjs',
    version: '7.8.2',
    // A leaf operator: re-exported by the barrels, imported by no other operator.
    edited: 'src/internal/operators/skipLast.ts',
    cleanTsconfig(config) {
      config.compilerOptions.moduleResolution = 'bundler';
      config.compilerOptions.module = 'esnext';
      delete config.compilerOptions.baseUrl;
    },
    install: [],
  },
  {
    name: 'mongodb',
    version: '7.9.1',
    // An authentication mechanism: imported by the mechanism table only.
    edited: 'src/cmap/auth/plain.ts',
    cleanTsconfig(config) {
      delete config.compilerOptions.esModuleInterop;
    },
    install: ['@types/node@22.20.7'],
  },
];

export function subjectDir(subject) {
  return path.join(WORK, `${subject.name}-${subject.version}`, 'package');
}

function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** tsconfig.json with comments and trailing commas, as TypeScript reads it. */
function readJsonc(file) {
  const text = readFileSync(file, 'utf8');
  let out = '';
  for (let i = 0, inString = false; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') while (i < text.length && text[i] !== '\n') i++;
    else if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) i++;
      i++;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/**
 * `npm pack` the pinned version, unpack it, clean its tsconfig, install what it needs, and write
 * the ESLint and oxlint configurations the benchmark runs. Done once; a finished setup is marked.
 */
export function prepareSubject(subject) {
  const project = subjectDir(subject);
  const done = path.join(project, '.loop-audit-bench-ready');
  if (existsSync(done)) return project;
  const into = path.dirname(project);
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const tarball = sh('npm', ['pack', `${subject.name}@${subject.version}`, '--silent', '--pack-destination', into], { cwd: into })
    .trim()
    .split('\n')
    .pop();
  sh('tar', ['xzf', path.join(into, tarball), '-C', into]);
  // A repository of its own, as the project would be: the .gitignore of this repository (which
  // ignores bench/.work) does not apply to it, for loop-audit and oxlint alike.
  sh('git', ['init', '-q', project]);
  const tsconfigFile = path.join(project, 'tsconfig.json');
  const config = readJsonc(tsconfigFile);
  subject.cleanTsconfig(config);
  writeFileSync(tsconfigFile, `${JSON.stringify(config, null, 2)}\n`);
  if (subject.install.length > 0) {
    // Its runtime dependencies (the ranges it declares) plus the pinned type packages; no dev or peer tools, no scripts.
    const manifestFile = path.join(project, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    for (const key of ['devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'optionalDependencies', 'scripts']) delete manifest[key];
    for (const spec of subject.install) {
      const at = spec.lastIndexOf('@');
      manifest.dependencies = { ...manifest.dependencies, [spec.slice(0, at)]: spec.slice(at + 1) };
    }
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: project });
  }
  // typescript-eslint and oxlint read their configuration from the project.
  writeFileSync(
    path.join(project, 'eslint.config.mjs'),
    `import tseslint from 'typescript-eslint';
export default [
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
];
`,
  );
  writeFileSync(
    path.join(project, '.oxlintrc.json'),
    JSON.stringify({ categories: { correctness: 'off' }, rules: { 'typescript/no-floating-promises': 'error', 'typescript/no-misused-promises': 'error' } }, null, 2),
  );
  writeFileSync(done, `${new Date().toISOString()}\n`);
  return project;
}
