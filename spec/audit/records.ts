/**
 * The source audit of the Rules: spec/audit/<area>.yaml holds one record per requirement, saying
 * what the Rule's scenarios check (the claim), the primary source that states each checked value
 * (a registered source, and where in it: function and lines, or section), the releases each value
 * holds for, the verdict and when it was checked. The spec lint validates the records
 * (record.schema.json) and keeps them in step with the Rules (src/lint/audit-lint.ts); the
 * compliance report links each requirement to its record. This module only reads the files:
 * spec/ is a leaf, so it neither validates with the project's schema helper nor throws on a bad
 * file (a report must still be written).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';

export const AUDIT_DIR = __dirname;
export const AUDIT_SCHEMA_FILE = join(__dirname, 'record.schema.json');

/**
 * true: every checked value holds for every release the Rule applies to. version-bound: some
 * values differ between releases, and the Rule's scenarios are tagged so that each release is
 * asked only what holds for it. false: a value does not hold for a release the Rule applies to;
 * the lint refuses it (a false claim is fixed, not recorded).
 */
export const VERDICTS = ['true', 'version-bound', 'false'] as const;
export type AuditVerdict = (typeof VERDICTS)[number];

export interface AuditValue {
  /** The concrete value the scenarios check, as the source states it. */
  value: string;
  /** A source id registered in spec/sources/. */
  source: string;
  /** Where in the source: function and lines, table entry, section. */
  where: string;
  /** The releases (kernel versions, module versions, flavours) the value holds for. */
  holds: string;
}

export interface AuditRecord {
  /** The Rule's sentence when the record was checked (compared with the Rule's text now). */
  rule: string;
  claim: string;
  verdict: AuditVerdict;
  /** YYYY-MM-DD. */
  checked: string;
  values: AuditValue[];
  notes?: string;
}

export interface AuditFile {
  /** Relative to the project: spec/audit/<area>.yaml. */
  file: string;
  /** The parsed document (not yet validated), or undefined when the YAML does not parse. */
  doc: unknown;
  /** Why the YAML does not parse. */
  error?: string;
  /** Line of each requirement's key in the file. */
  lines: Map<string, number>;
}

/** Every spec/audit/*.yaml, parsed, in name order. */
export function readAuditFiles(dir = AUDIT_DIR): AuditFile[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => parseAuditFile(readFileSync(join(dir, n), 'utf8'), `spec/audit/${n}`));
}

export function parseAuditFile(text: string, file: string): AuditFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lines = new Map<string, number>();
  if (doc.errors.length) return { file, doc: undefined, error: doc.errors[0].message.split('\n')[0], lines };
  const reqs = isMap(doc.contents) ? doc.contents.get('requirements', true) : undefined;
  if (isMap(reqs)) {
    for (const pair of reqs.items) {
      if (isScalar(pair.key) && pair.key.range) lines.set(String(pair.key.value), lineCounter.linePos(pair.key.range[0]).line);
    }
  }
  return { file, doc: doc.toJS(), lines };
}

/** A verdict as written (YAML reads an unquoted true or false as a boolean). */
export function verdictOf(v: unknown): AuditVerdict | null {
  const s = typeof v === 'boolean' ? String(v) : v;
  return VERDICTS.includes(s as AuditVerdict) ? (s as AuditVerdict) : null;
}

export interface AuditEntry {
  file: string;
  line: number;
  record: AuditRecord;
}

let cache: Map<string, AuditEntry> | null = null;

/**
 * The records by requirement id, for the reports: only the fields a record must have are relied
 * on, and a file that does not parse contributes nothing (the lint says why). The project's own
 * records are read once.
 */
export function auditRecords(dir = AUDIT_DIR): Map<string, AuditEntry> {
  if (dir === AUDIT_DIR && cache) return cache;
  const out = readRecords(dir);
  if (dir === AUDIT_DIR) cache = out;
  return out;
}

function readRecords(dir: string): Map<string, AuditEntry> {
  const out = new Map<string, AuditEntry>();
  let files: AuditFile[];
  try {
    files = readAuditFiles(dir);
  } catch {
    return out;
  }
  for (const f of files) {
    const reqs = (f.doc as { requirements?: unknown } | undefined)?.requirements;
    if (typeof reqs !== 'object' || reqs === null) continue;
    for (const [id, r] of Object.entries(reqs as Record<string, unknown>)) {
      if (out.has(id) || typeof r !== 'object' || r === null) continue;
      const rec = r as Record<string, unknown>;
      const verdict = verdictOf(rec.verdict);
      if (!verdict || typeof rec.checked !== 'string') continue;
      out.set(id, { file: f.file, line: f.lines.get(id) ?? 0, record: { ...(rec as unknown as AuditRecord), verdict } });
    }
  }
  return out;
}
