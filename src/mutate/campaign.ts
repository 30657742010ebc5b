/**
 * The mutation campaign: a clean run that must pass, then every fault of the catalogue, each in
 * its own mutated run, spread over worker processes that keep their support code loaded. The
 * result is a kill matrix: for each fault, killed or survived, and by which scenarios.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { FAULTS, type FaultName } from '../../backends/emulator/faults';
import { defaultProfileName, loadProfiles, profileNamed } from '../../backends/emulator/profile';
import { Faults } from '../../backends/emulator/faults';
import { noTd } from '../../backends/emulator/machine/guest-machine';
import { EmulatorScenario } from '../../backends/emulator/system';
import type { ScenarioResult } from '../reports/results';
import { EMULATOR, runOnce, type CampaignTarget, type FaultOutcome } from './run-fault';

export type { CampaignTarget } from './run-fault';

export interface CampaignOptions {
  faults: FaultName[];
  full: boolean;
  workers: number;
  /** Where the scenarios run (default: the emulator); on emulated-linux only faults of requirements executed there are tried. */
  on?: CampaignTarget;
  /** The profiles to try, in order (default: the default profile first, then the others). */
  profiles?: string[];
  onProgress?: (o: FaultOutcome, done: number, total: number) => void;
}

export interface CampaignReport {
  clean: { passed: number; failed: number; skipped: number; blocked: number; profiles: number; seconds: number };
  faults: FaultOutcome[];
  seconds: number;
}

/**
 * The default profile first (most faults die there), then the others; for a TD guest seen from
 * inside, only the profiles whose platform runs a TD.
 */
export function profileOrder(on: CampaignTarget = EMULATOR): string[] {
  const def = defaultProfileName();
  const all = [def, ...[...loadProfiles().keys()].filter((p) => p !== def)];
  if (on.target !== 'emulated-linux' || on.role !== 'guest') return all;
  return all.filter((p) => noTd(new EmulatorScenario(profileNamed(p), new Faults())) === null);
}

export async function cleanRun(profiles: readonly string[], on: CampaignTarget = EMULATOR):
  Promise<{ clean: CampaignReport['clean']; executed: Record<string, string[]> }> {
  const started = Date.now();
  const c = { passed: 0, failed: 0, skipped: 0, blocked: 0, profiles: profiles.length, seconds: 0 };
  const executed: Record<string, string[]> = {};
  for (const p of profiles) {
    const reqs = new Set<string>();
    for (const r of await runOnce(p, [], undefined, on)) {
      const k = (r.status === 'passed' || r.status === 'skipped' || r.status === 'blocked' ? r.status : 'failed') as keyof typeof c;
      (c[k] as number)++;
      if (r.status !== 'skipped' && r.status !== 'blocked' && r.req) reqs.add(r.req);
    }
    executed[p] = [...reqs];
  }
  c.seconds = (Date.now() - started) / 1000;
  return { clean: c, executed };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const profiles = opts.profiles ?? profileOrder(opts.on);
  const on = opts.on ?? EMULATOR;
  const { clean, executed } = await cleanRun(profiles, on);
  const outcomes: FaultOutcome[] = [];
  const pending = [...opts.faults];
  const workers = Math.max(1, Math.min(opts.workers, pending.length));
  await Promise.all(Array.from({ length: workers }, () => new Promise<void>((resolve, reject) => {
    const child = fork(join(__dirname, 'worker.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const next = () => {
      const fault = pending.shift();
      if (fault === undefined) child.send('stop');
      else child.send({ fault, profiles, full: opts.full, on, executed: on.target === 'emulator' ? undefined : executed });
    };
    child.on('message', (m: 'ready' | FaultOutcome) => {
      if (m !== 'ready') {
        outcomes.push(m);
        opts.onProgress?.(m, outcomes.length, opts.faults.length);
      }
      next();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`campaign worker exited with ${code}`))));
  })));
  const order = new Map(opts.faults.map((f, i) => [f, i]));
  outcomes.sort((a, b) => order.get(a.name as FaultName)! - order.get(b.name as FaultName)!);
  return { clean, faults: outcomes, seconds: (Date.now() - started) / 1000 };
}

export function allFaults(): FaultName[] {
  return Object.keys(FAULTS) as FaultName[];
}

export type { ScenarioResult };
