import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeRule } from '../../src/core/analyze.js';

const source = 'async function save() {}\nfunction onClick() {\n  save();\n}\n';

/** A checker whose every method throws the given error: stands in for a TypeScript-internal crash. */
function throwingChecker(error: Error): ts.TypeChecker {
  return new Proxy({} as ts.TypeChecker, {
    get: () => () => {
      throw error;
    },
  });
}

function input(checker: ts.TypeChecker) {
  return { ts, sourceFile: ts.createSourceFile('/tmp/app.ts', source, ts.ScriptTarget.Latest, true), checker };
}

describe('a type checker that crashes inside TypeScript', () => {
  it('falls back to the untyped analysis of that file instead of failing the lint', () => {
    const crash = new TypeError("Cannot read properties of undefined (reading 'includes')");
    crash.stack = `${crash.name}: ${crash.message}\n    at normalizeSlashes (/app/node_modules/typescript/lib/typescript.js:8853:15)\n    at getLocalModuleSpecifier (/app/node_modules/typescript/lib/typescript.js:50210:25)`;
    const findings = analyzeRule(input(throwingChecker(crash)), 'no-floating-promise');
    expect(findings.map((f) => f.messageId)).toEqual(['floating']);
  });

  it('does not hide an error of loop-audit itself', () => {
    const bug = new Error('detector bug');
    bug.stack = `Error: detector bug\n    at Finder.run (/app/node_modules/loop-audit/dist/src/core/detectors/floating-promise.js:1:1)`;
    expect(() => analyzeRule(input(throwingChecker(bug)), 'no-floating-promise')).toThrow('detector bug');
  });
});
