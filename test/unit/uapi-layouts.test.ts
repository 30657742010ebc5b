/**
 * The hand-written UAPI layouts of spec/uapi against a C compiler: a generated C program prints
 * sizeof() and, for every field, offsetof(), sizeof() and whether its C type is the layout's
 * (__u8/__u16/__u32/__u64, or an array of them), plus every ioctl number, and each is compared
 * with the TypeScript.
 *
 * A struct the system's headers (linux-libc-dev) define is checked against them. The test also
 * carries its own C declaration of every struct, member by member with the types and order of the
 * v6.16 UAPI (@src:kvm-uapi-616, @src:tdxg-uapi), so that structs older headers lack (TDX in
 * v6.16, guest_memfd and memory attributes in v6.8, tdx_report_req in v6.2) are still checked
 * for their offset arithmetic; where the system has the struct too, that declaration is checked
 * against it, which keeps it honest. The diagnostics say which struct was checked against what.
 *
 * Skipped where no C compiler is on PATH or the host is not x86-64 (the layouts are x86-64's).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Field, type Layout, SCALAR_BYTES } from '../../spec/uapi/layout';
import * as kvm from '../../spec/uapi/kvm';
import { tdx_report_req } from '../../spec/uapi/tdx-guest';
import { TDX_CMD_GET_REPORT0 } from '../../spec/uapi/tdx-guest';

interface Checked {
  layout: Layout;
  /**
   * A macro the UAPI header defines together with the struct (in the same release): defined
   * means the system header has the struct.
   */
  guard: string;
  /** The test's own declaration of the members, in order (the v6.16 UAPI's types and names). */
  members: readonly string[];
  /** Layout fields that name a member of an embedded struct (`cpuid_nent` is `cpuid.nent`). */
  paths?: Readonly<Record<string, string>>;
}

// Our declarations come first in this list when another one embeds them.
const CHECKED: readonly Checked[] = [
  {
    layout: kvm.kvm_cpuid_entry2, guard: 'KVM_SET_CPUID2',
    members: ['__u32 function', '__u32 index', '__u32 flags', '__u32 eax', '__u32 ebx', '__u32 ecx', '__u32 edx', '__u32 padding[3]'],
  },
  { layout: kvm.kvm_cpuid2, guard: 'KVM_SET_CPUID2', members: ['__u32 nent', '__u32 padding', 'struct t_kvm_cpuid_entry2 entries[]'] },
  { layout: kvm.kvm_enable_cap, guard: 'KVM_ENABLE_CAP', members: ['__u32 cap', '__u32 flags', '__u64 args[4]', '__u8 pad[64]'] },
  { layout: kvm.kvm_mp_state, guard: 'KVM_GET_MP_STATE', members: ['__u32 mp_state'] },
  // KVM_X86_TDX_VM arrives in asm/kvm.h of v6.16 with the TDX structs.
  { layout: kvm.kvm_tdx_cmd, guard: 'KVM_X86_TDX_VM', members: ['__u32 id', '__u32 flags', '__u64 data', '__u64 hw_error'] },
  {
    layout: kvm.kvm_tdx_capabilities, guard: 'KVM_X86_TDX_VM',
    members: [
      '__u64 supported_attrs', '__u64 supported_xfam',
      '__u64 kernel_tdvmcallinfo_1_r11', '__u64 user_tdvmcallinfo_1_r11',
      '__u64 kernel_tdvmcallinfo_1_r12', '__u64 user_tdvmcallinfo_1_r12',
      '__u64 reserved[250]', 'struct t_kvm_cpuid2 cpuid',
    ],
    paths: { cpuid_nent: 'cpuid.nent', cpuid_padding: 'cpuid.padding' },
  },
  {
    layout: kvm.kvm_tdx_init_vm, guard: 'KVM_X86_TDX_VM',
    members: [
      '__u64 attributes', '__u64 xfam', '__u64 mrconfigid[6]', '__u64 mrowner[6]', '__u64 mrownerconfig[6]',
      '__u64 reserved[12]', 'struct t_kvm_cpuid2 cpuid',
    ],
    paths: { cpuid_nent: 'cpuid.nent', cpuid_padding: 'cpuid.padding' },
  },
  { layout: kvm.kvm_tdx_init_mem_region, guard: 'KVM_X86_TDX_VM', members: ['__u64 source_addr', '__u64 gpa', '__u64 nr_pages'] },
  // The three below arrive in linux/kvm.h of v6.8, each with its ioctl.
  { layout: kvm.kvm_memory_attributes, guard: 'KVM_SET_MEMORY_ATTRIBUTES', members: ['__u64 address', '__u64 size', '__u64 attributes', '__u64 flags'] },
  { layout: kvm.kvm_create_guest_memfd, guard: 'KVM_CREATE_GUEST_MEMFD', members: ['__u64 size', '__u64 flags', '__u64 reserved[6]'] },
  {
    layout: kvm.kvm_userspace_memory_region2, guard: 'KVM_SET_USER_MEMORY_REGION2',
    members: [
      '__u32 slot', '__u32 flags', '__u64 guest_phys_addr', '__u64 memory_size', '__u64 userspace_addr',
      '__u64 guest_memfd_offset', '__u32 guest_memfd', '__u32 pad1', '__u64 pad2[14]',
    ],
  },
  // linux/tdx-guest.h (v6.2) defines the struct and its ioctl together.
  { layout: tdx_report_req, guard: 'TDX_CMD_GET_REPORT0', members: ['__u8 reportdata[64]', '__u8 tdreport[1024]'] },
];

