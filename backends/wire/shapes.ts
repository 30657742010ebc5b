/**
 * The JSON form of every answer of the port, for the wire protocol (docs/targets.md). Each facet
 * method's result (and the target's description) has a shape here; the bridge decodes an
 * adapter's answer with it, turning 64-bit hex strings into bigints and rejecting anything that
 * is not what the port's types say (naming the method and the field). The rules are the port's
 * types in JSON: a `bigint` is a string "0x..." (lowercase hex), any other number a JSON number,
 * bytes a string of hex digits, an optional field may be left out, `null` stays `null`. Three
 * answers are simpler on the wire than in the port: a kernel log is its lines (the suite finds
 * the messages in them with its own catalogue), a guest outcome's events likewise come from its
 * log lines, and a topology lists each CPU's package instead of a function.
 *
 * Every facet method is listed (the `satisfies` clauses make the compiler check that against the
 * facet interfaces), so the protocol covers the whole port.
 */
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KvmFacet } from '../kvm-facet';

/** A value's shape. Object keys ending in `?` are optional. */
export type Shape =
  | 'u64' | 'num' | 'str' | 'bool' | 'bytes' | 'errno'
  /** A KernelLog: `{ lines: string[], complete: boolean }` on the wire, events derived. */
  | 'kernel-log'
  /** Registers: an object of register name to u64. */
  | 'regs'
  /** A topology: `{ cpus, packages, packageOf: number[] }` on the wire, `packageOf` a function in the port. */
  | 'topology'
  | { arr: Shape; len?: number }
  | { nullable: Shape }
  | { obj: Record<string, Shape> }
  /** An object whose field `tag` says which of `cases` it is (each case's other fields). */
  | { tagged: string; cases: Record<string, Record<string, Shape>> }
  /** One of the listed strings. */
  | { oneOf: readonly string[] };

const obj = (o: Record<string, Shape>): Shape => ({ obj: o });
const arr = (s: Shape, len?: number): Shape => (len === undefined ? { arr: s } : { arr: s, len });
const nullable = (s: Shape): Shape => ({ nullable: s });

export const KERNEL_RESULT = obj({ ok: 'bool', 'errno?': 'errno' });
const REGION = obj({ base: 'u64', end: 'u64', node: 'num' });
const RANGE = obj({ base: 'u64', end: 'u64' });
const SEAMCALL = obj({ status: 'u64', out: 'regs' });
const TDMR = obj({
  base: 'u64', size: 'u64',
  pamt: obj({ base4k: 'u64', size4k: 'u64', base2m: 'u64', size2m: 'u64', base1g: 'u64', size1g: 'u64' }),
  reserved: arr(obj({ offset: 'u64', size: 'u64' })),
});
export const MODULE = obj({
  major: 'num', minor: 'num', update: nullable('num'), build: nullable('num'), buildDate: nullable('num'), features0: nullable('u64'),
  'atLeast?': 'bool', 'source?': { oneOf: ['profile', 'kernel-log', 'sysfs', 'inferred'] },
});
const CPUID_ENTRY = obj({ function: 'num', index: 'num', eax: 'num', ebx: 'num', ecx: 'num', edx: 'num', 'flags?': 'num' });
const FD_RESULT = obj({ result: KERNEL_RESULT, 'fd?': 'num' });
const KVM_EXIT: Shape = {
  tagged: 'reason',
  cases: {
    KVM_EXIT_IO: { code: 'num', direction: { oneOf: ['in', 'out'] }, size: 'num', port: 'num', count: 'num', 'data?': 'u64' },
    KVM_EXIT_HYPERCALL: { code: 'num', nr: 'u64', args: arr('u64'), ret: 'u64', flags: 'u64' },
    KVM_EXIT_MMIO: { code: 'num', physAddr: 'u64', len: 'num', isWrite: 'bool', 'data?': 'u64' },
    KVM_EXIT_SYSTEM_EVENT: { code: 'num', type: 'num', ndata: 'num', data: arr('u64') },
    KVM_EXIT_TDX: {
      code: 'num',
      tdx: obj({
        flags: 'u64', nr: 'u64',
        'getQuote?': obj({ ret: 'u64', gpa: 'u64', size: 'u64' }),
        'getTdvmcallInfo?': obj({ ret: 'u64', leaf: 'u64', r11: 'u64', r12: 'u64', r13: 'u64', r14: 'u64' }),
        'setupEventNotify?': obj({ ret: 'u64', vector: 'u64' }),
      }),
    },
    KVM_EXIT_INTERNAL_ERROR: { code: 'num', suberror: 'num', ndata: 'num', data: arr('u64') },
    KVM_EXIT_MEMORY_FAULT: { code: 'num', flags: 'u64', gpa: 'u64', size: 'u64' },
    KVM_EXIT_SHUTDOWN: { code: 'num' },
  },
};
const TDX_CMD_RESULT = obj({
  result: KERNEL_RESULT, hwError: 'u64',
  'capabilities?': obj({
    supportedAttrs: 'u64', supportedXfam: 'u64', cpuid: arr(CPUID_ENTRY),
    'tdvmcallinfo?': obj({ kernelR11: 'u64', userR11: 'u64', kernelR12: 'u64', userR12: 'u64' }),
  }),
  'nent?': 'num', 'cpuid?': arr(CPUID_ENTRY),
  'region?': obj({ 'sourceAddr?': 'u64', 'sourceOffset?': 'u64', gpa: 'u64', nrPages: 'u64' }),
});
const MODULE_REACTION: Shape = {
  tagged: 'kind',
  cases: { native: {}, ve: { exitReason: 'num', qualification: 'u64', 'gpa?': 'u64' }, gp: {}, ud: {}, df: {}, 'td-exit': { exitReason: 'num' } },
};
const GUEST_REACTION: Shape = {
  tagged: 'kind',
  cases: {
    none: {}, emulated: { tdvmcall: 'str', status: 'u64' }, zeros: {}, fixup: {}, sigsegv: {}, sigill: {},
    oops: { message: 'str' }, panic: { message: 'str' }, shutdown: { reason: 'str' },
  },
};
const TDVMCALL_RECORD = obj({ leaf: 'u64', name: 'str', in: 'regs', out: 'regs' });
/** A guest outcome: `events` is not sent, the suite finds them in `log`. */
const GUEST_OUTCOME = obj({
  'module?': MODULE_REACTION, 'guest?': GUEST_REACTION, regs: 'regs', 'tdvmcalls?': arr(TDVMCALL_RECORD), log: arr('str'),
});
const REACTIONS = { 'module?': MODULE_REACTION, 'guest?': GUEST_REACTION, 'tdvmcalls?': arr(TDVMCALL_RECORD) } as const;
const BOOT: Shape = { tagged: 'ok', cases: { true: {}, false: { panic: 'str', 'fatalReport?': TDVMCALL_RECORD } } };

