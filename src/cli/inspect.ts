/**
 * `tdx-conformance inspect <capture> [--json]`: what a person would read from a capture. Exit 0
 * with the facts; exit 2 with one line naming the file and the problem when it is not a capture.
 */
import { readSnapshot } from '../../backends/linux/load';
import type { CaptureFacts } from '../../backends/linux/facts';

const orUnknown = (v: unknown): string => (v === null || v === undefined ? 'not in the capture' : String(v));

export function formatFacts(f: CaptureFacts, name: string): string {
  const out: string[] = [];
  out.push(`Capture: ${name} (${f.formats.join(', ')})`);
  out.push(`Role: ${f.role} (${f.roleEvidence.join('; ')})`);
  out.push(`Kernel: ${orUnknown(f.kernel.release)}${f.kernel.flavour ? ` (flavour ${f.kernel.flavour})` : ''}`);
  if (f.platform.cpu.modelName) out.push(`CPU: ${f.platform.cpu.modelName}`);
  if (f.platform.firmware) out.push(`Firmware: ${f.platform.firmware}`);
  if (f.platform.keyIdPartitioning) {
    const k = f.platform.keyIdPartitioning;
    out.push(`KeyID partitioning: ${k.mktme ?? '?'} MKTME, ${k.tdx} TDX (${k.source})`);
  }
  const h = f.host;
  if (h) {
    const m = h.module;
    const version = m.major === null ? 'not in the capture'
      : `${m.major}.${m.minor}${m.update !== null ? `.${String(m.update).padStart(2, '0')}` : ''}${m.build !== null ? `, build ${m.build}` : ''}${m.buildDate !== null ? `, built ${m.buildDate}` : ''}`;
    out.push('TDX host:');
    out.push(`  detection: ${h.detected ? 'passed (TDX host platform)' : 'refused'}`);
    out.push(`  private KeyIDs: ${h.keyIdRange ? `[${h.keyIdRange[0]}, ${h.keyIdRange[1]})` : 'not in the capture'}`);
    out.push(`  module: ${version}`);
    out.push(`  CMRs: ${h.cmrs.length ? h.cmrs.map((c) => `[${c.base}, ${c.end})`).join(' ') + (h.cmrsComplete ? '' : ' (the list may be cut)') : 'not in the capture'}`);
    out.push(`  PAMT: ${h.pamtKb !== null ? `${h.pamtKb} KB` : 'not in the capture'}`);
    out.push(`  initialisation: ${h.init}${h.initErrno ? ` (${h.initErrno})` : ''}`);
    if (h.failedSeamcall) out.push(`  failed SEAMCALL: ${h.failedSeamcall.leafName ?? h.failedSeamcall.leaf} -> ${h.failedSeamcall.statusName ?? h.failedSeamcall.status}`);
    if (h.cause) out.push(`  cause: ${h.cause}`);
  }
  const g = f.guest;
  if (g) {
    out.push('TD guest:');
    out.push(`  memory encryption: ${orUnknown(g.memoryEncryption)}`);
    out.push(`  attributes: ${g.attributes ? g.attributes.join(' ') || '(none)' : 'not in the capture'}`);
    out.push(`  TD_CTLS: ${g.tdCtls ? g.tdCtls.join(' ') || '(none)' : 'not in the capture'}`);
    if (g.devTdxGuest !== null) out.push(`  /dev/tdx_guest: ${g.devTdxGuest ? 'present' : 'absent'}`);
    if (g.tsmProvider) out.push(`  configfs-tsm provider: ${g.tsmProvider}`);
    if (g.cpuidSignature) out.push(`  CPUID 0x21: "${g.cpuidSignature}"`);
  }
  if (f.log) out.push(`Kernel log: ${f.log.lines} lines, ${f.log.tdxMessages} TDX messages${f.log.complete ? '' : ', cut short'}${f.log.excerpt ? ' (an excerpt)' : ''}`);
  if (f.unreadable.length) {
    out.push('Could not read:');
    for (const u of f.unreadable) out.push(`  - ${u.what}: ${u.why}`);
  }
  if (f.warnings.length) {
    out.push('Warnings:');
    for (const w of f.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n') + '\n';
}

export function inspectCommand(capture: string, opts: { json?: boolean }): number {
  const r = readSnapshot(capture);
  process.stdout.write(opts.json ? JSON.stringify(r.facts, null, 2) + '\n' : formatFacts(r.facts, r.name));
  return 0;
}
