/**
 * A worker thread of a fleet run: it loads the suite once and evaluates the machines the main
 * thread hands it, one at a time (evaluate.ts), answering each with its outcome. Every thread has
 * its own copy of the suite's modules, so no target or per-machine state is shared between them.
 */
import { parentPort } from 'node:worker_threads';
import { evaluateMachine, type MachineTask } from './evaluate';

parentPort!.on('message', (task: MachineTask) => {
  evaluateMachine(task).then(
    (outcome) => parentPort!.postMessage({ outcome }),
    (e: unknown) => parentPort!.postMessage({ error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
});
parentPort!.postMessage({ ready: true });
