/**
 * The KVM client's encodings, call by call, against a recording kernel interface: which
 * descriptor each ioctl goes to, which ones return a new descriptor, and the bytes of the
 * structures an argument points to, at the offsets of the kernel's UAPI (struct kvm_tdx_cmd,
 * kvm_tdx_init_vm, kvm_tdx_init_mem_region, kvm_tdx_capabilities (its CPUID after reserved[250],
 * at 2048), kvm_cpuid2 in
 * arch/x86/include/uapi/asm/kvm.h; the offsets are written out here, the ioctl numbers are
 * spec/uapi/kvm.ts's, which test/unit/uapi-constants.test.ts checks against the C headers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserMemory } from '../../backends/common/user-memory';
import { sysErr, sysOk, type Fd, type IoctlArg, type IoctlOptions, type KernelInterface, type SysResult, type UserBuffer } from '../../backends/kernel-interface';
import { asKernelResult, KvmClient } from '../../backends/linux/kvm-client';
import { isUnobservable, unobservable } from '../../backends/port';
import { KVM_IOCTLS } from '../../spec/uapi/kvm';

interface Call { fd: Fd; request: number; arg: IoctlArg; opts?: IoctlOptions }

/** A kernel interface that records every open and ioctl and answers with `answer`. */
function recorder(answer: (c: Call) => SysResult<number> = () => sysOk(0)) {
  const mem = new UserMemory();
  const opens: [string, string][] = [];
  const calls: Call[] = [];
  let openResult: SysResult<Fd> = sysOk(3);
  const ki = {
    describe: 'recorder',
    open: (path: string, mode: 'r' | 'rw') => {
      opens.push([path, mode]);
      return openResult;
    },
    alloc: (size: number) => mem.alloc(size),
    ioctl: (fd: Fd, request: number, arg: IoctlArg, opts?: IoctlOptions) => {
      const c = { fd, request, arg, ...(opts ? { opts } : {}) };
      calls.push(c);
      return answer(c);
    },
  } as unknown as KernelInterface;
  return { ki, opens, calls, failOpen: (r: SysResult<Fd>) => (openResult = r) };
}

const buf = (a: IoctlArg): UserBuffer => {
  assert.ok(typeof a === 'object', 'the argument is a structure in user memory');
  return a;
};
/** The structure kvm_tdx_cmd.data points to. */
const pointee = (h: UserBuffer): UserBuffer => {
  const p = h.pointers.get(8);
  assert.ok(p, 'kvm_tdx_cmd.data points to a structure');
  return p.target;
};

test('/dev/kvm is opened once, read-write; ioctls go to the device, the VM or the vCPU; creating one returns a descriptor', () => {
  const r = recorder((c) => sysOk(c.request === KVM_IOCTLS.KVM_GET_API_VERSION ? 12 : 0));
  const k = new KvmClient(r.ki);
  assert.deepEqual(k.apiVersion(), sysOk(12));
  k.checkExtension(0xc1);
  k.checkExtension(0xc1, 7);
  k.createVm(5);
  k.createVcpu(7, 0);
  k.createGuestMemfd(7, 0x200000n);
  assert.deepEqual(r.opens, [['/dev/kvm', 'rw']]);
  assert.deepEqual(r.calls.map((c) => [c.fd, c.request, typeof c.arg === 'object' ? 'buffer' : c.arg, c.opts?.returnsFd ?? false]), [
    [3, KVM_IOCTLS.KVM_GET_API_VERSION, 0, false],
    [3, KVM_IOCTLS.KVM_CHECK_EXTENSION, 0xc1, false],
    [7, KVM_IOCTLS.KVM_CHECK_EXTENSION, 0xc1, false],
    [3, KVM_IOCTLS.KVM_CREATE_VM, 5, true],
    [7, KVM_IOCTLS.KVM_CREATE_VCPU, 0, true],
    [7, KVM_IOCTLS.KVM_CREATE_GUEST_MEMFD, 'buffer', true],
  ]);
  assert.equal(buf(r.calls[5].arg).bytes.readBigUInt64LE(0), 0x200000n, 'kvm_create_guest_memfd.size');
});

test('without /dev/kvm every device call answers the open\'s error and issues no ioctl', () => {
  const r = recorder();
  r.failOpen(sysErr('ENOENT'));
  const k = new KvmClient(r.ki);
  assert.deepEqual(k.apiVersion(), sysErr('ENOENT'));
  assert.deepEqual(k.createVm(0), sysErr('ENOENT'));
  assert.deepEqual(r.calls, []);
  assert.deepEqual(r.opens.length, 1, 'and it is not tried again');
});

