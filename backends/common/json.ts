/** JSON with 64-bit values: bigints are written as hex strings. */
export function bigintReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? '0x' + v.toString(16) : v;
}

export const toJson = (v: unknown, indent = 2): string => JSON.stringify(v, bigintReplacer, indent);
