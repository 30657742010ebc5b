/** compare-runs: the same status wherever two runs both executed a scenario. */
import { compareRuns } from '../compare/compare-runs';
import { UsageError } from './usage-error';

export function compareRunsCommand(a: string, b: string, opts: { json?: boolean }): number {
  let c;
  try {
    c = compareRuns(a, b);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  } else {
    process.stdout.write(`${c.profiles.length} profiles in both runs; ${c.bothExecuted} scenario runs executed by both; ${c.differences.length} with a different status\n`);
    for (const d of c.differences) process.stdout.write(`  ${d.profile}: ${d.key} "${d.name}": ${d.a} in ${a}, ${d.b} in ${b}\n`);
    if (c.unmatched.length) process.stdout.write(`profiles in only one run (not compared): ${c.unmatched.join(', ')}\n`);
  }
  if (c.profiles.length === 0) {
    process.stderr.write('compare-runs: the two runs have no profile in common\n');
    return 1;
  }
  return c.differences.length === 0 ? 0 : 1;
}
