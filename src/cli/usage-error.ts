/** Bad usage or configuration: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Errors of the configuration layers that are the user's to fix, as usage errors. */
export function asUsageError(e: unknown): UsageError | null {
  if (e instanceof UsageError) return e;
  if (e instanceof Error && ['ProfileError', 'SelectionError', 'BaselineError', 'MessagesError', 'MergeError', 'SnapshotError'].includes(e.name)) return new UsageError(e.message);
  if (e instanceof Error && /^unknown (fault|emulator profile|target)/.test(e.message)) return new UsageError(e.message);
  return null;
}
