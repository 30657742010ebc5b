/**
 * `tdx-conformance capture --out DIR`: read this machine (only reads: files, commands without a
 * shell, CPUID and MSR reads) and write a snapshot bundle, to be evaluated elsewhere with
 * `run --snapshot DIR` or `inspect DIR`. The output directory is checked before the machine is
 * read, and the bundle is written next to it and moved into place whole.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runProbes } from '../../backends/linux/live';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import { readSnapshot } from '../../backends/linux/load';
import { MANIFEST, writeSnapshot } from '../../backends/linux/snapshot';
import { suiteVersion } from '../reports/environment';
import { checkOutputDir, stageOutput } from './output-dir';
import { UsageError } from './usage-error';

export function captureCommand(opts: { out: string }): number {
  const out = checkOutputDir(opts.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new UsageError(`--out ${opts.out} ${existsSync(join(out, MANIFEST)) ? 'already holds a snapshot' : 'is not empty'}: choose a new or empty directory`);
  }
  const { probes, results } = runProbes(new ThisMachine());
  const stage = stageOutput(out);
  let manifest;
  try {
    manifest = writeSnapshot(stage.dir, probes, results, suiteVersion());
    stage.commit();
  } finally {
    stage.discard();
  }
  const r = readSnapshot(out);
  const lines = [
    `wrote ${opts.out}: ${manifest.entries.length} probes, ${manifest.unreadable.length} could not be read`,
    `role: ${r.facts.role}; kernel ${r.facts.kernel.release ?? 'unknown'}`,
  ];
  if (manifest.unreadable.length) {
    lines.push('not read (see manifest.json):');
    for (const u of manifest.unreadable) lines.push(`  - ${u.what}: ${u.why}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
