import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { planImport, moduleSystemOf, RUNTIME_MODULE } from '../../src/core/fixes/imports.js';
import { FileFacts } from '../../src/core/facts.js';
import { mergeEdits } from '../../src/fix/apply.js';

function plan(fileName: string, text: string, names: string[]) {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const facts = FileFacts.of({ ts, sourceFile });
  const result = planImport(facts, RUNTIME_MODULE, names);
  const output = result.edits.length === 0 ? text : apply(text, result.edits);
  return { ...result, output, system: moduleSystemOf(facts) };
}

function apply(text: string, edits: { start: number; end: number; text: string }[]): string {
  const edit = mergeEdits(text, edits);
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

describe('planImport', () => {
  it('adds an ESM import after the last import, in the file quote and semicolon style', () => {
    const { output } = plan('a.ts', 'import fs from "node:fs"\nimport path from "node:path"\n\nexport function run() {}\n', ['spawn']);
    expect(output).toBe('import fs from "node:fs"\nimport path from "node:path"\nimport { spawn } from "@loop-audit/runtime"\n\nexport function run() {}\n');
  });

  it('joins the packages where a file lists them before its own modules: in their alphabetical order, after type imports and builtins', () => {
    // The import-sorting rules of ESLint style configs (perfectionist, import/order, simple-import-sort) want this order.
    const sorted =
      "import type { Case } from 'rule-tester'\nimport { readFile } from 'node:fs/promises'\nimport { run } from 'rule-tester'\nimport { describe } from 'vitest'\nimport plugin from '../src/index'\n\nrun()\n";
    expect(plan('a.test.ts', sorted, ['spawn']).output).toBe(
      "import type { Case } from 'rule-tester'\nimport { readFile } from 'node:fs/promises'\nimport { spawn } from '@loop-audit/runtime'\nimport { run } from 'rule-tester'\nimport { describe } from 'vitest'\nimport plugin from '../src/index'\n\nrun()\n",
    );
    // First of all: before the first import, which carries no comment.
    expect(plan('a.ts', "import a from 'alpha';\nimport x from './x.js';\nrun();\n", ['spawn']).output).toBe(
      "import { spawn } from '@loop-audit/runtime';\nimport a from 'alpha';\nimport x from './x.js';\nrun();\n",
    );
    // Packages in no order: after the last of them, still before the file's own modules.
    expect(plan('a.ts', "import z from 'zeta';\nimport a from 'alpha';\nimport x from './x.js';\nrun();\n", ['spawn']).output).toBe(
      "import z from 'zeta';\nimport a from 'alpha';\nimport { spawn } from '@loop-audit/runtime';\nimport x from './x.js';\nrun();\n",
    );
    // A header comment stays on top: the import goes after the last package instead of above the first.
    expect(plan('a.ts', "// header\nimport a from 'alpha';\nimport x from './x.js';\nrun();\n", ['spawn']).output).toBe(
      "// header\nimport a from 'alpha';\nimport { spawn } from '@loop-audit/runtime';\nimport x from './x.js';\nrun();\n",
    );
    // Packages and own modules mixed: no groups to keep, after the last import as before.
    expect(plan('a.ts', "import x from './x.js';\nimport a from 'alpha';\nrun();\n", ['spawn']).output).toBe(
      "import x from './x.js';\nimport a from 'alpha';\nimport { spawn } from '@loop-audit/runtime';\nrun();\n",
    );
  });

  it('adds a require to a CommonJS file, after its other requires', () => {
    const { output, system } = plan('a.js', "'use strict';\nconst fs = require('fs');\n\nmodule.exports = function run() {};\n", ['spawn', 'getRunner']);
    expect(system).toBe('cjs');
    expect(output).toBe("'use strict';\nconst fs = require('fs');\nconst { spawn, getRunner } = require('@loop-audit/runtime');\n\nmodule.exports = function run() {};\n");
  });

  it('extends an existing import from the runtime instead of adding a second one', () => {
    const { output, local } = plan('a.ts', "import { spawn } from '@loop-audit/runtime';\nspawn(x());\n", ['spawn', 'getRunner']);
    expect(output).toBe("import { spawn, getRunner } from '@loop-audit/runtime';\nspawn(x());\n");
    expect(local).toEqual({ spawn: 'spawn', getRunner: 'getRunner' });
  });

  it('adds nothing when the names are imported already, and reports their local names', () => {
    const { edits, local } = plan('a.ts', "import { spawn as track } from '@loop-audit/runtime';\n", ['spawn']);
    expect(edits).toEqual([]);
    expect(local).toEqual({ spawn: 'track' });
  });

  it('aliases a name the file already uses for something else', () => {
    const { output, local } = plan('a.ts', "import { spawn } from 'node:child_process';\nspawn('ls');\n", ['spawn']);
    expect(local.spawn).toBe('loopAuditSpawn');
    expect(output).toContain("import { spawn as loopAuditSpawn } from '@loop-audit/runtime';");
  });

  it('keeps CRLF line endings', () => {
    const { output } = plan('a.ts', "import a from 'a';\r\nrun();\r\n", ['spawn']);
    expect(output).toBe("import a from 'a';\r\nimport { spawn } from '@loop-audit/runtime';\r\nrun();\r\n");
  });

  it('puts the import below a shebang when the file has no imports', () => {
    const { output } = plan('cli.mjs', '#!/usr/bin/env node\nmain();\n', ['runMain']);
    expect(output).toBe("#!/usr/bin/env node\nimport { runMain } from '@loop-audit/runtime';\n\nmain();\n");
  });

  it('keeps a leading header comment on top', () => {
    const { output } = plan('a.ts', '// Copyright header\n\nexport const x = 1;\n', ['spawn']);
    expect(output).toBe("// Copyright header\n\nimport { spawn } from '@loop-audit/runtime';\n\nexport const x = 1;\n");
  });

  it('output parses', () => {
    const { output } = plan('a.ts', "'use strict';\nfoo();\n", ['spawn']);
    const file = ts.createSourceFile('a.ts', output, ts.ScriptTarget.Latest, true);
    expect((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toHaveLength(0);
    expect(output).toBe("'use strict';\nimport { spawn } from '@loop-audit/runtime';\nfoo();\n");
  });
});

describe('planImport follows the order of the imports', () => {
  it('packages sorted, then relative imports (simple-import-sort): in its sorted place among the packages', () => {
    const text =
      "import { subscribeSpyTo } from '@hirez_io/observer-spy';\nimport { Subject } from 'rxjs';\nimport { describe, it } from 'vitest';\n\nimport { Command } from './command';\n\nrun();\n";
    expect(plan('a.spec.ts', text, ['spawn']).output).toBe(
      "import { subscribeSpyTo } from '@hirez_io/observer-spy';\nimport { spawn } from '@loop-audit/runtime';\nimport { Subject } from 'rxjs';\nimport { describe, it } from 'vitest';\n\nimport { Command } from './command';\n\nrun();\n",
    );
  });

  it('it sorts first: before the first package, below the built-ins', () => {
    const text = "import fs from 'node:fs';\nimport chalk from 'chalk';\nimport yargs from 'yargs';\nimport { a } from './a';\n";
    expect(plan('a.ts', text, ['spawn']).output).toBe(
      "import fs from 'node:fs';\nimport { spawn } from '@loop-audit/runtime';\nimport chalk from 'chalk';\nimport yargs from 'yargs';\nimport { a } from './a';\n",
    );
  });

  it('packages in no sorted order: after the last package, before the relative imports', () => {
    const text = "import yargs from 'yargs';\nimport chalk from 'chalk';\nimport { a } from './a';\nimport { b } from '../b';\n";
    expect(plan('a.ts', text, ['spawn']).output).toBe(
      "import yargs from 'yargs';\nimport chalk from 'chalk';\nimport { spawn } from '@loop-audit/runtime';\nimport { a } from './a';\nimport { b } from '../b';\n",
    );
  });

  it('a file whose imports mix the groups keeps the new import last', () => {
    const text = "import { a } from './a';\nimport chalk from 'chalk';\n";
    expect(plan('a.ts', text, ['spawn']).output).toBe("import { a } from './a';\nimport chalk from 'chalk';\nimport { spawn } from '@loop-audit/runtime';\n");
  });
});
