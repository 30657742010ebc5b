/**
 * `tdx-conformance capture --out DIR`: read this machine (only reads: files, commands without a
 * shell, CPUID and MSR reads) and write a snapshot bundle, to be evaluated elsewhere with
 * `run --snapshot DIR` or `inspect DIR`.
 */
import { runProbes } from '../../backends/linux/live';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import { readSnapshot } from '../../backends/linux/load';
import { writeSnapshot } from '../../backends/linux/snapshot';
import { suiteVersion } from '../reports/environment';

export function captureCommand(opts: { out: string }): number {
  const { probes, results } = runProbes(new ThisMachine());
  const manifest = writeSnapshot(opts.out, probes, results, suiteVersion());
  const r = readSnapshot(opts.out);
  const out = [
    `wrote ${opts.out}: ${manifest.entries.length} probes, ${manifest.unreadable.length} could not be read`,
    `role: ${r.facts.role}; kernel ${r.facts.kernel.release ?? 'unknown'}`,
  ];
  if (manifest.unreadable.length) {
    out.push('not read (see manifest.json):');
    for (const u of manifest.unreadable) out.push(`  - ${u.what}: ${u.why}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}
