/**
 * Emulator platform profiles (profiles/*.yaml): loaded once per process, validated against
 * profiles/profile.schema.json plus the catalogues (CPU models, module builds, kernel flavours),
 * and turned into typed values. Any problem is a ProfileError naming the file, the field and
 * what was expected. A broken profile is set aside, not fatal: only a run that selects it fails.
 * A profile can also be loaded from a file anywhere (`--profile path/to/name.yaml`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { decodeText, INPUT_LIMITS, InputError, readInputFile } from '../common/read-input';
import { basename, join, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { lazyValidator } from '../common/schema';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { FLAVOURS, flavour, type KernelFlavour } from '../../spec/kernel/flavours';
import type { MemoryRegion } from '../port';
import { isFaultName } from './faults';
import { MODULE_BUILDS, moduleBuild, type ModuleBuild } from './module/versions';
import { parseGuestSection, type GuestProfile } from './profile-guest';
import { CPU_MODELS } from '../../spec/platform/cpu-models';

export const PROFILES_DIR = resolve(__dirname, '../../profiles');

/** Where the profiles are read from: profiles/, or the directory TDX_PROFILES_DIR names. */
export const profilesDir = (env: NodeJS.ProcessEnv = process.env): string => (env.TDX_PROFILES_DIR ? resolve(env.TDX_PROFILES_DIR) : PROFILES_DIR);

export interface Profile {
  name: string;
  description: string;
  file: string;
  source: string | null;
  isDefault: boolean;
  cpu: { model: string; packages: number; cpusPerPackage: number; features: string[] };
  bios: { mktmeKeyIds: number; tdxKeyIds: number; moduleLoaded: boolean };
  module: ModuleBuild;
  kernel: { flavour: KernelFlavour; release: string; cmdline: string[]; acpiSuspend: boolean };
  memory: { physAddrBits: number; regions: MemoryRegion[]; cmrs: MemoryRegion[] };
  /** What user space has loaded on the machine (the emulated machine serves /dev/cpu/N/msr only with the msr module). */
  userspace: { msrDriver: boolean; cpuidDriver: boolean };
  /** The TD guest the emulator runs on this platform (profile-guest.ts). */
  guest: GuestProfile;
  faults: string[];
}

export class ProfileError extends Error {
  constructor(readonly file: string, readonly field: string, readonly problem: string) {
    super(`${file ? `${file}: ` : ''}${field ? `field ${field}: ` : ''}${problem}`);
    this.name = 'ProfileError';
  }
}

export const ALL_CPU_FEATURES = ['vmx', 'xsave', 'movdir64b', 'self_snoop', 'ept', 'ept_ad', 'apicv', 'tdp_mmu'];

/** The profile schema: profiles/profile.schema.json with the catalogues' names as the allowed values. */
export function profileSchema(): object {
  const schema = JSON.parse(readFileSync(join(PROFILES_DIR, 'profile.schema.json'), 'utf8'));
  // The catalogues decide the allowed names (the schema file only says "string").
  schema.properties.module = { enum: MODULE_BUILDS.map((b) => b.id) };
  schema.properties.kernel.properties.flavour = { enum: FLAVOURS.filter((f) => f.name !== 'ubuntu-6.5-intel-opt').map((f) => f.name) };
  schema.properties.cpu.properties.model = { enum: CPU_MODELS.map((m) => m.name) };
  schema.properties.guest.properties.kernel.properties.flavour = schema.properties.kernel.properties.flavour;
  return schema;
}

const validate = lazyValidator(profileSchema, { allErrors: true });

