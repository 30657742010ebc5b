// Cucumber configuration of the benchmark's floor suite: the real features, an empty step.
module.exports = {
  default: {
    paths: ['features/**/*.feature'],
    requireModule: ['ts-node/register/transpile-only'],
    require: ['bench/floor.ts'],
    strict: true,
    format: ['progress'],
  },
};