const IOCTLS: Readonly<Record<string, number>> = { ...kvm.KVM_IOCTLS, TDX_CMD_GET_REPORT0 };

/** Structures the layouts only need the size of; every x86-64 linux/kvm.h has them. */
const SIZES: Readonly<Record<string, number>> = {
  kvm_regs: kvm.KVM_REGS_SIZE, kvm_sregs: kvm.KVM_SREGS_SIZE, kvm_debugregs: kvm.KVM_DEBUGREGS_SIZE,
};

const memberName = (decl: string): string => /(\w+)(\[\w*\])?$/.exec(decl)![1];
const isFlexible = (decl: string): boolean => decl.endsWith('[]');
const cPath = (c: Checked, field: string): string => c.paths?.[field] ?? field;
const cType = (f: Field): string => `__u${SCALAR_BYTES[f.type] * 8}${f.count === undefined ? '' : `[${f.count}]`}`;

/** The C program: our declarations, then one line per number to compare. */
function program(): string {
  const out: string[] = [
    '#include <stddef.h>',
    '#include <stdio.h>',
    '#if __has_include(<linux/kvm.h>)',
    '#include <linux/kvm.h>',
    '#if __has_include(<linux/version.h>)',
    '#include <linux/version.h>',
    '#endif',
    '#if __has_include(<linux/tdx-guest.h>)',
    '#include <linux/tdx-guest.h>',
    '#endif',
  ];
  for (const c of CHECKED) out.push(`struct t_${c.layout.name} {`, ...c.members.map((m) => `\t${m};`), '};');
  const struct = (c: Checked, variant: 'sys' | 'own'): string[] => {
    const s = `struct ${variant === 'own' ? 't_' : ''}${c.layout.name}`;
    return [
      `\tprintf("struct ${c.layout.name} ${variant} %zu\\n", sizeof(${s}));`,
      ...Object.entries(c.layout.fields).map(([name, f]) => {
        const m = `((${s} *)0)->${cPath(c, name)}`;
        return `\tprintf("field ${c.layout.name} ${variant} ${name} %zu %zu %d\\n", offsetof(${s}, ${cPath(c, name)}), sizeof(${m}), `
          + `__builtin_types_compatible_p(__typeof__(${m}), ${cType(f)}));`;
      }),
    ];
  };
  out.push('int main(void)', '{');
  out.push('#ifdef LINUX_VERSION_CODE', '\tprintf("headers %u\\n", (unsigned)LINUX_VERSION_CODE);', '#endif');
  out.push('\tprintf("compiler %s\\n", __VERSION__);');
  for (const c of CHECKED) out.push(`#ifdef ${c.guard}`, ...struct(c, 'sys'), '#endif', ...struct(c, 'own'));
  for (const name of Object.keys(IOCTLS)) {
    out.push(`#ifdef ${name}`, `\tprintf("ioctl ${name} %lx\\n", (unsigned long)(${name}));`, '#else', `\tprintf("ioctl ${name} absent\\n");`, '#endif');
  }
  for (const s of Object.keys(SIZES)) out.push(`\tprintf("sizeof ${s} %zu\\n", sizeof(struct ${s}));`);
  out.push('\treturn 0;', '}');
  out.push('#else', 'int main(void) { puts("no-linux-kvm-h"); return 0; }', '#endif', '');
  return out.join('\n');
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* not here */ }
  }
  return undefined;
}

