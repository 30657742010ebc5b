/**
 * junit.xml, written by cucumber's own JUnit printer from the run's messages, with two additions
 * CI test tabs need: every `<skipped>` carries the reason the suite recorded (as its message and
 * its text), and the test suite carries the run's verdict and target as `<properties>`.
 */
import type { Envelope } from '@cucumber/messages';
import { JUnitXmlPrinter } from '@cucumber/junit-xml-formatter';
import type { TargetDescription } from '../../backends/port';
import { SKIP_MEDIA_TYPE, type SkipRecord } from '../../support/skip-record';
import { formatPercent, formatReasonCounts, type Verdict } from './verdict';

const NO_REASON = 'skipped without a recorded reason';

/** The messages with each skipped step's result carrying its scenario's skip reason. */
export function withSkipReasons(envelopes: readonly Envelope[]): Envelope[] {
  const reasons = new Map<string, string>();
  return envelopes.map((e) => {
    const a = e.attachment;
    if (a?.mediaType === SKIP_MEDIA_TYPE && a.testCaseStartedId) {
      try {
        const r = JSON.parse(a.body) as SkipRecord;
        reasons.set(a.testCaseStartedId, `${r.kind}: ${r.reason}`);
      } catch {
        // A record that is not JSON leaves the generic reason.
      }
      return e;
    }
    const f = e.testStepFinished;
    if (!f || f.testStepResult.status !== 'SKIPPED' || f.testStepResult.message) return e;
    const message = (reasons.get(f.testCaseStartedId) ?? NO_REASON).replace(/]]>/g, ']] >');
    return { testStepFinished: { ...f, testStepResult: { ...f.testStepResult, message } } };
  });
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');

/** The suite-level properties: the verdict in the words of every other report, and the target. */
export function junitProperties(v: Verdict, target: TargetDescription | null): [string, string][] {
  const m = target?.module;
  return [
    ['tdx.verdict', v.kind],
    ['tdx.verdict.line', v.line],
    ['tdx.requirements.applicable', String(v.requirements.applicable)],
    ['tdx.requirements.executed', String(v.requirements.executed)],
    ['tdx.requirements.executed-percent', formatPercent(v.executedPercent)],
    ['tdx.requirements.not-observed', `${v.requirements.notObserved}${v.requirements.notObserved ? ` (${formatReasonCounts(v.requirements.notObservedByReason)})` : ''}`],
    ['tdx.requirements.not-applicable', String(v.requirements.notApplicable)],
    ['tdx.scenarios.skipped-by-reason', formatReasonCounts(v.scenarios.skippedByReason, ['not-applicable', 'cannot-observe', 'precondition-unmet', 'needs-opt-in']) || 'none'],
    ['tdx.target', target ? `${target.kind}: ${target.name}` : 'unknown'],
    ['tdx.kernel', target ? `${target.kernel.release ?? 'unknown'} (${target.kernel.flavour ?? 'flavour unknown'})` : 'unknown'],
    ['tdx.module', m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? ` build ${m.build}` : ''}` : 'unknown'],
  ];
}

export function junitXml(envelopes: readonly Envelope[], verdict: Verdict, target: TargetDescription | null): string {
  let xml = '';
  const printer = new JUnitXmlPrinter({ suiteName: 'tdx-conformance' }, (s) => { xml += s; });
  for (const e of withSkipReasons(envelopes)) printer.update(e);
  // Each skip's reason also as the element's message attribute, which most CI test tabs show.
  xml = xml.replace(/<skipped>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/skipped>/g, (_m, text: string) => `<skipped message="${attr(text)}"><![CDATA[${text}]]></skipped>`);
  const props = junitProperties(verdict, target).map(([k, v]) => `    <property name="${attr(k)}" value="${attr(v)}"/>`).join('\n');
  return xml.replace(/(<testsuite\b[^>]*?)(\/?)>/, (_m, open: string, selfClosing: string) =>
    `${open}>\n  <properties>\n${props}\n  </properties>${selfClosing ? '\n</testsuite>' : ''}`);
}
