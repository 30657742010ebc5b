'use strict';
// A cucumber plugin that runs the scenarios in reverse of their defined order (used by
// `tdx-conformance run --order reverse` and the determinism check).
module.exports = {
  type: 'plugin',
  coordinator({ transform }) {
    transform('pickles:order', (pickles) => [...pickles].reverse());
  },
};
