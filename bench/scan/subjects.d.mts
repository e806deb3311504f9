export interface Subject {
  name: string;
  version: string;
  /** The file the benchmark's warm runs edit. */
  edited: string;
  cleanTsconfig(config: { compilerOptions: Record<string, unknown> }): void;
  install: string[];
}
export const REPO: string;
export const WORK: string;
export const SUBJECTS: Subject[];
export function subjectDir(subject: Subject): string;
export function prepareSubject(subject: Subject): string;