/** Compiles and runs the program; its output lines, split into words. */
function compileAndRun(cc: string): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'tdx-uapi-'));
  try {
    const src = join(dir, 'layouts.c');
    const exe = join(dir, 'layouts');
    writeFileSync(src, program());
    const built = spawnSync(cc, ['-std=gnu11', '-Wall', '-O0', '-o', exe, src], { encoding: 'utf8' });
    assert.equal(built.status, 0, `${cc} could not compile the layout program (a layout field the header does not have?):\n${built.stderr}`);
    const ran = spawnSync(exe, [], { encoding: 'utf8' });
    assert.equal(ran.status, 0, `the layout program failed: ${ran.stderr}`);
    return ran.stdout.trim().split('\n').map((l) => l.split(' '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Linux version code as major.minor.patch (patch saturates at 255 in the code). */
const versionOf = (code: number): string => `${code >> 16}.${(code >> 8) & 0xff}.${code & 0xff}`;

test('our declarations transcribe every member of each layout, and each layout field names a member', () => {
  for (const c of CHECKED) {
    const members = c.members.map(memberName);
    const fields = Object.keys(c.layout.fields).map((f) => cPath(c, f).split('.')[0]);
    for (const m of c.members.filter((d) => !isFlexible(d)).map(memberName)) {
      assert.ok(fields.includes(m), `layout ${c.layout.name} has no field for member ${m}`);
    }
    for (const f of fields) assert.ok(members.includes(f), `layout ${c.layout.name}: field ${f} is no member of the struct`);
  }
});

test('the UAPI layouts and ioctl numbers of spec/uapi agree with a C compiler', async (t: TestContext) => {
  if (process.arch !== 'x64') return t.skip(`the layouts are x86-64's, this host is ${process.arch}`);
  const cc = onPath('cc') ?? onPath('gcc');
  if (!cc) return t.skip('no C compiler: neither cc nor gcc on PATH (apt install gcc libc6-dev linux-libc-dev)');
  const lines = compileAndRun(cc);
  if (lines[0]?.[0] === 'no-linux-kvm-h') return t.skip('no <linux/kvm.h> (apt install linux-libc-dev)');

  const words = (kind: string, ...key: string[]): string[][] =>
    lines.filter((l) => l[0] === kind && key.every((k, i) => l[i + 1] === k));
  const headers = words('headers')[0];
  t.diagnostic(`compiler: ${cc} (${lines.find((l) => l[0] === 'compiler')?.slice(1).join(' ')})`);
  t.diagnostic(`system UAPI headers: ${headers ? `Linux ${versionOf(Number(headers[1]))}` : 'version unknown (no <linux/version.h>)'}`);

  for (const c of CHECKED) {
    const name = c.layout.name;
    await t.test(`struct ${name}`, () => {
      const variants = words('struct', name).map((l) => l[2] as 'sys' | 'own');
      const inSystem = variants.includes('sys');
      t.diagnostic(inSystem
        ? `struct ${name}: checked against the system header, and the test's own declaration too`
        : `struct ${name}: checked against the test's own declaration (the system headers lack it: ${c.guard} undefined)`);
      const wrong: string[] = [];
      for (const v of variants) {
        const against = v === 'sys' ? 'the system header' : "the test's own declaration";
        const size = Number(words('struct', name, v)[0][3]);
        if (size !== c.layout.size) wrong.push(`sizeof(struct ${name}) is ${size} in ${against}, the layout says ${c.layout.size}`);
        for (const [field, f] of Object.entries(c.layout.fields) as [string, Field][]) {
          const [, , , , offset, bytes, typeOk] = words('field', name, v, field)[0];
          const member = `${name}.${cPath(c, field)}`;
          if (Number(offset) !== f.offset) wrong.push(`offsetof(${member}) is ${offset} in ${against}, the layout says ${f.offset}`);
          const want = SCALAR_BYTES[f.type] * (f.count ?? 1);
          if (Number(bytes) !== want) wrong.push(`sizeof(${member}) is ${bytes} in ${against}, the layout says ${want} (${cType(f)})`);
          else if (typeOk !== '1') wrong.push(`${member} is not a ${cType(f)} in ${against}`);
        }
      }
      assert.deepEqual(wrong, [], `struct ${name}:\n  ${wrong.join('\n  ')}`);
    });
  }

  await t.test('ioctl numbers', () => {
    const wrong: string[] = [];
    for (const [name, ours] of Object.entries(IOCTLS)) {
      const value = words('ioctl', name)[0][2];
      if (value === 'absent') {
        t.diagnostic(`${name}: absent from the system headers, not compared (its number is built from a struct size checked above)`);
        continue;
      }
      if (Number.parseInt(value, 16) !== ours) wrong.push(`${name} is 0x${value} in the system headers, spec/uapi says 0x${ours.toString(16)}`);
    }
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });

  await t.test('register structure sizes', () => {
    for (const [s, ours] of Object.entries(SIZES)) {
      assert.equal(Number(words('sizeof', s)[0][2]), ours, `sizeof(struct ${s}) in the system headers against spec/uapi/kvm.ts`);
    }
  });
});
