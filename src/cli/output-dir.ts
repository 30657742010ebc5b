/**
 * Output directories that never lose results. `checkOutputDir` refuses, before anything is
 * written, an --out that cannot take reports (a file, an unwritable or read-only directory, a
 * special filesystem such as /proc or /sys), in one line. `stageOutput` gives a fresh sibling
 * directory to write into; `commit` moves what was written into place at the end, replacing the
 * previous run's entries only then, and `discard` (also on SIGINT/SIGTERM) removes it, so a
 * failed or interrupted run leaves the previous reports as they were.
 */
import { accessSync, chmodSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, statfsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Filesystems that hold no files of ours (statfs f_type, linux/magic.h). */
const SPECIAL_FILESYSTEMS: Readonly<Record<number, string>> = {
  0x9fa0: 'proc', 0x62656572: 'sysfs', 0x64626720: 'debugfs', 0x74726163: 'tracefs', 0x73636673: 'securityfs',
  0x27e0eb: 'cgroup', 0x63677270: 'cgroup2', 0xcafe4a11: 'bpf', 0x62656570: 'configfs', 0xde5e81e4: 'efivarfs',
  0x6165676c: 'pstore', 0x1cd1: 'devpts', 0x42494e4d: 'binfmt_misc', 0x19800202: 'mqueue', 0x50495045: 'pipefs', 0x534f434b: 'sockfs',
};

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** The path itself, or its nearest ancestor that exists. */
function nearestExisting(p: string): string {
  let cur = p;
  for (;;) {
    try {
      lstatSync(cur);
      return cur;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new OutputError(`${cur}: cannot be examined (${errno(e)})`);
    }
    const up = dirname(cur);
    if (up === cur) return cur;
    cur = up;
  }
}

/**
 * Check that `out` can receive reports without touching it; returns the absolute path. `what`
 * names the option in messages.
 */
export function checkOutputDir(out: string, what = '--out'): string {
  if (out.trim() === '') throw new OutputError(`${what} is empty: give a directory`);
  if (out.includes('\0')) throw new OutputError(`${what} contains a NUL byte`);
  const abs = resolve(out);
  const existing = nearestExisting(abs);
  let st;
  try {
    st = statSync(existing);
  } catch (e) {
    throw new OutputError(`${what} ${out}: ${existing} cannot be examined (${errno(e)}; a dangling symbolic link?)`);
  }
  if (!st.isDirectory()) {
    throw new OutputError(existing === abs ? `${what} ${out} is a file, not a directory` : `${what} ${out}: ${existing} is a file, not a directory`);
  }
  try {
    const fs = statfsSync(existing);
    const special = SPECIAL_FILESYSTEMS[Number(fs.type)];
    if (special) throw new OutputError(`${what} ${out} is on the special filesystem ${special} (${existing}): choose a directory on a disk or tmpfs`);
  } catch (e) {
    if (e instanceof OutputError) throw e;
  }
  // The reports go into --out itself, or into the directory that will hold it.
  const problem = unwritable(existing);
  if (problem) throw new OutputError(`${what} ${out}: ${existing} is ${problem}`);
  return abs;
}

/** Why a directory cannot be written to, or null. */
function unwritable(d: string): string | null {
  try {
    accessSync(d, constants.W_OK | constants.X_OK);
  } catch (e) {
    const code = errno(e);
    return code === 'EROFS' ? 'on a read-only filesystem' : `not writable (${code})`;
  }
  // Even for root: a directory with no write permission at all is meant to stay as it is.
  const mode = statSync(d).mode;
  return (mode & 0o222) === 0 ? `read-only (mode ${(mode & 0o777).toString(8)})` : null;
}

export interface StagedOutput {
  /** Where to write: a fresh directory next to the final one (inside it when its parent is not writable). */
  readonly dir: string;
  /** The final directory. */
  readonly target: string;
  /**
   * Move everything written into the final directory, replacing the entries of the same name;
   * `owned`: entries of a previous run to remove even when this run did not write them.
   */
  commit(owned?: readonly string[]): void;
  /** Remove the staging directory and what was written into it. */
  discard(): void;
}

const present = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

const live = new Set<string>();
let handlersInstalled = false;

function installCleanup(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const clean = () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
    live.clear();
  };
  process.on('exit', clean);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      clean();
      process.stderr.write(`tdx-conformance: interrupted (${sig}); the previous reports are unchanged\n`);
      process.exit(code);
    });
  }
}

/** A staging directory for `target` (checked with checkOutputDir first). */
export function stageOutput(target: string): StagedOutput {
  const abs = resolve(target);
  const parent = dirname(abs);
  // Next to --out; inside it when only --out itself may be written (--out $HOME, /srv/reports).
  const where = present(abs) && unwritable(parent) ? abs : parent;
  mkdirSync(where, { recursive: true });
  const dir = mkdtempSync(join(where, `.${basename(abs)}.tmp-`));
  // mkdtemp makes it private (0700); the reports directory gets the usual permissions.
  chmodSync(dir, 0o777 & ~process.umask());
  installCleanup();
  live.add(dir);
  let done = false;
  return {
    dir,
    target: abs,
    commit(owned = []) {
      if (done) return;
      done = true;
      if (!existsSync(abs)) {
        renameSync(dir, abs);
      } else {
        const trash = mkdtempSync(join(where, `.${basename(abs)}.old-`));
        live.add(trash);
        const written = readdirSync(dir);
        for (const name of new Set([...written, ...owned])) {
          if (present(join(abs, name))) renameSync(join(abs, name), join(trash, name));
          if (written.includes(name)) renameSync(join(dir, name), join(abs, name));
        }
        rmSync(trash, { recursive: true, force: true });
        live.delete(trash);
        rmSync(dir, { recursive: true, force: true });
      }
      live.delete(dir);
    },
    discard() {
      if (done) return;
      done = true;
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}
