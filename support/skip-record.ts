/** Media types of the records the suite attaches to scenarios (read back by the reports). */
export const SKIP_MEDIA_TYPE = 'application/vnd.tdx-conformance.skip+json';
export const EVIDENCE_MEDIA_TYPE = 'application/vnd.tdx-conformance.evidence+json';

export interface SkipRecord {
  kind: 'not-applicable' | 'cannot-observe' | 'precondition-unmet' | 'needs-opt-in' | 'blocked';
  reason: string;
}

/** The log line that accompanies a skip record, for people reading cucumber's own reports. */
export const skipLogLine = (r: SkipRecord): string => `skipped (${r.kind}): ${r.reason}`;
