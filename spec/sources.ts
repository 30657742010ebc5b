/**
 * The registry of normative sources: every spec/sources/*.yaml (one file per area), merged and
 * loaded once. Each entry is checked as it loads: an id defined twice, an unknown kind or a field
 * of the wrong type (a commit YAML read as a number, such as 165e77353831) is a SourceError naming
 * the file and the id. The spec lint checks every link the entries make (src/lint/spec-lint.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const SOURCES_DIR = join(__dirname, 'sources');

export const SOURCE_KINDS = ['doc', 'code', 'patch', 'capture'] as const;

export interface Source {
  title: string;
  kind: (typeof SOURCE_KINDS)[number];
  repo?: string;
  path?: string;
  commit?: string;
  commits?: string[];
  url?: string;
  file?: string;
  kernel?: string;
  date?: string | number;
}

export class SourceError extends Error {
  constructor(readonly file: string, readonly id: string, readonly problem: string) {
    super(`${file}: source "${id}": ${problem}`);
    this.name = 'SourceError';
  }
}

const STRING_FIELDS = ['title', 'repo', 'path', 'commit', 'url', 'file', 'kernel'] as const;

/** Check one entry's shape; the YAML is the user's, so every problem names file and id. */
function checkSource(file: string, id: string, s: unknown): Source {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) throw new SourceError(file, id, 'must be a mapping of fields');
  const e = s as Record<string, unknown>;
  for (const f of STRING_FIELDS) {
    if (e[f] === undefined) continue;
    if (typeof e[f] !== 'string') {
      const hint = typeof e[f] === 'number' ? ' (quote it: unquoted, YAML reads it as a number)' : '';
      throw new SourceError(file, id, `${f} must be a string, got ${typeof e[f]} ${String(e[f])}${hint}`);
    }
  }
  if (typeof e.title !== 'string' || !e.title.trim()) throw new SourceError(file, id, 'title is missing');
  if (!SOURCE_KINDS.includes(e.kind as Source['kind'])) throw new SourceError(file, id, `kind must be one of ${SOURCE_KINDS.join(', ')}, got ${JSON.stringify(e.kind)}`);
  if (e.commits !== undefined) {
    if (!Array.isArray(e.commits)) throw new SourceError(file, id, 'commits must be a list of strings');
    e.commits.forEach((c, i) => {
      if (typeof c !== 'string') throw new SourceError(file, id, `commits[${i}] must be a string, got ${typeof c} ${String(c)} (quote it)`);
    });
  }
  return e as unknown as Source;
}

let cache: Record<string, Source> | null = null;
let origins: Record<string, string> = {};

export function loadSources(dir = SOURCES_DIR): Record<string, Source> {
  const all: Record<string, Source> = {};
  const origin: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = `spec/sources/${f}`;
    let doc: { sources?: Record<string, unknown> } | null;
    try {
      doc = parse(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      throw new SourceError(file, '*', `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
    }
    for (const [id, s] of Object.entries(doc?.sources ?? {})) {
      if (origin[id]) throw new SourceError(file, id, `already defined in spec/sources/${origin[id]}`);
      origin[id] = f;
      all[id] = checkSource(file, id, s);
    }
  }
  if (dir === SOURCES_DIR) origins = origin;
  return all;
}

export function sources(): Record<string, Source> {
  if (!cache) cache = loadSources();
  return cache;
}

/** The registry file (spec/sources/<area>.yaml) that defines a source. */
export function sourceFile(id: string): string {
  sources();
  return origins[id] ? `spec/sources/${origins[id]}` : 'spec/sources';
}

/** A URL for a source: its own, or one built from repository, path and commit. */
export function sourceUrl(id: string): string {
  const s = sources()[id];
  if (!s) return `spec/sources#${id}`;
  if (s.url) return s.url;
  if (s.repo && s.path) return `https://github.com/${s.repo}/blob/${s.commit ?? 'HEAD'}/${s.path}`;
  if (s.commits?.length) return `https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${s.commits[0]}`;
  return `spec/sources#${id}`;
}
