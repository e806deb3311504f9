import type { TestProject } from 'vitest/node';
import { packBoth, type Tarballs } from '../e2e/support/pack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The tarballs the e2e tests install: packed here, once per run, after dist/ was built. */
    e2eTarballs: Tarballs;
  }
}

/** The e2e project's second global setup (after the build): `npm pack` of both packages, once per run. */
export default function setup(project: TestProject): void {
  project.provide('e2eTarballs', packBoth());
}
