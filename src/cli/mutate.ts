/** `tdx-conformance mutate`: the fault campaign and its kill matrix. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FAULTS, isFaultName, type FaultName } from '../../backends/emulator/faults';
import { allFaults, runCampaign, type CampaignTarget } from '../mutate/campaign';
import { UsageError } from './usage-error';

export interface MutateOptions {
  json?: boolean;
  faults?: string;
  full?: boolean;
  workers: number;
  out?: string;
  target?: string;
  role?: string;
}

export async function mutateCommand(opts: MutateOptions): Promise<number> {
  const names = opts.faults ? opts.faults.split(',').map((s) => s.trim()).filter(Boolean) : allFaults();
  const bad = names.filter((n) => !isFaultName(n));
  if (bad.length) throw new UsageError(`unknown fault(s): ${bad.join(', ')}; run \`tdx-conformance faults\` for the catalogue`);
  const target = opts.target ?? 'emulator';
  if (target !== 'emulator' && target !== 'emulated-linux') throw new UsageError(`--target must be emulator or emulated-linux for a fault campaign, got "${target}"`);
  if (opts.role !== undefined && target !== 'emulated-linux') throw new UsageError('--role applies to --target emulated-linux only');
  if (opts.role !== undefined && opts.role !== 'host' && opts.role !== 'guest') throw new UsageError(`--role must be host or guest, got "${opts.role}"`);
  const on: CampaignTarget = target === 'emulator' ? { target } : { target, ...(opts.role ? { role: opts.role as 'host' | 'guest' } : {}) };
  const report = await runCampaign({
    faults: names as FaultName[], full: !!opts.full, workers: opts.workers, on,
    onProgress: opts.json ? undefined : (o, done, total) =>
      process.stdout.write(`[${done}/${total}] ${o.notExecuted ? 'n/a     ' : o.killed ? 'killed  ' : 'SURVIVED'} ${o.name}${o.killed ? ` on ${o.profiles[0]}` : o.notExecuted ? ' (no requirement of it executes on this target)' : ''}\n`),
  });
  // On the real path some faults cannot show (the catalogue says why): they are expected to
  // survive there, and one that is killed after all means the catalogue is out of date.
  const unseen = (f: { name: string }) => on.target === 'emulated-linux' && !!FAULTS[f.name as FaultName].unseenOnRealPath;
  const tried = report.faults.filter((f) => !f.notExecuted);
  const survivors = tried.filter((f) => !f.killed && !unseen(f));
  const expected = tried.filter((f) => !f.killed && unseen(f));
  const stale = tried.filter((f) => f.killed && unseen(f));
  const cleanOk = report.clean.failed === 0;
  if (opts.out) {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const c = report.clean;
    process.stdout.write(`\nclean run on ${c.profiles} profiles: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${c.seconds.toFixed(1)} s)\n`);
    process.stdout.write(`faults on ${target}${opts.role ? ` (${opts.role})` : ''}: ${tried.length - survivors.length - expected.length} of ${tried.length} killed in ${report.seconds.toFixed(1)} s${tried.length < report.faults.length ? ` (${report.faults.length - tried.length} map to no requirement executed there)` : ''}\n`);
    for (const s of survivors) process.stdout.write(`  survived: ${s.name} (requirements ${s.requirements.join(', ')}; tried ${s.profiles.join(', ')})\n`);
    for (const s of expected) process.stdout.write(`  not visible on a real machine (expected): ${s.name}: ${FAULTS[s.name as FaultName].unseenOnRealPath}\n`);
    for (const s of stale) process.stdout.write(`  killed, though the catalogue says a real machine cannot show it: ${s.name} (update unseenOnRealPath)\n`);
  }
  return cleanOk && survivors.length === 0 && stale.length === 0 ? 0 : 1;
}
