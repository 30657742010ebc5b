/**
 * The floor suite of the benchmark: every step of every feature matched by one step definition
 * with an empty body, run by the same cucumber and ts-node configuration as the real suite. What
 * the real suite costs above this is the cost of its own code.
 */
import { Given } from '@cucumber/cucumber';

Given(/^.*$/, function () {
  // Nothing: the floor measures cucumber itself.
});
