/** Property-test run counts: a quick default, TDX_PROPERTY_RUNS for the full campaign. */
export function numRuns(quick = 1000): number {
  const n = Number(process.env.TDX_PROPERTY_RUNS ?? '');
  return Number.isInteger(n) && n > 0 ? n : quick;
}
