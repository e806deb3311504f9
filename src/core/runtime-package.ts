/**
 * The package fixed code imports: the runtime alone, zero dependencies, so a fix never pulls
 * loop-audit's analysis dependencies (ts-morph, typescript-eslint) into a project's production
 * dependencies. Its version range comes from the installed package (src/fix/dependency.ts).
 */
export const RUNTIME_PACKAGE = '@loop-audit/runtime';

/**
 * loop-audit's re-export of the same package. The analysis knows the runtime's exports under this
 * one name (`loop-audit/runtime#spawn`), whichever of the two specifiers a file imports.
 */
export const RUNTIME_REEXPORT = 'loop-audit/runtime';
