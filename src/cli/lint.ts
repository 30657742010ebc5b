/** `tdx-conformance lint-spec`: the spec lint plus a strict dry run for undefined steps. */
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { emulatorFactory } from '../../backends/emulator/target';
import { loadProfiles } from '../../backends/emulator/profile';
import { FLAVOURS } from '../../spec/kernel/flavours';
import { MESSAGES } from '../../spec/kernel/printk';
import { readAuditFiles } from '../../spec/audit/records';
import { sourceFile, sources, sourceUrl } from '../../spec/sources';
import { formatProblems, lintSpec, listFiles, sourceLinkProblems, type LintProblem } from '../lint/spec-lint';
import { PROJECT_ROOT, runSuite } from '../runner/run-suite';

/** Steps with no definition, or more than one, found by a dry run. */
export async function dryRunProblems(): Promise<LintProblem[]> {
  const envelopes: Envelope[] = [];
  await runSuite({ world: { target: 'emulator' }, dryRun: true, console: null, onMessage: (e) => envelopes.push(e) });
  const pickleSteps = new Map<string, { uri: string; text: string }>();
  const testSteps = new Map<string, string>();
  const problems: LintProblem[] = [];
  for (const e of envelopes) {
    if (e.pickle) for (const s of e.pickle.steps) pickleSteps.set(s.id, { uri: e.pickle.uri, text: s.text });
    if (e.testCase) for (const s of e.testCase.testSteps) if (s.pickleStepId) testSteps.set(s.id, s.pickleStepId);
    const r = e.testStepFinished?.testStepResult;
    if (r && (r.status === 'UNDEFINED' || r.status === 'AMBIGUOUS')) {
      const ps = pickleSteps.get(testSteps.get(e.testStepFinished!.testStepId) ?? '');
      problems.push({ file: ps?.uri ?? '?', line: 0, message: `step "${ps?.text}" is ${r.status.toLowerCase()}` });
    }
  }
  return [...new Map(problems.map((p) => [`${p.file}|${p.message}`, p])).values()];
}

export function projectLintInput() {
  return {
    root: PROJECT_ROOT,
    featureFiles: listFiles(join(PROJECT_ROOT, 'features'), ['.feature']),
    sourceIds: new Set(Object.keys(sources())),
    codeFiles: ['backends', 'spec', 'support', 'steps', 'src'].flatMap((d) => listFiles(join(PROJECT_ROOT, d), ['.ts'])),
    dataCitations: [
      ...Object.entries(MESSAGES).flatMap(([id, m]) => m.src.map((s) => ({ id: s, where: `spec/kernel/printk.ts (${id})` }))),
      ...FLAVOURS.flatMap((f) => f.src.map((s) => ({ id: s, where: `spec/kernel/flavours.ts (${f.name})` }))),
    ],
    profiles: [...loadProfiles().keys()].map((name) => {
      const f = emulatorFactory(name);
      return { description: f.description, capabilities: f.capabilities };
    }),
    audit: { files: readAuditFiles(), sources: sources() },
  };
}

export async function lintCommand(): Promise<number> {
  const problems = [...lintSpec(projectLintInput()), ...sourceLinkProblems(sources(), sourceUrl, sourceFile, PROJECT_ROOT), ...(await dryRunProblems())];
  if (problems.length) {
    process.stderr.write(formatProblems(problems) + `\nspec lint: ${problems.length} problem(s)\n`);
    return 1;
  }
  process.stdout.write('spec lint: no problems\n');
  return 0;
}
