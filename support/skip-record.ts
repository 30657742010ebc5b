/** Media types of the records the suite attaches to scenarios (read back by the reports). */
export const SKIP_MEDIA_TYPE = 'application/vnd.tdx-conformance.skip+json';
export const EVIDENCE_MEDIA_TYPE = 'application/vnd.tdx-conformance.evidence+json';

export interface SkipRecord {
  kind: 'not-applicable' | 'cannot-observe' | 'precondition-unmet' | 'needs-opt-in' | 'blocked';
  reason: string;
}
