/**
 * `tdx-conformance run --fleet DIR`: every capture under DIR evaluated in this one process, one
 * after another, exactly as `run --snapshot CAPTURE` evaluates it alone. The loaded suite (features,
 * step definitions, their matches) is shared; a machine's target, and what was read from its
 * capture, is made for it and released once its reports are written, so nothing of one machine
 * reaches the next.
 *
 * Written under --out: <machine>/ with that machine's reports (messages, JUnit, compliance,
 * environment), the fleet summary (fleet.json, fleet.md, fleet.html), one Allure results
 * directory for the whole fleet (each machine its parent suite) and its HTML report. Everything is
 * written beside --out first and moved into place at the end, as for every run.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { FLEET_ENTRIES, findCaptures, type FleetListing } from '../fleet/discover';
import type { FleetBaseline, MachineBaselineUpdate } from '../fleet/fleet-baseline';
import { REPORT_ENTRIES, parseOrder, parseTags, type RunOptions } from './run';
import { checkOutputDir, stageOutput } from './output-dir';
import { asUsageError, printUsageError, UsageError } from './usage-error';

export interface FleetPlan {
  listing: FleetListing;
  out: string;
  tags?: string;
  order: string;
  allure: boolean;
  allowDestructive: boolean;
  minExecuted?: number;
  baseline: { dir: string; update: boolean; current: FleetBaseline | null } | null;
}

/** Options that choose one target cannot be combined with a fleet (its captures are the targets). */
const SINGLE_TARGET_OPTIONS: [keyof RunOptions, string][] = [
  ['target', '--target'], ['profile', '--profile'], ['snapshot', '--snapshot'], ['role', '--role'], ['faults', '--faults'], ['shard', '--shard'],
];

/** Check every option and find the captures, writing nothing. */
export async function planFleet(opts: RunOptions, env: NodeJS.ProcessEnv = process.env): Promise<FleetPlan> {
  for (const [k, flag] of SINGLE_TARGET_OPTIONS) {
    if (opts[k] !== undefined) throw new UsageError(`--fleet evaluates the captures under ${opts.fleet} (each as --snapshot would); it cannot be combined with ${flag}`);
  }
  if (opts.parallel) throw new UsageError('--fleet evaluates its machines in one process, one after another; --parallel does not apply');
  const tags = opts.tags === undefined ? undefined : parseTags(opts.tags);
  const order = parseOrder(opts.order);
  if (opts.updateBaseline && !opts.baseline) throw new UsageError('--update-baseline needs --baseline <dir> (a fleet baseline directory)');
  const out = checkOutputDir(opts.out);
  const listing = findCaptures(opts.fleet!);
  const inside = listing.machines.find((m) => m.path === out || m.path.startsWith(`${out}/`) || out.startsWith(`${m.path}/`));
  if (inside) throw new UsageError(`--out ${opts.out} and the capture ${inside.path} overlap: write the fleet's reports elsewhere`);
  let baseline: FleetPlan['baseline'] = null;
  if (opts.baseline) {
    const { readFleetBaseline } = await import('../fleet/fleet-baseline');
    if (existsSync(opts.baseline) && !existsSync(join(opts.baseline, 'fleet.yaml')) && !opts.updateBaseline) {
      throw new UsageError(`--baseline ${opts.baseline} is not a fleet baseline (a directory with fleet.yaml); write one with --update-baseline`);
    }
    baseline = { dir: opts.baseline, update: !!opts.updateBaseline, current: readFleetBaseline(opts.baseline, !opts.updateBaseline) };
  }
  return {
    listing, out, tags, order, allure: opts.allureReport !== false, minExecuted: opts.minExecuted, baseline,
    allowDestructive: !!opts.allowDestructive || env.TDX_ALLOW_DESTRUCTIVE === '1',
  };
}

const write = (s: string): void => {
  process.stdout.write(s);
};

/** Entries of the previous fleet's --out to replace: its machines' directories and its summary. */
function previousEntries(out: string): string[] {
  try {
    const prev = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as { machines?: { key?: string }[] };
    return (prev.machines ?? []).map((m) => String(m.key ?? '').split('/')[0]).filter(Boolean);
  } catch {
    return [];
  }
}

