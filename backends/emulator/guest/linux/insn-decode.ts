/**
 * Decoding the instruction behind an MMIO #VE, as the guest's insn_decode_mmio() does
 * (@src:guest-c). Only the forms the kernel's io.h accessors emit are understood: MOV to and from
 * memory (88/89/8A/8B), MOV of an immediate (C6/C7), MOVZX and MOVSX (0F B6/B7/BE/BF), and MOVS
 * (A4/A5), which is recognised so that it can be refused. Everything else fails to decode. The
 * decoder also measures the instruction (prefixes, ModRM, SIB, displacement, immediate).
 */

export type MmioType = 'write' | 'write-imm' | 'read' | 'read-zero-extend' | 'read-sign-extend' | 'movs' | 'decode-failed';

export interface DecodedMmio {
  type: MmioType;
  /** Bytes the memory operand covers. */
  size: number;
  /** Instruction length in bytes. */
  length: number;
  /** The register operand (ModRM.reg with REX.R), for register forms. */
  reg?: number;
  /** Operand size of the destination register (for zero/sign extension). */
  opBytes: number;
  imm?: bigint;
}

const FAILED = (length = 0): DecodedMmio => ({ type: 'decode-failed', size: 0, length, opBytes: 0 });

/** Length of ModRM + SIB + displacement starting at `i`, or -1 when the bytes run out. */
function modrmLength(bytes: readonly number[], i: number): number {
  if (i >= bytes.length) return -1;
  const modrm = bytes[i];
  const mod = modrm >> 6;
  const rm = modrm & 7;
  let n = 1;
  if (mod !== 3 && rm === 4) {
    if (i + 1 >= bytes.length) return -1;
    const base = bytes[i + 1] & 7;
    n += 1;
    if (mod === 0 && base === 5) n += 4;
  }
  if (mod === 1) n += 1;
  else if (mod === 2) n += 4;
  else if (mod === 0 && rm === 5) n += 4;
  return i + n <= bytes.length ? n : -1;
}

function readImm(bytes: readonly number[], at: number, size: number): bigint {
  let v = 0n;
  for (let k = 0; k < size; k++) v |= BigInt(bytes[at + k]) << BigInt(8 * k);
  return v;
}

export function decodeMmio(bytes: readonly number[]): DecodedMmio {
  let i = 0;
  let opsize16 = false;
  let rex = 0;
  // Legacy prefixes, then an optional REX.
  while (i < bytes.length && [0x66, 0x67, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65].includes(bytes[i])) {
    if (bytes[i] === 0x66) opsize16 = true;
    i++;
  }
  if (i < bytes.length && (bytes[i] & 0xf0) === 0x40) rex = bytes[i++];
  if (i >= bytes.length) return FAILED(i);
  const w = (rex & 8) !== 0;
  const opBytes = w ? 8 : opsize16 ? 2 : 4;
  const regOf = (modrm: number) => ((modrm >> 3) & 7) | ((rex & 4) << 1);
  const op = bytes[i++];

  const withModrm = (type: MmioType, size: number, immSize = 0): DecodedMmio => {
    const n = modrmLength(bytes, i);
    if (n < 0 || i + n + immSize > bytes.length) return FAILED(bytes.length);
    // A register-to-register form has no memory operand: not an MMIO access.
    if (bytes[i] >> 6 === 3) return FAILED(i + n + immSize);
    const length = i + n + immSize;
    const d: DecodedMmio = { type, size, length, reg: regOf(bytes[i]), opBytes };
    return immSize ? { ...d, imm: readImm(bytes, i + n, immSize) } : d;
  };

  switch (op) {
    case 0x88: return withModrm('write', 1);
    case 0x89: return withModrm('write', opBytes);
    case 0x8a: return withModrm('read', 1);
    case 0x8b: return withModrm('read', opBytes);
    case 0xc6: return withModrm('write-imm', 1, 1);
    case 0xc7: return withModrm('write-imm', opBytes, opBytes === 2 ? 2 : 4);
    case 0xa4: return { type: 'movs', size: 1, length: i, opBytes };
    case 0xa5: return { type: 'movs', size: opBytes, length: i, opBytes };
    case 0x0f: {
      if (i >= bytes.length) return FAILED(i);
      const op2 = bytes[i++];
      if (op2 === 0xb6) return withModrm('read-zero-extend', 1);
      if (op2 === 0xb7) return withModrm('read-zero-extend', 2);
      if (op2 === 0xbe) return withModrm('read-sign-extend', 1);
      if (op2 === 0xbf) return withModrm('read-sign-extend', 2);
      return FAILED(i);
    }
    default:
      return FAILED(i);
  }
}

/** Encodings of the io.h accessors the suite uses (memory operand [rdi], register eax/ax/al/rax). */
export const MMIO_ENCODINGS = {
  'read 1': [0x8a, 0x07],
  'read 2': [0x66, 0x8b, 0x07],
  'read 4': [0x8b, 0x07],
  'read 8': [0x48, 0x8b, 0x07],
  'write 1': [0x88, 0x07],
  'write 2': [0x66, 0x89, 0x07],
  'write 4': [0x89, 0x07],
  'write 8': [0x48, 0x89, 0x07],
} as const satisfies Record<string, readonly number[]>;
