import type { FileFacts } from './facts.js';
import type { Finding, RuleMeta } from './types.js';

/** One rule family's detection: its meta (src/core/meta/) plus a pure function from file facts to findings. */
export interface Detector<Options extends object = object, MessageId extends string = string> {
  meta: RuleMeta<Options, MessageId>;
  detect(facts: FileFacts, options: Options): Finding<MessageId>[];
}

/** Types `detect` by the meta: its options, and findings that can only name the rule's own messages. */
export function defineDetector<Options extends object, MessageId extends string>(detector: Detector<Options, MessageId>): Detector<Options, MessageId> {
  return detector;
}