export async function executeFleet(plan: FleetPlan): Promise<number> {
  const [{ runSuite }, { writeEnvironment }, outputs, verdictLib, allure, gateLib, { FleetAccumulator, fleetLine }, { writeFleetSummary }, fleetBaseline, targets, envLib] = await Promise.all([
    import('../runner/run-suite'), import('../reports/environment'), import('../reports/outputs'), import('../reports/verdict'), import('../reports/allure-html'),
    import('../reports/gate'), import('../fleet/summary'), import('../fleet/fleet-files'), import('../fleet/fleet-baseline'), import('../../support/targets'), import('../reports/environment'),
  ]);
  const { machines } = plan.listing;
  const stage = stageOutput(plan.out);
  const started = Date.now();
  write(`tdx-conformance run --fleet: ${machines.length} captures under ${plan.listing.dir}${plan.listing.ignored.length ? ` (${plan.listing.ignored.length} other entries ignored)` : ''}\n` +
    `  reports: ${plan.out}/<machine>/, fleet summary: ${join(plan.out, 'fleet.html')}\n`);
  const acc = new FleetAccumulator(plan.listing.dir, { version: envLib.suiteVersion(), revision: envLib.gitRevision() }, plan.listing.ignored);
  const allureDir = join(stage.dir, 'allure-results');
  const updates: MachineBaselineUpdate[] = [];
  const gateTexts: string[] = [];
  let exit: 0 | 1 = 0;
  try {
    for (const [i, m] of machines.entries()) {
      const t0 = Date.now();
      const dir = join(stage.dir, ...m.key.split('/'));
      mkdirSync(dir, { recursive: true });
      const reports = relative(stage.dir, dir).split('\\').join('/');
      const world = { target: 'snapshot', snapshot: m.path, faults: [], allowDestructive: plan.allowDestructive };
      const n = `[${String(i + 1).padStart(String(machines.length).length)}/${machines.length}]`;
      let line: string;
      try {
        targets.resolveSelection(world);
        targets.targetFactory(world);
      } catch (e) {
        // A capture that cannot be read is this machine's outcome, not the fleet's end.
        const reason = (e as Error).message.split('\n')[0];
        acc.addUnreadable(m.key, m.path, reports, reason);
        write(`${n} ${m.key}: UNREADABLE: ${reason}\n`);
        exit = 1;
        continue;
      }
      try {
        const messages: Envelope[] = [];
        await runSuite({
          world, tags: plan.tags, order: plan.order, outDir: dir, console: null, html: false,
          allure: { resultsDir: allureDir, parentSuite: m.key, executedOnly: true },
          onMessage: (e) => messages.push(e),
        });
        const analysis = verdictLib.analyseRun(messages);
        const v = analysis.verdict;
        const env = writeEnvironment(dir, world, process.argv, v);
        const compliance = outputs.writeRunReports(dir, messages, analysis, env.target, { allureInfo: false });
        let gate: Parameters<typeof acc.add>[4];
        let gatePassed: boolean | undefined;
        if (plan.baseline) {
          const target = { ...gateLib.baselineTarget(env.target), kind: 'snapshot', name: m.key };
          if (plan.baseline.update) updates.push({ key: m.key, target, results: analysis.results });
          else {
            const g = fleetBaseline.gateMachine(plan.baseline.current!, m.key, target, analysis.results);
            gate = { passed: g.passed, blocking: g.blocking, findings: g.findings, changed: g.changed };
            gatePassed = g.passed;
            if (!g.passed) gateTexts.push(`${m.key}${g.changed.length ? ` (${g.changed.join('; ')})` : ''}:`, ...g.text.split('\n').map((l) => `  ${l}`));
          }
        }
        acc.add(m.key, m.path, reports, compliance, gate);
        const decision = verdictLib.exitDecision(v, { gatePassed, minExecuted: plan.minExecuted });
        if (decision.code) exit = 1;
        line = `${n} ${m.key}: ${v.line}${gate ? `; gate ${gate.passed ? 'passed' : 'FAILED'}` : ''} (${((Date.now() - t0) / 1000).toFixed(2)} s)`;
      } finally {
        targets.releaseFactory(world);
      }
      write(line + '\n');
    }
    const notes: string[] = [];
    if (plan.baseline && !plan.baseline.update && plan.baseline.current) {
      const gone = fleetBaseline.missingMachines(plan.baseline.current, machines.map((m) => m.key));
      if (gone.length) {
        gateTexts.push(`machines of the baseline missing from the fleet (${gone.length}), blocking:`, ...gone.slice(0, 50).map((k) => `  ${k}`));
        exit = 1;
      }
    }
    const summary = acc.summary();
    writeFleetSummary(stage.dir, summary);
    const reportName = `TDX conformance: ${fleetLine(summary)}`;
    allure.writeSharedAllureInfo(allureDir, reportName, Object.fromEntries([
      ['fleet', plan.listing.dir], ['machines', String(summary.totals.machines)],
      ...summary.machines.map((r) => [`machine.${r.key}`, r.verdict.line] as [string, string]),
    ]));
    if (plan.allure) {
      const html = allure.generateAllureHtml(stage.dir, { reportName, historyFrom: join(plan.out, 'allure-report') });
      notes.push(html.generated ? `Allure report (every machine): ${join(plan.out, 'allure-report', 'index.html')}` : `Allure HTML report not generated: ${html.reason}.`);
    }
    if (plan.baseline?.update) {
      fleetBaseline.writeFleetBaseline(plan.baseline.dir, plan.baseline.current, updates);
      notes.push(`fleet baseline ${plan.baseline.dir} rewritten: ${updates.length} machines`);
    } else if (plan.baseline) {
      const failed = summary.totals.gateFailed ?? 0;
      notes.push(`gate against ${plan.baseline.dir}: ${failed ? `FAILED on ${failed} machines` : 'passed on every machine'}`, ...gateTexts);
      if (failed) exit = 1;
    }
    stage.commit([...new Set([...REPORT_ENTRIES, ...FLEET_ENTRIES, ...previousEntries(plan.out)])]);
    write([
      ...notes,
      `Fleet summary: ${join(plan.out, 'fleet.html')} (and fleet.md, fleet.json); each machine's reports in ${plan.out}/<machine>/`,
      `${fleetLine(summary)} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      ...(exit ? ['Exit 1: a machine failed, could not be read, executed nothing, or its gate failed (see above)'] : []),
    ].join('\n') + '\n');
    return exit;
  } finally {
    stage.discard();
  }
}

export async function runFleetCommand(opts: RunOptions): Promise<number> {
  let plan: FleetPlan;
  try {
    plan = await planFleet(opts);
  } catch (e) {
    const u = asUsageError(e);
    if (!u) throw e;
    printUsageError(u.message);
    return 2;
  }
  return executeFleet(plan);
}
