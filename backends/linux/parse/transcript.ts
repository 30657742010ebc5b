/**
 * Shell transcripts people paste from TD guests and hosts: a prompt line with a command, then its
 * output. Only commands whose output says something about TDX are read: uname, ls /dev/tdx_guest,
 * lsmod, cat of a configfs-tsm report's provider, and the cpuid tool's dump of leaf 0x21
 * (@src:capture-dev-tdx-guest, @src:capture-configfs-tsm, @src:capture-guest-cpuid21).
 */
import { cpuidKey, type CpuidRegs, type Evidence } from '../evidence';

const PROMPT = /^(?:\S+@\S+:\S*\s?[#$]|[#$])\s(.*)$/;

export interface Command {
  command: string;
  output: string[];
}

export function splitTranscript(text: string): Command[] {
  const out: Command[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const p = PROMPT.exec(line);
    if (p) out.push({ command: p[1].trim(), output: [] });
    else if (out.length) out[out.length - 1].output.push(line);
  }
  return out;
}

/** `cpuid -1 -l 0x21` style lines: "0x00000021 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x...". */
export function parseCpuidDump(lines: readonly string[]): Record<string, CpuidRegs> {
  const out: Record<string, CpuidRegs> = {};
  for (const l of lines) {
    const m = /^\s*(0x[0-9a-f]+) (0x[0-9a-f]+): eax=(0x[0-9a-f]+) ebx=(0x[0-9a-f]+) ecx=(0x[0-9a-f]+) edx=(0x[0-9a-f]+)/i.exec(l);
    if (!m) continue;
    out[cpuidKey(0, parseInt(m[1], 16), parseInt(m[2], 16))] = {
      eax: parseInt(m[3], 16), ebx: parseInt(m[4], 16), ecx: parseInt(m[5], 16), edx: parseInt(m[6], 16),
    };
  }
  return out;
}

/** The release in `uname -a` output: "Linux <host> <release> #...". */
export function releaseFromUnameA(line: string): string | null {
  const m = /^Linux \S+ (\S+) #/.exec(line.trim());
  return m ? m[1] : null;
}

export function parseTranscript(text: string): Partial<Evidence> | null {
  const commands = splitTranscript(text);
  const part: Partial<Evidence> = {};
  const found: string[] = [];
  commands.forEach((c, i) => {
    const out = c.output.filter((l) => l.trim() !== '');
    // The paste may end inside the last command's output: from it, only what is there counts,
    // never what is missing.
    const whole = i < commands.length - 1;
    if (/^uname\b/.test(c.command)) {
      const r = out.length ? (/-r\b/.test(c.command) ? out[0].trim() : releaseFromUnameA(out[0])) : null;
      if (r) {
        part.unameRelease = r;
        found.push('uname');
      }
    } else if (/^ls\b.*\/dev\/tdx_guest\b/.test(c.command)) {
      // `ls` prints the path (`ls -l`: a listing ending in it) or says it cannot access it.
      const exists = out.some((l) => /(?:^|\s)(?:\/dev\/)?tdx_guest$/.test(l.trim()));
      const missing = out.some((l) => /No such file or directory/.test(l));
      if (exists || missing) {
        part.devTdxGuest = exists;
        found.push('ls /dev/tdx_guest');
      }
    } else if (/^lsmod\b/.test(c.command)) {
      const loaded = out.some((l) => /^tdx_guest\s+\d+/.test(l));
      if (loaded || whole) {
        part.tdxGuestModule = loaded;
        found.push('lsmod');
      }
    } else if (/^cat\b.*\/provider\b/.test(c.command)) {
      if (out[0]) {
        part.tsmProvider = out[0].trim();
        part.tsmReportDir = true;
        found.push('configfs-tsm provider');
      }
    } else if (/^cpuid\b/.test(c.command)) {
      const regs = parseCpuidDump(out);
      if (Object.keys(regs).length) {
        part.cpuid = regs;
        found.push('cpuid');
      }
    }
  });
  if (found.length === 0) return null;
  part.formats = ['transcript'];
  part.notes = [`shell transcript: ${found.join(', ')}`];
  return part;
}
