/**
 * The spec lint: the traceability and applicability rules of the suite, checked on the feature
 * files with @cucumber/gherkin. It reports every problem with the file and line:
 *  - a scenario without exactly one @req (Feature, Rule, Scenario and Examples tags count);
 *  - a requirement id on two Rules;
 *  - a Rule whose Rule and Feature carry no @src, or an @src that is not registered;
 *  - a registered source cited nowhere (neither by a tag nor by an "@src:" mention in code);
 *  - a tag of an unknown family;
 *  - applicability tags no emulator profile satisfies (a scenario that would never run in CI);
 *  - a source link that cannot be right: a URL that does not parse, a repository that is not
 *    owner/name, a commit that is not hex, a capture file that is not in the project;
 *  - the source audit out of step with the Rules (audit-lint.ts): a requirement without its
 *    record, a record without its requirement, a value without a registered source, a false
 *    verdict, a record older than a change to its Rule.
 * Undefined steps are found by a strict dry run (see dryRunProblems in the CLI).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AstBuilder, compile, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator, type GherkinDocument, type Pickle } from '@cucumber/messages';
import { isCapability, MACHINE_CHANGING, type Capability, type TargetDescription } from '../../backends/port';
import type { AuditFile } from '../../spec/audit/records';
import type { Source } from '../../spec/sources';
import { decide } from '../../support/applicability';
import { isKnownTag, parseTag, tagValues } from '../../support/tags';
import { auditCitations, auditProblems } from './audit-lint';

export interface LintProblem {
  file: string;
  line: number;
  message: string;
}

export interface LintInput {
  root: string;
  featureFiles: string[];
  sourceIds: ReadonlySet<string>;
  /** Text of code files, searched for "@src:<id>" mentions. */
  codeFiles: string[];
  /** Source ids cited by spec data (message catalogue, kernel flavours), with where. */
  dataCitations: { id: string; where: string }[];
  /** Descriptions and capabilities of every emulator profile. */
  profiles: { description: TargetDescription; capabilities: ReadonlySet<Capability> }[];
  /** The source audit (spec/audit/*.yaml) and the registry it cites; its checks run when given. */
  audit?: { files: AuditFile[]; sources: Readonly<Record<string, Source>> };
}

export function listFiles(dir: string, suffixes: readonly string[]): string[] {
  let out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (n === 'node_modules' || n.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out = out.concat(listFiles(p, suffixes));
    else if (suffixes.some((s) => n.endsWith(s))) out.push(p);
  }
  return out.sort();
}

function parseFeature(file: string, problems: LintProblem[], rel: string): { doc: GherkinDocument; pickles: readonly Pickle[] } | null {
  const newId = IdGenerator.incrementing();
  const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
  try {
    const doc = parser.parse(readFileSync(file, 'utf8'));
    const pickles = compile({ ...doc, uri: rel }, rel, newId);
    return { doc, pickles };
  } catch (e) {
    const m = /\((\d+):\d+\)/.exec((e as Error).message);
    problems.push({ file: rel, line: m ? Number(m[1]) : 0, message: `not valid Gherkin: ${(e as Error).message.split('\n')[0]}` });
    return null;
  }
}

