/**
 * Hooks: check the target selection once, gate each scenario on applicability and capabilities
 * (skipping with a recorded reason), and restore the machine after destructive scenarios.
 */
import { After, Before, BeforeAll } from '@cucumber/cucumber';
import { decide } from './applicability';
import { SKIP_MEDIA_TYPE, type TdxWorld } from './world';
import { resolveSelection, targetFactory, type WorldParameters } from './targets';

/** Set when a scenario could not restore the machine: every later scenario of the run is blocked. */
let machineBroken: string | null = null;

BeforeAll(function (this: { parameters: WorldParameters }) {
  // One process may run the suite many times (profiles, a fault campaign): each run starts clean.
  machineBroken = null;
  // Fail the whole run early, with one clear line, on a bad target or profile name.
  targetFactory(this.parameters ?? {});
});

Before({ name: 'applicability and capabilities' }, function (this: TdxWorld, { pickle }) {
  if (machineBroken) {
    this.recordSkip('blocked', machineBroken);
    return 'skipped';
  }
  const factory = targetFactory(this.parameters);
  const sel = resolveSelection(this.parameters);
  const tags = pickle.tags.map((t) => t.name);
  this.mayChangeMachine = tags.includes('@destructive');
  const d = decide(tags, { description: factory.description, capabilities: factory.capabilities, allowDestructive: sel.allowDestructive });
  if (d.runs) return undefined;
  this.recordSkip(d.kind, d.reason);
  return 'skipped';
});

// Every scenario's target is restored: the VMs and TDs it made are closed and the machine's TDX
// accounting checked, and what a @destructive scenario changed is put back. A machine left changed
// fails the scenario; a real one also blocks the rest of the run (an emulated one is fresh for
// each scenario anyway).
After({ name: 'restore the machine' }, async function (this: TdxWorld) {
  if (!this.hasTarget() || !this.target.restore) return;
  const r = await this.target.restore();
  if (!r.restored) {
    // On an emulated machine nothing else runs: what is left over is this scenario's doing, a
    // failure. On a real one something else may have changed it: the scenario is blocked.
    if (targetFactory(this.parameters).description.kind !== 'linux') throw new Error(`the machine was left changed after this scenario: ${r.detail ?? 'unknown'}`);
    machineBroken = `an earlier scenario could not restore the machine: ${r.detail ?? 'unknown'}`;
    this.attach(JSON.stringify({ kind: 'blocked', reason: `machine not restored: ${r.detail ?? 'unknown'}` }), SKIP_MEDIA_TYPE);
    throw new Error(`the machine was not restored after this scenario (${r.detail ?? 'unknown'}); later scenarios are blocked`);
  }
});
