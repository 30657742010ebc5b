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

/** The lists of /proc/cpuinfo, in the order show_cpuinfo() prints them (arch/x86/kernel/cpu/proc.c). */
const LISTS = ['flags', 'vmx flags', 'bugs'] as const;
type ListKey = (typeof LISTS)[number];
const isList = (k: string): k is ListKey => (LISTS as readonly string[]).includes(k);
const KEY_LINE = /^([A-Za-z][A-Za-z0-9 _]*?)\s*:\s?(.*)$/;

/**
 * One list as captured: its lines (more than one when a terminal wrapped it) and whether any line
 * of the block came after it.
 */
interface CapturedList {
  lines: string[];
  followed: boolean;
  /** Its last line is the capture's last and has no newline: its last name may be cut. */
  cut: boolean;
}

/**
 * The names of a list, and whether they are all of them. show_cpuinfo() prints a list on one
 * line and always prints a next line ("bugs" and "bogomips" after the flags, the empty line that
 * ends the block): a list is whole only if a line of the block follows it. Where a terminal broke
 * the list with no space on either side of the break, the names there may be halves of one name:
 * both are set aside and the list is not whole.
 */
function namesOf(l: CapturedList): { names: string[]; whole: boolean } {
  const names: string[] = [];
  let whole = l.followed;
  if (l.cut) l = { ...l, lines: [...l.lines.slice(0, -1), l.lines[l.lines.length - 1].replace(/\S+$/, '')] };
  l.lines.forEach((line, i) => {
    const words = tokens(line);
    const next = l.lines[i + 1];
    const prev = l.lines[i - 1];
    if (prev !== undefined && !/\s$/.test(prev) && !/^\s/.test(line)) words.shift();
    if (next !== undefined && !/\s$/.test(line) && !/^\s/.test(next)) {
      words.pop();
      whole = false;
    }
    names.push(...words);
  });
  return { names, whole };
}

/** `/proc/cpuinfo`: "key\t\t: value" lines, one block per processor; the first block is enough. */
export function parseProcCpuinfo(text: string, source = '/proc/cpuinfo'): ParsedCpuinfo | null {
  const fields = new Map<string, string>();
  const lists = new Map<ListKey, CapturedList>();
  let open: CapturedList | null = null; // the list the line before belongs to
  const close = (): void => {
    if (open) open.followed = true;
    open = null;
  };
  // A capture saved with CRLF line ends: "." in KEY_LINE does not match the "\r".
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop(); // what follows the last newline is no line
  const lastCut = !text.endsWith('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') {
      if (fields.size === 0) continue;
      close();
      break; // the end of the first processor's block
    }
    const m = KEY_LINE.exec(line);
    if (!m) {
      // Names alone on a line continue a list a terminal wrapped; anything else follows it.
      if (open && tokens(line).every((t) => FLAG_TOKEN.test(t))) {
        open.lines.push(line);
        open.cut = lastCut && i === lines.length - 1;
      } else close();
      continue;
    }
    close();
    const key = m[1].trim();
    if (fields.has(key)) continue;
    fields.set(key, m[2]);
    if (isList(key)) lists.set(key, (open = { lines: [m[2]], followed: false, cut: lastCut && i === lines.length - 1 }));
  }
  const flags = lists.get('flags');
  if (!flags) return null;
  const f = namesOf(flags);
  const vmx = lists.get('vmx flags');
  const v = vmx ? namesOf(vmx) : null;
  const bugs = lists.get('bugs');
  const b = bugs ? namesOf(bugs) : null;
  const num = (k: string): number | null => (fields.has(k) && /^\d+$/.test(fields.get(k)!.trim()) ? Number(fields.get(k)!.trim()) : null);
  return {
    flags: {
      flags: f.names,
      bugs: b ? b.names : null,
      complete: f.whole,
      bugsComplete: b?.whole ?? false,
      source,
      ...(v ? { vmx: v.names, vmxComplete: v.whole } : {}),
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
  // A capture that ends inside the list, without its newline, may end inside a name.
  if (j === lines.length && !text.endsWith('\n')) flags.pop();
  const value = (label: string): string | null => {
    const l = lines.find((x) => new RegExp(`^\\s*${label}:\\s`).test(x));
    return l ? l.replace(/^[^:]*:\s*/, '').trim() : null;
  };
  const num = (label: string): number | null => {
    const v = value(label);
    return v !== null && /^\d+$/.test(v) ? Number(v) : null;
  };
  return {
    flags: { flags, bugs: null, complete: j < lines.length && lines.slice(j).some((l) => l.trim() !== ''), bugsComplete: false, source },
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
  return { flags: { flags: all.slice(0, -1), bugs: null, complete: false, bugsComplete: false, source }, cutToken: all[all.length - 1] };
}
