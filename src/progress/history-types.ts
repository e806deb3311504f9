/** One sampled commit of the burndown. */
export interface HistoryPoint {
  commit: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
  /** Remaining findings (plus forbidden packages) per phase name at that commit. */
  phases: Record<string, number>;
  /** Findings of every rule at that commit. */
  total: number;
  /** Whether the point came from the cache rather than a scan in this run. */
  cached: boolean;
}

export interface HistoryReport {
  points: HistoryPoint[];
  /** First-parent commits in range before sampling. */
  commitsInRange: number;
  maxPoints: number;
  since: string | null;
  shallow: boolean;
  /** How far back the history went and why not further; commits that could not be scanned. */
  notes: string[];
}
