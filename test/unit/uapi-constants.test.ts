/**
 * The numbers both sides of the real path share, against a C compiler and the system's headers:
 * errno values (the linux backend names what the kernel returns with them, the emulated machine
 * returns them), kvm_run exit reasons, capability numbers and the KVM constants the emulator's
 * KVM and the linux KVM client both use. A wrong entry there would be right for the emulated
 * machine and its reader alike; the headers are a source neither shares.
 *
 * Each constant is checked where the system's headers define it (an older linux-libc-dev lacks
 * the TDX ones: those are reported as not checked, by name). Skipped without a C compiler.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ERRNO } from '../../spec/abi/errno';
import { KVM_CAPS, KVM_EXITS, KVM_EXIT_IO_IN, KVM_EXIT_IO_OUT, KVM_MEMORY_ATTRIBUTE_PRIVATE, KVM_VM_TYPES } from '../../spec/encodings/kvm';
import {
  KVM_HC_MAP_GPA_RANGE, KVM_HC_VAPIC_POLL_IRQ, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, KVM_MAP_GPA_RANGE_ENCRYPTED,
  KVM_MEMORY_EXIT_FLAG_PRIVATE, KVM_MP_STATES, KVM_SYSTEM_EVENT_TDX_FATAL,
} from '../../spec/abi/kvm-uapi';

/** Name as the C headers spell it, and our value. */
const CHECKED: readonly [string, bigint][] = [
  ...Object.entries(ERRNO).map(([n, v]) => [n, BigInt(v)] as [string, bigint]),
  ...Object.entries(KVM_EXITS).map(([n, v]) => [n, BigInt(v)] as [string, bigint]),
  ...Object.entries(KVM_CAPS).map(([n, v]) => [n, BigInt(v)] as [string, bigint]),
  ...Object.entries(KVM_VM_TYPES).map(([n, v]) => [n, BigInt(v)] as [string, bigint]),
  ...Object.entries(KVM_MP_STATES).map(([n, v]) => [n, BigInt(v)] as [string, bigint]),
  ['KVM_EXIT_IO_IN', BigInt(KVM_EXIT_IO_IN)],
  ['KVM_EXIT_IO_OUT', BigInt(KVM_EXIT_IO_OUT)],
  ['KVM_MEMORY_ATTRIBUTE_PRIVATE', KVM_MEMORY_ATTRIBUTE_PRIVATE],
  ['KVM_MEMORY_EXIT_FLAG_PRIVATE', KVM_MEMORY_EXIT_FLAG_PRIVATE],
  ['KVM_SYSTEM_EVENT_TDX_FATAL', BigInt(KVM_SYSTEM_EVENT_TDX_FATAL)],
  ['KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON', BigInt(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON)],
  ['KVM_HC_MAP_GPA_RANGE', KVM_HC_MAP_GPA_RANGE],
  ['KVM_HC_VAPIC_POLL_IRQ', KVM_HC_VAPIC_POLL_IRQ],
  ['KVM_MAP_GPA_RANGE_ENCRYPTED', KVM_MAP_GPA_RANGE_ENCRYPTED],
];

function program(): string {
  const out = ['#include <stdio.h>', '#include <errno.h>', '#if __has_include(<linux/kvm.h>)', '#include <linux/kvm.h>', '#endif',
    '#if __has_include(<linux/kvm_para.h>)', '#include <linux/kvm_para.h>', '#endif', 'int main(void) {'];
  for (const [name] of CHECKED) {
    out.push(`#ifdef ${name}`, `\tprintf("%s %llu\\n", "${name}", (unsigned long long)(${name}));`, '#else', `\tprintf("%s undefined\\n", "${name}");`, '#endif');
  }
  out.push('\treturn 0;', '}', '');
  return out.join('\n');
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return join(dir, cmd);
    } catch { /* not here */ }
  }
  return undefined;
}

test('errno values and KVM constants agree with the system headers', (t: TestContext) => {
  if (process.arch !== 'x64') return t.skip(`x86-64 constants, this host is ${process.arch}`);
  const cc = onPath('cc') ?? onPath('gcc');
  if (!cc) return t.skip('no C compiler: neither cc nor gcc on PATH (apt install gcc libc6-dev linux-libc-dev)');
  const dir = mkdtempSync(join(tmpdir(), 'tdx-consts-'));
  try {
    writeFileSync(join(dir, 'c.c'), program());
    const built = spawnSync(cc, ['-std=gnu11', '-O0', '-o', join(dir, 'c'), join(dir, 'c.c')], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    const ran = spawnSync(join(dir, 'c'), [], { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    const got = new Map(ran.stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const wrong: string[] = [];
    const unchecked: string[] = [];
    for (const [name, value] of CHECKED) {
      const c = got.get(name);
      if (c === undefined || c === 'undefined') unchecked.push(name);
      else if (BigInt(c) !== value) wrong.push(`${name}: ours ${value}, the headers' ${c}`);
    }
    t.diagnostic(`${CHECKED.length - unchecked.length} of ${CHECKED.length} checked; not in the system headers: ${unchecked.join(', ') || 'none'}`);
    assert.deepEqual(wrong, []);
    // The errno values are in every libc: all of them must have been checked.
    assert.deepEqual(unchecked.filter((n) => n in ERRNO), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
