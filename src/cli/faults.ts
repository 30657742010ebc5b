/** `tdx-conformance faults`: the fault catalogue. */
import { FAULTS } from '../../backends/emulator/faults';

export function faultsCommand(opts: { json?: boolean }): number {
  const rows = Object.entries(FAULTS).map(([name, f]) => ({ name, kind: f.kind, description: f.description, requirements: [...f.requirements] }));
  if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else for (const r of rows) process.stdout.write(`${r.name} [${r.kind}]\n  ${r.description}\n  breaks: ${r.requirements.join(', ')}\n`);
  return 0;
}
