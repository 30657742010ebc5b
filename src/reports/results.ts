/**
 * Scenario results from cucumber messages (NDJSON), the source of truth of a run. Each result
 * carries a key that is stable across runs and shards (feature path and line of the scenario or
 * example row), its requirement, area and sources from the tags, the final status (the last
 * attempt when retried) and, for a skip, the reason the suite recorded.
 */
import type { Envelope, GherkinDocument, TestStepResultStatus } from '@cucumber/messages';
import { INPUT_LIMITS, InputError, readInputFile } from '../../backends/common/read-input';
import { SKIP_MEDIA_TYPE, type SkipRecord } from '../../support/skip-record';
import { areaOf, tagValues, type Area } from '../../support/tags';

export type Status = 'passed' | 'failed' | 'skipped' | 'blocked' | 'undefined' | 'pending' | 'ambiguous';

export interface ScenarioResult {
  /** Feature file and line: stable across shards of one revision. */
  key: string;
  /** Requirement and scenario name: what baselines use, stable when lines move. */
  id: string;
  uri: string;
  line: number;
  name: string;
  feature: string;
  rule: string | null;
  tags: string[];
  req: string | null;
  area: Area | null;
  src: string[];
  status: Status;
  skip?: SkipRecord;
  message?: string;
  durationMs: number;
}

export class MessagesError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'MessagesError';
  }
}

/** Parse an NDJSON file of cucumber messages; a bad line is an error naming the line. */
export function readMessages(file: string): Envelope[] {
  let text: string;
  try {
    text = readInputFile(file, INPUT_LIMITS.messages).toString('utf8');
  } catch (e) {
    if (e instanceof InputError) throw new MessagesError(file, e.problem);
    throw e;
  }
  const out: Envelope[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new MessagesError(file, `line ${i + 1} is not JSON (corrupt or truncated messages file)`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MessagesError(file, `line ${i + 1} is not a cucumber message`);
    out.push(v as Envelope);
  });
  if (!out.some((e) => e.meta)) throw new MessagesError(file, 'no meta message: not a cucumber messages file');
  if (!out.some((e) => e.testRunFinished)) throw new MessagesError(file, 'no testRunFinished message: the run did not finish (truncated?)');
  return out;
}

interface AstNode {
  line: number;
  name: string;
  feature: string;
  rule: string | null;
}

function indexDocument(doc: GherkinDocument, into: Map<string, AstNode>): void {
  const feature = doc.feature;
  if (!feature) return;
  const visit = (children: typeof feature.children, rule: string | null): void => {
    for (const c of children) {
      if (c.rule) visit(c.rule.children as typeof feature.children, c.rule.name);
      const s = c.scenario;
      if (!s) continue;
      into.set(s.id, { line: s.location.line, name: s.name, feature: feature.name, rule });
      for (const ex of s.examples) {
        for (const row of ex.tableBody) into.set(row.id, { line: row.location.line, name: s.name, feature: feature.name, rule });
      }
    }
  };
  visit(feature.children, null);
}

const SEVERITY: Record<string, number> = {
  PASSED: 0, SKIPPED: 1, PENDING: 2, UNDEFINED: 3, AMBIGUOUS: 4, FAILED: 5, UNKNOWN: 1,
};

export function scenarioResults(envelopes: readonly Envelope[]): ScenarioResult[] {
  const ast = new Map<string, AstNode>();
  const pickles = new Map<string, NonNullable<Envelope['pickle']>>();
  const testCases = new Map<string, string>(); // testCase id -> pickle id
  const started = new Map<string, { testCaseId: string; start: number }>();
  const worst = new Map<string, { status: TestStepResultStatus; message?: string }>();
  const skips = new Map<string, SkipRecord>();
  const final = new Map<string, ScenarioResult>(); // by pickle id; later attempts replace earlier

  for (const e of envelopes) {
    if (e.gherkinDocument) indexDocument(e.gherkinDocument, ast);
    else if (e.pickle) pickles.set(e.pickle.id, e.pickle);
    else if (e.testCase) testCases.set(e.testCase.id, e.testCase.pickleId);
    else if (e.testCaseStarted) {
      const t = e.testCaseStarted.timestamp;
      started.set(e.testCaseStarted.id, { testCaseId: e.testCaseStarted.testCaseId, start: Number(t.seconds) * 1000 + t.nanos / 1e6 });
    } else if (e.testStepFinished) {
      const f = e.testStepFinished;
      const cur = worst.get(f.testCaseStartedId);
      const r = f.testStepResult;
      if (!cur || SEVERITY[r.status] > SEVERITY[cur.status]) {
        worst.set(f.testCaseStartedId, { status: r.status, message: r.message ?? r.exception?.message });
      }
    } else if (e.attachment?.mediaType === SKIP_MEDIA_TYPE && e.attachment.testCaseStartedId) {
      skips.set(e.attachment.testCaseStartedId, JSON.parse(e.attachment.body) as SkipRecord);
    } else if (e.testCaseFinished) {
      const id = e.testCaseFinished.testCaseStartedId;
      const s = started.get(id);
      if (!s) continue;
      const pickle = pickles.get(testCases.get(s.testCaseId) ?? '');
      if (!pickle) continue;
      const t = e.testCaseFinished.timestamp;
      final.set(pickle.id, build(pickle, ast, worst.get(id), skips.get(id), Number(t.seconds) * 1000 + t.nanos / 1e6 - s.start));
    }
  }
  return withUniqueIds([...final.values()].sort(byKey));
}

