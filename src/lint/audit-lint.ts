/**
 * The spec lint's checks of the source audit (spec/audit/<area>.yaml, see spec/audit/records.ts):
 *  - every file is valid YAML and follows spec/audit/record.schema.json (through the project's
 *    schema helper);
 *  - every requirement of the features has exactly one record, in the file of its area, and no
 *    record names a requirement no Rule has;
 *  - every value cites a registered source; a code or patch source must say which commit or
 *    release it is, or, for a patch or mail, the day it was posted (a posting does not change once
 *    sent); doc and capture sources answer to the registry's own checks;
 *  - no verdict is false: a claim found false is fixed (Rule, scenarios, emulator), not recorded;
 *  - a record whose rule text is not the Rule's text now is older than a change to its Rule.
 * Problems read "file: requirement: problem".
 */
import type { ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { lazyValidator } from '../../backends/common/schema';
import { AUDIT_SCHEMA_FILE, verdictOf, type AuditFile, type AuditRecord } from '../../spec/audit/records';
import type { Source } from '../../spec/sources';

export interface AuditProblem {
  file: string;
  line: number;
  message: string;
}

export interface AuditLintInput {
  files: AuditFile[];
  /** Every requirement of the features: its Rule's text and where the Rule is (file:line). */
  rules: ReadonlyMap<string, { text: string; where: string }>;
  sources: Readonly<Record<string, Source>>;
}

const validate = lazyValidator(() => JSON.parse(readFileSync(AUDIT_SCHEMA_FILE, 'utf8')), { allErrors: true });

/** The area a requirement belongs to (host, kvm, guest): the first part of its id. */
export const areaOf = (req: string): string => req.split('.')[0];

function schemaMessage(e: ErrorObject, fieldPath: string): string {
  const field = fieldPath || '(the record)';
  switch (e.keyword) {
    case 'required': return `${fieldPath ? fieldPath + '.' : ''}${e.params.missingProperty} is missing`;
    case 'additionalProperties': return `${fieldPath ? fieldPath + '.' : ''}${e.params.additionalProperty} is not a known field`;
    case 'enum': return `${field} must be one of: ${[...new Set((e.params.allowedValues as unknown[]).map(String))].join(', ')}`;
    case 'pattern': return fieldPath.endsWith('checked') ? `${field} must be a date, YYYY-MM-DD` : `${field} must not be empty`;
    case 'minItems': return `${field} must list at least one value`;
    default: return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/** Schema problems, each attributed to its requirement when it lies inside one. */
function schemaProblems(f: AuditFile): AuditProblem[] {
  if (validate()(f.doc)) return [];
  const out: AuditProblem[] = [];
  for (const e of validate().errors ?? []) {
    // A requirement id that breaks the pattern is reported once, by propertyNames.
    if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
    const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (parts[0] === 'requirements' && parts.length >= 2) {
      const req = parts[1];
      const fieldPath = parts.slice(2).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
      out.push({ file: f.file, line: f.lines.get(req) ?? 0, message: `${req}: ${schemaMessage(e, fieldPath)}` });
    } else if (e.keyword === 'propertyNames') {
      out.push({ file: f.file, line: 0, message: `requirement id "${e.params.propertyName}" must be lower case letters, digits, dots and dashes` });
    } else if (e.keyword === 'type') {
      out.push({ file: f.file, line: 0, message: `${parts.join('.') || 'the file'} must be a mapping (requirements: <id>: <record>)` });
    } else {
      out.push({ file: f.file, line: 0, message: schemaMessage(e, parts.join('.')) });
    }
  }
  return out;
}

const POSTING_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What makes a registered source unfit to back a checked value, or null. */
function sourceProblem(s: Source | undefined): string | null {
  if (!s) return 'is not registered in spec/sources/';
  if (s.kind !== 'code' && s.kind !== 'patch') return null;
  if (s.commit || s.commits?.length || s.kernel) return null;
  if (s.kind === 'patch' && typeof s.date === 'string' && POSTING_DAY.test(s.date)) return null;
  return s.kind === 'code'
    ? '(kind code) names no commit and no release (commit, commits or kernel in spec/sources/)'
    : '(kind patch) names no commit, no release and no day of posting (commit, commits, kernel, or date YYYY-MM-DD in spec/sources/)';
}

export function auditProblems(input: AuditLintInput): AuditProblem[] {
  const problems: AuditProblem[] = [];
  const seen = new Map<string, string>(); // requirement -> file of its first record
  const unreadable = new Set<string>(); // files that do not parse: their records are not "missing"
  for (const f of input.files) {
    const add = (req: string, message: string) => problems.push({ file: f.file, line: f.lines.get(req) ?? 0, message: `${req}: ${message}` });
    if (f.error !== undefined) {
      problems.push({ file: f.file, line: 0, message: `not valid YAML: ${f.error}` });
      unreadable.add(f.file);
      continue;
    }
    const schema = schemaProblems(f);
    problems.push(...schema);
    const reqs = (f.doc as { requirements?: unknown } | null)?.requirements;
    if (typeof reqs !== 'object' || reqs === null || Array.isArray(reqs)) continue;
    const area = /spec\/audit\/([^/]+)\.yaml$/.exec(f.file)?.[1];
    for (const [req, raw] of Object.entries(reqs as Record<string, unknown>)) {
      if (seen.has(req)) add(req, `also recorded in ${seen.get(req)}: keep one record`);
      else seen.set(req, f.file);
      if (area && areaOf(req) !== area) add(req, `belongs in spec/audit/${areaOf(req)}.yaml (the file of its area)`);
      const rule = input.rules.get(req);
      if (!rule) add(req, 'no Rule has this requirement (removed or renamed?): delete the record or give it the new id');
      if (typeof raw !== 'object' || raw === null) continue;
      const r = raw as Partial<AuditRecord> & { verdict?: unknown };
      if (verdictOf(r.verdict) === 'false') {
        add(req, 'verdict false: a claim found false must be fixed (the Rule, its scenarios, the emulator and its fault), not recorded');
      }
      if (rule && typeof r.rule === 'string' && r.rule !== rule.text) {
        add(req, `record older than a change to its Rule: re-check it (the record says "${r.rule}"; the Rule at ${rule.where} now says "${rule.text}")`);
      }
      (Array.isArray(r.values) ? r.values : []).forEach((v, i) => {
        if (typeof v?.source !== 'string') return;
        const why = sourceProblem(input.sources[v.source]);
        if (why) add(req, `values[${i}].source "${v.source}" ${why}`);
      });
    }
  }
  for (const [req, rule] of [...input.rules].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = `spec/audit/${areaOf(req)}.yaml`;
    if (!seen.has(req) && !unreadable.has(file)) {
      problems.push({ file, line: 0, message: `${req}: no audit record for the Rule at ${rule.where} (the claim, each checked value's primary source, the releases it holds for)` });
    }
  }
  return problems;
}

/** Source ids the records cite (the spec lint counts them as citations). */
export function auditCitations(files: readonly AuditFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const reqs = (f.doc as { requirements?: Record<string, { values?: unknown }> } | null)?.requirements;
    if (typeof reqs !== 'object' || reqs === null) continue;
    for (const r of Object.values(reqs)) {
      const values = Array.isArray(r?.values) ? (r.values as { source?: unknown }[]) : [];
      for (const v of values) if (typeof v?.source === 'string') out.push(v.source);
    }
  }
  return out;
}
