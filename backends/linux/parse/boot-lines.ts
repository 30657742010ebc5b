/**
 * The non-TDX kernel log lines a capture is read for: the kernel release ("Linux version ..." or
 * the image name on the "Command line:" line), the command line, the DMI/firmware string, the
 * boot CPU's model, NUMA node spans (SRAT) and the firmware memory map (e820). TDX messages are
 * the shared catalogue's business (backends/common/kernel-log.ts); these are only read here.
 *
 * A DMI string such as "BIOS 2024.02-3+tdx1.0" names a firmware package built for TDX; its
 * "tdx1.0" is a package revision, never a TDX module version, so it is kept as text only.
 */
import { stripLinePrefix } from '../../common/kernel-log';

export interface NodeSpan {
  node: number;
  base: bigint;
  /** Exclusive. */
  end: bigint;
  /**
   * SRAT marked the range hot-pluggable: memblock flags it MEMBLOCK_HOTPLUG, so it never merges
   * with a touching range of the same node that is not (memblock_merge_regions()).
   */
  hotplug: boolean;
}

export interface BootLines {
  release: string | null;
  cmdline: string[] | null;
  /** The line that had the command line was cut (a terminal or a paste shortened it). */
  cmdlineCut: boolean;
  dmi: string | null;
  cpu: { modelName: string; family: number; model: number } | null;
  numa: NodeSpan[];
  e820Usable: { base: bigint; end: bigint }[];
  /** The log starts at the beginning of the boot (its first line is at time 0). */
  startsAtBoot: boolean;
  /** Lines whose prefix shows they come from the kernel log (a time, level, caller id, journal tag). */
  kernelLines: number;
  /**
   * Index of the line that ends the kernel's own boot: "Run /sbin/init as init process" (or,
   * failing that, "Freeing unused kernel image"); what follows happened after boot (modules
   * loaded by user space, such as kvm_intel). null when the capture does not show it.
   */
  bootEndLine: number | null;
}

/**
 * acpi_numa_memory_affinity_init() (drivers/acpi/numa/srat.c, v6.16.1): "SRAT: Node %u PXM %u
 * [mem %#010Lx-%#010Lx]%s%s" with " hotplug" and " non-volatile", the end inclusive; "ACPI: "
 * since the file's pr_fmt, bare before.
 */
const SRAT = /^(?:ACPI: )?SRAT: Node (\d+) PXM \d+ \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\]( hotplug)?/;

const RELEASE_IN_IMAGE = /(?:^|\s)BOOT_IMAGE=\S*?vmlinuz-(\S+)/;

export function releaseFromCmdline(cmdline: string): string | null {
  const m = RELEASE_IN_IMAGE.exec(cmdline);
  return m ? m[1] : null;
}

export function parseBootLines(lines: readonly string[]): BootLines {
  const out: BootLines = {
    release: null, cmdline: null, cmdlineCut: false, dmi: null, cpu: null, numa: [], e820Usable: [], startsAtBoot: false, kernelLines: 0,
    bootEndLine: null,
  };
  let first = true;
  let runInit: number | null = null;
  let freeing: number | null = null;
  lines.forEach((raw, index) => {
    const { text, time, kernel } = stripLinePrefix(raw);
    if (kernel) out.kernelLines++;
    if (time !== null) {
      if (first) out.startsAtBoot = time === 0;
      first = false;
    }
    let m: RegExpExecArray | null;
    if ((m = /^Linux version (\S+) \(/.exec(text)) || (m = /^Linux version (\S+)$/.exec(text))) {
      out.release = m[1];
    } else if ((m = /^(?:Kernel )?[Cc]ommand line: (.*)$/.exec(text))) {
      const tokens = m[1].trim().split(/\s+/).filter(Boolean);
      if (out.cmdline === null) out.cmdline = tokens;
      else if (tokens.join(' ') !== out.cmdline.join(' ')) {
        // The kernel prints the command line twice. Copies that agree up to the last token of
        // the shorter one were cut (by a terminal or a paste): keep only what both show. Copies
        // that differ earlier are two legitimately different lines (built-in parameters).
        const agreed: string[] = [];
        for (let i = 0; i < Math.min(tokens.length, out.cmdline.length) && tokens[i] === out.cmdline[i]; i++) agreed.push(tokens[i]);
        if (agreed.length >= Math.min(tokens.length, out.cmdline.length) - 1) {
          out.cmdline = agreed;
          out.cmdlineCut = true;
        }
      }
      if (!out.release) out.release = releaseFromCmdline(m[1]);
    } else if ((m = /^DMI: (.*)$/.exec(text))) {
      out.dmi = m[1].trim();
    } else if ((m = /^smpboot: CPU0: (.*?) \(family: (0x[0-9a-f]+), model: (0x[0-9a-f]+)/.exec(text))) {
      out.cpu = { modelName: m[1], family: parseInt(m[2], 16), model: parseInt(m[3], 16) };
    } else if ((m = SRAT.exec(text))) {
      out.numa.push({ node: Number(m[1]), base: BigInt(m[2]), end: BigInt(m[3]) + 1n, hotplug: m[4] !== undefined });
    } else if ((m = /^BIOS-e820: \[mem (0x[0-9a-fA-F]+)-(0x[0-9a-fA-F]+)\] usable$/.exec(text))) {
      out.e820Usable.push({ base: BigInt(m[1]), end: BigInt(m[2]) + 1n });
    } else if (/^Run \S+ as init process$/.test(text)) {
      if (runInit === null) runInit = index;
    } else if (/^Freeing unused kernel (image|memory)\b/.test(text)) {
      freeing = index;
    }
  });
  out.bootEndLine = runInit ?? freeing;
  return out;
}

/** A line that can only have come from a kernel log: its prefix says so, or a documentation example's "[..]". */
export function looksLikeKernelLine(raw: string): boolean {
  return stripLinePrefix(raw).kernel || /^\[\.\.\]/.test(raw);
}
