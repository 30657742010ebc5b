import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessage, matchLine, parseKernelLog } from '../../backends/common/kernel-log';

test('printk formats round-trip through the parser', () => {
  const line = 'virt/tdx: ' + formatMessage('SEAMCALL (0x%016llx) failed: 0x%016llx', [0x22n, 0xc000050500000000n]);
  assert.equal(line, 'virt/tdx: SEAMCALL (0x0000000000000022) failed: 0xc000050500000000');
  const e = matchLine(`[   10.798780] ${line}`);
  assert.ok(e && 'id' in e);
  assert.equal(e.id, 'seamcall-failed');
  assert.deepEqual(e.values, [0x22n, 0xc000050500000000n]);
  assert.equal(e.time, 10.79878);
});

test('dialects: prefixes, caller ids, doc colon, KB and KBs, no timestamp', () => {
  const { events } = parseKernelLog([
    '[    1.630945] virt/tdx: BIOS enabled: private KeyID range [32, 64)',
    '[    3.833617] tdx: BIOS enabled: private KeyID range [1, 64)',
    '[..] virt/tdx: BIOS enabled: private KeyID range: [16, 64)',
    '[    1.124609] virt/tdx: 1050644 KBs allocated for PAMT',
    'virt/tdx: module not loaded',
    '[    0.000000] [    T0] tdx: Guest detected',
  ]);
  assert.deepEqual(events.map((e) => [e.id, e.variant]), [
    ['keyid-range', 'code'], ['keyid-range', 'code'], ['keyid-range', 'doc'], ['pamt-allocated', 'KBs'],
    ['module-not-loaded', 'code'], ['guest-detected', 'code'],
  ]);
});

test('a cut line is reported as partial with every candidate, never resolved', () => {
  const { events, partial } = parseKernelLog(['[   10.774047] virt/tdx: initialization failed: T']);
  assert.deepEqual(events, []);
  assert.deepEqual(partial[0].candidates, ['reserved-areas-exhausted', 'tdmrs-exhausted']);
});

test('the 6.14 module line keeps the hex build date apart from decimal numbers', () => {
  const e = matchLine('virt/tdx: TDX module 2.0.08.00, build number 882, build date 0134fed5');
  assert.ok(e && 'id' in e);
  assert.deepEqual(e.values, [2n, 0n, 8n, 0n, 882n, 20250325n]);
});
