/**
 * The Allure formatter: allure-cucumberjs, plus what this suite's tags mean. allure-cucumberjs
 * reads labels only from Feature and Scenario tags, but requirement ids live on Rules, so the
 * labels are set here from the pickle's tags: area as epic, requirement id as story, @severity,
 * a link per @src, the reason of a skip as the status message, and a test-case id derived from
 * the requirement and the scenario's position in its Rule, which survives renaming the scenario.
 * The result's status is cucumber's (the most severe step result, hooks included): allure-cucumberjs
 * ranks a passed step above a skipped one, so a scenario whose later step skipped would read as
 * passed. Undefined, pending and ambiguous steps (suite defects) are "broken".
 * A hook that passes leaves no fixture: the suite's hooks are bookkeeping (applicability, restoring
 * a machine), and a fixture per hook and scenario would be a file each in allure-results. A hook
 * that fails is reported as a fixture with its error.
 * Runs that share one results directory (`--profile all`, `--fleet`) pass their name as
 * `tdxParentSuite`: it becomes the parent suite (Feature as suite, requirement as sub-suite) and the
 * `target` label, so one report shows every profile or machine side by side. A fleet passes
 * `tdxExecutedOnly`: only the scenarios a machine executed (and those blocked) are written, with
 * their attachments; its skipped scenarios are counted, with their reasons, in its compliance
 * report and the fleet summary (hundreds of machines would otherwise be mostly skips).
 */
import { createHash } from 'node:crypto';
import type { Envelope, Pickle, TestStepFinished, TestStepResultStatus, TestStepStarted } from '@cucumber/messages';
import { SKIP_MEDIA_TYPE, skipLogLine, type SkipRecord } from '../../support/skip-record';

/** Media type of the lines a step writes with World.log(). */
const LOG_MEDIA_TYPE = 'text/x.cucumber.log+plain';
import { areaOf, tagValues } from '../../support/tags';
import { sourceUrl } from '../../spec/sources';
import { PlainAllureWriter } from './allure-writer';

// allure-cucumberjs ships CommonJS that exports the class itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Base: new (options: unknown) => AllureBase = require('allure-cucumberjs/reporter');

interface Label {
  name: string;
  value: string;
}
interface TestResultLike {
  labels: Label[];
  links: { url: string; name?: string; type?: string }[];
  testCaseId?: string;
  historyId?: string;
  statusDetails?: { message?: string };
}
interface AllureBase {
  parseEnvelope(e: Envelope): void;
  onTestStepStarted(data: TestStepStarted): void;
  onTestStepFinished(data: TestStepFinished): void;
  testStepMap: Map<string, { hookId?: string }>;
  onTestCaseStarted(data: { id: string; testCaseId: string }): void;
  onTestCaseFinished(data: { testCaseStartedId: string }): void;
  testCaseMap: Map<string, { pickleId: string }>;
  pickleMap: Map<string, Pickle>;
  testResultUuids: Map<string, string>;
  allureRuntime: { updateTest(uuid: string, fn: (r: TestResultLike) => void): void };
}

type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped';

/** Cucumber's order of severity (as its summary and JUnit use it). */
const SEVERITY: Record<TestStepResultStatus, number> = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };

/** Cucumber's status of a test case in Allure's words; null: failed (Allure tells failed from broken). */
const ALLURE_STATUS: Record<TestStepResultStatus, AllureStatus | null> = {
  UNKNOWN: 'skipped', PASSED: 'passed', SKIPPED: 'skipped', PENDING: 'broken', UNDEFINED: 'broken', AMBIGUOUS: 'broken', FAILED: null,
};

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Position of each pickle within its Rule (or Feature), by source order. */
const ordinals = new Map<string, string>();

export default class TdxAllureReporter extends Base {
  private readonly skipRecords = new Map<string, SkipRecord>();
  private readonly ruleCounters = new Map<string, number>();
  /** Hook steps started and not yet finished, by test case started id and step id. */
  private readonly hookSteps = new Map<string, TestStepStarted>();
  private readonly profile: string;
  private readonly parentSuite: string | null;
  private readonly executedOnly: boolean;
  /** Most severe step result (hooks included) per test case started id: cucumber's status. */
  private readonly worst = new Map<string, TestStepResultStatus>();
  /** The status and skip message each finished test result is written with, by result uuid. */
  private readonly settled = new Map<string, { status: AllureStatus | null; message?: string }>();
  /** executedOnly: each test case's messages, held until it finishes (then passed on, or dropped). */
  private readonly held = new Map<string, Envelope[]>();

  constructor(options: { parsedArgvOptions?: { tdxTarget?: string; resultsDir?: string; tdxParentSuite?: string; tdxExecutedOnly?: boolean } }) {
    const argv = options.parsedArgvOptions ?? {};
    const writer = new PlainAllureWriter(argv.resultsDir ?? 'allure-results');
    super({ ...options, parsedArgvOptions: { ...argv, writer } });
    this.profile = argv.tdxTarget ?? '';
    this.parentSuite = argv.tdxParentSuite ?? null;
    this.executedOnly = argv.tdxExecutedOnly === true;
    writer.beforeWrite = (r) => this.settle(r);
  }

  /** Give a result cucumber's status (a failure keeps Allure's failed/broken split). */
  private settle(r: { uuid: string; status?: string; statusDetails?: { message?: string } }): void {
    const s = this.settled.get(r.uuid);
    if (!s) return;
    this.settled.delete(r.uuid);
    if (s.status) r.status = s.status;
    else if (r.status !== 'failed' && r.status !== 'broken') r.status = 'failed';
    if (s.message) r.statusDetails = { ...r.statusDetails, message: s.message };
  }

  override parseEnvelope(e: Envelope): void {
    if (this.executedOnly && this.hold(e)) return;
    this.handle(e);
  }

