/**
 * tdx-conformance: the command-line tool. Exit codes: 0 conforms (or the gate passed), 1 failures
 * or regressions, 2 bad usage or configuration.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import { registerLinuxCommands } from './linux-commands';
import { registerReportCommands } from './report-commands';
import { handled, UsageError } from './usage-error';

const version = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version as string;

export function buildProgram(): Command {
  const program = new Command('tdx-conformance')
    .description('Executable specification of Intel TDX on Linux: run it on the embedded emulator or a real machine')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description('run the conformance suite and write the reports')
    .addOption(new Option('--target <name>', 'target: emulator, linux (this machine), emulated-linux (the linux backend over an emulated machine) or snapshot').default('emulator'))
    .option('--profile <name>', 'emulator platform profile, or "all" (default: the default profile)')
    .option('--snapshot <path>', 'snapshot directory or kernel log file (implies --target snapshot)')
    .addOption(new Option('--role <role>', "with --target emulated-linux: the profile's host (default) or its TD guest, seen from inside").choices(['host', 'guest']))
    .option('--tags <expression>', 'cucumber tag expression selecting scenarios')
    .option('--faults <names>', 'comma-separated emulator faults to switch on')
    .option('--out <dir>', 'output directory for reports', 'reports')
    .option('--order <order>', 'defined | reverse | random[:seed]', 'defined')
    .option('--parallel <n>', 'worker processes', (v) => parseInteger(v, '--parallel'), 0)
    .option('--shard <i/n>', 'run only shard i of n')
    .option('--allow-destructive', 'let scenarios that change a real machine run')
    .option('--baseline <file|dir>', 'gate the run against a baseline (a directory: <dir>/<target name>.yaml)')
    .option('--update-baseline', 'with --baseline: rewrite the baseline from this run instead of gating')
    .option('--no-allure-report', 'skip generating the Allure HTML report (results are still written)')
    .action(async (opts) => {
      const { runCommand } = await import('./run');
      process.exitCode = await runCommand(opts);
    });

  program
    .command('profiles')
    .description('list the emulator platform profiles')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { profilesCommand } = await import('./profiles');
      process.exitCode = profilesCommand(opts);
    });

  program
    .command('faults')
    .description('list the fault catalogue of the emulator')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { faultsCommand } = await import('./faults');
      process.exitCode = faultsCommand(opts);
    });

  program
    .command('lint-spec')
    .description('check the feature files: requirement ids, sources, tags, applicability, step definitions')
    .action(handled(async () => (await import('./lint')).lintCommand()));

  program
    .command('mutate')
    .description('fault campaign: a clean run, then one run per emulator fault; exit 1 if any fault survives')
    .option('--json', 'print the kill matrix as JSON')
    .option('--faults <names>', 'comma-separated faults (default: the whole catalogue)')
    .option('--full', "run the whole suite per fault, not only the fault's requirements")
    .option('--workers <n>', 'worker processes', (v) => parseInteger(v, '--workers'), 2)
    .option('--out <file>', 'also write the kill matrix (JSON) to this file')
    .action(handled(async (opts) => (await import('./mutate')).mutateCommand(opts)));

  registerReportCommands(program);
  registerLinuxCommands(program);
  return program;
}

export function parseInteger(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new UsageError(`${name} must be a whole number, got "${v}"`);
  return Number(v);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`tdx-conformance: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
