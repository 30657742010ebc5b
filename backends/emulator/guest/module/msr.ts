/** How the module treats one RDMSR or WRMSR, from the table in msr-table.ts. */
import type { Faults } from '../../faults';
import { featureEnabled, msrRule, type MsrCategory, type MsrTdView } from './msr-table';

/** Whether the module applies its REDUCE_VE rules (2.0 with TD_CTLS.REDUCE_VE). */
const reduced = (td: MsrTdView, faults: Faults): boolean => td.moduleMajor >= 2 && td.reduceVe && !faults.has('guest.msr-reduce-ve-ignored');

export function classifyMsr(msr: number, write: boolean, td: MsrTdView, faults: Faults): MsrCategory {
  const rule = msrRule(msr, td.moduleMajor);
  // An MSR the module does not list: #VE, or #GP on module 2.0 once the TD turned on REDUCE_VE.
  if (!rule) return faults.has('guest.msr-default-gp') || reduced(td, faults) ? 'gp' : 've';
  const [bitmap, action] = write ? rule.write : rule.read;
  const intercepted = faults.has('guest.perfmon-ignored') && bitmap === 'perfmon' ? true : !featureEnabled(bitmap, td);
  if (!intercepted) return faults.has('guest.msr-passthrough-intercepted') && bitmap === 'never' ? 've' : 'native';
  switch (action) {
    case 'gp': return 'gp';
    case 've': return 've';
    case 'module': return 'module';
    case 'gp-or-ve': return rule.feature && td.hasCpuidFeature(rule.feature) && !faults.has('guest.msr-cpuid-feature-ignored') ? 've' : 'gp';
    case 'gp-or-ve-reduced': return reduced(td, faults) ? 'gp' : 've';
  }
}
