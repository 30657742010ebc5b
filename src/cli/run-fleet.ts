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
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { FLEET_ENTRIES, findCaptures, type FleetListing } from '../fleet/discover';
import type { FleetBaseline, MachineBaselineUpdate } from '../fleet/fleet-baseline';
import type { MachineOutcome, MachineTask } from '../fleet/evaluate';
import { REPORT_ENTRIES, parseOrder, parseTags, type RunOptions } from './run';
import { checkOutputDir, stageOutput } from './output-dir';
import { planThenExecute, UsageError } from './usage-error';

export interface FleetPlan {
  listing: FleetListing;
  out: string;
  tags?: string;
  order: string;
  allure: boolean;
  allowDestructive: boolean;
  minExecuted?: number;
  baseline: { dir: string; update: boolean; current: FleetBaseline | null } | null;
  /** Worker threads evaluating machines (1: this thread). */
  jobs: number;
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
  if (opts.parallel) throw new UsageError('--fleet evaluates its machines in this one process (--jobs sets its worker threads); --parallel does not apply');
  const tags = opts.tags === undefined ? undefined : parseTags(opts.tags);
  const order = parseOrder(opts.order);
  if (opts.jobs !== undefined && opts.jobs < 1) throw new UsageError('--jobs must be at least 1');
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
    jobs: opts.jobs ?? Math.max(1, Math.min(availableParallelism(), 4)),
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

/** Hands the machines to `jobs` worker threads (or evaluates them here, for one job), in order. */
async function evaluateAll(tasks: MachineTask[], jobs: number, done: (o: MachineOutcome) => void): Promise<void> {
  if (jobs <= 1 || tasks.length <= 1) {
    const { evaluateMachine } = await import('../fleet/evaluate');
    for (const t of tasks) done(await evaluateMachine(t));
    return;
  }
  const { Worker } = await import('node:worker_threads');
  const queue = [...tasks];
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, () => new Promise<void>((resolveWorker, reject) => {
    const w = new Worker(join(__dirname, '../fleet/worker.js'));
    const next = () => {
      const t = queue.shift();
      if (t) w.postMessage(t);
      else void w.terminate().then(() => resolveWorker());
    };
    w.on('message', (m: { ready?: true; outcome?: MachineOutcome; error?: string }) => {
      if (m.error) {
        void w.terminate();
        reject(new Error(`fleet worker: ${m.error}`));
        return;
      }
      if (m.outcome) done(m.outcome);
      next();
    });
    w.on('error', reject);
  })));
}

export async function executeFleet(plan: FleetPlan): Promise<number> {
  const [allure, { FleetAccumulator, fleetLine }, { writeFleetSummary }, fleetBaseline, envLib] = await Promise.all([
    import('../reports/allure-html'), import('../fleet/summary'), import('../fleet/fleet-files'), import('../fleet/fleet-baseline'), import('../reports/environment'),
  ]);
  const { machines } = plan.listing;
  const stage = stageOutput(plan.out);
  const started = Date.now();
  write(`tdx-conformance run --fleet: ${machines.length} captures under ${plan.listing.dir}${plan.listing.ignored.length ? ` (${plan.listing.ignored.length} other entries ignored)` : ''}` +
    `${plan.jobs > 1 ? `, ${plan.jobs} worker threads` : ''}\n  reports: ${plan.out}/<machine>/, fleet summary: ${join(plan.out, 'fleet.html')}\n`);
  const acc = new FleetAccumulator(plan.listing.dir, { version: envLib.suiteVersion(), revision: envLib.gitRevision() }, plan.listing.ignored);
  const allureDir = join(stage.dir, 'allure-results');
  mkdirSync(allureDir, { recursive: true });
  const updates: MachineBaselineUpdate[] = [];
  const gateTexts: string[] = [];
  let exit: 0 | 1 = 0;
  try {
    const tasks: MachineTask[] = machines.map((m) => {
      const dir = join(stage.dir, ...m.key.split('/'));
      mkdirSync(dir, { recursive: true });
      return {
        key: m.key, capture: m.path, dir, reports: m.key, allureDir, tags: plan.tags, order: plan.order,
        allowDestructive: plan.allowDestructive, minExecuted: plan.minExecuted,
        baseline: plan.baseline ? { dir: plan.baseline.dir, update: plan.baseline.update } : null,
      };
    });
    let n = 0;
    const width = String(machines.length).length;
    await evaluateAll(tasks, plan.jobs, (o) => {
      const at = `[${String(++n).padStart(width)}/${machines.length}]`;
      if ('unreadable' in o) {
        acc.addUnreadable(o.key, o.capture, o.reports, o.unreadable);
        write(`${at} ${o.key}: UNREADABLE: ${o.unreadable}\n`);
        exit = 1;
        return;
      }
      const { text, ...gate } = o.gate ?? { text: '' };
      acc.add(o.key, o.capture, o.reports, o.compliance, o.gate ? gate as NonNullable<typeof o.gate> : undefined);
      if (o.update) updates.push({ key: o.key, ...o.update });
      if (o.gate && !o.gate.passed) gateTexts.push(`${o.key}${o.gate.changed.length ? ` (${o.gate.changed.join('; ')})` : ''}:`, ...text.split('\n').map((l) => `  ${l}`));
      if (o.exit) exit = 1;
      write(`${at} ${o.key}: ${o.verdict.line}${o.gate ? `; gate ${o.gate.passed ? 'passed' : 'FAILED'}` : ''} (${o.seconds.toFixed(2)} s)\n`);
    });
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
      updates.sort((a, b) => (a.key < b.key ? -1 : 1));
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
  return planThenExecute(() => planFleet(opts), executeFleet);
}
