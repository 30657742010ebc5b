/** Commands of the real-machine backend (inspect, emulate, capture): registered on the program. */
import type { Command } from 'commander';

export function registerLinuxCommands(program: Command): void {
  void program;
}
