'use strict';
// Runs one machine-code sequence for the kernel-interface seam, in its own process so that a
// fault ends only this child: the parent reads how it ended (the words it stored, or the signal).
// argv: <code hex> <8 input words, hex, comma-separated>. Prints the 8 words after the call.
// Exit 3: the executable mapping was refused (SELinux execmem, a hardened kernel); stderr says why.
const koffi = require('koffi');

const [codeHex, inputCsv] = process.argv.slice(2);
const code = Buffer.from(codeHex, 'hex');
const input = (inputCsv || '').split(',').filter(Boolean).map((h) => BigInt('0x' + h));

const libc = koffi.load('libc.so.6');
const mmap = libc.func('void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)');
const PROT_RWX = 0x1 | 0x2 | 0x4;
const MAP_PRIVATE_ANON = 0x02 | 0x20;
const len = 4096;
const page = mmap(null, len, PROT_RWX, MAP_PRIVATE_ANON, -1, 0);
if (page === null || koffi.address(page) === 0xffffffffffffffffn) {
  process.stderr.write(`mmap(PROT_EXEC): errno ${koffi.errno()}\n`);
  process.exit(3);
}
koffi.encode(page, koffi.array('uint8_t', code.length), [...code]);
const io = Buffer.alloc(64);
input.slice(0, 8).forEach((v, i) => io.writeBigUInt64LE(v, i * 8));
const proto = koffi.proto('void insn_sequence(uint8_t *io)');
koffi.call(page, proto, io);
const out = [];
for (let i = 0; i < 8; i++) out.push(io.readBigUInt64LE(i * 8).toString(16));
process.stdout.write(JSON.stringify(out) + '\n');
