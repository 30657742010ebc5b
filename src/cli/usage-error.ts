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
  if (e instanceof Error && ['ProfileError', 'SelectionError', 'BaselineError', 'MessagesError', 'MergeError', 'SnapshotError', 'InputError', 'OutputError', 'SourceError', 'FleetError', 'AdapterError', 'WireAdapterError'].includes(e.name)) return new UsageError(e.message);
  if (e instanceof Error && /^unknown (fault|emulator profile|target)/.test(e.message)) return new UsageError(e.message);
  return null;
}

/** A message as one printable line: control characters (a newline in a path) shown escaped. */
export const oneLine = (s: string): string =>
  s.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));

/** Print a usage error: one line on stderr. */
export function printUsageError(message: string): void {
  process.stderr.write(`tdx-conformance: ${oneLine(message)}\n`);
}

/** Run a command body; configuration problems become one line on stderr and exit code 2. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function handled<A extends any[]>(f: (...a: A) => number | Promise<number>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = await f(...args);
    } catch (e) {
      const u = asUsageError(e);
      if (!u) throw e;
      printUsageError(u.message);
      process.exitCode = 2;
    }
  };
}

/**
 * Plan, then execute: a usage error while planning is one line and exit code 2, before anything
 * is written; errors while executing are not the user's and propagate.
 */
export async function planThenExecute<P>(plan: () => Promise<P>, execute: (p: P) => Promise<number>): Promise<number> {
  let p: P;
  try {
    p = await plan();
  } catch (e) {
    const u = asUsageError(e);
    if (!u) throw e;
    printUsageError(u.message);
    return 2;
  }
  return execute(p);
}