  /**
   * executedOnly: a test case's messages wait for its end; then they are handled if the scenario
   * executed (or was blocked), and dropped, never reaching Allure, if it was skipped. True when
   * `e` was taken.
   */
  private hold(e: Envelope): boolean {
    const id = e.testCaseStarted?.id ?? e.testStepStarted?.testCaseStartedId ?? e.testStepFinished?.testCaseStartedId
      ?? e.attachment?.testCaseStartedId ?? e.testCaseFinished?.testCaseStartedId;
    if (!id) return false;
    const list = this.held.get(id) ?? [];
    list.push(e);
    if (!e.testCaseFinished) {
      this.held.set(id, list);
      return true;
    }
    this.held.delete(id);
    let worst = 'PASSED' as TestStepResultStatus;
    let blocked = false;
    for (const m of list) {
      const s = m.testStepFinished?.testStepResult.status;
      if (s && SEVERITY[s] > SEVERITY[worst]) worst = s;
      if (m.attachment?.mediaType === SKIP_MEDIA_TYPE && (JSON.parse(m.attachment.body) as SkipRecord).kind === 'blocked') blocked = true;
    }
    if ((worst === 'SKIPPED' || worst === 'UNKNOWN') && !blocked) return true;
    for (const m of list) this.handle(m);
    return true;
  }

  private handle(e: Envelope): void {
    const a = e.attachment;
    if (a?.mediaType === SKIP_MEDIA_TYPE) {
      // The skip record becomes the result's status message; as files, it and its log line
      // would only say it again.
      const r = JSON.parse(a.body) as SkipRecord;
      if (a.testCaseStartedId) this.skipRecords.set(a.testCaseStartedId, r);
      return;
    }
    if (a?.mediaType === LOG_MEDIA_TYPE && a.testCaseStartedId) {
      const r = this.skipRecords.get(a.testCaseStartedId);
      if (r && a.body === skipLogLine(r)) return;
    }
    if (e.pickle) this.assignOrdinal(e.pickle);
    super.parseEnvelope(e);
  }

  /** Ordinal of a scenario (and example row) inside its requirement, in file order. */
  private assignOrdinal(p: Pickle): void {
    const req = tagValues(p.tags.map((t) => t.name), 'req')[0] ?? p.uri;
    const n = this.ruleCounters.get(req) ?? 0;
    this.ruleCounters.set(req, n + 1);
    ordinals.set(p.id, `${req}#${n}`);
  }

  override onTestCaseStarted(data: { id: string; testCaseId: string }): void {
    super.onTestCaseStarted(data);
    const uuid = this.testResultUuids.get(data.id);
    const pickle = this.pickleMap.get(this.testCaseMap.get(data.testCaseId)?.pickleId ?? '');
    if (!uuid || !pickle) return;
    const tags = pickle.tags.map((t) => t.name);
    const area = areaOf(tags);
    const req = tagValues(tags, 'req')[0];
    const explicitId = tagValues(tags, 'id')[0];
    const severity = tagValues(tags, 'severity')[0] ?? 'normal';
    const stableKey = explicitId ?? ordinals.get(pickle.id) ?? pickle.name;
    this.allureRuntime.updateTest(uuid, (r) => {
      if (area) r.labels.push({ name: 'epic', value: area });
      if (req) r.labels.push({ name: 'story', value: req }, { name: 'requirement', value: req });
      r.labels.push({ name: 'severity', value: severity });
      for (const src of new Set(tagValues(tags, 'src'))) r.links.push({ url: sourceUrl(src), name: src, type: 'spec' });
      if (this.parentSuite) {
        r.labels = r.labels.filter((l) => !['parentSuite', 'suite', 'subSuite'].includes(l.name));
        r.labels.push({ name: 'parentSuite', value: this.parentSuite }, { name: 'target', value: this.parentSuite });
        const feature = r.labels.find((l) => l.name === 'feature')?.value;
        if (feature) r.labels.push({ name: 'suite', value: feature });
        if (req) r.labels.push({ name: 'subSuite', value: req });
      }
      r.testCaseId = md5(stableKey);
      r.historyId = md5(`${stableKey}:${this.profile}`);
    });
  }

  override onTestStepStarted(data: TestStepStarted): void {
    if (this.testStepMap.get(data.testStepId)?.hookId) this.hookSteps.set(`${data.testCaseStartedId}/${data.testStepId}`, data);
    else super.onTestStepStarted(data);
  }

  override onTestStepFinished(data: TestStepFinished): void {
    const cur = this.worst.get(data.testCaseStartedId);
    if (!cur || SEVERITY[data.testStepResult.status] > SEVERITY[cur]) this.worst.set(data.testCaseStartedId, data.testStepResult.status);
    const key = `${data.testCaseStartedId}/${data.testStepId}`;
    const hook = this.hookSteps.get(key);
    if (hook) {
      this.hookSteps.delete(key);
      const s = data.testStepResult.status;
      if (s === 'PASSED' || s === 'SKIPPED') return;
      super.onTestStepStarted(hook);
    }
    super.onTestStepFinished(data);
  }

  override onTestCaseFinished(data: { testCaseStartedId: string }): void {
    const uuid = this.testResultUuids.get(data.testCaseStartedId);
    const skip = this.skipRecords.get(data.testCaseStartedId);
    const worst = this.worst.get(data.testCaseStartedId) ?? 'PASSED';
    this.skipRecords.delete(data.testCaseStartedId);
    this.worst.delete(data.testCaseStartedId);
    if (uuid) this.settled.set(uuid, { status: ALLURE_STATUS[worst], ...(skip ? { message: `${skip.kind}: ${skip.reason}` } : {}) });
    super.onTestCaseFinished(data);
  }
}
