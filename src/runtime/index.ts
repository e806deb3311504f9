/**
 * `loop-audit/runtime` is `@loop-audit/runtime`, re-exported for code written against the
 * earlier entry point. One copy of the package serves both names, so both see the same default
 * runner. Fixes import `@loop-audit/runtime` itself: fixed code depends on that small package,
 * not on loop-audit and its analysis dependencies.
 */
export * from '@loop-audit/runtime';
