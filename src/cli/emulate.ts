/**
 * `tdx-conformance emulate --from <capture> [--json]`: derive an emulator profile from a host
 * capture, run the emulated host on it, and compare fact by fact. Exit 0 when every comparable
 * fact agrees, 1 when one differs, 2 for input that is not a host capture.
 */
import { emulateFrom, type Agreement } from '../../src/compare/emulate-from';
import { readSnapshot } from '../../backends/linux/load';
import { bigintReplacer } from '../../backends/common/json';

function line(name: string, a: Agreement): string {
  switch (a.status) {
    case 'exact':
      return `  ${name}: exact (${JSON.stringify(a.value)})${a.note ? ` - ${a.note}` : ''}`;
    case 'differs':
      return `  ${name}: DIFFERS: captured ${JSON.stringify(a.captured)}, emulated ${JSON.stringify(a.emulated)}\n    likely: ${a.likelyReason}`;
    case 'not-comparable':
      return `  ${name}: not comparable - ${a.reason}`;
  }
}

export function emulateCommand(opts: { from: string; json?: boolean }): number {
  const r = readSnapshot(opts.from);
  const report = emulateFrom(r, r.name);
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, bigintReplacer, 2) + '\n');
  } else {
    const out: string[] = [`Capture: ${r.name}`, 'Profile derived from it:'];
    out.push(...report.profile.yaml.trimEnd().split('\n').map((l) => `  ${l}`));
    if (report.profile.assumptions.length) {
      out.push('Assumptions (not in the capture):');
      for (const n of report.profile.assumptions) out.push(`  - ${n}`);
    }
    out.push(`Emulated: initialisation ${report.emulated.init.ok ? 'succeeded' : `failed (${report.emulated.init.errno})`}, ${report.emulated.tdmrs.length} TDMRs, PAMT ${report.emulated.pamtKb ?? '-'} KB`);
    out.push('Agreement with the capture:');
    for (const [k, a] of Object.entries(report.agreement)) out.push(line(k, a));
    process.stdout.write(out.join('\n') + '\n');
  }
  return Object.values(report.agreement).some((a) => a.status === 'differs') ? 1 : 0;
}