test('vCPU register ioctls: the structure\'s size, none for KVM_SMI, INIT_RECEIVED for KVM_SET_MP_STATE', () => {
  const r = recorder();
  const k = new KvmClient(r.ki);
  const names = ['KVM_SMI', 'KVM_GET_REGS', 'KVM_SET_REGS', 'KVM_GET_SREGS', 'KVM_SET_SREGS', 'KVM_GET_DEBUGREGS', 'KVM_SET_DEBUGREGS', 'KVM_SET_MP_STATE(INIT_RECEIVED)'] as const;
  for (const n of names) k.registerIoctl(9, n);
  assert.deepEqual(r.calls.map((c) => [c.fd, c.request]), [
    [9, KVM_IOCTLS.KVM_SMI], [9, KVM_IOCTLS.KVM_GET_REGS], [9, KVM_IOCTLS.KVM_SET_REGS], [9, KVM_IOCTLS.KVM_GET_SREGS], [9, KVM_IOCTLS.KVM_SET_SREGS],
    [9, KVM_IOCTLS.KVM_GET_DEBUGREGS], [9, KVM_IOCTLS.KVM_SET_DEBUGREGS], [9, KVM_IOCTLS.KVM_SET_MP_STATE],
  ]);
  assert.equal(r.calls[0].arg, 0);
  // struct kvm_regs: 18 u64; kvm_sregs: 8 segments of 24 bytes, 2 descriptor tables of 16, 7 u64, a 256-bit bitmap; kvm_debugregs: 4 + 3 + 9 u64.
  assert.deepEqual(r.calls.slice(1, 7).map((c) => buf(c.arg).size), [144, 144, 312, 312, 128, 128]);
  assert.equal(buf(r.calls[7].arg).bytes.readUInt32LE(0), 2, 'KVM_MP_STATE_INIT_RECEIVED');
});

test('VM set-up structures: kvm_enable_cap, kvm_memory_attributes, kvm_userspace_memory_region2, kvm_cpuid2 with its entries', () => {
  const r = recorder();
  const k = new KvmClient(r.ki);
  k.enableCap(7, 0xd7, [1n, 2n]);
  k.setMemoryAttributes(7, 0x100000n, 0x200000n, 1n << 3n);
  const shared = r.ki.alloc(0x4000);
  k.setUserMemoryRegion2(7, 2, 0x80000000n, shared, 11);
  k.setCpuid2(9, [{ function: 1, index: 0, flags: 0, eax: 0x806f8, ebx: 0, ecx: 0, edx: 0 }, { function: 7, index: 1, flags: 1, eax: 0, ebx: 0, ecx: 0, edx: 5 }]);
  assert.deepEqual(r.calls.map((c) => [c.fd, c.request]), [[7, KVM_IOCTLS.KVM_ENABLE_CAP], [7, KVM_IOCTLS.KVM_SET_MEMORY_ATTRIBUTES], [7, KVM_IOCTLS.KVM_SET_USER_MEMORY_REGION2], [9, KVM_IOCTLS.KVM_SET_CPUID2]]);
  const cap = buf(r.calls[0].arg).bytes;
  assert.deepEqual([cap.readUInt32LE(0), cap.readBigUInt64LE(8), cap.readBigUInt64LE(16), cap.readBigUInt64LE(24)], [0xd7, 1n, 2n, 0n]);
  const attrs = buf(r.calls[1].arg).bytes;
  assert.deepEqual([attrs.readBigUInt64LE(0), attrs.readBigUInt64LE(8), attrs.readBigUInt64LE(16), attrs.readBigUInt64LE(24)], [0x100000n, 0x200000n, 8n, 0n]);
  const slot = buf(r.calls[2].arg);
  assert.deepEqual([slot.bytes.readUInt32LE(0), slot.bytes.readUInt32LE(4), slot.bytes.readBigUInt64LE(8), slot.bytes.readBigUInt64LE(16), slot.bytes.readBigUInt64LE(32), slot.bytes.readUInt32LE(40)],
    [2, 4, 0x80000000n, 0x4000n, 0n, 11], 'slot, KVM_MEM_GUEST_MEMFD (1 << 2), gpa, size, guest_memfd_offset, guest_memfd');
  assert.equal(slot.pointers.get(24)?.target, shared, 'userspace_addr points to the shared pages');
  const cpuid = buf(r.calls[3].arg);
  assert.equal(cpuid.size, 8 + 2 * 40);
  assert.deepEqual([cpuid.bytes.readUInt32LE(0), cpuid.bytes.readUInt32LE(8), cpuid.bytes.readUInt32LE(20), cpuid.bytes.readUInt32LE(48), cpuid.bytes.readUInt32LE(52), cpuid.bytes.readUInt32LE(56), cpuid.bytes.readUInt32LE(72)],
    [2, 1, 0x806f8, 7, 1, 1, 5], 'nent, then 40-byte entries: function, eax; function, index, flags, edx');
});

