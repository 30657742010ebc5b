/**
 * Measurements the benchmark takes inside one process: TDX initialisation on two platform sizes,
 * and generating the floor suite.
 */
import { emulatorFactory } from '../backends/emulator/target';
import { defaultProfileName } from '../backends/emulator/profile';
import { generateFloor } from './floor-generate';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/**
 * Median seconds of TDX initialisation on a fresh target of each profile. The profiles alternate
 * round by round, so drift on a busy machine (frequency, other processes) hits both alike.
 */
function initSeconds(profiles: string[], rounds: number): number[] {
  const factories = profiles.map((p) => emulatorFactory(p));
  const times: number[][] = profiles.map(() => []);
  for (let i = 0; i < rounds; i++) {
    factories.forEach((f, j) => {
      const t = f.create();
      const t0 = now();
      t.host!.initTdx();
      times[j].push(now() - t0);
    });
  }
  return times.map(median);
}

async function main(): Promise<void> {
  const what = process.argv[2];
  let out: unknown;
  if (what === 'floor-generate') out = { config: await generateFloor(), defaultProfile: defaultProfileName() };
  else if (what === 'scaling') {
    const profiles = ['gnr-2s-mainline-7.1', 'xl-16s-64t-mainline-7.1'];
    initSeconds(profiles, 50); // warm-up: compiled code, not the first calls, is what users run
    const [small, large] = initSeconds(profiles, 201);
    out = { small, large };
  } else throw new Error(`unknown measurement ${what}`);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
