import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The published typings, as a user's strict project sees them: the declaration files in dist/
 * (resolved through the package's exports), compiled with the options fixed code must pass under.
 */
describe('typings', () => {
  it('spawn takes what floats and the sync replacements keep their function types, under strict settings', () => {
    const file = fileURLToPath(new URL('./fixtures/types/uses-runtime.ts', import.meta.url));
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noEmit: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName.split('/').pop()}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    expect(diagnostics).toEqual([]);
    // The runtime's declarations were what got checked, not a stand-in.
    expect(program.getSourceFiles().some((f) => /runtime[\\/]dist[\\/]runner\.d\.ts$/.test(f.fileName))).toBe(true);
  });
});
