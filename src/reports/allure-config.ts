/** Options for the Allure formatter (src/reports/allure-reporter.ts) and the Allure environment widget. */
import { join } from 'node:path';
import type { TargetDescription } from '../../backends/port';
import { targetFactory, type WorldParameters } from '../../support/targets';
import { categories } from './allure-categories';

/** What the Allure environment widget shows about the target. */
export function allureEnvironment(d: TargetDescription): Record<string, string> {
  const m = d.module;
  return {
    target: d.kind,
    name: d.name,
    kernel: `${d.kernel.release ?? 'unknown'} (${d.kernel.flavour ?? 'flavour unknown'})`,
    module: m ? `${m.major}.${m.minor}${m.update === null ? '' : '.' + String(m.update).padStart(2, '0')}${m.build ? ` build ${m.build}` : ''}` : 'unknown',
    tdx_features0: m?.features0 == null ? 'unknown' : '0x' + BigInt(m.features0).toString(16),
    cpu: `${d.platform.cpuModel ?? 'unknown'} x${d.platform.packages ?? '?'} (${d.platform.logicalCpus ?? '?'} logical CPUs)`,
    faults: (d.faults ?? []).join(',') || 'none',
  };
}

/**
 * Options of the Allure formatter for one run writing into `resultsDir`. Runs that share a results
 * directory (every profile of `--profile all`, every machine of a fleet) name themselves as parent
 * suite (`parentSuite`). A fleet keeps only what each machine executed (`executedOnly`: passed,
 * failed, broken, and blocked); its skips, with their reasons, are in each machine's compliance
 * report and in the fleet summary.
 */
export function allureFormatOptions(resultsDir: string, world: WorldParameters, share: { parentSuite?: string; executedOnly?: boolean } = {}): Record<string, unknown> {
  const d = targetFactory(world).description;
  return {
    resultsDir,
    ...(share.parentSuite ? { tdxParentSuite: share.parentSuite } : {}),
    ...(share.executedOnly ? { tdxExecutedOnly: true } : {}),
    tdxTarget: `${d.kind}:${d.name}`,
    environmentInfo: allureEnvironment(d),
    categories,
  };
}
