/** The registry of normative sources (spec/sources.yaml), loaded once. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

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

export function sources(): Record<string, Source> {
  if (!cache) cache = (parse(readFileSync(join(__dirname, 'sources.yaml'), 'utf8')) as { sources: Record<string, Source> }).sources;
  return cache;
}

/** A URL for a source: its own, or one built from repository, path and commit. */
export function sourceUrl(id: string): string {
  const s = sources()[id];
  if (!s) return `spec/sources.yaml#${id}`;
  if (s.url) return s.url;
  if (s.repo && s.path) return `https://github.com/${s.repo}/blob/${s.commit ?? 'HEAD'}/${s.path}`;
  if (s.commits?.length) return `https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=${s.commits[0]}`;
  return `spec/sources.yaml#${id}`;
}
