/**
 * Given/When/Then for this suite: the cucumber functions, with one addition. A step that meets
 * something the target cannot observe, a precondition it cannot meet, or a broken environment
 * ends the scenario as skipped and records why, instead of failing or passing.
 */
import { Given as CGiven, Then as CThen, When as CWhen } from '@cucumber/cucumber';
import { asBlocked, type TdxWorld } from './world';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StepBody = (this: TdxWorld, ...args: any[]) => unknown;

function wrap(body: StepBody): StepBody {
  const wrapped = async function (this: TdxWorld, ...args: unknown[]) {
    try {
      return await body.apply(this, args);
    } catch (e) {
      const skip = asBlocked(e);
      if (!skip) throw e;
      this.recordSkip(skip.kind, skip.reason);
      return 'skipped';
    }
  };
  // Cucumber checks a step function's arity against its expression's parameters.
  Object.defineProperty(wrapped, 'length', { value: body.length });
  return wrapped;
}

const define = (fn: typeof CGiven) => (pattern: string | RegExp, body: StepBody): void => {
  fn(pattern, wrap(body));
};

export const Given = define(CGiven);
export const When = define(CWhen);
export const Then = define(CThen);
