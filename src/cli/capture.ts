/**
 * `tdx-conformance capture --out DIR`: read a machine and write a snapshot bundle, to be evaluated
 * elsewhere with `run --snapshot DIR` or `inspect DIR`.
 *
 * The machine is this one (`--target linux`, the default) or the emulated machine of a profile
 * (`--target emulated-linux --profile P`). First the probes (files, the kernel log, CPUID and MSR
 * reads, the KVM API version) are read and stored as they came. Then, unless --probes-only, the
 * suite's scenarios run on the linux backend through a recorder, exactly as a live run would issue
 * them (the documented probe sequences are the scenarios themselves), and every answer is kept in
 * transcript.json: a snapshot answers those scenarios later, and says "not in the capture" for
 * anything else. On a real machine that means what a live run does: VMs and TDs are created and
 * closed again, nothing @destructive runs.
 *
 * The output directory is checked before the machine is read, and the bundle is written next to
 * it and moved into place whole.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { emulatedMachineAs } from '../../backends/emulated-linux/target';
import { Faults } from '../../backends/emulator/faults';
import { profileNamed, defaultProfileName } from '../../backends/emulator/profile';
import type { KernelInterface } from '../../backends/kernel-interface';
import { TranscriptRecorder } from '../../backends/linux/capture/recorder';
import { readMachine, readSnapshot } from '../../backends/linux/load';
import { ThisMachine } from '../../backends/linux/real/this-machine';
import { MANIFEST, writeSnapshot } from '../../backends/linux/snapshot';
import { linuxTargetFactory } from '../../backends/linux/target';
import { provideFactory, releaseFactory, type WorldParameters } from '../../support/targets';
import { suiteVersion } from '../reports/environment';
import { scenarioResults } from '../reports/results';
import { runSuite } from '../runner/run-suite';
import { checkOutputDir, stageOutput } from './output-dir';
import { UsageError } from './usage-error';

export interface CaptureOptions {
  out: string;
  target?: string;
  profile?: string;
  faults?: string;
  role?: string;
  probesOnly?: boolean;
}

interface Machine {
  kind: 'linux' | 'emulated-linux';
  name: string;
  /** A fresh seam: the same live machine, or a freshly booted emulated one. */
  fresh: () => KernelInterface;
  world: WorldParameters;
}

function machineOf(opts: CaptureOptions): Machine {
  const target = opts.target ?? 'linux';
  if (target === 'linux') {
    if (opts.profile !== undefined || opts.faults !== undefined || opts.role !== undefined) {
      throw new UsageError('--profile, --faults and --role select an emulated machine: use them with --target emulated-linux');
    }
    const m = new ThisMachine();
    return { kind: 'linux', name: m.describe, fresh: () => m, world: { target: 'linux', recording: 'capture' } };
  }
  if (target !== 'emulated-linux') throw new UsageError(`capture --target must be linux (this machine) or emulated-linux, got "${target}"`);
  const role = opts.role ?? 'host';
  if (role !== 'host' && role !== 'guest') throw new UsageError(`capture --role must be host or guest, got "${role}"`);
  const profile = profileNamed(opts.profile ?? defaultProfileName());
  const faults = new Faults([...profile.faults, ...(opts.faults ? opts.faults.split(',').map((f) => f.trim()).filter(Boolean) : [])]);
  return {
    kind: 'emulated-linux', name: role === 'guest' ? `${profile.name}-guest` : profile.name, fresh: () => emulatedMachineAs(role, profile, faults),
    world: { target: 'emulated-linux', profile: profile.name, faults: faults.list(), recording: 'capture', ...(role === 'guest' ? { role } : {}) },
  };
}

/** Run the suite on the machine through a recorder; the scenarios and how they ended. */
async function record(m: Machine, reading: ReturnType<typeof readMachine>, recorder: TranscriptRecorder) {
  provideFactory(m.world, linuxTargetFactory(reading, () => recorder.session(m.fresh()), {}, true));
  const messages: Envelope[] = [];
  try {
    await runSuite({ world: m.world, console: null, onMessage: (e) => messages.push(e) });
  } finally {
    // The recording target holds the whole transcript: nothing of it is kept once written.
    releaseFactory(m.world);
  }
  return scenarioResults(messages).map((r) => ({ key: r.key, name: r.name, status: r.status }));
}

export async function captureCommand(opts: CaptureOptions): Promise<number> {
  process.stdout.write((await capture(opts)).join('\n') + '\n');
  return 0;
}

/** Write the snapshot; the lines that say what was written. */
export async function capture(opts: CaptureOptions): Promise<string[]> {
  const out = checkOutputDir(opts.out);
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new UsageError(`--out ${opts.out} ${existsSync(join(out, MANIFEST)) ? 'already holds a snapshot' : 'is not empty'}: choose a new or empty directory`);
  }
  const m = machineOf(opts);
  const reading = readMachine(m.fresh(), m.kind, m.name);
  const { probes, results } = reading.probes!;
  let recorded;
  if (!opts.probesOnly) {
    const recorder = new TranscriptRecorder(m.fresh().describe);
    const scenarios = await record(m, reading, recorder);
    recorded = { run: { machine: recorder.machine, scenarios }, transcript: recorder.transcript() };
  }
  const stage = stageOutput(out);
  let manifest;
  try {
    manifest = writeSnapshot(stage.dir, probes, results, suiteVersion(), new Date(), recorded);
    stage.commit();
  } finally {
    stage.discard();
  }
  const r = readSnapshot(out);
  const lines = [
    `wrote ${opts.out}: ${manifest.entries.length} probes, ${manifest.unreadable.length} could not be read`,
    `role: ${r.facts.role}; kernel ${r.facts.kernel.release ?? 'unknown'}`,
  ];
  if (recorded) {
    const ran = recorded.run.scenarios.filter((s) => s.status === 'passed' || s.status === 'failed').length;
    lines.push(`recorded ${recorded.run.scenarios.length} scenarios (${ran} executed) in ${recorded.transcript.nodes.length} answered operations`);
  }
  if (manifest.unreadable.length) {
    lines.push('not read (see manifest.json):');
    for (const u of manifest.unreadable) lines.push(`  - ${u.what}: ${u.why}`);
  }
  return lines;
}
