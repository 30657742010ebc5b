/**
 * One mutation run: the suite (or the scenarios of the fault's requirements) with one fault
 * switched on, on the profiles in turn until a scenario fails. Support code is loaded once per
 * process (runSuite) and reused for every fault.
 */
import type { Envelope } from '@cucumber/messages';
import { FAULTS, type FaultName } from '../../backends/emulator/faults';
import { scenarioResults, type ScenarioResult } from '../reports/results';
import { runSuite } from '../runner/run-suite';

/**
 * Where a campaign runs its scenarios: the emulator (default), or the linux backend over an
 * emulator profile's machine (emulated-linux), as its host or its TD guest. A fault of the model
 * is then judged by what a real machine's interfaces would show of it.
 */
export type CampaignTarget = { target: 'emulator' } | { target: 'emulated-linux'; role?: 'host' | 'guest' };

export const EMULATOR: CampaignTarget = { target: 'emulator' };

export interface FaultOutcome {
  name: string;
  kind: string;
  requirements: string[];
  killed: boolean;
  /** On emulated-linux: none of the fault's requirements executes there, so it was not tried. */
  notExecuted?: boolean;
  killedBy: string[];
  /** Profile on which it was killed, or every profile tried. */
  profiles: string[];
  seconds: number;
}

const failing = (r: ScenarioResult): boolean => !['passed', 'skipped', 'blocked'].includes(r.status);

export async function runOnce(profile: string, faults: string[], tags?: string, on: CampaignTarget = EMULATOR): Promise<ScenarioResult[]> {
  const envelopes: Envelope[] = [];
  await runSuite({ world: { ...on, profile, faults }, tags, console: null, onMessage: (e) => envelopes.push(e) });
  return scenarioResults(envelopes);
}

/**
 * `executed`: on emulated-linux, the requirements each profile's clean run executed; the fault is
 * tried on the profiles where one of its requirements executed, with those requirements only.
 */
export async function runFault(name: FaultName, profiles: readonly string[], full: boolean, on: CampaignTarget = EMULATOR,
  executed?: Record<string, string[]>): Promise<FaultOutcome> {
  const started = Date.now();
  const spec = FAULTS[name];
  let reqs = [...spec.requirements];
  let where = [...profiles];
  if (executed) {
    where = profiles.filter((p) => reqs.some((r) => executed[p]?.includes(r)));
    reqs = reqs.filter((r) => where.some((p) => executed[p]?.includes(r)));
    if (!where.length) return { name, kind: spec.kind, requirements: [...spec.requirements], killed: false, notExecuted: true, killedBy: [], profiles: [], seconds: 0 };
  }
  const tags = full ? undefined : reqs.map((r) => `@req:${r}`).join(' or ');
  const tried: string[] = [];
  for (const profile of where) {
    tried.push(profile);
    const killers = (await runOnce(profile, [name], tags, on)).filter(failing);
    if (killers.length) {
      return {
        name, kind: spec.kind, requirements: [...spec.requirements], killed: true,
        killedBy: killers.map((k) => `${k.name} (${k.uri}:${k.line})`), profiles: [profile], seconds: (Date.now() - started) / 1000,
      };
    }
  }
  return { name, kind: spec.kind, requirements: [...spec.requirements], killed: false, killedBy: [], profiles: tried, seconds: (Date.now() - started) / 1000 };
}
