/** `tdx-conformance profiles`: the emulator platform profiles. */
import { defaultProfileName, loadProfiles } from '../../backends/emulator/profile';

export function profilesCommand(opts: { json?: boolean }): number {
  const profiles = [...loadProfiles().values()];
  const def = defaultProfileName();
  if (opts.json) {
    const rows = profiles.map((p) => ({
      name: p.name, default: p.name === def, cpu: p.cpu.model, packages: p.cpu.packages,
      logicalCpus: p.cpu.packages * p.cpu.cpusPerPackage, module: p.module.id, kernel: p.kernel.flavour.name,
      release: p.kernel.release, source: p.source, description: p.description,
    }));
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  for (const p of profiles) {
    const mark = p.name === def ? ' (default)' : '';
    process.stdout.write(`${p.name}${mark}\n  ${p.cpu.model} x${p.cpu.packages}, module ${p.module.id}, kernel ${p.kernel.flavour.name} (${p.kernel.release})\n  ${p.description}\n`);
  }
  return 0;
}
