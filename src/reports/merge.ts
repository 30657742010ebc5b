/**
 * Merging the outputs of shards into one set of reports. Every shard emits every source, pickle
 * and step definition (in the same order: same revision, same support code) but only its own test
 * cases; ids are random per process. The merge keeps the first shard's static messages and maps
 * each shard's references (pickles, pickle steps, step definitions, hooks) to them by position,
 * then rewrites JUnit, HTML, Allure results and the compliance report from the merged stream.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { toJson } from '../../backends/common/json';
import { INPUT_LIMITS, InputError, readInputFile } from '../../backends/common/read-input';
import type { TargetDescription } from '../../backends/port';
import { readMessages } from './results';
import { writeReportsFromMessages } from './outputs';
import type { RunAnalysis } from './verdict';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

const STATIC = ['source', 'gherkinDocument', 'pickle', 'hook', 'parameterType', 'stepDefinition', 'meta'] as const;

function idMap(first: Envelope[], other: Envelope[], shard: string): Map<string, string> {
  const ids = (es: Envelope[]) => {
    const list: string[] = [];
    for (const e of es) {
      if (e.pickle) {
        list.push(e.pickle.id);
        for (const s of e.pickle.steps) list.push(s.id);
      } else if (e.stepDefinition) list.push(e.stepDefinition.id);
      else if (e.hook) list.push(e.hook.id);
    }
    return list;
  };
  const a = ids(first);
  const b = ids(other);
  if (a.length !== b.length) throw new MergeError(`${shard}: its suite differs from the first shard's (different revision or support code)`);
  return new Map(b.map((id, i) => [id, a[i]]));
}

function remap(e: Envelope, m: Map<string, string>): Envelope {
  const map = (id: string) => m.get(id) ?? id;
  if (e.testCase) {
    return {
      testCase: {
        ...e.testCase,
        pickleId: map(e.testCase.pickleId),
        testSteps: e.testCase.testSteps.map((s) => ({
          ...s,
          ...(s.pickleStepId ? { pickleStepId: map(s.pickleStepId) } : {}),
          ...(s.stepDefinitionIds ? { stepDefinitionIds: s.stepDefinitionIds.map(map) } : {}),
          ...(s.hookId ? { hookId: map(s.hookId) } : {}),
        })),
      },
    };
  }
  return e;
}

/** Merge the messages of several report directories into one stream. */
export function mergeMessages(dirs: readonly string[]): Envelope[] {
  if (dirs.length === 0) throw new MergeError('nothing to merge: name at least one results directory');
  const all = dirs.map((d) => {
    const f = join(d, 'messages.ndjson');
    if (!existsSync(f)) throw new MergeError(`${d}: no messages.ndjson (not a results directory)`);
    return readMessages(f);
  });
  const first = all[0];
  const out: Envelope[] = first.filter((e) => STATIC.some((k) => k in e));
  let start: Envelope['testRunStarted'] | undefined;
  let finish: Envelope['testRunFinished'] | undefined;
  let success = true;
  all.forEach((msgs, i) => {
    const m = i === 0 ? new Map<string, string>() : idMap(first, msgs, dirs[i]);
    for (const e of msgs) {
      if (STATIC.some((k) => k in e)) continue;
      if (e.testRunStarted) {
        if (!start || Number(e.testRunStarted.timestamp.seconds) < Number(start.timestamp.seconds)) start = e.testRunStarted;
        continue;
      }
      if (e.testRunFinished) {
        success &&= e.testRunFinished.success;
        if (!finish || Number(e.testRunFinished.timestamp.seconds) > Number(finish.timestamp.seconds)) finish = e.testRunFinished;
        continue;
      }
      out.push(remap(e, m));
    }
  });
  if (start) out.splice(out.findIndex((e) => !STATIC.some((k) => k in e)), 0, { testRunStarted: start });
  if (finish) out.push({ testRunFinished: { ...finish, success } });
  return out;
}

/** An input's environment.json, or null when it has none. */
function environmentOf(dir: string): { target?: TargetDescription | null } & Record<string, unknown> | null {
  const f = join(dir, 'environment.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readInputFile(f, INPUT_LIMITS.manifest).toString('utf8'));
  } catch (e) {
    throw new MergeError(`${f}: ${e instanceof InputError ? e.problem : `not valid JSON (${(e as Error).message.split('\n')[0]})`}`);
  }
}

/** Merge result directories into outDir (fresh): messages, Allure results, every report. */
export async function mergeDirectories(dirs: readonly string[], outDir: string): Promise<{ envelopes: Envelope[]; analysis: RunAnalysis }> {
  const merged = mergeMessages(dirs);
  const envs = dirs.map(environmentOf);
  const targets = new Set(envs.map((e) => JSON.stringify(e?.target ?? null)));
  if (targets.size > 1) throw new MergeError('the shards ran on different targets; merge only shards of one target');
  mkdirSync(join(outDir, 'allure-results'), { recursive: true });
  writeFileSync(join(outDir, 'messages.ndjson'), merged.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const d of dirs) {
    const a = join(d, 'allure-results');
    if (!existsSync(a)) continue;
    for (const f of readdirSync(a)) cpSync(join(a, f), join(outDir, 'allure-results', f), { recursive: true });
  }
  const target = envs[0]?.target ?? null;
  const analysis = await writeReportsFromMessages(outDir, merged, target);
  if (envs[0]) writeFileSync(join(outDir, 'environment.json'), toJson({ ...envs[0], mergedFrom: dirs, verdict: analysis.verdict }) + '\n');
  return { envelopes: merged, analysis };
}
