// Cucumber profiles. `default` runs the suite on the embedded emulator's default platform
// profile; `emulator`, `linux` and `snapshot` select a target (see README, "Targets").
// Platform profile, snapshot path and faults travel as world parameters or TDX_* variables.
const common = {
  paths: ['features/**/*.feature'],
  requireModule: ['ts-node/register/transpile-only'],
  require: ['support/**/*.ts', 'steps/**/*.ts'],
  strict: true,
  format: ['progress'],
};

module.exports = {
  default: { ...common, worldParameters: { target: 'emulator' } },
  emulator: { ...common, worldParameters: { target: 'emulator' } },
  linux: { ...common, worldParameters: { target: 'linux' } },
  snapshot: { ...common, worldParameters: { target: 'snapshot' } },
  // StrykerJS (stryker.config.mjs): quiet; target, platform profile and role from TDX_TARGET,
  // TDX_PROFILE and TDX_ROLE, which bin/mutate-stryker.js sets.
  stryker: { ...common, format: [] },
};
