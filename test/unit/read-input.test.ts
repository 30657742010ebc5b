import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeText, InputError, readInputFile } from '../../backends/common/read-input';
import { numRuns } from '../support/runs';
import { tempDir } from '../support/suite';

test('only regular files within the limit are read; special files are refused without blocking', () => {
  const dir = tempDir('input');
  const big = join(dir, 'big.log');
  writeFileSync(big, '');
  truncateSync(big, 1024 * 1024 + 1);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const cases: [string, number, RegExp][] = [
    [big, 1024 * 1024, /is 1.0 MiB, more than the 1 MiB this tool reads/],
    [fifo, 1024, /is a FIFO \(named pipe\), not a regular file/],
    ['/dev/null', 1024, /is a character device, not a regular file/],
    [dir, 1024, /is a directory, not a file/],
    [join(dir, 'absent'), 1024, /no such file or directory/],
  ];
  for (const [path, limit, re] of cases) {
    assert.throws(() => readInputFile(path, limit), (e: Error) => e instanceof InputError && re.test(e.message), path);
  }
  // /proc files report size 0 but have content: read to the end, within the limit.
  assert.match(readInputFile('/proc/self/status', 1024 * 1024).toString(), /^Name:/);
  assert.throws(() => readInputFile('/proc/self/status', 16), /more than the 16 bytes this tool reads/);
});

test('NUL bytes and invalid UTF-8 in text are replaced and reported; a binary file is refused', () => {
  const log = Buffer.concat([Buffer.from('[    1.0] virt/tdx: module initialized\n[    2.0] x'), Buffer.from([0, 0xff, 0xfe]), Buffer.from('y\n'.repeat(200))]);
  const d = decodeText(log, 'pasted.log');
  assert.match(d.text, /virt\/tdx: module initialized\n/);
  assert.deepEqual(d.warnings, ['pasted.log: 1 NUL byte replaced by U+FFFD', 'pasted.log: 2 invalid UTF-8 sequences replaced by U+FFFD']);
  assert.ok(!d.text.includes('\0'));
  assert.deepEqual(decodeText(Buffer.from('clean\n'), 'x').warnings, []);
  assert.throws(() => decodeText(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]), 'a.out'), /a.out: binary file/);
});

test('decoding never throws anything but InputError, and keeps every line of text with a few odd bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
    try {
      decodeText(Buffer.from(bytes), 'f');
    } catch (e) {
      assert.ok(e instanceof InputError);
    }
  }), { numRuns: numRuns() });
  const line = fc.stringMatching(/^[ -~]{0,80}$/);
  fc.assert(fc.property(fc.array(line, { minLength: 20, maxLength: 60 }), fc.nat(), (lines, at) => {
    const text = lines.join('\n') + '\n';
    const i = at % text.length;
    const bytes = Buffer.concat([Buffer.from(text.slice(0, i)), Buffer.from([0]), Buffer.from(text.slice(i))]);
    if (text.length < 50) return;
    const d = decodeText(bytes, 'f');
    assert.equal(d.text.replace('\uFFFD', ''), text);
    assert.equal(d.warnings.length, 1);
  }), { numRuns: numRuns(300) });
});
