/**
 * Target adapters (docs/targets.md): `--target <path-or-package>` names an implementation of the
 * port outside the suite. A JavaScript or TypeScript module (by its extension, or a package) is
 * loaded in-process and must export a TargetFactory or a function that makes one, and the port
 * version it implements; any other file is a program that serves the port over the wire protocol
 * (backends/wire), started as a child process. A malformed adapter is refused in one line that
 * names what is missing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { FLAVOURS, isFlavourName } from '../spec/kernel/flavours';
import { isCapability, PORT_VERSION, unobservable, type Capability, type Target, type TargetDescription, type TargetFactory } from '../backends/port';
import { FACET_SHAPES } from '../backends/wire/shapes';

export { PORT_VERSION };

export const MODULE_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts'] as const;

export class AdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterError';
  }
}

export interface AdapterLocation {
  spec: string;
  /** Absolute path of the module or program. */
  path: string;
  kind: 'module' | 'wire';
}

const looksLikePath = (s: string): boolean => s.startsWith('.') || isAbsolute(s) || s.includes('/') && !/^@[^/]+\/[^/]+$/.test(s) || MODULE_EXTENSIONS.some((e) => s.endsWith(e));

/** Where an adapter specifier points, and how it is run. */
export function locateAdapter(spec: string, cwd = process.cwd()): AdapterLocation {
  let path: string;
  if (looksLikePath(spec)) {
    path = resolve(cwd, spec);
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new AdapterError(`adapter ${spec}: no such file (${path})`);
    if (st.isDirectory()) {
      try {
        path = require.resolve(path);
      } catch {
        throw new AdapterError(`adapter ${spec}: a directory without a package.json "main" or index.js`);
      }
    }
  } else {
    try {
      path = require.resolve(spec, { paths: [cwd] });
    } catch {
      throw new AdapterError(`adapter ${spec}: not a target name (emulator, linux, emulated-linux, snapshot), no such file, and no installed package of that name`);
    }
  }
  if ((MODULE_EXTENSIONS as readonly string[]).includes(extname(path))) return { spec, path, kind: 'module' };
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new AdapterError(`adapter ${spec}: ${path} is neither a JavaScript/TypeScript module (${MODULE_EXTENSIONS.join(', ')}) nor an executable program (a wire adapter: chmod +x it)`);
  }
  return { spec, path, kind: 'wire' };
}

type Factoryish = TargetFactory | ((options: AdapterOptions) => TargetFactory);

/** What a factory function is given. */
export interface AdapterOptions {
  portVersion: number;
  suiteVersion: string;
}

/** Load an adapter and give its factory, checked and normalised (kind 'adapter', capabilities a Set). */
export function loadAdapter(loc: AdapterLocation, opts: { suiteVersion: string; wire?: (path: string) => TargetFactory }): TargetFactory {
  if (loc.kind === 'wire') {
    if (!opts.wire) throw new AdapterError(`adapter ${loc.spec}: wire adapters are not available here`);
    return opts.wire(loc.path);
  }
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(loc.path);
  } catch (e) {
    const m = (e as Error).message.split('\n')[0];
    throw new AdapterError(`adapter ${loc.spec}: cannot be loaded: ${m}`);
  }
  const exported = (mod?.targetFactory ?? (mod?.default as Record<string, unknown> | undefined)?.targetFactory ?? mod?.default ?? mod) as unknown;
  const version = (mod?.portVersion ?? (mod?.default as Record<string, unknown> | undefined)?.portVersion ?? (exported as { portVersion?: unknown })?.portVersion);
  if (version === undefined) throw new AdapterError(`adapter ${loc.spec}: does not say which port contract it implements: export portVersion = ${PORT_VERSION} (docs/targets.md)`);
  if (version !== PORT_VERSION) throw new AdapterError(`adapter ${loc.spec}: implements port version ${JSON.stringify(version)}, this suite offers version ${PORT_VERSION} (docs/targets.md, "Versioning")`);
  let f: unknown = exported;
  if (typeof exported === 'function' && !('create' in exported)) {
    try {
      f = (exported as (o: AdapterOptions) => TargetFactory)({ portVersion: PORT_VERSION, suiteVersion: opts.suiteVersion });
    } catch (e) {
      throw new AdapterError(`adapter ${loc.spec}: its factory function failed: ${(e as Error).message.split('\n')[0]}`);
    }
    if (f instanceof Promise) throw new AdapterError(`adapter ${loc.spec}: its factory function returned a Promise; it must return the TargetFactory itself (the port is synchronous)`);
  }
  return checkedFactory(loc.spec, f as Factoryish);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The factory's shape checked; one line naming the first thing missing. */
