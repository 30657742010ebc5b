/**
 * Which target a run talks to. Chosen, first match wins, by world parameters
 * (`--world-parameters '{"target":"emulator","profile":"spr-2s-ubuntu-6.8"}'`), by the environment
 * (TDX_TARGET, TDX_PROFILE, TDX_SNAPSHOT), or by the cucumber profile (`-p linux`), which only
 * sets world parameters. The factory is built once per process and makes a fresh target per
 * scenario.
 */
import type { TargetFactory } from '../backends/port';
import { AdapterError, loadAdapter, locateAdapter, type AdapterLocation } from './adapters';

// Each backend is loaded when a run selects it: an emulator run never loads the Linux readers,
// nor a run on a real machine the emulator.
/* eslint-disable @typescript-eslint/no-require-imports */
const emulator = (): typeof import('../backends/emulator/target') => require('../backends/emulator/target');
const linux = (): typeof import('../backends/linux/target') => require('../backends/linux/target');
const emulatedLinux = (): typeof import('../backends/emulated-linux/target') => require('../backends/emulated-linux/target');
const wire = (): typeof import('../backends/wire/bridge') => require('../backends/wire/bridge');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface WorldParameters {
  target?: string;
  profile?: string;
  /** emulated-linux only: which machine of the profile, host (default) or guest (its TD, from inside). */
  role?: string;
  snapshot?: string;
  faults?: string[];
  allowDestructive?: boolean;
  /** A recording run of the capture command: its target factory is provided, not made here. */
  recording?: string;
}

export const TARGETS = {
  emulator: 'the embedded reference emulator (default); choose a platform with profile',
  linux: 'this machine, read live (read-only unless allowDestructive)',
  'emulated-linux': 'the linux backend over the emulated machine of an emulator profile (the real-machine path, in CI)',
  snapshot: 'a capture of a real machine: a snapshot directory or a kernel log file (snapshot, TDX_SNAPSHOT)',
} as const;

export type TargetName = keyof typeof TARGETS;

export interface Selection {
  /** A built-in target, or `adapter`: an implementation of the port named by path or package. */
  target: TargetName | 'adapter';
  adapter?: AdapterLocation;
  profile?: string;
  role?: 'host' | 'guest';
  snapshot?: string;
  faults: string[];
  allowDestructive: boolean;
  recording?: string;
}

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}

export function resolveSelection(params: WorldParameters = {}, env: NodeJS.ProcessEnv = process.env): Selection {
  const target = params.target ?? env.TDX_TARGET ?? 'emulator';
  if (!Object.prototype.hasOwnProperty.call(TARGETS, target)) {
    // Not a built-in target: an adapter, by path or package name (docs/targets.md).
    let adapter: AdapterLocation;
    try {
      adapter = locateAdapter(target);
    } catch (e) {
      if (e instanceof AdapterError) throw new SelectionError(`unknown target "${target}"; valid targets: ${Object.keys(TARGETS).join(', ')}, or an adapter (a path or package): ${e.message}`);
      throw e;
    }
    for (const [k, v] of [['profile', params.profile], ['snapshot', params.snapshot], ['role', params.role]] as const) {
      if (v !== undefined) throw new SelectionError(`${k} does not apply to an adapter target (${target})`);
    }
    return { target: 'adapter', adapter, faults: [], allowDestructive: params.allowDestructive ?? env.TDX_ALLOW_DESTRUCTIVE === '1' };
  }
  const snapshot = params.snapshot ?? env.TDX_SNAPSHOT;
  if (target === 'snapshot') checkSnapshot(snapshot);
  // TDX_ROLE applies to emulated-linux runs only; a role asked for another target is a mistake.
  const role = params.role ?? (target === 'emulated-linux' ? env.TDX_ROLE : undefined);
  if (role !== undefined && role !== 'host' && role !== 'guest') throw new SelectionError(`unknown role "${role}"; valid roles: host, guest`);
  if (role !== undefined && target !== 'emulated-linux') {
    throw new SelectionError(`a role is chosen only for target emulated-linux (the other targets are one machine); got target ${target}`);
  }
  return {
    target: target as TargetName,
    profile: params.profile ?? env.TDX_PROFILE,
    ...(role ? { role } : {}),
    snapshot,
    faults: params.faults ?? [],
    allowDestructive: params.allowDestructive ?? env.TDX_ALLOW_DESTRUCTIVE === '1',
    ...(params.recording ? { recording: params.recording } : {}),
  };
}

/** Snapshots read so far (checking one reads it whole: its factory is kept for the run). */
const snapshotFactories = new Map<string, TargetFactory>();

/** Bad snapshot input is the user's to fix: one line naming the file and the problem. */
function checkSnapshot(path: string | undefined): void {
  if (!path) throw new SelectionError('target snapshot needs a snapshot: --snapshot PATH, the snapshot world parameter or TDX_SNAPSHOT');
  if (snapshotFactories.has(path)) return;
  try {
    snapshotFactories.set(path, linux().snapshotFactory(path));
  } catch (e) {
    if (e instanceof Error && e.name === 'SnapshotError') throw new SelectionError(e.message);
    throw e;
  }
}

const factories = new Map<string, TargetFactory>();

export function factoryFor(sel: Selection): TargetFactory {
  const key = JSON.stringify(sel);
  let f = factories.get(key);
  if (!f && sel.recording) throw new SelectionError('a recording run is started by the capture command, which provides its target');
  if (!f) {
    f = sel.target === 'adapter' ? adapterFactory(sel.adapter!)
      : sel.target === 'linux' ? linux().linuxFactory({ allowDestructive: sel.allowDestructive })
      : sel.target === 'snapshot' ? snapshotFactories.get(sel.snapshot!) ?? linux().snapshotFactory(sel.snapshot!)
      : sel.target === 'emulated-linux' ? emulatedLinux().emulatedLinuxFactory(sel.profile, sel.faults, sel.role)
      : emulator().emulatorFactory(sel.profile, sel.faults);
    factories.set(key, f);
  }
  return f;
}

function adapterFactory(loc: AdapterLocation): TargetFactory {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const suiteVersion = (require('../package.json') as { version: string }).version;
  try {
    return loadAdapter(loc, { suiteVersion, wire: (command) => wire().wireTargetFactory({ command, suiteVersion }) });
  } catch (e) {
    if (e instanceof Error && (e.name === 'AdapterError' || e.name === 'WireAdapterError')) throw new SelectionError(e.message);
    throw e;
  }
}

/**
 * Forget the factory of these parameters, and what it read: a fleet evaluates one capture after
 * another in one process and keeps nothing of a machine once its reports are written.
 */
export function releaseFactory(params: WorldParameters): void {
  const sel = resolveSelection(params);
  factories.delete(JSON.stringify(sel));
  if (sel.snapshot) snapshotFactories.delete(sel.snapshot);
}

/** Use `f` for runs with these parameters (the capture command's recording target). */
export function provideFactory(params: WorldParameters, f: TargetFactory): void {
  factories.set(JSON.stringify(resolveSelection(params)), f);
}

export function targetFactory(params: WorldParameters): TargetFactory {
  return factoryFor(resolveSelection(params));
}
