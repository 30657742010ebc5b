/**
 * A synchronous request/answer channel to an adapter process: one JSON line out on its stdin,
 * its next line on stdout back. The port is synchronous (steps call it without awaiting), so a
 * worker thread (channel-worker.js) owns the process's stdio and this thread waits for each answer
 * through synckit (Atomics.wait on a shared buffer). An adapter that does not answer within the
 * timeout, exits, or cannot be started is a ChannelError.
 */
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSyncFn } = require('synckit') as typeof import('synckit');

export class ChannelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelError';
  }
}

type Request = { op: 'start'; id: number; command: string; args: string[]; cwd: string } | { op: 'send'; id: number; line: string } | { op: 'stop'; id: number };
type Reply = { ok: true; value: unknown } | { ok: false; error: string };

let call: ((r: Request) => Reply) | null = null;
let nextId = 1;

/** Seconds an adapter may take to answer one request (TDX_ADAPTER_TIMEOUT, default 60). */
export const answerTimeoutMs = (): number => 1000 * (Number(process.env.TDX_ADAPTER_TIMEOUT) > 0 ? Number(process.env.TDX_ADAPTER_TIMEOUT) : 60);

function worker(): (r: Request) => Reply {
  call ??= createSyncFn<(r: Request) => Promise<Reply>>(join(__dirname, 'channel-worker.js'), { timeout: answerTimeoutMs(), execArgv: [] });
  return call;
}

export class Channel {
  private readonly id = nextId++;
  private closed = false;

  constructor(readonly command: string, args: readonly string[], cwd: string) {
    this.request({ op: 'start', id: this.id, command, args: [...args], cwd });
  }

  private request(r: Request): unknown {
    let reply: Reply;
    try {
      reply = worker()(r);
    } catch (e) {
      const m = (e as Error).message;
      throw new ChannelError(/timed? ?out/i.test(m) ? `the adapter did not answer within ${answerTimeoutMs() / 1000} s (TDX_ADAPTER_TIMEOUT)` : m);
    }
    if (!reply.ok) throw new ChannelError(reply.error);
    return reply.value;
  }

  /** Send one line; the adapter's next line. */
  exchange(line: string): string {
    if (this.closed) throw new ChannelError('the adapter channel is closed');
    return this.request({ op: 'send', id: this.id, line }) as string;
  }

  /** End the adapter (its stdin closes); the last lines it wrote on stderr. */
  close(): string[] {
    if (this.closed) return [];
    this.closed = true;
    try {
      return ((this.request({ op: 'stop', id: this.id }) as { stderr?: string[] }).stderr) ?? [];
    } catch {
      return [];
    }
  }
}
