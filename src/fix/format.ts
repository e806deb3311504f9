import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The project's own formatter, run on the files a fix or a migration rewrote, so a format check
 * that passed before still passes: prettier (through its API), biome or dprint (through their
 * binaries, text on stdin). A formatter counts only when the project configures it (prettier: a
 * configuration file, a `prettier` key, or a package.json script that runs it with its defaults) and
 * has it installed; a file is formatted only when the formatter left its old text as it was (a file the
 * project does not keep formatted is not reformatted wholesale for one fix).
 */

export type FormatterName = 'prettier' | 'biome' | 'dprint';

export interface Formatter {
  name: FormatterName;
  /** Where its configuration is. */
  config: string;
  /** The text as the formatter writes it, or undefined when it does not handle (or ignores) this file. */
  format(file: string, text: string): Promise<string | undefined>;
}

const PRETTIER_CONFIGS = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.json5',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.toml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.ts',
  '.prettierrc.cts',
  '.prettierrc.mts',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  'prettier.config.ts',
  'prettier.config.cts',
  'prettier.config.mts',
];
const BIOME_CONFIGS = ['biome.json', 'biome.jsonc'];
const DPRINT_CONFIGS = ['dprint.json', '.dprint.json', 'dprint.jsonc', '.dprint.jsonc'];

const isFile = (file: string): boolean => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;

/** The formatter configured for `file`: the nearest configuration above it, not above `root`, whose tool is installed. */
export function findFormatter(root: string, file: string): Formatter | undefined {
  const top = path.resolve(root);
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const found = formatterIn(dir);
    if (found !== undefined) return found ?? undefined;
    if (dir === top || path.dirname(dir) === dir || !dir.startsWith(top)) return undefined;
  }
}

const cache = new Map<string, Formatter | null | undefined>();

/** Forget what was found: a run starts afresh (configurations and installs may have changed since the last one). */
export function resetFormatters(): void {
  cache.clear();
}

/** A formatter configured in `dir` (null: configured but not installed, which ends the search), or undefined. */
function formatterIn(dir: string): Formatter | null | undefined {
  if (cache.has(dir)) return cache.get(dir);
  let found: Formatter | null | undefined;
  // Prettier needs no configuration file: a package whose scripts run it (`prettier --check .`) uses its defaults.
  const prettierConfig =
    PRETTIER_CONFIGS.map((name) => path.join(dir, name)).find(isFile) ?? (packageHasKey(dir, 'prettier') || scriptsRun(dir, 'prettier') ? path.join(dir, 'package.json') : undefined);
  const biomeConfig = BIOME_CONFIGS.map((name) => path.join(dir, name)).find(isFile);
  const dprintConfig = DPRINT_CONFIGS.map((name) => path.join(dir, name)).find(isFile);
  if (biomeConfig) found = biome(dir, biomeConfig) ?? null;
  else if (prettierConfig) found = prettier(dir, prettierConfig) ?? null;
  else if (dprintConfig) found = dprint(dir, dprintConfig) ?? null;
  cache.set(dir, found);
  return found;
}

