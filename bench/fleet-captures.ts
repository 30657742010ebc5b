/**
 * Makes a fleet of distinct captures for the fleet benchmark (bench/fleet.js): emulated machines
 * of every emulator profile, as hosts and as TD guests, without and with one emulator fault each,
 * captured through the real-machine path (`capture --target emulated-linux`) in one process.
 * Two captures count as distinct when their recorded answers (transcript.json) differ; a
 * combination that answers exactly like one already made is dropped and the next one tried.
 *
 * Usage: node --require ts-node/register/transpile-only bench/fleet-captures.ts DIR COUNT
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FAULTS } from '../backends/emulator/faults';
import { profileCatalogue } from '../backends/emulator/profile';
import { capture } from '../src/cli/capture';

async function main(): Promise<void> {
  const [dir, countArg] = process.argv.slice(2);
  const count = Number(countArg ?? 200);
  if (!dir || !Number.isInteger(count) || count < 1) throw new Error('usage: fleet-captures.ts DIR COUNT');
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  for (const name of readdirSync(dir)) {
    const t = join(dir, name, 'transcript.json');
    if (existsSync(t)) seen.add(createHash('sha256').update(readFileSync(t)).digest('hex'));
  }
  const profiles = [...profileCatalogue().profiles.keys()];
  const faults = Object.keys(FAULTS);
  // Every profile plain first, then each fault on the machine that shows it (a TD guest's fault
  // on a profile's TD, the others on its host), walking the profiles; then again on the next one.
  const combos: { profile: string; fault?: string; role: 'host' | 'guest' }[] = profiles.map((profile) => ({ profile, role: 'host' as const }));
  for (let round = 0; round < profiles.length; round++) {
    faults.forEach((fault, i) => {
      combos.push({ profile: profiles[(i + round) % profiles.length], fault, role: fault.startsWith('guest.') ? 'guest' : 'host' });
    });
  }
  // Combinations already tried that answered like an earlier capture are not tried again.
  const triedFile = join(dir, '.tried');
  const tried = new Set(existsSync(triedFile) ? readFileSync(triedFile, 'utf8').split('\n') : []);
  let made = seen.size;
  for (const c of combos) {
    if (made >= count) break;
    const name = `${c.profile}${c.role === 'guest' ? '-guest' : ''}${c.fault ? `+${c.fault}` : ''}`;
    const out = join(dir, name);
    if (existsSync(out) || tried.has(name)) continue;
    tried.add(name);
    appendFileSync(triedFile, `${name}\n`);
    try {
      await capture({ out, target: 'emulated-linux', profile: c.profile, role: c.role, ...(c.fault ? { faults: c.fault } : {}) });
    } catch (e) {
      // A profile whose platform runs no TD has no guest to capture: try the next combination.
      rmSync(out, { recursive: true, force: true });
      continue;
    }
    const h = createHash('sha256').update(readFileSync(join(out, 'transcript.json'))).digest('hex');
    if (seen.has(h)) {
      rmSync(out, { recursive: true, force: true });
      continue;
    }
    seen.add(h);
    made++;
    process.stdout.write(`${made}/${count} ${name}\n`);
  }
  if (made < count) throw new Error(`only ${made} distinct captures could be made`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});
