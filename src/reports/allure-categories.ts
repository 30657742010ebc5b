/**
 * Allure categories: non-conformance (an assertion about the target failed) apart from suite or
 * environment breakage, and each kind of skip apart from the others.
 */
export const categories = [
  { name: 'Non-conformance', matchedStatuses: ['failed'] },
  { name: 'Broken: suite defect or environment', matchedStatuses: ['broken'] },
  { name: 'Blocked: the environment broke', matchedStatuses: ['skipped'], messageRegex: '^blocked:.*' },
  { name: 'Not applicable to this target', matchedStatuses: ['skipped'], messageRegex: '^not-applicable:.*' },
  { name: 'Target cannot observe', matchedStatuses: ['skipped'], messageRegex: '^cannot-observe:.*' },
  { name: 'Precondition not met on this target', matchedStatuses: ['skipped'], messageRegex: '^precondition-unmet:.*' },
  { name: 'Needs --allow-destructive', matchedStatuses: ['skipped'], messageRegex: '^needs-opt-in:.*' },
];
