/**
 * tdx-conformance: the command-line tool. Exit codes of `run`: 0 nothing failed and at least one
 * scenario executed; 1 something failed, the gate failed, nothing executed, or fewer applicable
 * requirements executed than --min-executed asks; 2 bad usage or input (one line on stderr).
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import { registerLinuxCommands } from './linux-commands';
import { registerReportCommands } from './report-commands';
import { asUsageError, handled, oneLine, printUsageError, UsageError } from './usage-error';

const version = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')).version as string;

/** Exit codes and environment, shown by `--help` and `run --help` (and the README). */
export const EXIT_CODES_HELP = `
Exit codes of run:
  0  nothing failed and at least one scenario executed
  1  something failed, the gate failed (--baseline), no scenario executed, or the share
     of applicable requirements executed is below --min-executed
  2  bad usage or input: one line on stderr naming the problem; earlier reports in
     --out are left as they were

Verdict (every report states the same one): CONFORMS (nothing failed, every applicable
requirement executed), DOES NOT CONFORM (something failed), NO FAILURES, PARTIAL (some
applicable requirements not observed, with the reasons), NOTHING EXECUTED.

Environment (used when the option is not given, as for cucumber-js):
  TDX_TARGET, TDX_PROFILE, TDX_SNAPSHOT, TDX_ROLE, TDX_FAULTS, TDX_ALLOW_DESTRUCTIVE=1;
  TDX_PROFILES_DIR: read the emulator profiles from this directory instead of profiles/`;

export function buildProgram(): Command {
  const program = new Command('tdx-conformance')
    .description('Executable specification of Intel TDX on Linux: run it on the embedded emulator or a real machine')
    .version(version)
    .configureOutput({
      // One line for every usage error (commander's own included), no help dump after it.
      outputError: (str, write) => write(`tdx-conformance: ${oneLine(str.replace(/^error: /, '').trim())} (see --help)\n`),
    })
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('run')
    .description('run the conformance suite and write the reports')
    .addOption(new Option('--target <name>', 'target: emulator, linux (this machine), emulated-linux (the linux backend over an emulated machine of a profile) or snapshot (default: TDX_TARGET, else emulator)'))
    .option('--profile <name|all|file.yaml>', 'emulator platform profile: a name, "all", or a profile file (default: TDX_PROFILE, else the default profile)')
    .option('--snapshot <path>', 'snapshot directory or kernel log file (implies --target snapshot; default: TDX_SNAPSHOT)')
    .option('--fleet <dir>', 'evaluate every capture under this directory (snapshot directories, *.log kernel logs) in one process: <out>/<machine>/ per machine, and a fleet summary (fleet.html, fleet.md, fleet.json)')
    .option('--jobs <n>', 'with --fleet: worker threads evaluating machines in this process (default: the CPUs, at most 4)', (v) => parseInteger(v, '--jobs'))
    .addOption(new Option('--role <role>', "with --target emulated-linux: the profile's host (default) or its TD guest, seen from inside (default: TDX_ROLE)").choices(['host', 'guest']))
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
    .option('--min-executed <percent>', 'exit 1 when fewer than this share (0-100) of the applicable requirements executed', parsePercent)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (opts) => {
      if (opts.fleet !== undefined) process.exitCode = await (await import('./run-fleet')).runFleetCommand(opts);
      else process.exitCode = await (await import('./run')).runCommand(opts);
    });

  program
    .command('profiles')
    .description('list the emulator platform profiles')
    .option('--json', 'machine-readable output')
    .action(handled(async (opts) => (await import('./profiles')).profilesCommand(opts)));

  program
    .command('faults')
    .description('list the fault catalogue of the emulator')
    .option('--json', 'machine-readable output')
    .action(handled(async (opts) => (await import('./faults')).faultsCommand(opts)));

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
    .option('--target <name>', 'emulator, or emulated-linux: the faults of every requirement the linux backend executes over the emulated machine', 'emulator')
    .option('--role <role>', "with --target emulated-linux: the profiles' hosts (default) or their TD guests")
    .action(handled(async (opts) => (await import('./mutate')).mutateCommand(opts)));

  program
    .command('compare-runs')
    .description('compare two runs (their --out directories) scenario by scenario: exit 1 where both executed a scenario and its status differs')
    .argument('<a>', 'reports of one run (a profile directory, or a directory of them from --profile all)')
    .argument('<b>', 'reports of the other run')
    .option('--json', 'the comparison as JSON')
    .action(handled(async (a: string, b: string, opts: { json?: boolean }) => (await import('./compare-runs')).compareRunsCommand(a, b, opts)));

  program
    .command('check-adapter')
    .description("check a target adapter (docs/targets.md): what it claims, and whether the claims hold; exit 1 with findings, 2 if it cannot be used")
    .argument('<adapter>', "the adapter's path (a module, or a program speaking the wire protocol) or package name")
    .option('--tags <expression>', 'run only these scenarios on it')
    .option('--json', 'the report as JSON')
    .action(handled(async (adapter: string, opts: { json?: boolean; tags?: string }) => (await import('./check-adapter')).checkAdapterCommand(adapter, opts)));

  registerReportCommands(program);
  registerLinuxCommands(program);
  return program;
}

export function parsePercent(v: string): number {
  const n = Number(v.replace(/%$/, ''));
  if (!/^\d+(\.\d+)?%?$/.test(v) || n > 100) throw new UsageError(`--min-executed must be a percentage from 0 to 100, got "${v}"`);
  return n;
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
    const u = asUsageError(e);
    if (u) {
      printUsageError(u.message);
      return 2;
    }
    throw e;
  }
}
