/**
 * The KVM facet of a live machine: the few questions a VMM can ask /dev/kvm without creating
 * anything. KVM_CHECK_EXTENSION, and KVM_CREATE_VM only for a VM type that KVM_CAP_VM_TYPES does
 * not offer (the request must then be refused, so nothing is created; if KVM created a VM anyway,
 * it is closed at once and the success is reported). Module parameters are read from sysfs;
 * modules are never loaded. Node has no ioctl(), so the two ioctls run in a short python3
 * program started from an argument vector with a timeout; without python3 they are unobservable.
 * Every other KVM question is unobservable on a real machine: the suite creates no TDs there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KVM_CAPS } from '../../spec/abi/kvm-uapi';
import { errnoName } from '../../spec/abi/errno';
import type { KvmFacet } from '../kvm-facet';
import { unobservable, type Observed } from '../port';

// KVM_CHECK_EXTENSION = _IO(KVMIO, 0x03), KVM_CREATE_VM = _IO(KVMIO, 0x01), KVMIO = 0xAE (uapi linux/kvm.h).
const IOCTL = `
import fcntl, json, os, sys
op, arg = sys.argv[1], int(sys.argv[2])
try:
    fd = os.open('/dev/kvm', os.O_RDWR | os.O_CLOEXEC)
except OSError as e:
    print(json.dumps({'open': e.errno})); sys.exit(0)
try:
    if op == 'check':
        print(json.dumps({'value': fcntl.ioctl(fd, 0xAE03, arg)}))
    else:
        vm = fcntl.ioctl(fd, 0xAE01, arg)
        os.close(vm)
        print(json.dumps({'created': True}))
except OSError as e:
    print(json.dumps({'errno': e.errno}))
`;

type IoctlAnswer = { value: number } | { created: true } | { errno: number } | { open: number };

function ioctl(op: 'check' | 'create', arg: number, path?: string): IoctlAnswer | { unavailable: string } {
  const r = spawnSync('python3', ['-c', IOCTL, op, String(arg)], {
    encoding: 'utf8', timeout: 10_000, shell: false, env: { ...process.env, ...(path ? { PATH: path } : {}) },
  });
  if (r.error) return { unavailable: `python3, used to issue the ioctl, cannot run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  try {
    return JSON.parse(r.stdout.trim()) as IoctlAnswer;
  } catch {
    return { unavailable: `the ioctl helper failed: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}` };
  }
}

export function linuxKvmFacet(root: string, path?: string): KvmFacet {
  const sys = (p: string) => (root === '/' ? p : join(root, p));
  const kvmLoaded = () => existsSync(sys('/dev/kvm'));
  const checkExtension = (cap: number): Observed<bigint> => {
    if (!kvmLoaded()) return unobservable('KVM is not loaded (no /dev/kvm)');
    const a = ioctl('check', cap, path);
    if ('unavailable' in a) return unobservable(a.unavailable);
    if ('open' in a) return unobservable(`/dev/kvm cannot be opened (${errnoName(a.open) ?? a.open})`);
    if ('errno' in a) return unobservable(`KVM_CHECK_EXTENSION failed (${errnoName(a.errno) ?? a.errno})`);
    return 'value' in a ? BigInt(a.value) : unobservable('unexpected answer to KVM_CHECK_EXTENSION');
  };
  const known: Partial<KvmFacet> = {
    load() {
      // The suite never loads modules: "loading" KVM is observing that it is there.
      return kvmLoaded() ? { ok: true } : unobservable('KVM is not loaded, and the suite never loads modules on a real machine');
    },
    param(param) {
      const [mod, name] = param.split('.');
      const p = sys(`/sys/module/${mod}/parameters/${name}`);
      if (!existsSync(p)) return unobservable(`${mod} is not loaded (no ${p})`);
      return readFileSync(p, 'utf8').trim();
    },
    checkExtension,
    createVm(type) {
      const types = checkExtension(KVM_CAPS.KVM_CAP_VM_TYPES);
      if (typeof types !== 'bigint') return types;
      if (type >= 0 && type < 64 && ((types >> BigInt(type)) & 1n) === 1n) {
        return unobservable(`KVM offers VM type ${type}; VMs are not created on a real machine`);
      }
      const a = ioctl('create', type, path);
      if ('unavailable' in a) return unobservable(a.unavailable);
      if ('open' in a) return unobservable(`/dev/kvm cannot be opened (${errnoName(a.open) ?? a.open})`);
      if ('created' in a) return { result: { ok: true } };
      if ('errno' in a) {
        const name = errnoName(a.errno);
        return name ? { result: { ok: false, errno: name } } : unobservable(`KVM_CREATE_VM failed with errno ${a.errno}`);
      }
      return unobservable('unexpected answer to KVM_CREATE_VM');
    },
  };
  // Every other question: not asked of a real machine, whatever the facet grows to.
  return new Proxy(known as KvmFacet, {
    get(target, prop) {
      if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
      return () => unobservable(`KVM ${String(prop)} is not done on a real machine (the suite creates no TDs there)`);
    },
  });
}
