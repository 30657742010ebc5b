/**
 * The machines of a fleet: every capture under a directory. A capture is a snapshot directory
 * (one that holds the manifest `tdx-conformance capture` writes; it is not searched further) or a
 * kernel log file named `*.log`. A machine is named by its path relative to the fleet directory
 * (a log file without `.log`), which is also where its reports go under --out.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

export interface FleetMachine {
  /** The machine's name: its capture's path relative to the fleet directory, with `/`. */
  key: string;
  /** Absolute path of the capture (a directory or a file). */
  path: string;
}

export interface FleetListing {
  dir: string;
  machines: FleetMachine[];
  /** Entries that are neither a capture nor a directory holding some (named for the summary). */
  ignored: string[];
}

export class FleetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetError';
  }
}

/** The snapshot manifest's file name (backends/linux/snapshot.ts, MANIFEST). */
const MANIFEST = 'manifest.json';
/** Names a machine may not have: the fleet's own reports sit beside the machines' directories. */
export const FLEET_ENTRIES = ['fleet.json', 'fleet.md', 'fleet.html', 'allure-results', 'allure-report'] as const;
const MAX_DEPTH = 8;

/** Every capture under `dir`, in path order. Bad input is a FleetError naming the path. */
export function findCaptures(dir: string): FleetListing {
  const root = resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch (e) {
    throw new FleetError(`--fleet ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : `cannot be read (${(e as NodeJS.ErrnoException).code})`}`);
  }
  if (!st.isDirectory()) throw new FleetError(`--fleet ${dir} is not a directory (give the directory that holds the captures; one capture runs with --snapshot)`);
  const machines: FleetMachine[] = [];
  const ignored: string[] = [];
  const visited = new Set<string>();
  const walk = (d: string, depth: number): void => {
    let real: string;
    try {
      real = realpathSync(d);
    } catch {
      ignored.push(relative(root, d));
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch (e) {
      throw new FleetError(`--fleet ${dir}: ${d} cannot be read (${(e as NodeJS.ErrnoException).code})`);
    }
    if (d !== root && names.includes(MANIFEST)) {
      machines.push({ key: keyOf(root, d), path: d });
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(d, n);
      let s;
      try {
        s = statSync(p);
      } catch {
        ignored.push(relative(root, p));
        continue;
      }
      if (s.isDirectory()) {
        if (depth < MAX_DEPTH) walk(p, depth + 1);
        else ignored.push(relative(root, p));
      } else if (s.isFile() && n.endsWith('.log') && n.length > 4) {
        machines.push({ key: keyOf(root, p).slice(0, -4), path: p });
      } else if (!lstatSync(p).isSymbolicLink() || s.isFile()) {
        ignored.push(relative(root, p));
      }
    }
  };
  if (readdirSync(root).includes(MANIFEST)) {
    throw new FleetError(`--fleet ${dir} is itself a capture: evaluate it with --snapshot ${dir}, or give the directory that holds several`);
  }
  walk(root, 0);
  if (machines.length === 0) {
    throw new FleetError(`--fleet ${dir} holds no captures (snapshot directories written by \`tdx-conformance capture\`, or kernel logs named *.log)`);
  }
  const seen = new Map<string, string>();
  for (const m of machines) {
    const top = m.key.split('/')[0];
    if ((FLEET_ENTRIES as readonly string[]).includes(top)) {
      throw new FleetError(`${m.path}: a machine may not be named ${top} (the fleet summary uses that name in --out); rename the capture`);
    }
    const other = seen.get(m.key);
    if (other) throw new FleetError(`${m.path} and ${other} would both be machine ${m.key}; rename one of them`);
    seen.set(m.key, m.path);
  }
  machines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // A machine's reports directory may not hold another machine's (a.log beside a/b/).
  for (const m of machines) {
    const inner = machines.find((o) => o.key.startsWith(`${m.key}/`));
    if (inner) throw new FleetError(`${m.path} and ${inner.path}: machine ${inner.key} would be inside machine ${m.key}'s reports; rename one of them`);
  }
  return { dir: root, machines, ignored };
}

const keyOf = (root: string, p: string): string => relative(root, p).split(sep).join('/');
