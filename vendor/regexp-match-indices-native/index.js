'use strict';
// exec(regexp, string) with `indices` on the result, as regexp-match-indices 1.0.2 exports it,
// from the engine's own match indices (the `d` flag) instead of re-parsing every pattern.
// A copy of each pattern with `d` added is made once and kept as long as the pattern lives.
const withIndices = new WeakMap();

function exec(regexp, string) {
  let d = withIndices.get(regexp);
  if (d === undefined) {
    d = regexp.hasIndices ? regexp : new RegExp(regexp.source, regexp.flags + 'd');
    withIndices.set(regexp, d);
  }
  // Global and sticky patterns resume where the caller's pattern stopped, and record where
  // this match ended, exactly as RegExp.prototype.exec does.
  d.lastIndex = regexp.lastIndex;
  const match = d.exec(string);
  if (d !== regexp) regexp.lastIndex = d.lastIndex;
  return match;
}

module.exports = exec;
module.exports.default = exec;
