/** `tdx-conformance profiles`: the emulator platform profiles, and any that are broken. */
import { defaultProfileName, profileCatalogue } from '../../backends/emulator/profile';

export function profilesCommand(opts: { json?: boolean }): number {
  const cat = profileCatalogue();
  const profiles = [...cat.profiles.values()];
  let def: string | null = null;
  let defaultProblem: string | null = null;
  try {
    def = defaultProfileName(cat.profiles);
  } catch (e) {
    defaultProblem = (e as Error).message;
  }
  if (opts.json) {
    const rows = [
      ...profiles.map((p) => ({
        name: p.name, default: p.name === def, cpu: p.cpu.model, packages: p.cpu.packages,
        logicalCpus: p.cpu.packages * p.cpu.cpusPerPackage, module: p.module.id, kernel: p.kernel.flavour.name,
        release: p.kernel.release, source: p.source, description: p.description,
      })),
      ...[...cat.broken].map(([name, e]) => ({ name, broken: true, file: e.file, field: e.field, problem: e.problem })),
    ];
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  } else {
    for (const p of profiles) {
      const mark = p.name === def ? ' (default)' : '';
      process.stdout.write(`${p.name}${mark}\n  ${p.cpu.model} x${p.cpu.packages}, module ${p.module.id}, kernel ${p.kernel.flavour.name} (${p.kernel.release})\n  ${p.description}\n`);
    }
    for (const [name, e] of cat.broken) process.stdout.write(`${name} (BROKEN: only runs that select it fail)\n  ${e.message}\n`);
    if (defaultProblem) process.stdout.write(`no default profile: ${defaultProblem}\n`);
  }
  return cat.broken.size || defaultProblem ? 1 : 0;
}
