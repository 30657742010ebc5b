/**
 * Given/When/Then for this suite: cucumber's own functions, with one addition installed through
 * cucumber's definition-function wrapper. A step that meets something the target cannot observe,
 * a precondition it cannot meet, or a broken environment ends the scenario as skipped and records
 * why, instead of failing or passing. Step files import the keywords from here so that cucumber
 * records each step definition at its own line (a wrapper called at definition time would be
 * recorded instead).
 */
import { Given, setDefinitionFunctionWrapper, Then, When } from '@cucumber/cucumber';
import { asBlocked, TdxWorld } from './world';

export { Given, When, Then };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Code = (this: unknown, ...args: any[]) => unknown;

/** A skip signal inside a scenario becomes a recorded skip; anything else propagates. */
function skipOrThrow(world: unknown, e: unknown): 'skipped' {
  const skip = world instanceof TdxWorld ? asBlocked(e) : null;
  if (!skip) throw e;
  (world as TdxWorld).recordSkip(skip.kind, skip.reason);
  return 'skipped';
}

setDefinitionFunctionWrapper((code: Code): Code => function (this: unknown, ...args: unknown[]) {
  // Synchronous steps stay synchronous: no promise (and microtask) per step unless the step has one.
  try {
    const r = code.apply(this, args);
    if (r instanceof Promise) return r.catch((e: unknown) => skipOrThrow(this, e));
    return r;
  } catch (e) {
    return skipOrThrow(this, e);
  }
});
