/**
 * The cucumber World: one fresh target per scenario, and the few helpers every step needs to turn
 * the port's records into assertions or into a recorded skip.
 */
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import { isUnobservable, TargetBlockedError, type Arrangement, type Observed, type Target } from '../backends/port';
import type { SkipKind } from './applicability';
import { bigintReplacer } from '../backends/common/json';
import { EVIDENCE_MEDIA_TYPE, SKIP_MEDIA_TYPE, skipLogLine } from './skip-record';
import { targetFactory, type WorldParameters } from './targets';

/** Thrown inside a step to end the scenario as skipped with a recorded reason. */
export class SkipSignal extends Error {
  constructor(readonly kind: SkipKind, readonly reason: string) {
    super(reason);
    this.name = 'SkipSignal';
  }
}

export { SKIP_MEDIA_TYPE, EVIDENCE_MEDIA_TYPE } from './skip-record';

export class TdxWorld extends World<WorldParameters> {
  private current: Target | null = null;
  /** Free-form state steps share within one scenario (results of the last action, etc.). */
  readonly scratch = new Map<string, unknown>();
  /** What the scenario arranged so far, in order (a premise may depend on what came before it). */
  readonly arranged: Arrangement[] = [];

  constructor(options: IWorldOptions<WorldParameters>) {
    super(options);
  }

  /** Set by the Before hook from the scenario's tags (@destructive). */
  mayChangeMachine = false;

  get target(): Target {
    if (!this.current) this.current = targetFactory(this.parameters).create({ mayChangeMachine: this.mayChangeMachine });
    return this.current;
  }

  hasTarget(): boolean {
    return this.current !== null;
  }

  /** Unwrap an observation or end the scenario as "cannot observe". */
  observe<T>(v: Observed<T>): T {
    if (isUnobservable(v)) throw new SkipSignal('cannot-observe', v.unobservable);
    return v;
  }

  /** State a precondition; a target that cannot make or confirm it skips the scenario. */
  arrange(a: Arrangement): void {
    this.arranged.push(a);
    const r = this.target.arrange(a);
    if (!r.met) throw new SkipSignal('precondition-unmet', r.reason);
  }

  host() {
    const h = this.target.host;
    if (!h) throw new SkipSignal('cannot-observe', 'target has no TDX host facet');
    return h;
  }

  remember<T>(key: string, value: T): T {
    this.scratch.set(key, value);
    return value;
  }

  recall<T>(key: string, what: string): T {
    if (!this.scratch.has(key)) throw new Error(`step order: no ${what} yet in this scenario (missing When-step?)`);
    return this.scratch.get(key) as T;
  }

  evidence(label: string, data: unknown): void {
    this.attach(JSON.stringify({ label, data }, bigintReplacer, 2), { mediaType: EVIDENCE_MEDIA_TYPE, fileName: label });
  }

  recordSkip(kind: SkipKind, reason: string): void {
    this.attach(JSON.stringify({ kind, reason }), SKIP_MEDIA_TYPE);
    this.log(skipLogLine({ kind, reason }));
  }
}

export function asBlocked(e: unknown): SkipSignal | null {
  if (e instanceof SkipSignal) return e;
  if (e instanceof TargetBlockedError) return new SkipSignal('blocked', e.message);
  return null;
}

setWorldConstructor(TdxWorld);