test('KVM_TDX_INIT_VM: attributes, xfam, MRCONFIGID, the reserved words and the CPUID entries at their offsets', () => {
  const r = recorder();
  new KvmClient(r.ki).tdxCmd(7, {
    id: 1, flags: 0,
    data: { kind: 'init-vm', attributes: 0x10000000n, xfam: 0x2e7n, mrconfigid: [1n, 2n, 3n, 4n, 5n, 6n], reserved: [0n, 9n], cpuid: [{ function: 0x7, index: 0, flags: 1, eax: 0, ebx: 0xffffffff, ecx: 0, edx: 0 }] },
  });
  const h = buf(r.calls[0].arg);
  assert.equal(r.calls[0].request, KVM_IOCTLS.KVM_MEMORY_ENCRYPT_OP);
  assert.deepEqual([h.bytes.readUInt32LE(0), h.bytes.readUInt32LE(4), h.bytes.readBigUInt64LE(16)], [1, 0, 0n]);
  const d = pointee(h).bytes;
  assert.deepEqual([d.readBigUInt64LE(0), d.readBigUInt64LE(8)], [0x10000000n, 0x2e7n]);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => d.readBigUInt64LE(16 + 8 * i)), [1n, 2n, 3n, 4n, 5n, 6n], 'mrconfigid at 16');
  assert.deepEqual([d.readBigUInt64LE(160), d.readBigUInt64LE(168)], [0n, 9n], 'reserved at 160');
  assert.equal(d.readUInt32LE(256), 1, 'cpuid.nent at 256');
  assert.deepEqual([d.readUInt32LE(264), d.readUInt32LE(272), d.readUInt32LE(280)], [0x7, 1, 0xffffffff], 'the entry after the header: function, flags, ebx');
});

test('KVM_TDX_INIT_MEM_REGION: a given source address, or zeroed VMM pages (one at least) at the given offset; the region KVM wrote back', () => {
  const r = recorder((c) => {
    const region = pointee(buf(c.arg)).bytes;
    region.writeBigUInt64LE(region.readBigUInt64LE(8) + 0x1000n, 8); // KVM advances gpa
    return sysOk(0);
  });
  const k = new KvmClient(r.ki);
  const given = k.tdxCmd(8, { id: 3, flags: 1, data: { kind: 'init-mem-region', region: { sourceAddr: 0x7f0000001000n, gpa: 0x1000n, nrPages: 1n } } });
  assert.ok(!isUnobservable(given));
  assert.deepEqual(given.region, { sourceAddr: 0x7f0000001000n, gpa: 0x2000n, nrPages: 1n });
  assert.equal(buf(r.calls[0].arg).bytes.readUInt32LE(4), 1, 'kvm_tdx_cmd.flags');
  for (const [nrPages, size] of [[0n, 4096], [3n, 3 * 4096]] as const) {
    k.tdxCmd(8, { id: 3, data: { kind: 'init-mem-region', region: { gpa: 0x4000n, nrPages, sourceOffset: 0x10n } } });
    const region = pointee(buf(r.calls[r.calls.length - 1].arg));
    const src = region.pointers.get(0);
    assert.ok(src, 'source_addr points to VMM memory');
    assert.deepEqual([src.target.size, src.delta, region.bytes.readBigUInt64LE(0)], [size, 0x10, src.target.addr + 0x10n]);
    assert.equal(region.bytes.readBigUInt64LE(16), nrPages);
  }
});

test('sub-commands without a structure: KVM_TDX_INIT_VCPU passes RCX, others their data word or 0', () => {
  const r = recorder();
  const k = new KvmClient(r.ki);
  k.tdxCmd(9, { id: 2, data: { kind: 'init-vcpu', rcx: 0x80000n } });
  k.tdxCmd(9, { id: 4, data: { kind: 'none', data: 0x55n } });
  k.tdxCmd(9, { id: 4, data: { kind: 'none' } });
  assert.deepEqual(r.calls.map((c) => buf(c.arg).bytes.readBigUInt64LE(8)), [0x80000n, 0x55n, 0n]);
  assert.deepEqual(r.calls.map((c) => buf(c.arg).pointers.size), [0, 0, 0]);
});

