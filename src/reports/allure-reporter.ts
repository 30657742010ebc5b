/**
 * The Allure formatter: allure-cucumberjs, plus what this suite's tags mean. allure-cucumberjs
 * reads labels only from Feature and Scenario tags, but requirement ids live on Rules, so the
 * labels are set here from the pickle's tags: area as epic, requirement id as story, @severity,
 * a link per @src, the reason of a skip as the status message, and a test-case id derived from
 * the requirement and the scenario's position in its Rule, which survives renaming the scenario.
 * A hook that passes leaves no fixture: the suite's hooks are bookkeeping (applicability, restoring
 * a machine), and a fixture per hook and scenario would be a file each in allure-results. A hook
 * that fails is reported as a fixture with its error.
 */
import { createHash } from 'node:crypto';
import type { Envelope, Pickle, TestStepFinished, TestStepStarted } from '@cucumber/messages';
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

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Position of each pickle within its Rule (or Feature), by source order. */
const ordinals = new Map<string, string>();

export default class TdxAllureReporter extends Base {
  private readonly skipRecords = new Map<string, SkipRecord>();
  private readonly ruleCounters = new Map<string, number>();
  /** Hook steps started and not yet finished, by test case started id and step id. */
  private readonly hookSteps = new Map<string, TestStepStarted>();
  private readonly profile: string;

  constructor(options: { parsedArgvOptions?: { tdxTarget?: string; resultsDir?: string } }) {
    const argv = options.parsedArgvOptions ?? {};
    super({ ...options, parsedArgvOptions: { ...argv, writer: new PlainAllureWriter(argv.resultsDir ?? 'allure-results') } });
    this.profile = argv.tdxTarget ?? '';
  }

  override parseEnvelope(e: Envelope): void {
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
      r.testCaseId = md5(stableKey);
      r.historyId = md5(`${stableKey}:${this.profile}`);
    });
  }

  override onTestStepStarted(data: TestStepStarted): void {
    if (this.testStepMap.get(data.testStepId)?.hookId) this.hookSteps.set(`${data.testCaseStartedId}/${data.testStepId}`, data);
    else super.onTestStepStarted(data);
  }

  override onTestStepFinished(data: TestStepFinished): void {
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
    this.skipRecords.delete(data.testCaseStartedId);
    if (uuid && skip) this.allureRuntime.updateTest(uuid, (r) => { r.statusDetails = { ...r.statusDetails, message: `${skip.kind}: ${skip.reason}` }; });
    super.onTestCaseFinished(data);
  }
}
