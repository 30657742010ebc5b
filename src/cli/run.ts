/**
 * `tdx-conformance run`: the suite on one target (or every emulator profile), with its reports.
 *
 * Nothing is lost: every option (the tag expression, profiles, the snapshot, the baseline, the
 * output directory) is checked before anything is written; each run writes its reports into a
 * staging directory next to --out and moves them into place only at its end, so a failed or
 * interrupted run leaves the previous reports as they were. The verdict (verdict.ts) is computed
 * once from the run's messages and every report, and the end of the terminal output, says it.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { parse as parseTagExpression } from '@cucumber/tag-expressions';
import { isFaultName } from '../../backends/emulator/faults';
import { defaultProfileName, isProfilePath, profileCatalogue, profileNamed } from '../../backends/emulator/profile';
import type { TargetDescription } from '../../backends/port';
import { AdapterError, locateAdapter } from '../../support/adapters';
import { resolveSelection, targetFactory, TARGETS, type WorldParameters } from '../../support/targets';
import type { Baseline } from '../reports/gate';
import { checkOutputDir, stageOutput } from './output-dir';
import { planThenExecute, UsageError } from './usage-error';

export interface RunOptions {
  target?: string;
  profile?: string;
  snapshot?: string;
  /** emulated-linux: the profile's host (default) or its TD guest, seen from inside. */
  role?: string;
  tags?: string;
  faults?: string;
  out: string;
  order: string;
  parallel: number;
  shard?: string;
  allowDestructive?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  allureReport?: boolean;
  minExecuted?: number;
  /** A directory of captures: evaluate each (run-fleet.ts). */
  fleet?: string;
  /** --fleet: worker threads of the one process. */
  jobs?: number;
}

/** What a run leaves in its directory: replaced as a whole by the next run. */
export const REPORT_ENTRIES = [
  'messages.ndjson', 'junit.xml', 'cucumber-report.html', 'allure-results', 'allure-report',
  'compliance.json', 'compliance.md', 'compliance.html', 'charts', 'environment.json',
] as const;

export function parseShard(s: string): string {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n (for example 1/3), got "${s}"`);
  }
  return s;
}

export function parseOrder(s: string): string {
  if (!/^(defined|reverse|random(:\d+)?)$/.test(s)) throw new UsageError(`--order must be defined, reverse, random or random:<seed>, got "${s}"`);
  return s;
}

export function parseTags(s: string): string {
  try {
    parseTagExpression(s);
  } catch (e) {
    throw new UsageError(`--tags "${s}" is not a valid tag expression: ${(e as Error).message.split('\n')[0]}`);
  }
  return s;
}

function consoleFormat(): string {
  return process.stdout.isTTY && !process.env.CI ? 'progress-bar' : 'progress';
}

interface PlannedRun {
  /** The profile's name when several run (--profile all). */
  label: string | null;
  world: WorldParameters;
  outDir: string;
  description: TargetDescription;
  baseline: { file: string; update: boolean; current: Baseline | null } | null;
}

interface Plan {
  runs: PlannedRun[];
  tags?: string;
  shard?: string;
  order: string;
  parallel: number;
  allure: boolean;
  minExecuted?: number;
}

/** The target, profile and snapshot, from the options and then TDX_TARGET, TDX_PROFILE, TDX_SNAPSHOT. */
function selection(opts: RunOptions, env: NodeJS.ProcessEnv): { target: string; profile?: string; snapshot?: string } {
  if (opts.snapshot !== undefined && opts.target !== undefined && opts.target !== 'snapshot') {
    throw new UsageError(`--snapshot reads a capture (target snapshot) and cannot be combined with --target ${opts.target}`);
  }
  const target = opts.target ?? (opts.snapshot !== undefined ? 'snapshot' : env.TDX_TARGET || (env.TDX_SNAPSHOT ? 'snapshot' : 'emulator'));
  if (!Object.prototype.hasOwnProperty.call(TARGETS, target)) {
    // Not a built-in target: an adapter's path or package (docs/targets.md).
    try {
      locateAdapter(target);
    } catch (e) {
      if (!(e instanceof AdapterError)) throw e;
      const named = /^[.\/]|\.(c|m)?[jt]s$/.test(target);
      throw new UsageError(named ? e.message
        : `unknown target "${target}"${opts.target === undefined ? ' (from TDX_TARGET)' : ''}; valid targets: ${Object.keys(TARGETS).join(', ')}, or an adapter's path or package name (docs/targets.md)`);
    }
  }
  // The emulated machine of emulated-linux is an emulator profile too.
  const profiled = target === 'emulator' || target === 'emulated-linux';
  if (opts.profile !== undefined && !profiled) throw new UsageError(`--profile selects an emulator platform; it does not apply to target ${target}`);
  if (opts.faults !== undefined && !profiled) throw new UsageError(`--faults switches on emulator faults; it does not apply to target ${target}`);
  const profile = profiled ? opts.profile ?? (env.TDX_PROFILE || undefined) : undefined;
  const snapshot = target === 'snapshot' ? opts.snapshot ?? (env.TDX_SNAPSHOT || undefined) : undefined;
  if (target === 'snapshot' && snapshot === undefined) throw new UsageError('target snapshot needs a capture: --snapshot PATH or TDX_SNAPSHOT');
  return { target, profile, snapshot };
}

