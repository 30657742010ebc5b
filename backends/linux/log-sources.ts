/**
 * The kernel log arrives in three shapes; all become dmesg-style lines ("[    4.567890] text"),
 * the shape the shared parser and the captures in issue threads have.
 *  - dmesg: already that shape.
 *  - /dev/kmsg records: "prio,seq,usec,flags;text", with " KEY=value" continuation lines.
 *  - journalctl -k -o short-monotonic: "[    4.567890] host kernel: text".
 */

const stamp = (usec: bigint): string => {
  const s = usec / 1_000_000n;
  const us = usec % 1_000_000n;
  return `[${s.toString().padStart(5, ' ')}.${us.toString().padStart(6, '0')}]`;
};

export function kmsgToLines(records: readonly string[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    for (const rec of r.split('\n')) {
      if (rec === '' || rec.startsWith(' ')) continue; // dictionary continuation
      const m = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/.exec(rec);
      if (m) out.push(`${stamp(BigInt(m[3]))} ${m[4]}`);
    }
  }
  return out;
}

export function journalToLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\[\s*\d+\.\d+\])\s+\S+\s+kernel:\s?(.*)$/.exec(line);
    if (m) out.push(`${m[1]} ${m[2]}`);
  }
  return out;
}