/** A facet method on the wire: the JSON form of its result (arguments follow the generic rules). */
export type MethodShape = { result: Shape };
const r = (result: Shape): MethodShape => ({ result });

export const HOST_SHAPES = {
  log: r('kernel-log'),
  cpuinfo: r(obj({ flags: arr('str'), bugs: arr('str') })),
  initTdx: r(KERNEL_RESULT),
  rdmsr: r(obj({ 'value?': 'u64', 'gp?': 'bool' })),
  seamcall: r(SEAMCALL),
  proposedTdmrs: r(arr(TDMR)),
  sysConfig: r(SEAMCALL),
  mngInit: r(SEAMCALL),
  readMetadata: r(obj({ result: KERNEL_RESULT, 'value?': 'u64' })),
  metadataDump: r(obj({ status: 'u64', elements: arr(obj({ id: 'u64', value: 'u64' })) })),
  tdmrs: r(obj({ tdmrs: arr(TDMR), pamtKb: 'num', maxTdmrs: 'num' })),
  tdxMemory: r(arr(REGION)),
  cmrs: r(arr(REGION)),
  memTotalKb: r('num'),
  tdKeyIds: r(obj({ inUse: 'num', capacity: 'num' })),
  allocGuestKeyId: r(obj({ result: KERNEL_RESULT, 'keyId?': 'num' })),
  freeGuestKeyId: r(KERNEL_RESULT),
  cpuOffline: r(KERNEL_RESULT),
  cpuOnline: r(KERNEL_RESULT),
  onlineMemory: r(obj({ accepted: 'bool' })),
  kexec: r(obj({ load: KERNEL_RESULT, 'cachesFlushed?': 'bool', 'shutdownLog?': 'kernel-log', 'newKernelInit?': KERNEL_RESULT })),
  suspend: r(KERNEL_RESULT),
  sleepStates: r(arr('str')),
  tdxHostDevice: r(obj({ present: 'bool', attributes: arr(obj({ name: 'str', mode: 'num', 'text?': 'str', 'errno?': 'errno' })) })),
  machineCheck: r(obj({ message: nullable('str') })),
  tdxCpuEnable: r(KERNEL_RESULT),
  initCleanup: r(nullable(obj({ cachesFlushed: 'bool', movdir64bRanges: arr(RANGE), pamtRanges: arr(RANGE), pamtFreed: 'bool' }))),
  privatePage: r('u64'),
  cpuState: r(obj({ online: 'bool', tdxEnabled: 'bool', cacheIncoherent: 'bool' })),
  topology: r('topology'),
} satisfies Record<keyof HostFacet, MethodShape>;