function baselineFor(opts: RunOptions, description: TargetDescription, gateLib: typeof import('../reports/gate')): PlannedRun['baseline'] {
  if (!opts.baseline) return null;
  const isDir = statSync(opts.baseline, { throwIfNoEntry: false })?.isDirectory();
  // Emulator baselines are named after the profile; the emulated machine's sit in their own directory.
  const dir = description.kind === 'emulated-linux' ? join(opts.baseline, 'emulated-linux') : opts.baseline;
  const file = isDir ? join(dir, `${description.name}.yaml`) : opts.baseline;
  const runTarget = gateLib.baselineTarget(description);
  if (opts.updateBaseline) {
    const current = existsSync(file) ? gateLib.readBaseline(file) : null;
    if (current && !gateLib.sameMachine(current.target, runTarget)) {
      throw new UsageError(`baseline ${file} is for ${gateLib.describeBaselineTarget(current.target)}, not ${gateLib.describeBaselineTarget(runTarget)}: --update-baseline would replace another target's baseline`);
    }
    try {
      accessSync(dirname(resolve(file)), constants.W_OK);
    } catch (e) {
      throw new UsageError(`baseline ${file} cannot be written: ${dirname(resolve(file))} is ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not writable'}`);
    }
    return { file, update: true, current };
  }
  if (!existsSync(file)) throw new UsageError(`baseline ${file} does not exist (create it with --update-baseline)`);
  const current = gateLib.readBaseline(file);
  if (!gateLib.sameTarget(current.target, runTarget)) {
    throw new UsageError(`baseline ${file} is for ${gateLib.describeBaselineTarget(current.target)}, but this run is on ${gateLib.describeBaselineTarget(runTarget)}`);
  }
  return { file, update: false, current };
}

