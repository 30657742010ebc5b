/**
 * One mutation run: the suite (or the scenarios of the fault's requirements) with one fault
 * switched on, on the profiles in turn until a scenario fails. Support code is loaded once per
 * process (runSuite) and reused for every fault.
 */
import type { Envelope } from '@cucumber/messages';
import { FAULTS, type FaultName } from '../../backends/emulator/faults';
import { scenarioResults, type ScenarioResult } from '../reports/results';
import { runSuite } from '../runner/run-suite';

export interface FaultOutcome {
  name: string;
  kind: string;
  requirements: string[];
  killed: boolean;
  killedBy: string[];
  /** Profile on which it was killed, or every profile tried. */
  profiles: string[];
  seconds: number;
}

const failing = (r: ScenarioResult): boolean => !['passed', 'skipped', 'blocked'].includes(r.status);

/**
 * Where a campaign runs its scenarios: the emulator (default), or the linux backend over an
 * emulator profile's machine (emulated-linux), as its host or its TD guest. A fault of the model
 * is then judged by what a real machine's interfaces would show of it.
 */
export type CampaignTarget = { target: 'emulator' } | { target: 'emulated-linux'; role?: 'host' | 'guest' };

export const EMULATOR: CampaignTarget = { target: 'emulator' };

export async function runOnce(profile: string, faults: string[], tags?: string, on: CampaignTarget = EMULATOR): Promise<ScenarioResult[]> {
  const envelopes: Envelope[] = [];
  await runSuite({ world: { ...on, profile, faults }, tags, console: null, onMessage: (e) => envelopes.push(e) });
  return scenarioResults(envelopes);
}

export async function runFault(name: FaultName, profiles: readonly string[], full: boolean, on: CampaignTarget = EMULATOR): Promise<FaultOutcome> {
  const started = Date.now();
  const spec = FAULTS[name];
  const tags = full ? undefined : spec.requirements.map((r) => `@req:${r}`).join(' or ');
  const tried: string[] = [];
  for (const profile of profiles) {
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
