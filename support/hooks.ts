/**
 * Hooks: check the target selection once, gate each scenario on applicability and capabilities
 * (skipping with a recorded reason), and restore the machine after destructive scenarios.
 */
import { After, Before, BeforeAll } from '@cucumber/cucumber';
import { decide } from './applicability';
import { SKIP_MEDIA_TYPE, type TdxWorld } from './world';
import { resolveSelection, targetFactory, type WorldParameters } from './targets';

BeforeAll(function (this: { parameters: WorldParameters }) {
  // Fail the whole run early, with one clear line, on a bad target or profile name.
  targetFactory(this.parameters ?? {});
});

/** Set when a scenario could not restore the machine: every later scenario is blocked. */
let machineBroken: string | null = null;

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

// Only a @destructive scenario's target can change the machine (ScenarioGrant), so only those
// need restoring.
After({ name: 'restore the machine', tags: '@destructive' }, async function (this: TdxWorld) {
  if (!this.hasTarget() || !this.target.restore) return;
  const r = await this.target.restore();
  if (!r.restored) {
    machineBroken = `an earlier scenario could not restore the machine: ${r.detail ?? 'unknown'}`;
    this.attach(JSON.stringify({ kind: 'blocked', reason: `machine not restored: ${r.detail ?? 'unknown'}` }), SKIP_MEDIA_TYPE);
    throw new Error(`the machine was not restored after this scenario (${r.detail ?? 'unknown'}); later scenarios are blocked`);
  }
});
