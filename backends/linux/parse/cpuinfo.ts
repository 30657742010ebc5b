/**
 * CPU flags as people capture them: /proc/cpuinfo (the first processor's block), `lscpu` (whose
 * "Flags:" value wraps onto indented continuation lines on narrow terminals), or a bare flags line
 * pasted on its own (as in @src:capture-dstack-103). The kernel spells TDX state as the flags tdx_host_platform and tdx_guest and
 * the bug tdx_pw_mce (@src:tdx-c-mid).
 */
import type { CpuFlags, CpuIdentity } from '../evidence';

const FLAG_TOKEN = /^[a-z0-9_.]+$/;

export interface ParsedCpuinfo {
  flags: CpuFlags | null;
  cpu: CpuIdentity;
}

const tokens = (s: string): string[] => s.trim().split(/\s+/).filter(Boolean);

/** `/proc/cpuinfo`: "key\t\t: value" lines, one block per processor; the first block is enough. */
export function parseProcCpuinfo(text: string, source = '/proc/cpuinfo'): ParsedCpuinfo | null {
  const fields = new Map<string, string>();
  let sawAfterFlags = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '' && fields.size > 0) break; // end of the first processor's block
    const m = /^([A-Za-z][A-Za-z0-9 _]*?)\s*:\s?(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].trim();
    if (fields.has('flags') && key !== 'flags') sawAfterFlags = true;
    if (!fields.has(key)) fields.set(key, m[2]);
  }
  if (!fields.has('flags')) return null;
  const num = (k: string): number | null => (fields.has(k) && /^\d+$/.test(fields.get(k)!.trim()) ? Number(fields.get(k)!.trim()) : null);
  return {
    flags: {
      flags: tokens(fields.get('flags')!),
      bugs: fields.has('bugs') ? tokens(fields.get('bugs')!) : null,
      // A block that goes on after the flags line was not cut inside it.
      complete: sawAfterFlags,
      source,
      ...(fields.has('vmx flags') ? { vmx: tokens(fields.get('vmx flags')!) } : {}),
    },
    cpu: { vendor: fields.get('vendor_id')?.trim() ?? null, family: num('cpu family'), model: num('model'), modelName: fields.get('model name')?.trim() ?? null },
  };
}

/** `lscpu`: "Flags:" followed by indented continuation lines when the terminal wrapped it. */
export function parseLscpu(text: string, source = 'lscpu'): ParsedCpuinfo | null {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^\s*Flags:\s/.test(l));
  if (i < 0) return null;
  const flags = tokens(lines[i].replace(/^\s*Flags:/, ''));
  let j = i + 1;
  // Continuation lines carry only flags and start with the alignment padding.
  for (; j < lines.length && /^\s+\S/.test(lines[j]) && !/^\s*[A-Z][A-Za-z0-9 ()_-]*:\s/.test(lines[j]); j++) {
    flags.push(...tokens(lines[j]));
  }
  const value = (label: string): string | null => {
    const l = lines.find((x) => new RegExp(`^\\s*${label}:\\s`).test(x));
    return l ? l.replace(/^[^:]*:\s*/, '').trim() : null;
  };
  const num = (label: string): number | null => {
    const v = value(label);
    return v !== null && /^\d+$/.test(v) ? Number(v) : null;
  };
  return {
    flags: { flags, bugs: null, complete: j < lines.length && lines.slice(j).some((l) => l.trim() !== ''), source },
    cpu: { vendor: value('Vendor ID'), family: num('CPU family'), model: num('Model'), modelName: value('Model name') },
  };
}

/**
 * A flags list pasted on its own (no "flags :" key). Nothing shows where it ended, so it may
 * have been cut: the last token could be a fragment and is set aside, and the list is marked
 * incomplete so that a missing flag is never taken as absent.
 */
export function parseBareFlags(text: string, source = 'flags list'): { flags: CpuFlags; cutToken: string | null } | null {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length !== 1) return null;
  const all = tokens(lines[0]);
  if (all.length < 8 || all[0] !== 'fpu' || !all.every((t) => FLAG_TOKEN.test(t))) return null;
  return { flags: { flags: all.slice(0, -1), bugs: null, complete: false, source }, cutToken: all[all.length - 1] };
}