function fieldPath(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
  if (e.keyword === 'required') return path ? `${path}.${e.params.missingProperty}` : String(e.params.missingProperty);
  if (e.keyword === 'additionalProperties') return path ? `${path}.${e.params.additionalProperty}` : String(e.params.additionalProperty);
  return path || '(top level)';
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required': return 'is missing';
    case 'additionalProperties': return 'is not a known field';
    case 'enum': return `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'anyOf': return 'must be an integer, a hex string (0x...), or a size like 4GiB';
    default: return e.message ?? 'is invalid';
  }
}

const UNITS: Record<string, bigint> = { KiB: 1n << 10n, MiB: 1n << 20n, GiB: 1n << 30n, TiB: 1n << 40n };

export function parseAddress(v: number | string, file: string, field: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new ProfileError(file, field, `${v} is too large for an exact number; write it as a hex string`);
    return BigInt(v);
  }
  const unit = /^(\d+)(KiB|MiB|GiB|TiB)$/.exec(v);
  if (unit) return BigInt(unit[1]) * UNITS[unit[2]];
  return BigInt(v);
}

function regions(raw: { base: number | string; end: number | string; node?: number }[], file: string, field: string): MemoryRegion[] {
  const out = raw.map((r, i) => ({
    base: parseAddress(r.base, file, `${field}[${i}].base`),
    end: parseAddress(r.end, file, `${field}[${i}].end`),
    node: r.node ?? 0,
  }));
  out.forEach((r, i) => {
    if (r.end <= r.base) throw new ProfileError(file, `${field}[${i}]`, 'end must be above base');
    if (i > 0 && r.base < out[i - 1].end) throw new ProfileError(file, `${field}[${i}]`, 'regions must be sorted and must not overlap');
  });
  return out;
}

/** Parse and validate one profile document. */
export function parseProfile(text: string, file: string): Profile {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}` : '';
    throw new ProfileError(file, '', `not valid YAML${where ? ` (${where})` : ''}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ProfileError(file, '', 'must be a YAML mapping');
  const v = validate();
  if (!v(doc)) {
    // A misspelt field shows up as "unknown" and as "missing": name the unknown one first.
    const rank = (e: ErrorObject) => (e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 2 : 1);
    // Inside an anyOf, report the anyOf (what is allowed), not each alternative's complaint.
    const errors = v.errors!.filter((x) => !/\/anyOf\/\d+\//.test(x.schemaPath));
    const e = [...errors].sort((a, b) => rank(a) - rank(b))[0];
    throw new ProfileError(file, fieldPath(e), describe(e));
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const d = doc as any;
  const badFault = (d.faults ?? []).find((f: string) => !isFaultName(f));
  if (badFault) throw new ProfileError(file, 'faults', `unknown fault "${badFault}"; run \`tdx-conformance faults\` for the catalogue`);
  const memRegions = regions(d.memory.regions, file, 'memory.regions');
  const profile: Profile = {
    name: d.name,
    description: d.description,
    file,
    source: d.source ?? null,
    isDefault: d.default === true,
    cpu: { model: d.cpu.model, packages: d.cpu.packages, cpusPerPackage: d.cpu.cpusPerPackage, features: d.cpu.features ?? ALL_CPU_FEATURES },
    bios: { mktmeKeyIds: d.bios.mktmeKeyIds, tdxKeyIds: d.bios.tdxKeyIds, moduleLoaded: d.bios.moduleLoaded ?? true },
    module: moduleBuild(d.module),
    kernel: {
      flavour: flavour(d.kernel.flavour),
      release: d.kernel.release,
      cmdline: d.kernel.cmdline ?? ['nohibernate'],
      acpiSuspend: d.kernel.acpiSuspend ?? true,
    },
    memory: {
      physAddrBits: d.memory.physAddrBits ?? 52,
      regions: memRegions,
      cmrs: d.memory.cmrs ? regions(d.memory.cmrs, file, 'memory.cmrs') : memRegions.map((r) => ({ ...r })),
    },
    userspace: { msrDriver: d.userspace?.msrDriver ?? false, cpuidDriver: d.userspace?.cpuidDriver ?? false },
    guest: parseGuestSection(d.guest, { kernel: { flavour: flavour(d.kernel.flavour), release: d.kernel.release }, module: moduleBuild(d.module) }, (field, problem) => {
      throw new ProfileError(file, field, problem);
    }),
    faults: d.faults ?? [],
  };
  const expected = basename(file).replace(/\.ya?ml$/, '');
  if (profile.name !== expected) throw new ProfileError(file, 'name', `must match the file name ("${expected}")`);
  return profile;
}

export interface ProfileCatalogue {
  profiles: Map<string, Profile>;
  /** Profiles that failed to load, by the name their file gives them. */
  broken: Map<string, ProfileError>;
}

let cache: { dir: string; cat: ProfileCatalogue } | null = null;

/** Every profile in a directory, parsed once per process; broken ones set aside with their error. */
export function profileCatalogue(dir = profilesDir()): ProfileCatalogue {
  if (cache?.dir === dir) return cache.cat;
  const cat: ProfileCatalogue = { profiles: new Map(), broken: new Map() };
  for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const file = join(dir, f);
    try {
      const p = parseProfile(readProfileText(file), file);
      cat.profiles.set(p.name, p);
    } catch (e) {
      if (!(e instanceof ProfileError)) throw e;
      cat.broken.set(basename(f).replace(/\.ya?ml$/, ''), e);
    }
  }
  if (dir === profilesDir()) cache = { dir, cat };
  return cat;
}

/** The profiles of profiles/ that load (see profileCatalogue for the broken ones). */
export function loadProfiles(dir = profilesDir()): Map<string, Profile> {
  return profileCatalogue(dir).profiles;
}

function readProfileText(file: string): string {
  try {
    return decodeText(readInputFile(file, INPUT_LIMITS.profile), file).text;
  } catch (e) {
    if (e instanceof InputError) throw new ProfileError(file, '', e.problem);
    throw e;
  }
}

/** A profile given by file path (contains a slash or ends in .yaml/.yml) rather than by name. */
export const isProfilePath = (s: string): boolean => s.includes('/') || /\.ya?ml$/.test(s);

const byPath = new Map<string, Profile>();

/** Load a profile file from anywhere; its name must match the file name, as in profiles/. */
export function loadProfileFile(path: string): Profile {
  const file = resolve(path);
  let p = byPath.get(file);
  if (!p) {
    p = parseProfile(readProfileText(file), file);
    byPath.set(file, p);
  }
  return p;
}

export function defaultProfileName(profiles = loadProfiles()): string {
  const d = [...profiles.values()].filter((p) => p.isDefault);
  if (d.length > 1) {
    throw new ProfileError(d[1].file, 'default', `${d[0].file} already says "default: true"; exactly one profile may`);
  }
  if (d.length === 0) {
    const broken = profiles === cache?.cat.profiles ? [...cache.cat.broken.values()] : [];
    throw new ProfileError(cache?.dir ?? profilesDir(), 'default', `no profile says "default: true"${broken.length ? ` (broken, so not loaded: ${broken.map((b) => b.message).join('; ')})` : ''}; name one with --profile`);
  }
  return d[0].name;
}

export function profileNamed(name: string, profiles = loadProfiles()): Profile {
  if (isProfilePath(name)) return loadProfileFile(name);
  const p = profiles.get(name);
  if (p) return p;
  const broken = profiles === cache?.cat.profiles ? cache.cat.broken.get(name) : undefined;
  if (broken) throw broken;
  throw new ProfileError('', '', `unknown emulator profile "${name}"; valid profiles: ${[...profiles.keys()].join(', ')} (or a path to a profile file)`);
}
