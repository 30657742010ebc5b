/**
 * Reading what a user hands the tool (kernel logs, snapshot files, messages, baselines, profiles):
 * only regular files, never blocking (a FIFO, a device or a file that would block is refused
 * before it is read), never more than a size limit, and text decoded leniently: NUL bytes and
 * invalid UTF-8 are replaced and reported, while a file that is mostly not text is refused.
 * Every refusal is an InputError naming the file and the problem in one line.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

export class InputError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

const MiB = 1024 * 1024;

/** Upper bounds, far above anything real (a kernel log of 100,000 lines is about 10 MiB). */
export const INPUT_LIMITS = {
  /** A kernel log, a system report or any one file of a snapshot. */
  capture: 64 * MiB,
  /** A snapshot's transcript.json (every scenario's answers, shared prefixes stored once). */
  transcript: 256 * MiB,
  /** A snapshot's manifest.json. */
  manifest: 16 * MiB,
  /** messages.ndjson of a run (every profile's run of the whole suite is well under this). */
  messages: 1024 * MiB,
  /** A baseline YAML. */
  baseline: 32 * MiB,
  /** An emulator profile YAML. */
  profile: 1 * MiB,
} as const;

export function formatBytes(n: number): string {
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB ? 1 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} bytes`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** An errno as words a user can act on. */
export function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'is a directory, not a file';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'the path is too long';
    case 'EAGAIN': return 'reading would block (a special file, not a capture)';
    case 'EIO': return 'input/output error';
    default: return code ? `cannot read (${code})` : `cannot read (${(e as Error).message})`;
  }
}

/**
 * The bytes of a regular file of at most `limit` bytes. The path is checked before it is opened
 * (opening some devices has effects), and opened non-blocking and checked again.
 */
export function readInputFile(path: string, limit: number): Buffer {
  if (path.includes('\0')) throw new InputError(JSON.stringify(path), 'the path contains a NUL byte');
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new InputError(path, describeErrno(e));
  }
  if (!st.isFile()) throw new InputError(path, st.isDirectory() ? 'is a directory, not a file' : `is ${kindOf(st)}, not a regular file`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InputError(path, describeErrno(e));
  }
  try {
    const f = fstatSync(fd);
    if (!f.isFile()) throw new InputError(path, `is ${kindOf(f)}, not a regular file`);
    if (f.size > limit) throw new InputError(path, `is ${formatBytes(f.size)}, more than the ${formatBytes(limit)} this tool reads`);
    // Files of /proc and /sys say size 0: read until the end, but never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(f.size + 1, 64 * 1024), limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new InputError(path, describeErrno(e));
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new InputError(path, `is more than the ${formatBytes(limit)} this tool reads`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

export interface DecodedText {
  text: string;
  /** What was replaced, for the user: empty when the text was clean. */
  warnings: string[];
}

/**
 * UTF-8 text from bytes, tolerating a few NUL bytes and invalid sequences (serial consoles and
 * copied logs carry them): each becomes U+FFFD and is reported. A file where they, or other
 * control characters, are more than 2 % of the text (and at least three) is binary and refused.
 */
export function decodeText(buf: Buffer, label: string): DecodedText {
  const raw = buf.toString('utf8');
  let nul = 0;
  let invalid = 0;
  let control = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0) nul++;
    else if (c === 0xfffd) invalid++;
    else if (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 27 && c !== 8 && c !== 12) control++;
  }
  const odd = nul + invalid + control;
  if (odd >= 3 && odd / Math.max(1, raw.length) > 0.02) {
    throw new InputError(label, 'binary file: expected text (a kernel log, a system report, or a snapshot directory)');
  }
  const warnings: string[] = [];
  if (nul) warnings.push(`${label}: ${nul} NUL byte${nul === 1 ? '' : 's'} replaced by U+FFFD`);
  if (invalid) warnings.push(`${label}: ${invalid} invalid UTF-8 sequence${invalid === 1 ? '' : 's'} replaced by U+FFFD`);
  return { text: nul ? raw.replace(/\0/g, '\uFFFD') : raw, warnings };
}
