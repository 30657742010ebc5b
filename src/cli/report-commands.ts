/**
 * Commands that work on results directories: report, compliance, gate, merge. Their code
 * (report-actions.ts) is loaded only when one of them runs.
 */
import type { Command } from 'commander';
import { handled } from './usage-error';

const actions = (): Promise<typeof import('./report-actions')> => import('./report-actions');

export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description('generate the Allure HTML report of a results directory (needs Java)')
    .option('--results <dir>', 'results directory', 'reports')
    .action(handled(async (opts) => (await actions()).reportCommand(opts)));
  program
    .command('compliance')
    .description('rebuild compliance.json and compliance.md of a results directory')
    .option('--results <dir>', 'results directory', 'reports')
    .action(handled(async (opts) => (await actions()).complianceCommand(opts)));
  program
    .command('gate')
    .description('compare a run (or a fleet, machine by machine) with a baseline; fail on new failures, lost passes, missing scenarios and unexpected passes')
    .requiredOption('--results <dir>', 'results directory of a run, or the --out of run --fleet')
    .requiredOption('--baseline <file|dir>', 'baseline YAML file, or for a fleet its baseline directory')
    .option('--update', 'rewrite the baseline from the run instead of gating')
    .action(handled(async (opts) => (await actions()).gateCommand(opts)));
  program
    .command('merge')
    .description('merge the results of shards into one set of reports')
    .argument('<dirs...>', 'results directories of the shards')
    .requiredOption('--out <dir>', 'output directory for the merged reports')
    .action(handled(async (dirs, opts) => (await actions()).mergeCommand(dirs, opts)));
}
