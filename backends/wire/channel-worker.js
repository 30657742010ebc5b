'use strict';
// The thread that talks to wire adapters (child processes) for the bridge (channel.ts). The port
// is synchronous; this thread owns each adapter's stdio and does the asynchronous I/O, while the
// suite's thread waits for the answer (synckit). Requests: start, send (one line, answered by the
// adapter's next line), stop.
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const { runAsWorker } = require('synckit');

/** Adapter processes by channel id: the child, its lines not yet taken, waiters, and its end. */
const channels = new Map();

function start({ id, command, args, cwd }) {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const ch = { child, lines: [], waiting: null, ended: null, stderr: [] };
  channels.set(id, ch);
  const fail = (why) => {
    if (ch.ended) return;
    ch.ended = why;
    if (ch.waiting) ch.waiting.reject(new Error(why));
    ch.waiting = null;
  };
  child.on('error', (e) => fail(`the adapter could not be started: ${e.code === 'ENOENT' ? `${command}: no such file` : e.code === 'EACCES' ? `${command}: not executable` : e.message}`));
  child.on('exit', (code, signal) => fail(`the adapter exited (${signal ? `signal ${signal}` : `code ${code}`})${ch.stderr.length ? `; it said: ${ch.stderr.slice(-3).join(' | ')}` : ''}`));
  child.stdin.on('error', () => {});
  createInterface({ input: child.stderr }).on('line', (l) => {
    ch.stderr.push(l);
    if (ch.stderr.length > 20) ch.stderr.shift();
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    if (ch.waiting) {
      const w = ch.waiting;
      ch.waiting = null;
      w.resolve(l);
    } else ch.lines.push(l);
  });
  return { started: true };
}

function send({ id, line }) {
  const ch = channels.get(id);
  if (!ch) return Promise.reject(new Error('no such adapter channel'));
  if (ch.ended) return Promise.reject(new Error(ch.ended));
  return new Promise((resolve, reject) => {
    ch.child.stdin.write(line + '\n');
    if (ch.lines.length) resolve(ch.lines.shift());
    else ch.waiting = { resolve, reject };
  });
}

function stop({ id }) {
  const ch = channels.get(id);
  if (!ch) return { stopped: false };
  channels.delete(id);
  if (!ch.ended) {
    ch.child.stdin.end();
    // An adapter that does not leave when its input ends is ended.
    setTimeout(() => ch.ended || ch.child.kill('SIGTERM'), 2000).unref();
  }
  return { stopped: true, stderr: ch.stderr };
}

runAsWorker(async (request) => {
  try {
    if (request.op === 'start') return { ok: true, value: start(request) };
    if (request.op === 'send') return { ok: true, value: await send(request) };
    if (request.op === 'stop') return { ok: true, value: stop(request) };
    return { ok: false, error: `unknown request ${request.op}` };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
});
