#!/usr/bin/env node
// The peer of the Python benchmark: ruff (its WebAssembly build from npm, @astral-sh/ruff-wasm-nodejs)
// with `--select ASYNC,RUF006`, over the .py files under the given directories. Prints one JSON
// object: { files, diagnostics: [{ file, line, column, code, message }] }. Files are read and
// checked one after another, as a CLI run over the tree would.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const roots = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== '__pycache__') walk(full);
    else if (entry.isFile() && entry.name.endsWith('.py')) files.push(full);
  }
};
for (const root of roots) walk(path.resolve(root));

const workspace = new Workspace({ lint: { select: ['ASYNC', 'RUF006'] } }, PositionEncoding.Utf16);
const diagnostics = [];
let failed = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    failed++;
    continue;
  }
  for (const d of workspace.check(text)) {
    // Syntax errors come back without a code.
    if (!d.code) continue;
    diagnostics.push({ file, line: d.start_location.row, column: d.start_location.column, code: d.code, message: d.message });
  }
}
process.stdout.write(`${JSON.stringify({ version: Workspace.version(), files: files.length, unreadable: failed, diagnostics })}\n`);