/** File order: by feature path, then by line. */
export function byKey(a: { key: string }, b: { key: string }): number {
  const [ua, la] = splitKey(a.key);
  const [ub, lb] = splitKey(b.key);
  return ua < ub ? -1 : ua > ub ? 1 : la - lb;
}

function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf(':');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}

/** Give scenarios that share requirement and name (rare outline rows) a #n suffix, in file order. */
function withUniqueIds<T extends { id: string }>(rs: T[]): T[] {
  const seen = new Map<string, number>();
  for (const r of rs) {
    const n = (seen.get(r.id) ?? 0) + 1;
    seen.set(r.id, n);
    if (n > 1) r.id = `${r.id} #${n}`;
  }
  return rs;
}

function build(
  pickle: NonNullable<Envelope['pickle']>,
  ast: Map<string, AstNode>,
  w: { status: TestStepResultStatus; message?: string } | undefined,
  skip: SkipRecord | undefined,
  durationMs: number,
): ScenarioResult {
  // The last AST node is the example row for outlines, the scenario otherwise.
  const node = ast.get(pickle.astNodeIds[pickle.astNodeIds.length - 1]) ?? ast.get(pickle.astNodeIds[0]);
  const tags = pickle.tags.map((t) => t.name);
  const line = node?.line ?? 0;
  const raw = w?.status ?? 'PASSED';
  let status: Status = raw === 'PASSED' ? 'passed' : raw === 'FAILED' ? 'failed' : raw === 'SKIPPED' || raw === 'UNKNOWN' ? 'skipped'
    : (raw.toLowerCase() as Status);
  // A broken environment (including a scenario whose restoration failed) is blocked, not a verdict.
  if (skip?.kind === 'blocked') status = 'blocked';
  const req = tagValues(tags, 'req')[0] ?? null;
  const r: ScenarioResult = {
    key: `${pickle.uri}:${line}`,
    id: `${req ?? pickle.uri} :: ${pickle.name}`,
    uri: pickle.uri,
    line,
    name: pickle.name,
    feature: node?.feature ?? '',
    rule: node?.rule ?? null,
    tags,
    req,
    area: areaOf(tags),
    src: [...new Set(tagValues(tags, 'src'))],
    status,
    durationMs: Math.max(0, Math.round(durationMs)),
  };
  if (status === 'skipped' || status === 'blocked') r.skip = skip ?? { kind: 'cannot-observe', reason: 'skipped without a recorded reason' };
  if (status !== 'passed' && status !== 'skipped' && status !== 'blocked' && w?.message) r.message = w.message.split('\n').slice(0, 8).join('\n');
  return r;
}

export interface PlannedScenario {
  key: string;
  id: string;
  name: string;
  req: string | null;
  area: Area | null;
  src: string[];
  feature: string;
  rule: string | null;
}

/** Every scenario the run knew about (cucumber emits every pickle, also those filtered out). */
export function plannedScenarios(envelopes: readonly Envelope[]): PlannedScenario[] {
  const ast = new Map<string, AstNode>();
  const out: PlannedScenario[] = [];
  for (const e of envelopes) {
    if (e.gherkinDocument) indexDocument(e.gherkinDocument, ast);
    if (!e.pickle) continue;
    const r = build(e.pickle, ast, undefined, undefined, 0);
    out.push({ key: r.key, id: r.id, name: r.name, req: r.req, area: r.area, src: r.src, feature: r.feature, rule: r.rule });
  }
  return withUniqueIds(out.sort(byKey));
}

/** Results of a report directory (its messages.ndjson). */
export function resultsOf(dir: string): ScenarioResult[] {
  return scenarioResults(readMessages(`${dir}/messages.ndjson`));
}