export const KVM_SHAPES = {
  load: r(KERNEL_RESULT),
  param: r('str'),
  checkExtension: r('u64'),
  createVm: r(FD_RESULT),
  vmCheckExtension: r('u64'),
  enableCap: r(KERNEL_RESULT),
  setMsrFilter: r(KERNEL_RESULT),
  setMemoryAttributes: r(KERNEL_RESULT),
  addGuestMemory: r(KERNEL_RESULT),
  vmTdxCmd: r(TDX_CMD_RESULT),
  createVcpu: r(FD_RESULT),
  vcpuTdxCmd: r(TDX_CMD_RESULT),
  setCpuid: r(KERNEL_RESULT),
  vcpuIoctl: r(KERNEL_RESULT),
  mpState: r(obj({ result: KERNEL_RESULT, 'state?': 'num' })),
  signalMsi: r(KERNEL_RESULT),
  run: r(obj({ result: KERNEL_RESULT, 'exit?': KVM_EXIT, 'halted?': 'bool' })),
  answer: r(KERNEL_RESULT),
  destroyVm: r(KERNEL_RESULT),
  guestDo: r(KERNEL_RESULT),
  guestView: r(obj({ regs: 'regs', completed: 'num' })),
  seamcallTrace: r(arr(obj({ leaf: 'str', cpu: 'num', status: 'u64', 'out?': 'regs' }))),
  privateMappings: r(arr(obj({ gpa: 'u64', size: 'u64' }))),
  sharedMappings: r(arr(obj({ gpa: 'u64', size: 'u64' }))),
  vmmExits: r(arr(KVM_EXIT)),
  guestExecute: r(GUEST_OUTCOME),
} satisfies Record<keyof KvmFacet, MethodShape>;

const TD_DESCRIPTION = obj({
  attributes: 'u64', tdCtls: nullable('u64'), gpaWidth: 'num', sharedBit: 'u64', vcpus: 'num', module: nullable(MODULE),
  cpuFlags: arr('str'), tdxGuestDevice: 'bool', boot: BOOT,
});

export const GUEST_SHAPES = {
  describe: r(TD_DESCRIPTION),
  bootOutcome: r(BOOT),
  cpuFlags: r(arr('str')),
  tdxGuestDevice: r('bool'),
  measurements: r(arr(obj({ file: 'str', result: KERNEL_RESULT, 'bytes?': 'bytes' }))),
  writeRtmr: r(KERNEL_RESULT),
  tsmItem: r(obj({ provider: 'str', generations: arr('num', 2), removed: 'bool' })),
  tsmProvider: r('str'),
  log: r('kernel-log'),
  execute: r(GUEST_OUTCOME),
  cpuid: r(obj({ eax: 'num', ebx: 'num', ecx: 'num', edx: 'num', ...REACTIONS })),
  rdmsr: r(obj({ 'value?': 'u64', faulted: 'bool', ...REACTIONS })),
  wrmsr: r(obj({ 'value?': 'u64', faulted: 'bool', ...REACTIONS })),
  access: r(GUEST_OUTCOME),
  convert: r(obj({ result: KERNEL_RESULT, tdvmcalls: arr(TDVMCALL_RECORD), tdcalls: arr(obj({ leaf: 'str', rax: 'u64', in: 'regs', status: 'u64' })) })),
  tdcall: r(obj({ status: 'u64', out: 'regs' })),
  pageAccepted: r('bool'),
  tdxGuestIoctl: r(obj({ result: KERNEL_RESULT, 'tdreport?': 'bytes' })),
  tsmReport: r(obj({ provider: 'str', result: KERNEL_RESULT, 'outblob?': 'bytes', generation: 'num', 'tdvmcalls?': arr(TDVMCALL_RECORD),
    'quoteRequest?': obj({ version: 'u64', status: 'u64', inLen: 'num', outLen: 'num' }) })),
} satisfies Record<keyof GuestFacet, MethodShape>;

export const FACET_SHAPES = { host: HOST_SHAPES, kvm: KVM_SHAPES, guest: GUEST_SHAPES } as const;
export type FacetName = keyof typeof FACET_SHAPES;
export const FACETS = Object.keys(FACET_SHAPES) as FacetName[];

/** The target's description (the `hello` answer's `description`). */
export const DESCRIPTION_SHAPE: Shape = obj({
  name: 'str',
  role: { oneOf: ['host', 'guest', 'none', 'unknown'] },
  kernel: obj({ release: nullable('str'), flavour: nullable('str') }),
  module: nullable(MODULE),
  platform: obj({
    cpuModel: nullable('str'), packages: nullable('num'), logicalCpus: nullable('num'),
    memory: nullable(arr(REGION)), cmrs: nullable(arr(REGION)), keyIds: nullable(obj({ start: 'num', end: 'num' })), errata: arr('str'),
  }),
  'guest?': obj({ kernel: obj({ release: nullable('str'), flavour: nullable('str') }) }),
  'notes?': arr('str'),
});
