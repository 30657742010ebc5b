/**
 * The registry of normative sources: every spec/sources/*.yaml (one file per area), merged and
 * loaded once. An id defined twice is an error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const SOURCES_DIR = join(__dirname, 'sources');

export interface Source {
  title: string;
  kind: 'doc' | 'code' | 'patch' | 'capture';
  repo?: string;
  path?: string;
  commit?: string;
  commits?: string[];
  url?: string;
  file?: string;
  kernel?: string;
}

let cache: Record<string, Source> | null = null;

export function loadSources(dir = SOURCES_DIR): Record<string, Source> {
  const all: Record<string, Source> = {};
  const origin: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    const doc = parse(readFileSync(join(dir, f), 'utf8')) as { sources?: Record<string, Source> } | null;
    for (const [id, s] of Object.entries(doc?.sources ?? {})) {
      if (origin[id]) throw new Error(`spec/sources/${f}: source "${id}" is already defined in spec/sources/${origin[id]}`);
      origin[id] = f;
      all[id] = s;
    }
  }
  return all;
}

export function sources(): Record<string, Source> {
  if (!cache) cache = loadSources();
  return cache;
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
