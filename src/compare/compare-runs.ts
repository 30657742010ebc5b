/**
 * Two runs of the suite compared scenario by scenario: wherever both executed a scenario
 * (passed or failed on both), its status must be the same. It is how the linux backend over the
 * emulated machine (emulated-linux) is held to the emulator target: one model, two ways of
 * observing it, one answer. A scenario one run skipped is not compared: it was not observed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ScenarioStatus {
  key: string;
  name: string;
  status: string;
}

export interface RunDifference {
  profile: string;
  key: string;
  name: string;
  a: string;
  b: string;
}

export interface RunComparison {
  profiles: string[];
  /** Profiles present in only one of the runs. */
  unmatched: string[];
  bothExecuted: number;
  differences: RunDifference[];
}

const EXECUTED = new Set(['passed', 'failed']);

/** The scenarios of one profile's compliance.json, once each (a scenario may serve several requirements). */
export function scenarioStatuses(complianceJson: string): Map<string, ScenarioStatus> {
  const doc = JSON.parse(readFileSync(complianceJson, 'utf8')) as { requirements?: { scenarios?: ScenarioStatus[] }[] };
  if (!Array.isArray(doc.requirements)) throw new Error(`${complianceJson}: no "requirements" list (not a compliance.json of this suite)`);
  const out = new Map<string, ScenarioStatus>();
  for (const r of doc.requirements) for (const s of r.scenarios ?? []) out.set(`${s.key} ${s.name}`, s);
  return out;
}

/** The profile directories of a run: <out>/<profile>/compliance.json, or <out>/compliance.json for a single one. */
function profileDirs(out: string): Map<string, string> {
  if (!existsSync(out) || !statSync(out).isDirectory()) throw new Error(`${out}: not a directory of run reports`);
  if (existsSync(join(out, 'compliance.json'))) return new Map([['(single run)', join(out, 'compliance.json')]]);
  const dirs = new Map<string, string>();
  for (const d of readdirSync(out)) {
    const f = join(out, d, 'compliance.json');
    if (existsSync(f)) dirs.set(d, f);
  }
  if (dirs.size === 0) throw new Error(`${out}: no compliance.json in it or in its subdirectories`);
  return dirs;
}

export function compareRuns(a: string, b: string): RunComparison {
  const da = profileDirs(a);
  const db = profileDirs(b);
  const profiles = [...da.keys()].filter((p) => db.has(p)).sort();
  const unmatched = [...new Set([...da.keys(), ...db.keys()])].filter((p) => !da.has(p) || !db.has(p)).sort();
  const differences: RunDifference[] = [];
  let bothExecuted = 0;
  for (const p of profiles) {
    const sa = scenarioStatuses(da.get(p)!);
    const sb = scenarioStatuses(db.get(p)!);
    for (const [k, x] of sa) {
      const y = sb.get(k);
      if (!y || !EXECUTED.has(x.status) || !EXECUTED.has(y.status)) continue;
      bothExecuted++;
      if (x.status !== y.status) differences.push({ profile: p, key: x.key, name: x.name, a: x.status, b: y.status });
    }
  }
  return { profiles, unmatched, bothExecuted, differences };
}
