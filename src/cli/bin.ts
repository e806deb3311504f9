#!/usr/bin/env node
import { fastScan } from './fast-scan.js';

// A plain `scan` runs without loading commander and the other commands (see fast-scan.ts);
// everything else, and every unusual form of `scan`, goes through commander in main.ts.
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = (await fastScan(process.argv, io)) ?? (await (await import('./main.js')).main(process.argv, io));