function readPackage(dir: string): Record<string, unknown> | undefined {
  const file = path.join(dir, 'package.json');
  if (!isFile(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function packageHasKey(dir: string, key: string): boolean {
  return readPackage(dir)?.[key] !== undefined;
}

/** Whether a script of the package.json in `dir` runs `command` (`prettier --check .`, `… && prettier -c src`). */
function scriptsRun(dir: string, command: string): boolean {
  const scripts = readPackage(dir)?.['scripts'];
  if (typeof scripts !== 'object' || scripts === null) return false;
  const invocation = new RegExp(`(?:^|[\\s;&|(])(?:npx\\s+)?${command}(?:\\s|$)`);
  return Object.values(scripts).some((script) => typeof script === 'string' && invocation.test(script));
}

function resolveFrom(dir: string, specifier: string): string | undefined {
  try {
    return createRequire(path.join(dir, 'package.json')).resolve(specifier);
  } catch {
    return undefined;
  }
}

interface PrettierApi {
  format(text: string, options: Record<string, unknown>): Promise<string>;
  resolveConfig(file: string, options?: Record<string, unknown>): Promise<Record<string, unknown> | null>;
  getFileInfo(file: string, options?: Record<string, unknown>): Promise<{ ignored: boolean; inferredParser: string | null }>;
}

function prettier(dir: string, config: string): Formatter | undefined {
  const entry = resolveFrom(dir, 'prettier');
  if (!entry) return undefined;
  let api: Promise<PrettierApi> | undefined;
  return {
    name: 'prettier',
    config,
    async format(file, text) {
      api ??= import(pathToFileURL(entry).href).then((module: { default?: PrettierApi } & PrettierApi) => module.default ?? module);
      const prettierApi = await api;
      const ignorePath = [path.join(dir, '.prettierignore'), path.join(dir, '.gitignore')].filter(isFile);
      const info = await prettierApi.getFileInfo(file, { ignorePath, resolveConfig: true });
      if (info.ignored || !info.inferredParser) return undefined;
      const options = (await prettierApi.resolveConfig(file, { editorconfig: true })) ?? {};
      return prettierApi.format(text, { ...options, filepath: file });
    },
  };
}

/** Runs a formatter's node CLI with `input` on stdin, without blocking the event loop. */
function runWithInput(args: string[], cwd: string, input: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    // eslint-disable-next-line loop-audit/no-loop-per-call -- biome and dprint have no in-process API here: one CLI run per file a fix rewrote
    const child = spawn(process.execPath, args, { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A formatter that cannot start leaves the text alone, as a failing run does.
    child.on('error', () => resolve({ status: null, stdout: '' }));
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function biome(dir: string, config: string): Formatter | undefined {
  const entry = resolveFrom(dir, '@biomejs/biome/package.json');
  if (!entry) return undefined;
  const bin = path.join(path.dirname(entry), 'bin', 'biome');
  if (!isFile(bin)) return undefined;
  return {
    name: 'biome',
    config,
    async format(file, text) {
      const run = await runWithInput([bin, 'format', `--stdin-file-path=${file}`], dir, text);
      // An ignored or unsupported file comes back as it went in, or with an error: leave it alone.
      return run.status === 0 && run.stdout !== '' ? run.stdout : undefined;
    },
  };
}

function dprint(dir: string, config: string): Formatter | undefined {
  const entry = resolveFrom(dir, 'dprint/package.json');
  if (!entry) return undefined;
  const bin = path.join(path.dirname(entry), 'bin.js');
  if (!isFile(bin)) return undefined;
  return {
    name: 'dprint',
    config,
    async format(file, text) {
      const run = await runWithInput([bin, 'fmt', '--config', config, '--stdin', file], dir, text);
      return run.status === 0 && run.stdout !== '' ? run.stdout : undefined;
    },
  };
}

export interface FormatOutcome {
  /** The text to write: formatted, or as the fix left it. */
  text: string;
  formatter?: FormatterName;
  /** Why it was not formatted, when a formatter is configured. */
  skipped?: string;
}

/**
 * `after` formatted by the project's formatter, when the formatter kept `before` as it was (the
 * file is kept formatted). A byte-order mark stays outside the formatter's reach.
 */
export async function formatRewritten(root: string, file: string, before: string, after: string): Promise<FormatOutcome> {
  const formatter = findFormatter(root, file);
  if (!formatter) return { text: after };
  const bom = after.startsWith('\uFEFF') ? '\uFEFF' : '';
  const strip = (text: string): string => (text.startsWith('\uFEFF') ? text.slice(1) : text);
  try {
    const old = await formatter.format(file, strip(before));
    if (old === undefined) return { text: after };
    if (old !== strip(before)) return { text: after, skipped: `not formatted with ${formatter.name}: the file was not formatted before either` };
    const formatted = await formatter.format(file, strip(after));
    return formatted === undefined ? { text: after, skipped: `${formatter.name} could not format the fixed file` } : { text: bom + formatted, formatter: formatter.name };
  } catch (error) {
    return { text: after, skipped: `${formatter.name} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}
