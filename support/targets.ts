/**
 * Which target a run talks to. Chosen, first match wins, by world parameters
 * (`--world-parameters '{"target":"emulator","profile":"spr-2s-ubuntu-6.8"}'`), by the environment
 * (TDX_TARGET, TDX_PROFILE, TDX_SNAPSHOT), or by the cucumber profile (`-p linux`), which only
 * sets world parameters. The factory is built once per process and makes a fresh target per
 * scenario.
 */
import type { TargetFactory } from '../backends/port';
import { emulatorFactory } from '../backends/emulator/target';

export interface WorldParameters {
  target?: string;
  profile?: string;
  snapshot?: string;
  faults?: string[];
  allowDestructive?: boolean;
}

export const TARGETS = {
  emulator: 'the embedded reference emulator (default); choose a platform with profile',
} as const;

export type TargetName = keyof typeof TARGETS;

export interface Selection {
  target: TargetName;
  profile?: string;
  snapshot?: string;
  faults: string[];
  allowDestructive: boolean;
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
    throw new SelectionError(`unknown target "${target}"; valid targets: ${Object.keys(TARGETS).join(', ')}`);
  }
  return {
    target: target as TargetName,
    profile: params.profile ?? env.TDX_PROFILE,
    snapshot: params.snapshot ?? env.TDX_SNAPSHOT,
    faults: params.faults ?? [],
    allowDestructive: params.allowDestructive ?? env.TDX_ALLOW_DESTRUCTIVE === '1',
  };
}

const factories = new Map<string, TargetFactory>();

export function factoryFor(sel: Selection): TargetFactory {
  const key = JSON.stringify(sel);
  let f = factories.get(key);
  if (!f) {
    f = emulatorFactory(sel.profile, sel.faults);
    factories.set(key, f);
  }
  return f;
}

export function targetFactory(params: WorldParameters): TargetFactory {
  return factoryFor(resolveSelection(params));
}
