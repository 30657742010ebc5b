/** Dotted version numbers (kernel 6.18, module 1.5.06) and the ranges tags give (>=6.14, <7.1, =1.0). */

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

const RANGE = /^(>=|<=|>|<|=)?(\d+(?:\.\d+)*)$/;

export function parseRange(expr: string): { op: '>=' | '<=' | '>' | '<' | '='; version: string } | null {
  const m = RANGE.exec(expr);
  if (!m) return null;
  return { op: (m[1] ?? '=') as '>=' | '<=' | '>' | '<' | '=', version: m[2] };
}

export function satisfies(version: string, expr: string): boolean {
  const r = parseRange(expr);
  if (!r) throw new Error(`bad version range "${expr}" (expected e.g. >=6.14, <7.1, =1.0)`);
  const c = compareVersions(version, r.version);
  switch (r.op) {
    case '>=': return c >= 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '<': return c < 0;
    case '=': return c === 0 || version.startsWith(r.version + '.');
  }
}
