/** `tdx-conformance run`: the suite on one target (or every emulator profile), with its reports. */
import { statSync } from 'node:fs';
import type { Envelope } from '@cucumber/messages';
import { join, resolve } from 'node:path';
import { isFaultName } from '../../backends/emulator/faults';
import { defaultProfileName, loadProfiles } from '../../backends/emulator/profile';
import { resolveSelection, TARGETS } from '../../support/targets';
import { runSuite } from '../runner/run-suite';
import { generateAllureHtml, prepareAllureResults } from '../reports/allure-html';
import { asUsageError, UsageError } from './usage-error';

export interface RunOptions {
  target: string;
  profile?: string;
  snapshot?: string;
  /** emulated-linux: host or guest. */
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
}

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

function consoleFormat(): string {
  return process.stdout.isTTY && !process.env.CI ? 'progress-bar' : 'progress';
}

export async function runCommand(opts: RunOptions): Promise<number> {
  try {
    if (opts.snapshot !== undefined) opts = { ...opts, target: 'snapshot' };
    if (!Object.prototype.hasOwnProperty.call(TARGETS, opts.target)) {
      throw new UsageError(`unknown target "${opts.target}"; valid targets: ${Object.keys(TARGETS).join(', ')}`);
    }
    const faults = (opts.faults ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = faults.filter((f) => !isFaultName(f));
    if (bad.length) throw new UsageError(`unknown fault(s): ${bad.join(', ')}; run \`tdx-conformance faults\` for the catalogue`);
    const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
    const order = parseOrder(opts.order);
    const all = loadProfiles();
    const profiled = opts.target === 'emulator' || opts.target === 'emulated-linux';
    const names = !profiled ? [undefined]
      : opts.profile === 'all' ? [...all.keys()]
      : [opts.profile ?? defaultProfileName(all)];
    for (const n of names) if (n !== undefined && !all.has(n)) throw new UsageError(`unknown emulator profile "${n}"; valid profiles: all, ${[...all.keys()].join(', ')}`);
    let ok = true;
    for (const profile of names) {
      const world = {
        target: opts.target, profile, faults, allowDestructive: !!opts.allowDestructive, ...(opts.role ? { role: opts.role } : {}),
        ...(opts.snapshot === undefined ? {} : { snapshot: resolve(opts.snapshot) }),
      };
      resolveSelection(world);
      const outDir = resolve(names.length > 1 ? join(opts.out, profile!) : opts.out);
      if (names.length > 1) process.stdout.write(`\n== ${profile}\n`);
      prepareAllureResults(outDir);
      // The run's messages, as written to messages.ndjson: kept in memory for the compliance report.
      const messages: Envelope[] = [];
      const result = await runSuite({ world, tags: opts.tags, shard, parallel: opts.parallel, order, outDir, console: consoleFormat(), onMessage: (e) => messages.push(e) });
      // Report writers load after the first run, not before the first scenario (start-up time).
      const [{ writeEnvironment }, { complianceFor }] = await Promise.all([import('../reports/environment'), import('../reports/outputs')]);
      const env = writeEnvironment(outDir, world, process.argv);
      const c = complianceFor(outDir, messages, env.target);
      process.stdout.write(`compliance: ${c.coverage.executed}/${c.coverage.total} requirements executed -> ${join(outDir, 'compliance.md')}\n`);
      if (opts.allureReport !== false) {
        const html = generateAllureHtml(outDir);
        process.stdout.write(html.generated ? `Allure report: ${join(html.dir, 'index.html')}\n` : `Allure HTML report not generated: ${html.reason}.\n`);
      }
      if (opts.baseline) {
        // Emulator baselines are named after the profile; the emulated machine's sit in their own directory.
        const dir = env.target.kind === 'emulated-linux' ? join(opts.baseline, 'emulated-linux') : opts.baseline;
        const file = statSync(opts.baseline, { throwIfNoEntry: false })?.isDirectory() ? join(dir, `${env.target.name}.yaml`) : opts.baseline;
        const { gateCommand } = await import('./report-actions');
        const code = gateCommand({ results: outDir, baseline: file, update: opts.updateBaseline });
        ok &&= code === 0;
      } else {
        ok &&= result.success;
      }
    }
    return ok ? 0 : 1;
  } catch (e) {
    const u = asUsageError(e);
    if (!u) throw e;
    process.stderr.write(`tdx-conformance: ${u.message}\n`);
    return 2;
  }
}
