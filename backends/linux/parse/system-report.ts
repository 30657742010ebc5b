/**
 * canonical/tdx system-report.sh output (@src:canonical-system-report): "### <title>" sections,
 * each a command's output, usually inside ``` fences (which issue pages often strip).
 *
 *  - "Kernel version": `uname -rvpio`, release first.
 *  - "TDX kernel logs": `dmesg | grep -i tdx`, the first 10 and last 20 such lines around a
 *    "..." line (older versions of the script: every such line). An excerpt, never the whole log.
 *  - "TDX CPU instruction support": whether `grep tdx /proc/cpuinfo` matched anything.
 *  - "Model specific registers (MSRs)": fields printed by `rdmsr -f`, in hexadecimal because
 *    that is rdmsr's default output (so "NUM_TDX_PRIV_KEYS: 20" means 0x20 = 32 KeyIDs,
 *    @src:capture-canonical-tdx-424).
 */
import type { Evidence, ReportedMsrFields } from '../evidence';

export type Sections = Map<string, string[]>;

export function splitSections(text: string): Sections | null {
  const sections: Sections = new Map();
  let current: string[] | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const h = /^###\s+(.+?)\s*$/.exec(line);
    if (h) {
      current = [];
      sections.set(h[1], current);
      continue;
    }
    if (current && !/^```/.test(line)) current.push(line);
  }
  if (sections.size === 0) return null;
  for (const [k, v] of sections) {
    while (v.length && v[0].trim() === '') v.shift();
    while (v.length && v[v.length - 1].trim() === '') v.pop();
    sections.set(k, v);
  }
  return sections;
}

const KNOWN = ['Kernel version', 'TDX kernel logs', 'TDX CPU instruction support', 'Model specific registers (MSRs)'];

const hexField = (lines: string[], label: string): number | null => {
  const l = lines.find((x) => x.startsWith(label + ':'));
  const m = l ? /^[^:]*:\s*([0-9a-fA-F]+)\b/.exec(l) : null;
  return m ? parseInt(m[1], 16) : null;
};

export function parseSystemReport(text: string): Partial<Evidence> | null {
  const s = splitSections(text);
  if (!s || !KNOWN.some((k) => s.has(k))) return null;
  const part: Partial<Evidence> = { formats: ['system-report'], notes: [] };
  const kv = s.get('Kernel version');
  if (kv && kv[0]) part.unameRelease = kv[0].trim().split(/\s+/)[0];
  const logs = s.get('TDX kernel logs');
  if (logs) {
    // The "..." line only separates the head and tail selections; it is not a log line, but it
    // says lines were left out there.
    const lines: string[] = [];
    const omittedBefore: number[] = [];
    for (const l of logs) {
      if (l.trim() === '...') omittedBefore.push(lines.length);
      else if (l.trim() !== '') lines.push(l);
    }
    part.log = { lines, source: 'system-report: dmesg | grep -i tdx', excerpt: true, ...(omittedBefore.length ? { omittedBefore } : {}) };
  }
  const cpu = s.get('TDX CPU instruction support');
  if (cpu && cpu.length) {
    if (/^No TDX support in CPU/.test(cpu[0])) part.cpuinfoMentionsTdx = false;
    else if (/^CPU supports TDX/.test(cpu[0])) part.cpuinfoMentionsTdx = true;
  }
  const msr = s.get('Model specific registers (MSRs)');
  if (msr) {
    const bit = (label: string): boolean | null => {
      const v = hexField(msr, label);
      return v === null ? null : v === 1;
    };
    const prod = msr.find((l) => l.startsWith('Production platform:'));
    const fields: ReportedMsrFields = {
      tmeEnabled: bit('MK_TME_ENABLED bit'),
      seamrrEnabled: bit('SEAM_RR bit'),
      tdxPrivateKeyIds: hexField(msr, 'NUM_TDX_PRIV_KEYS'),
      // The value is what follows the label: the line goes on with "(expected value: Production)".
      production: prod ? /^Production platform:\s*Production\b/.test(prod) : null,
    };
    part.reportedMsrs = fields;
  }
  const model = s.get('CPU details');
  if (model && model[0]) part.cpu = { vendor: null, family: null, model: null, modelName: model[0].trim() };
  return part;
}
