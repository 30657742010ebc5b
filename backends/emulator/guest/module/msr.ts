/** How the module treats one RDMSR or WRMSR, from the table in msr-table.ts. */
import type { Faults } from '../../faults';
import { featureEnabled, msrRule, type MsrCategory, type MsrTdView } from './msr-table';

export function classifyMsr(msr: number, write: boolean, td: MsrTdView, faults: Faults): MsrCategory {
  const rule = msrRule(msr);
  if (!rule) return faults.has('guest.msr-default-gp') ? 'gp' : 've';
  const [bitmap, action] = write ? rule.write : rule.read;
  const intercepted = faults.has('guest.perfmon-ignored') && bitmap === 'perfmon' ? true : !featureEnabled(bitmap, td);
  if (!intercepted) return faults.has('guest.msr-passthrough-intercepted') && bitmap === 'never' ? 've' : 'native';
  switch (action) {
    case 'gp': return 'gp';
    case 've': return 've';
    case 'module': return 'module';
    case 'gp-or-ve': return rule.feature && td.hasCpuidFeature(rule.feature) ? 've' : 'gp';
  }
}
