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
    .description('read this machine (read-only) and write a snapshot bundle to evaluate elsewhere')
    .requiredOption('--out <dir>', 'directory to write the snapshot into (new or empty)')
    .action(handled(async (opts: { out: string }) => (await import('./capture')).captureCommand(opts)));
}
