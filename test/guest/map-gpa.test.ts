import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultTdConfig } from '../../backends/emulator/guest/config';
import { EmulatedTd } from '../../backends/emulator/guest/td';
import type { TdvmcallSide } from '../../backends/emulator/module/td-exit';
import { moduleBuild } from '../../backends/emulator/module/versions';
import { Faults } from '../../backends/emulator/faults';
import { flavour } from '../../spec/kernel/flavours';
import { TDVMCALL_STATUS } from '../../spec/abi/tdvmcall';
import { TDVMCALL_LEAVES } from '../../spec/encodings/tdvmcall';
import type { Regs } from '../../backends/port';
import { numRuns } from '../support/runs';

type Answer = { kind: 'success' } | { kind: 'error' } | { kind: 'retry'; resumePages: number };

/** A VMM that answers MapGPA from a script (then SUCCESS) and everything else with SUCCESS. */
class ScriptedVmm implements TdvmcallSide {
  readonly mapGpa: { start: bigint; len: bigint; answer: Answer }[] = [];
  /** Off while the guest boots (its driver converts a buffer then), on for the conversion under test. */
  armed = false;
  constructor(private readonly script: Answer[]) {}
  tdvmcall(_vcpu: number, regs: Regs): Regs {
    if (regs.r11 !== TDVMCALL_LEAVES.MapGPA || !this.armed) return { r10: TDVMCALL_STATUS.SUCCESS };
    const a = this.script.shift() ?? { kind: 'success' };
    const start = regs.r12 ?? 0n;
    this.mapGpa.push({ start, len: regs.r13 ?? 0n, answer: a });
    if (a.kind === 'success') return { r10: TDVMCALL_STATUS.SUCCESS };
    if (a.kind === 'error') return { r10: TDVMCALL_STATUS.INVALID_OPERAND };
    return { r10: TDVMCALL_STATUS.RETRY, r11: start + BigInt(a.resumePages) * 4096n };
  }
}

function tdWith(vmm: ScriptedVmm, faults: string[] = []): EmulatedTd {
  const td = new EmulatedTd(defaultTdConfig(moduleBuild('1.5.698'), flavour('mainline-6.18'), new Faults(faults)), vmm);
  td.boot();
  vmm.armed = true;
  return td;
}

const BASE = 0x4000000n;
const SHARED = 1n << 47n;

test('RETRY resumes from the GPA the VMM returns', () => {
  const vmm = new ScriptedVmm([{ kind: 'retry', resumePages: 1 }]);
  const r = tdWith(vmm).convert(BASE, 4, 'shared');
  assert.deepEqual(r.result, { ok: true });
  assert.deepEqual(vmm.mapGpa.map((c) => [c.start, c.len]), [[BASE | SHARED, 0x4000n], [(BASE + 0x1000n) | SHARED, 0x3000n]]);
});

test('three RETRYs without progress fail; a fourth MapGPA is never made', () => {
  const vmm = new ScriptedVmm([0, 0, 0, 0].map(() => ({ kind: 'retry' as const, resumePages: 0 })));
  assert.deepEqual(tdWith(vmm).convert(BASE, 2, 'shared').result, { ok: false, errno: 'EIO' });
  assert.equal(vmm.mapGpa.length, 3);
});

test('a resume address at or past the end of the range fails at once', () => {
  const vmm = new ScriptedVmm([{ kind: 'retry', resumePages: 2 }]);
  assert.equal(tdWith(vmm).convert(BASE, 2, 'shared').result.ok, false);
  assert.equal(vmm.mapGpa.length, 1);
});

test('the retry loop: calls stay in the range, never go back, stop after three stalls, and succeed only on SUCCESS', () => {
  const answer: fc.Arbitrary<Answer> = fc.oneof(
    fc.constant({ kind: 'success' as const }), fc.constant({ kind: 'error' as const }),
    fc.integer({ min: 0, max: 9 }).map((n) => ({ kind: 'retry' as const, resumePages: n })),
  );
  fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(answer, { maxLength: 12 }), (pages, script) => {
    const vmm = new ScriptedVmm([...script]);
    const r = tdWith(vmm).convert(BASE, pages, 'shared');
    const end = (BASE + BigInt(pages) * 4096n) | SHARED;
    let stalls = 0;
    vmm.mapGpa.forEach((c, i) => {
      assert.ok(c.start >= (BASE | SHARED) && c.start < end, 'start outside the range');
      assert.equal(c.start + c.len, end, 'every call runs to the end of the range');
      if (i > 0) {
        assert.ok(c.start >= vmm.mapGpa[i - 1].start, 'went backwards');
        stalls = c.start === vmm.mapGpa[i - 1].start ? stalls + 1 : 0;
        assert.ok(stalls < 3, 'more than three calls without progress');
      }
    });
    const last = vmm.mapGpa[vmm.mapGpa.length - 1].answer;
    assert.equal(r.result.ok, last.kind === 'success');
  }), { numRuns: numRuns(300) });
});

test('with the unbounded-retry fault a fourth stalled MapGPA is made', () => {
  const vmm = new ScriptedVmm([0, 0, 0, 0].map(() => ({ kind: 'retry' as const, resumePages: 0 })));
  tdWith(vmm, ['guest.mapgpa-retry-unbounded']).convert(BASE, 2, 'shared');
  assert.equal(vmm.mapGpa.length, 4);
});