export function lintSpec(input: LintInput): LintProblem[] {
  const problems: LintProblem[] = [];
  const reqRules = new Map<string, string>(); // req -> where its Rule is
  const ruleTexts = new Map<string, { text: string; where: string }>();
  const cited = new Set<string>();

  for (const file of input.featureFiles) {
    const rel = relative(input.root, file);
    const parsed = parseFeature(file, problems, rel);
    if (!parsed?.doc.feature) continue;
    const { doc, pickles } = parsed;
    const feature = doc.feature!;
    const add = (line: number, message: string) => problems.push({ file: rel, line, message });
    const featureTags = feature.tags.map((t) => t.name);
    const featureSrc = tagValues(featureTags, 'src');

    const checkTags = (tags: readonly { name: string; location: { line: number } }[]) => {
      for (const t of tags) {
        if (!isKnownTag(t.name)) add(t.location.line, `unknown tag ${t.name} (families: see support/tags.ts)`);
        const p = parseTag(t.name);
        if (p.family === 'src') {
          cited.add(p.value);
          if (!input.sourceIds.has(p.value)) add(t.location.line, `@src:${p.value} is not registered in spec/sources/`);
        }
      }
    };
    checkTags(feature.tags);

    for (const child of feature.children) {
      const rule = child.rule;
      if (!rule) continue;
      checkTags(rule.tags);
      const ruleTags = rule.tags.map((t) => t.name);
      for (const req of tagValues(ruleTags, 'req')) {
        const where = `${rel}:${rule.location.line}`;
        const first = reqRules.get(req);
        if (first) add(rule.location.line, `@req:${req} is already the requirement of the Rule at ${first}`);
        else {
          reqRules.set(req, where);
          ruleTexts.set(req, { text: rule.name, where });
        }
      }
      if (featureSrc.length === 0 && tagValues(ruleTags, 'src').length === 0) {
        add(rule.location.line, `Rule "${rule.name}" cites no source (@src on the Rule or its Feature)`);
      }
      for (const c of rule.children) {
        if (!c.scenario) continue;
        checkTags(c.scenario.tags);
        for (const ex of c.scenario.examples) checkTags(ex.tags);
      }
    }
    for (const child of feature.children) {
      if (!child.scenario) continue;
      checkTags(child.scenario.tags);
      if (featureSrc.length === 0 && tagValues(child.scenario.tags.map((t) => t.name), 'src').length === 0) {
        add(child.scenario.location.line, `Scenario "${child.scenario.name}" outside a Rule cites no source`);
      }
    }

    const lineOf = (p: Pickle): number => {
      const id = p.astNodeIds[p.astNodeIds.length - 1];
      let line = 0;
      const visit = (children: typeof feature.children) => {
        for (const c of children) {
          if (c.rule) visit(c.rule.children as typeof feature.children);
          if (!c.scenario) continue;
          if (c.scenario.id === id) line = c.scenario.location.line;
          for (const ex of c.scenario.examples) for (const row of ex.tableBody) if (row.id === id) line = row.location.line;
        }
      };
      visit(feature.children);
      return line;
    };

    for (const p of pickles) {
      const tags = p.tags.map((t) => t.name);
      const reqs = tagValues(tags, 'req');
      if (reqs.length !== 1) add(lineOf(p), `scenario "${p.name}" has ${reqs.length} @req tags (exactly one expected)`);
      const changing = tagValues(tags, 'needs').filter((c) => isCapability(c) && MACHINE_CHANGING.has(c));
      if (changing.length > 0 && !tags.includes('@destructive')) {
        add(lineOf(p), `scenario "${p.name}" needs ${changing.join(', ')}, which changes a real machine: tag it @destructive`);
      }
      if (input.profiles.length > 0) {
        let runs = false;
        let lastReason = '';
        for (const prof of input.profiles) {
          try {
            const d = decide(tags, { description: prof.description, capabilities: prof.capabilities, allowDestructive: true });
            if (d.runs) {
              runs = true;
              break;
            }
            lastReason = d.reason;
          } catch (e) {
            lastReason = (e as Error).message;
            break;
          }
        }
        if (!runs) add(lineOf(p), `scenario "${p.name}" runs on no emulator profile (${lastReason})`);
      }
    }
  }

  for (const f of input.codeFiles) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/@src:([a-z0-9][a-z0-9.-]*[a-z0-9])/g)) {
      cited.add(m[1]);
      if (!input.sourceIds.has(m[1])) {
        problems.push({ file: relative(input.root, f), line: text.slice(0, m.index).split('\n').length, message: `@src:${m[1]} is not registered in spec/sources/` });
      }
    }
  }
  for (const c of input.dataCitations) {
    cited.add(c.id);
    if (!input.sourceIds.has(c.id)) problems.push({ file: c.where, line: 0, message: `source "${c.id}" is not registered in spec/sources/` });
  }
  if (input.audit) {
    problems.push(...auditProblems({ files: input.audit.files, rules: ruleTexts, sources: input.audit.sources }));
    for (const id of auditCitations(input.audit.files)) cited.add(id);
  }
  for (const id of [...input.sourceIds].sort()) {
    if (!cited.has(id)) problems.push({ file: 'spec/sources', line: 0, message: `source "${id}" is cited by no feature and no code, nor by an audit record` });
  }
  return problems;
}

const HEX_COMMIT = /^[0-9a-f]{7,40}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function badUrl(u: string): string | null {
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return 'does not parse as a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `has protocol ${url.protocol} (http or https expected)`;
  if (!url.hostname.includes('.')) return `has no real host name (${url.hostname})`;
  if (/\b(Infinity|NaN|undefined|null)\b/.test(u)) return 'contains Infinity, NaN, undefined or null (a field read as the wrong type?)';
  return null;
}

/** Every link a registered source makes, and the fields it is built from. */
export function sourceLinkProblems(all: Record<string, Source>, url: (id: string) => string, fileOf: (id: string) => string, root: string): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const [id, s] of Object.entries(all).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const add = (message: string) => problems.push({ file: fileOf(id), line: 0, message: `source "${id}": ${message}` });
    if (s.repo !== undefined && !REPO.test(s.repo)) add(`repo "${s.repo}" is not owner/name`);
    if (s.commit !== undefined && !HEX_COMMIT.test(s.commit)) add(`commit "${s.commit}" is not a hex commit id (7 to 40 digits)`);
    for (const c of s.commits ?? []) if (!HEX_COMMIT.test(c)) add(`commit "${c}" in commits is not a hex commit id`);
    if (s.path !== undefined && s.repo === undefined) add('has a path but no repo: the link cannot be built');
    if (s.url !== undefined) {
      const why = badUrl(s.url);
      if (why) add(`url ${s.url} ${why}`);
    }
    const link = url(id);
    if (!link.startsWith('spec/sources#') && link !== s.url) {
      const why = badUrl(link);
      if (why) add(`link ${link} ${why}`);
    }
    if (s.file !== undefined && !existsSync(join(root, s.file))) add(`file ${s.file} is not in the project`);
  }
  return problems;
}

export function formatProblems(ps: readonly LintProblem[]): string {
  return ps.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n');
}
