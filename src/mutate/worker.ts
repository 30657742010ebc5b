/** A campaign worker process: receives fault names over IPC, answers with their outcomes. */
import type { FaultName } from '../../backends/emulator/faults';
import { runFault, type CampaignTarget } from './run-fault';

interface Job {
  fault: FaultName;
  profiles: string[];
  full: boolean;
  on: CampaignTarget;
  executed?: Record<string, string[]>;
}

let queue = Promise.resolve();
process.on('message', (job: Job | 'stop') => {
  if (job === 'stop') {
    queue.then(() => process.exit(0));
    return;
  }
  queue = queue.then(async () => {
    const outcome = await runFault(job.fault, job.profiles, job.full, job.on, job.executed);
    process.send!(outcome);
  });
});
process.send!('ready');
