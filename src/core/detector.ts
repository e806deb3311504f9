import type { FileFacts } from './facts.js';
import type { Finding, RuleMeta } from './types.js';

/** One rule family's detection: metadata plus a pure function from file facts to findings. */
export interface Detector<Options extends object = object> {
  meta: RuleMeta<Options>;
  detect(facts: FileFacts, options: Options): Finding[];
}

/** Types `meta` and `detect` together so a detector's options are checked against its defaults. */
export function defineDetector<Options extends object>(detector: Detector<Options>): Detector<Options> {
  return detector;
}
