/** environment.json: what ran, on what, with which suite revision, and the run's verdict. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetFactory, type WorldParameters } from '../../support/targets';
import { bigintReplacer } from '../../backends/common/json';
import { PROJECT_ROOT } from '../project-root';
import type { Verdict } from './verdict';

let revision: string | null | undefined;

/** The suite's git commit, or null outside a git checkout; asked once per process. */
export function gitRevision(): string | null {
  if (revision !== undefined) return revision;
  try {
    revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    revision = null;
  }
  return revision;
}

export function suiteVersion(): string {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version;
}

export function environmentRecord(world: WorldParameters, argv: string[], verdict?: Verdict) {
  const f = targetFactory(world);
  return {
    suite: { name: 'tdx-conformance', version: suiteVersion(), revision: gitRevision() },
    commandLine: argv.slice(1).join(' '),
    node: process.version,
    target: f.description,
    capabilities: [...f.capabilities].sort(),
    world,
    ...(verdict ? { verdict } : {}),
  };
}

export function writeEnvironment(outDir: string, world: WorldParameters, argv: string[], verdict?: Verdict): ReturnType<typeof environmentRecord> {
  const record = environmentRecord(world, argv, verdict);
  writeFileSync(join(outDir, 'environment.json'), JSON.stringify(record, bigintReplacer, 2) + '\n');
  return record;
}
