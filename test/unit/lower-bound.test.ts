import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstIndexWhere } from '../../backends/common/lower-bound';
import { numRuns } from '../support/runs';

test('firstIndexWhere finds the first element at or above a threshold in a sorted list', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 })), fc.integer({ min: -1, max: 51 }), (xs, t) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const expected = sorted.findIndex((x) => x >= t);
    assert.equal(firstIndexWhere(sorted, (x) => x >= t), expected < 0 ? sorted.length : expected);
  }), { numRuns: numRuns(500) });
});