/** Check every option and work out the runs, writing nothing. */
export async function planRun(opts: RunOptions, env: NodeJS.ProcessEnv = process.env): Promise<Plan> {
  if (opts.jobs !== undefined) throw new UsageError('--jobs sets the worker threads of --fleet; for other runs use --parallel');
  const sel = selection(opts, env);
  const faults = (opts.faults ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = faults.filter((f) => !isFaultName(f));
  if (bad.length) throw new UsageError(`unknown fault(s): ${bad.join(', ')}; run \`tdx-conformance faults\` for the catalogue`);
  const tags = opts.tags === undefined ? undefined : parseTags(opts.tags);
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const order = parseOrder(opts.order);
  if (opts.updateBaseline && !opts.baseline) throw new UsageError('--update-baseline needs --baseline <file|dir>');
  const out = checkOutputDir(opts.out);

  let names: (string | undefined)[] = [undefined];
  if (sel.target === 'emulator' || sel.target === 'emulated-linux') {
    const cat = profileCatalogue();
    if (sel.profile === 'all') {
      const broken = [...cat.broken.values()];
      if (broken.length) throw new UsageError(`--profile all includes a broken profile: ${broken[0].message}`);
      names = [...cat.profiles.keys()];
    } else {
      const name = sel.profile ?? defaultProfileName(cat.profiles);
      if (!isProfilePath(name) && !cat.profiles.has(name) && !cat.broken.has(name)) {
        throw new UsageError(`unknown emulator profile "${name}"; valid profiles: all, ${[...cat.profiles.keys()].join(', ')} (or a path to a profile file)`);
      }
      profileNamed(name);
      names = [isProfilePath(name) ? resolve(name) : name];
    }
  }
  const gateLib = opts.baseline ? await import('../reports/gate') : null;
  const runs: PlannedRun[] = names.map((profile) => {
    const world: WorldParameters = {
      target: sel.target, profile, faults, allowDestructive: !!opts.allowDestructive || env.TDX_ALLOW_DESTRUCTIVE === '1',
      ...(opts.role ? { role: opts.role } : {}),
      ...(sel.snapshot === undefined ? {} : { snapshot: resolve(sel.snapshot) }),
    };
    resolveSelection(world);
    const description = targetFactory(world).description;
    const several = names.length > 1;
    return {
      label: several ? description.name : null,
      world,
      outDir: several ? join(out, description.name) : out,
      description,
      baseline: gateLib ? baselineFor(opts, description, gateLib) : null,
    };
  });
  return { runs, tags, shard, order, parallel: opts.parallel, allure: opts.allureReport !== false, minExecuted: opts.minExecuted };
}

const write = (s: string): void => {
  process.stdout.write(s);
};

function moduleText(d: TargetDescription): string {
  const m = d.module;
  return m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? ` build ${m.build}` : ''}` : 'not known';
}

/** What the run is about to do, before the first scenario. */
function banner(r: PlannedRun, plan: Plan): string {
  const d = r.description;
  const lines = [
    `tdx-conformance run: target ${d.kind} ${d.name} (role ${d.role})`,
    `  kernel: ${d.kernel.release ?? 'not known'} (flavour ${d.kernel.flavour ?? 'not known: era-specific scenarios cannot be decided'})`,
    `  TDX module: ${moduleText(d)}`,
  ];
  if (d.faults?.length) lines.push(`  faults switched on: ${d.faults.join(', ')}`);
  for (const n of d.notes ?? []) if (!n.startsWith('role: ')) lines.push(`  note: ${n}`);
  if (plan.tags) lines.push(`  tags: ${plan.tags}`);
  if (plan.shard) lines.push(`  shard: ${plan.shard}`);
  lines.push(`  reports: ${r.outDir}`);
  return lines.join('\n') + '\n';
}

/** The combined outcome of several runs in one line (the shared Allure report's name). */
export function severalRunsLine(what: string, verdicts: readonly { kind: string }[]): string {
  const n = (k: string) => verdicts.filter((v) => v.kind === k).length;
  return `${verdicts.length} ${what}: ${n('conforms')} conform, ${n('fails')} do not conform, ${n('partial')} partial (no failures), ${n('nothing-executed')} nothing executed`;
}

async function execute(plan: Plan): Promise<number> {
  // Loaded once the options are known to be good: bad usage is refused without loading cucumber.
  const [{ runSuite }, { writeEnvironment }, { writeRunReports }, verdictLib, allure, gateLib] = await Promise.all([
    import('../runner/run-suite'), import('../reports/environment'), import('../reports/outputs'), import('../reports/verdict'), import('../reports/allure-html'), import('../reports/gate'),
  ]);
  const { cpSync } = await import('node:fs');
  const summary: string[] = [];
  let exit: 0 | 1 = 0;
  // Several runs (--profile all) share one Allure results directory and one HTML report in --out,
  // each run its profile's parent suite; each profile keeps its other reports in its directory.
  const several = plan.runs.length > 1;
  const top = several ? stageOutput(dirname(plan.runs[0].outDir)) : null;
  const verdicts: { label: string; kind: string; line: string }[] = [];
  try {
    for (const r of plan.runs) {
      if (several) write(`\n== ${r.label}\n`);
      write(banner(r, plan));
      const stage = stageOutput(r.outDir);
      try {
        const messages: Envelope[] = [];
        await runSuite({
          world: r.world, tags: plan.tags, shard: plan.shard, parallel: plan.parallel, order: plan.order,
          outDir: stage.dir, console: consoleFormat(), onMessage: (e) => messages.push(e),
          ...(top ? { allure: { resultsDir: join(top.dir, 'allure-results'), parentSuite: r.label ?? r.description.name } } : {}),
        });
        const analysis = verdictLib.analyseRun(messages);
        const v = analysis.verdict;
        const env = writeEnvironment(stage.dir, r.world, process.argv, v);
        writeRunReports(stage.dir, messages, analysis, env.target, { allureInfo: !top });
        const notes: string[] = [];
        const previousReport = join(r.outDir, 'allure-report');
        if (top) {
          // The Allure report of every profile is generated once, after the last.
        } else if (plan.allure) {
          const html = allure.generateAllureHtml(stage.dir, { reportName: allure.allureReportName(v), historyFrom: previousReport });
          notes.push(html.generated ? `Allure report: ${join(r.outDir, 'allure-report', 'index.html')}` : `Allure HTML report not generated: ${html.reason}.`);
        } else if (existsSync(join(previousReport, 'history'))) {
          // No report this time, but the trend continues with the next one.
          cpSync(join(previousReport, 'history'), join(stage.dir, 'allure-report', 'history'), { recursive: true });
        }
        let gatePassed: boolean | undefined;
        if (r.baseline) {
          const target = gateLib.baselineTarget(env.target);
          if (r.baseline.update) {
            gateLib.writeBaseline(r.baseline.file, gateLib.updatedBaseline(r.baseline.current, target, analysis.results));
            notes.push(`baseline ${r.baseline.file} rewritten from ${analysis.results.length} scenarios`);
          } else {
            const g = gateLib.gate(r.baseline.current!, analysis.results);
            notes.push(`gate against ${r.baseline.file}:`, ...gateLib.formatFindings(g).split('\n').map((l) => `  ${l}`));
            gatePassed = g.passed;
          }
        }
        stage.commit(REPORT_ENTRIES);
        const decision = verdictLib.exitDecision(v, { gatePassed, minExecuted: plan.minExecuted });
        const skipped = verdictLib.formatReasonCounts(v.scenarios.skippedByReason, ['not-applicable', 'cannot-observe', 'precondition-unmet', 'needs-opt-in', 'blocked']);
        const out = [
          ...notes,
          `Reports: ${join(r.outDir, 'compliance.md')} (and compliance.html, junit.xml, cucumber-report.html)`,
          `Scenarios: ${v.scenarios.passed} passed, ${v.scenarios.failed} failed, ${v.scenarios.skipped} skipped${skipped ? ` (${skipped})` : ''}, ${v.scenarios.blocked} blocked`,
          `Verdict: ${v.line}`,
        ];
        if (decision.code) out.push(`Exit 1: ${decision.reasons.join('; ')}`);
        write(out.join('\n') + '\n');
        summary.push(`${(r.label ?? r.description.name).padEnd(26)} ${v.line}${decision.code ? `  [exit 1: ${decision.reasons.join('; ')}]` : ''}`);
        verdicts.push({ label: r.label ?? r.description.name, kind: v.kind, line: v.line });
        if (decision.code) exit = 1;
      } finally {
        stage.discard();
      }
    }
    if (top) {
      const out = top.target;
      const reportName = `TDX conformance: ${severalRunsLine('profiles', verdicts)}`;
      allure.writeSharedAllureInfo(join(top.dir, 'allure-results'), reportName, Object.fromEntries(verdicts.map((v) => [`profile.${v.label}`, v.line])));
      let note: string;
      if (plan.allure) {
        const html = allure.generateAllureHtml(top.dir, { reportName, historyFrom: join(out, 'allure-report') });
        note = html.generated ? `Allure report (every profile): ${join(out, 'allure-report', 'index.html')}` : `Allure HTML report not generated: ${html.reason}.`;
      } else {
        note = `Allure results (every profile): ${join(out, 'allure-results')}; no HTML report (--no-allure-report)`;
        if (existsSync(join(out, 'allure-report', 'history'))) cpSync(join(out, 'allure-report', 'history'), join(top.dir, 'allure-report', 'history'), { recursive: true });
      }
      top.commit(['allure-results', 'allure-report']);
      write(`\n== Summary: ${plan.runs.length} profiles\n${summary.join('\n')}\n${note}\n`);
    }
  } finally {
    top?.discard();
  }
  return exit;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  return planThenExecute(() => planRun(opts), execute);
}
