/** Commands of the real-machine backend (inspect, emulate, capture): registered on the program. */
import type { Command } from 'commander';
import { handled } from './usage-error';

export function registerLinuxCommands(program: Command): void {
  program
    .command('inspect')
    .description('print what a capture of a real machine shows: role, kernel, KeyIDs, module, CMRs, PAMT, initialisation')
    .argument('<capture>', 'snapshot directory (tdx-conformance capture) or a file: kernel log, system report, flags list...')
    .option('--json', 'one JSON object with every fact')
    .action(handled(async (capture: string, opts: { json?: boolean }) => (await import('./inspect')).inspectCommand(capture, opts)));

  program
    .command('emulate')
    .description('replay a host capture on the emulator and compare the emulated kernel log with the captured one, fact by fact')
    .requiredOption('--from <capture>', 'snapshot directory or kernel log file of a TDX host')
    .option('--json', 'one JSON object: profile, emulated, captured, agreement')
    .action(handled(async (opts: { from: string; json?: boolean }) => (await import('./emulate')).emulateCommand(opts)));

  program
    .command('capture')
    .description('read a machine and record what it answers to the suite\'s scenarios, into a snapshot bundle to evaluate elsewhere (run --snapshot DIR)')
    .requiredOption('--out <dir>', 'directory to write the snapshot into (new or empty)')
    .option('--target <name>', 'linux (this machine) or emulated-linux (the emulated machine of --profile)', 'linux')
    .option('--profile <name>', 'with --target emulated-linux: the emulator profile (default: the default profile)')
    .option('--faults <names>', 'with --target emulated-linux: comma-separated emulator faults to switch on')
    .option('--role <role>', "with --target emulated-linux: the profile's host (default) or its TD guest, seen from inside")
    .option('--probes-only', 'store the probes only (files, log, CPUID, MSRs); record no scenario, create no VM')
    .addHelpText('after', `
Recording runs the scenarios as a live run would: on a real machine it creates VMs and TDs and
closes them again, and changes nothing else (no @destructive scenario runs). --probes-only reads
files and registers only.`)
    .action(handled(async (opts: import('./capture').CaptureOptions) => (await import('./capture')).captureCommand(opts)));
}
