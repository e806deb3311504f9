import { mkdirSync, mkdtempSync, readdirSync, realpathSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveWritableTarget, unifiedDiff, UnsafeWriteError } from '../../src/fix/write.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';

let root: string;
let outside: string;

beforeEach(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'loop-audit-write-'));
  root = path.join(base, 'project');
  outside = path.join(base, 'elsewhere');
  mkdirSync(path.join(root, 'src'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'src/app.ts'), 'old\n');
  writeFileSync(path.join(outside, 'secret.ts'), 'secret\n');
});

describe('resolveWritableTarget', () => {
  it('accepts a regular file inside the root', () => {
    expect(resolveWritableTarget(root, 'src/app.ts')).toBe(path.join(realRoot(), 'src/app.ts'));
  });

  it('refuses a path that climbs out of the root', () => {
    expect(() => resolveWritableTarget(root, '../elsewhere/secret.ts')).toThrow(UnsafeWriteError);
  });

  it('refuses to write through a symlinked file, even one pointing inside', () => {
    symlinkSync(path.join(root, 'src/app.ts'), path.join(root, 'src/link.ts'));
    expect(() => resolveWritableTarget(root, 'src/link.ts')).toThrow(/symbolic link/);
  });

  it('refuses a file whose folder is a symlink out of the root', () => {
    symlinkSync(outside, path.join(root, 'vendor'));
    expect(() => resolveWritableTarget(root, 'vendor/secret.ts')).toThrow(/outside the project root/);
  });

  it('accepts a file whose name starts with two dots: it is inside the root', () => {
    writeFileSync(path.join(root, '..generated.ts'), 'x\n');
    expect(resolveWritableTarget(root, '..generated.ts')).toBe(path.join(realRoot(), '..generated.ts'));
  });

  it('refuses a file that does not exist', () => {
    expect(() => resolveWritableTarget(root, 'src/missing.ts')).toThrow(/does not exist/);
  });
});

describe('writeFileAtomic', () => {
  it('replaces the content, keeps the mode and leaves no temporary file', () => {
    const file = path.join(root, 'src/app.ts');
    chmodSync(file, 0o640);
    writeFileAtomic(file, 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(path.join(root, 'src'))).toEqual(['app.ts']);
  });

  it('creates a new file and its folder, with nothing left behind, and writes bytes as given', () => {
    const file = path.join(root, 'cache', 'deep', 'data.bin');
    writeFileAtomic(file, new Uint8Array([0, 1, 2, 255]), { durable: false });
    expect([...readFileSync(file)]).toEqual([0, 1, 2, 255]);
    writeFileAtomic(file, 'text');
    expect(readFileSync(file, 'utf8')).toBe('text');
    expect(readdirSync(path.dirname(file))).toEqual(['data.bin']);
  });

  it('leaves the old file whole and no temporary file when the write fails', () => {
    const file = path.join(root, 'src/app.ts');
    // A directory where the file should go: the rename fails after the content was written.
    const blocked = path.join(root, 'src/blocked');
    mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    expect(() => writeFileAtomic(blocked, 'new\n')).toThrow();
    expect(readdirSync(path.join(root, 'src')).sort()).toEqual(['app.ts', 'blocked']);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
  });
});

describe('unifiedDiff', () => {
  it('prints a git-style unified diff with forward-slash names', () => {
    const diff = unifiedDiff(path.join('src', 'app.ts'), 'a\nb\nc\n', 'a\nB\nc\n');
    expect(diff).toContain('--- a/src/app.ts');
    expect(diff).toContain('+++ b/src/app.ts');
    expect(diff).toContain('-b\n+B');
  });
});

function realRoot(): string {
  return realpathSync(root);
}
