/**
 * `tdx-conformance check-adapter <path-or-package>`: tells an adapter's author what the adapter
 * claims and whether the claims hold (src/adapters/check.ts). Exit 0 when they hold, 1 with
 * findings, 2 when the adapter cannot be used at all (one line naming what is missing).
 */
import type { Envelope } from '@cucumber/messages';
import { formatReport, observedFactory, probeDescription, runFindings, type AdapterReport, type CallTally } from '../adapters/check';
import { provideFactory, resolveSelection, targetFactory, type WorldParameters } from '../../support/targets';
import { runSuite } from '../runner/run-suite';
import { UsageError } from './usage-error';
import { TARGETS } from '../../support/targets';

export async function checkAdapterCommand(spec: string, opts: { json?: boolean; tags?: string }): Promise<number> {
  if (Object.prototype.hasOwnProperty.call(TARGETS, spec)) throw new UsageError(`${spec} is one of the suite's own targets, not an adapter: give an adapter's path or package name`);
  const world: WorldParameters = { target: spec };
  const sel = resolveSelection(world);
  if (sel.target !== 'adapter') throw new UsageError(`${spec} is not an adapter`);
  const base = targetFactory(world);
  const calls: Record<string, CallTally> = {};
  const observed = observedFactory(base, (call, o) => {
    const t = (calls[call] ??= { answered: 0, unobservable: 0, errors: 0, samples: [] });
    const sample = o.error !== undefined ? `error: ${o.error}` : o.unobservable !== undefined ? `unobservable: ${o.unobservable}` : null;
    if (o.error !== undefined) t.errors++;
    else if (o.unobservable !== undefined) t.unobservable++;
    else t.answered++;
    if (sample && t.samples.length < 5 && !t.samples.includes(sample)) t.samples.push(sample);
  });
  const probed = await probeDescription(observed);
  provideFactory(world, observed);
  const envelopes: Envelope[] = [];
  await runSuite({ world, tags: opts.tags, console: null, onMessage: (e) => envelopes.push(e) });
  const { findings, results } = runFindings(observed, envelopes, calls);
  const facets = (['host', 'kvm', 'guest'] as const).filter((f) => {
    try {
      return !!observed.create({ mayChangeMachine: false })[f];
    } catch {
      return false;
    }
  });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const report: AdapterReport = {
    adapter: `${spec} (${sel.adapter!.kind === 'wire' ? 'a program speaking the wire protocol' : 'a module'}: ${sel.adapter!.path})`,
    description: base.description,
    capabilities: [...base.capabilities].sort(),
    facets,
    calls,
    scenarios: { total: results.length, passed: count('passed'), failed: results.filter((r) => !['passed', 'skipped', 'blocked'].includes(r.status)).length, skipped: count('skipped'), blocked: count('blocked') },
    findings: [...probed, ...findings],
  };
  process.stdout.write((opts.json ? JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v), 2) : formatReport(report)) + '\n');
  return report.findings.length ? 1 : 0;
}