test('KVM_TDX_CAPABILITIES and KVM_TDX_GET_CPUID: what KVM wrote back, never more entries than were asked for; hw_error; errnos', () => {
  const r = recorder((c) => {
    const h = buf(c.arg);
    h.bytes.writeBigUInt64LE(0xc000050500000000n, 16);
    const d = pointee(h).bytes;
    if (h.bytes.readUInt32LE(0) === 0) {
      d.writeBigUInt64LE(0x10000000n, 0);
      d.writeBigUInt64LE(0x6e7n, 8);
      d.writeBigUInt64LE(0x1n, 16);
      d.writeBigUInt64LE(0x2n, 24);
      d.writeBigUInt64LE(0x3n, 32);
      d.writeBigUInt64LE(0x4n, 40);
      d.writeUInt32LE(5, 2048); // cpuid.nent after reserved[250]: more entries than room was given for
      d.writeUInt32LE(0x21, 2056);
      return sysOk(0);
    }
    d.writeUInt32LE(4, 0);
    return h.bytes.readUInt32LE(0) === 5 ? sysErr('E2BIG') : sysOk(0);
  });
  const k = new KvmClient(r.ki);
  const caps = k.tdxCmd(7, { id: 0, data: { kind: 'capabilities', nent: 1 } });
  assert.ok(!isUnobservable(caps));
  assert.equal(buf(r.calls[0].arg).bytes.readUInt32LE(0), 0);
  assert.equal(pointee(buf(r.calls[0].arg)).size, 2056 + 40, 'room for the one 40-byte entry asked for');
  assert.deepEqual([caps.result, caps.hwError, caps.nent], [{ ok: true }, 0xc000050500000000n, 1]);
  assert.deepEqual(caps.capabilities, {
    supportedAttrs: 0x10000000n, supportedXfam: 0x6e7n, cpuid: [{ function: 0x21, index: 0, flags: 0, eax: 0, ebx: 0, ecx: 0, edx: 0 }],
    tdvmcallinfo: { kernelR11: 1n, userR11: 2n, kernelR12: 3n, userR12: 4n },
  });
  const short = k.tdxCmd(9, { id: 5, data: { kind: 'get-cpuid', nent: 1 } });
  assert.ok(!isUnobservable(short));
  assert.deepEqual([short.result, short.nent, short.cpuid], [{ ok: false, errno: 'E2BIG' }, 4, undefined], 'E2BIG: KVM says how many it needs');
  const other = k.tdxCmd(9, { id: 6, data: { kind: 'get-cpuid', nent: 2 } });
  assert.ok(!isUnobservable(other));
  assert.equal(other.cpuid!.length, 2, 'no more entries than there was room for');
  assert.equal(other.capabilities, undefined);
  assert.equal(other.region, undefined);
});

test('an answer that is no errno name reads as EIO; an interface that cannot ask says so', () => {
  const odd = recorder(() => ({ ok: false, errno: 'EWHATEVER' }) as unknown as SysResult<number>);
  const r = new KvmClient(odd.ki).tdxCmd(7, { id: 0, data: { kind: 'capabilities', nent: 1 } });
  assert.ok(!isUnobservable(r));
  assert.deepEqual([r.result, r.capabilities], [{ ok: false, errno: 'EIO' }, undefined]);
  const blind = recorder(() => unobservable('capture has no answer'));
  assert.ok(isUnobservable(new KvmClient(blind.ki).tdxCmd(7, { id: 0, data: { kind: 'none' } })));
  assert.ok(isUnobservable(asKernelResult(unobservable('x'))));
  assert.deepEqual(asKernelResult(sysOk(3)), { ok: true });
  assert.deepEqual(asKernelResult(sysErr('EINVAL', 'detail')), { ok: false, errno: 'EINVAL' });
});

test('KVM_GET_MP_STATE reads back what KVM wrote; KVM_RUN passes no argument; KVM_TDX_INIT_VM without MRCONFIGID or reserved words leaves them zero', () => {
  const r = recorder((c) => {
    if (c.request === KVM_IOCTLS.KVM_GET_MP_STATE) buf(c.arg).bytes.writeUInt32LE(7, 0);
    return sysOk(0);
  });
  const k = new KvmClient(r.ki);
  assert.deepEqual(k.mpState(9), sysOk(7));
  assert.deepEqual(k.run(9), sysOk(0));
  assert.deepEqual([r.calls[1].fd, r.calls[1].request, r.calls[1].arg], [9, KVM_IOCTLS.KVM_RUN, 0]);
  const failing = recorder(() => sysErr('EINVAL'));
  assert.deepEqual(new KvmClient(failing.ki).mpState(9), sysErr('EINVAL'));
  k.tdxCmd(7, { id: 1, data: { kind: 'init-vm', attributes: 0n, xfam: 3n, cpuid: [] } });
  const d = pointee(buf(r.calls[2].arg)).bytes;
  assert.ok(d.subarray(16, 256).every((x) => x === 0), 'mrconfigid, mrowner, mrownerconfig and reserved all zero');
  assert.equal(d.length, 264, 'no entries: the header only');
});
