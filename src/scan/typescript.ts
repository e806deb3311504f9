import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type { TypeScriptApi } from '../core/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ensureCacheDir } from './cache-dir.js';
import { hashParts } from './hash.js';

/**
 * Loading the TypeScript the scanner runs on: ts-morph's bundled copy (ts-morph pins it, the cache
 * key names ts-morph's version, and `loop-audit fix`/`migrate` build ts-morph Projects on the very
 * same module instance), plus the standard library declarations ts-morph ships with it.
 *
 * It is loaded with `require`, not `import()`: importing a CommonJS module from ESM makes Node
 * run its export lexer over the source first, which for ts-morph costs ~0.15 s on every start.
 * And with a cache directory, V8's code cache spares most of compiling its 9 MB: see
 * `requireWithCodeCache`.
 */

const requireHere = createRequire(import.meta.url);

/** The code caches' folder inside the scan cache's directory: named so it cannot be mistaken for another tool's in a shared directory. */
export const CODE_CACHE_DIR = 'loop-audit-code-cache';

/** Where ts-morph keeps the standard library declarations: a folder that exists only in its memory. */
export const LIB_FOLDER = '/node_modules/typescript/lib';

export interface LoadedTypeScript {
  ts: TypeScriptApi;
  /** Library declarations by file name (`/node_modules/typescript/lib/lib.dom.d.ts` → text), exactly as ts-morph serves them; loaded on first use. */
  readonly libs: ReadonlyMap<string, string>;
}

interface CompiledModule {
  script: vm.Script;
  cacheFile: string;
  /** Whether a valid code cache was used: then there is nothing to write back. */
  cached: boolean;
}

let loaded: LoadedTypeScript | undefined;
const compiled: CompiledModule[] = [];

function bundledPaths(): { typescript: string; common: string } {
  const fromMorph = createRequire(requireHere.resolve('ts-morph/package.json'));
  const common = fromMorph.resolve('@ts-morph/common');
  return { typescript: path.join(path.dirname(common), 'typescript.js'), common };
}

/**
 * TypeScript and its libraries, loaded once per process. `codeCacheDir` (the scan cache's
 * directory, when the run has one) holds the V8 code cache of TypeScript.
 */
export function loadTypeScript(codeCacheDir?: string): LoadedTypeScript {
  if (loaded) return loaded;
  const paths = bundledPaths();
  // TypeScript first: ts-morph-common's own `require('./typescript')` then finds it in the cache.
  // Only TypeScript is worth a code cache: ts-morph-common is mostly the libraries' text, which a
  // code cache would only copy (it compiles in ~15 ms and its cache would be 5 MB).
  const ts = (codeCacheDir && !(paths.typescript in requireHere.cache) ? requireWithCodeCache(paths.typescript, codeCacheDir) : requireHere(paths.typescript)) as TypeScriptApi;
  // The libraries only when a TypeScript 6 program is built: parsing for the TypeScript 7 backend needs none.
  let libs: ReadonlyMap<string, string> | undefined;
  loaded = {
    ts,
    get libs() {
      if (!libs) {
        const common = requireHere(paths.common) as { getLibFiles(): { fileName: string; text: string }[]; libFolderInMemoryPath: string };
        if (common.libFolderInMemoryPath !== LIB_FOLDER) throw new Error(`unexpected ts-morph library folder ${common.libFolderInMemoryPath}`);
        libs = new Map(common.getLibFiles().map((lib) => [`${LIB_FOLDER}/${lib.fileName}`, lib.text]));
      }
      return libs;
    },
  };
  return loaded;
}

/**
 * Requires a CommonJS file through `vm.Script` with V8's code cache, registering it in
 * `require.cache` exactly as Node's loader would, so later `require`s (ts-morph's own included)
 * get this instance. Node 20 has no `module.enableCompileCache`; this is what it does by hand.
 *
 * The cache file is named after the source file's identity (path, size, mtime, ctime, inode) and
 * the Node version: V8 itself rejects a cache from another V8 or other flags, but checks only the
 * source's length, so a reinstalled or patched file must never meet the old cache by name.
 */
function requireWithCodeCache(file: string, dir: string): unknown {
  const stats = statSync(file);
  const key = hashParts([file, String(stats.size), String(stats.mtimeMs), String(stats.ctimeMs), String(stats.ino), process.version, process.arch]).slice(0, 16);
  const cacheFile = path.join(dir, CODE_CACHE_DIR, `${path.basename(file, '.js')}-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const cached = cachedData !== undefined && !script.cachedDataRejected;
  compiled.push({ script, cacheFile, cached });

  const module = new Module(file);
  module.filename = file;
  const requireThere = createRequire(file);
  module.paths = requireThere.resolve.paths('x') ?? [];
  requireHere.cache[file] = module;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    wrapper.call(module.exports, module.exports, requireThere, module, file, path.dirname(file));
  } catch (error) {
    delete requireHere.cache[file];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/**
 * Writes the code caches that were missing or rejected. Called after the analysis, so the cache
 * holds the functions compiled while parsing and checking too, not only the top level. A failure
 * to write is no failure of the scan: the next run compiles again.
 */
export function saveCodeCaches(): void {
  for (const entry of compiled) {
    if (entry.cached) continue;
    entry.cached = true;
    try {
      ensureCacheDir(path.dirname(path.dirname(entry.cacheFile)));
      writeFileAtomic(entry.cacheFile, entry.script.createCachedData(), { durable: false });
      // Caches of earlier versions of the same file are dead weight now.
      const dir = path.dirname(entry.cacheFile);
      const prefix = `${path.basename(entry.cacheFile).replace(/-[0-9a-f]+\.bin$/, '')}-`;
      for (const name of readdirSync(dir)) {
        if (name.startsWith(prefix) && name.endsWith('.bin') && name !== path.basename(entry.cacheFile)) rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      // the next run compiles again
    }
  }
}