export function checkedFactory(spec: string, f: unknown): TargetFactory {
  const bad = (what: string) => new AdapterError(`adapter ${spec}: ${what} (see docs/targets.md, "What an adapter exports")`);
  if (!isObject(f) && typeof f !== 'function') throw bad('exports no TargetFactory: export an object with description, capabilities and create(grant), or a function returning one');
  const factory = f as unknown as Record<string, unknown>;
  if (typeof factory.create !== 'function') throw bad('the factory has no create(grant) method');
  const d = factory.description;
  if (!isObject(d)) throw bad('the factory has no description');
  if (typeof d.name !== 'string' || !d.name) throw bad('description.name is missing (a string naming the target)');
  if (!['host', 'guest', 'none', 'unknown'].includes(d.role as string)) throw bad('description.role must be host, guest, none or unknown');
  if (!isObject(d.kernel) || !('release' in d.kernel) || !('flavour' in d.kernel)) throw bad('description.kernel must be {release, flavour} (null where not known)');
  const flavour = (d.kernel as Record<string, unknown>).flavour;
  if (flavour !== null && (typeof flavour !== 'string' || !isFlavourName(flavour))) throw bad(`description.kernel.flavour ${JSON.stringify(flavour)} is not a kernel flavour of the suite (null when not known; known: ${FLAVOURS.map((x) => x.name).join(', ')})`);
  if (!('module' in d)) throw bad('description.module is missing (null where there is none or it is not known)');
  if (!isObject(d.platform) || !Array.isArray((d.platform as Record<string, unknown>).errata)) throw bad('description.platform is missing or has no errata list');
  const caps = factory.capabilities;
  const list = caps instanceof Set ? [...caps] : Array.isArray(caps) ? caps : null;
  if (!list) throw bad('the factory has no capabilities (a Set of capability names)');
  const unknown = list.filter((c) => typeof c !== 'string' || !isCapability(c));
  if (unknown.length) throw bad(`unknown capabilities: ${unknown.map(String).join(', ')}`);
  const description: TargetDescription = { ...(d as unknown as TargetDescription), kind: 'adapter' };
  const capabilities = new Set(list as Capability[]);
  const create = (factory.create as TargetFactory['create']).bind(factory);
  return { description, capabilities, create: (grant) => withEveryMethod(spec, create(grant)) };
}

/**
 * A facet method the adapter does not have (one the port gained after the adapter was written)
 * answers "unobservable", naming it, instead of failing the scenario that asks.
 */
function withEveryMethod(spec: string, t: Target): Target {
  if (!t || typeof t !== 'object') throw new AdapterError(`adapter ${spec}: create(grant) returned no target`);
  return new Proxy(t, {
    get(target, k, receiver) {
      const v = Reflect.get(target, k, receiver);
      if (typeof k !== 'string' || !(k in FACET_SHAPES) || !v || typeof v !== 'object') return typeof v === 'function' ? v.bind(target) : v;
      const methods = FACET_SHAPES[k as keyof typeof FACET_SHAPES];
      return new Proxy(v, {
        get(f, m, r) {
          const x = Reflect.get(f, m, r);
          if (x === undefined && typeof m === 'string' && m in methods) return () => unobservable(`the adapter does not implement ${k}.${m}`);
          return typeof x === 'function' ? x.bind(f) : x;
        },
      });
    },
  });
}
