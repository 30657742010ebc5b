/**
 * The bridge: a TargetFactory whose targets live in an adapter process and answer over the wire
 * protocol (protocol.ts). It starts the process, says hello (checking the protocol version, the
 * description and the capabilities the adapter claims), and gives each scenario a fresh target
 * (`create`), whose facets forward every call and decode every answer by its shape (shapes.ts).
 * An answer that is not what the port says (a number where a 64-bit hex string belongs, a field
 * too many, an error) blocks the scenario with the adapter's fault named: the adapter broke, the
 * target was not shown to fail. After `restore` the target is released.
 */
import type { GuestFacet } from '../guest-facet';
import type { HostFacet } from '../host-facet';
import type { KvmFacet } from '../kvm-facet';
import {
  isCapability, TargetBlockedError, unobservable,
  type Arrangement, type ArrangeResult, type Capability, type ScenarioGrant, type Target, type TargetDescription, type TargetFactory,
} from '../port';
import { FLAVOURS, isFlavourName } from '../../spec/kernel/flavours';
import { Channel, ChannelError } from './channel';
import { decode, toWire, WireShapeError } from './codec';
import { PORT_VERSION, WIRE_PROTOCOL, type Method } from './protocol';
import { DESCRIPTION_SHAPE, FACET_SHAPES, FACETS, type FacetName, type Shape } from './shapes';

/** A broken hello: the adapter cannot be used at all (one line, naming what is wrong). */
export class WireAdapterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireAdapterError';
  }
}

/** What the bridge saw, for check-adapter. */
export interface WireObserver {
  answered(facet: FacetName, method: string, outcome: { unobservable?: string; error?: string }): void;
}

export interface WireOptions {
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** The suite's version, told to the adapter. */
  suiteVersion: string;
  observer?: WireObserver;
}

const GUEST_OUTCOMES = new Set(['execute', 'access', 'guestExecute']);

class Connection {
  private next = 1;
  constructor(readonly channel: Channel, private readonly name: string) {}

  request(method: Method, params: Record<string, unknown>): unknown {
    const id = this.next++;
    const line = this.channel.exchange(JSON.stringify({ id, method, params }));
    let answer: unknown;
    try {
      answer = JSON.parse(line);
    } catch {
      throw new WireShapeError(`${method} answer`, 'one JSON object per line', line.slice(0, 80));
    }
    const a = answer as { id?: unknown; result?: unknown; error?: { message?: unknown } };
    if (typeof a !== 'object' || a === null || a.id !== id) throw new WireShapeError(`${method} answer`, `an object with "id": ${id}`, answer);
    if (a.error !== undefined) throw new ChannelError(`the adapter answered ${method} with an error: ${String(a.error?.message ?? JSON.stringify(a.error))}`);
    if (!('result' in a)) throw new WireShapeError(`${method} answer`, 'a "result" or an "error"', answer);
    return a.result;
  }

  toString(): string {
    return this.name;
  }
}

/** Start the adapter process and say hello; a factory of its targets. */
export function wireTargetFactory(opts: WireOptions): TargetFactory {
  const name = [opts.command, ...(opts.args ?? [])].join(' ');
  let channel: Channel;
  try {
    channel = new Channel(opts.command, opts.args ?? [], opts.cwd ?? process.cwd());
  } catch (e) {
    throw new WireAdapterError(`adapter ${name}: ${(e as Error).message}`);
  }
  const conn = new Connection(channel, name);
  let hello: Record<string, unknown>;
  try {
    hello = conn.request('hello', { protocol: WIRE_PROTOCOL, port: PORT_VERSION, suite: { name: 'tdx-conformance', version: opts.suiteVersion } }) as Record<string, unknown>;
  } catch (e) {
    const said = channel.close();
    throw new WireAdapterError(`adapter ${name}: no valid answer to hello: ${(e as Error).message}${said.length ? ` (stderr: ${said.slice(-2).join(' | ')})` : ''}`);
  }
  try {
    return new WireFactory(conn, parseHello(hello), opts.observer);
  } catch (e) {
    channel.close();
    throw new WireAdapterError(`adapter ${name}: ${(e as Error).message}`);
  }
}

interface Hello {
  description: TargetDescription;
  capabilities: ReadonlySet<Capability>;
  facets: FacetName[];
}

function parseHello(h: unknown): Hello {
  if (typeof h !== 'object' || h === null) throw new Error('hello: the answer must be an object with protocol, description, capabilities and facets');
  const o = h as Record<string, unknown>;
  if (o.protocol !== WIRE_PROTOCOL) throw new Error(`hello: protocol must be "${WIRE_PROTOCOL}", the adapter said ${JSON.stringify(o.protocol)}`);
  for (const k of ['description', 'capabilities', 'facets']) if (!(k in o)) throw new Error(`hello: the answer has no "${k}"`);
  let description: TargetDescription;
  try {
    description = { kind: 'adapter', ...(decode(DESCRIPTION_SHAPE, o.description, 'description') as Omit<TargetDescription, 'kind'>) };
  } catch (e) {
    throw new Error(`hello: ${(e as Error).message}`);
  }
  for (const f of [description.kernel.flavour, description.guest?.kernel.flavour]) {
    if (f != null && !isFlavourName(f)) throw new Error(`hello: description: unknown kernel flavour "${f}" (null when not known; known: ${FLAVOURS.map((x) => x.name).join(', ')})`);
  }
  if (!Array.isArray(o.capabilities) || o.capabilities.some((c) => typeof c !== 'string')) throw new Error('hello: capabilities must be an array of capability names');
  const unknown = o.capabilities.filter((c) => !isCapability(c));
  if (unknown.length) throw new Error(`hello: unknown capabilities ${unknown.join(', ')} (the names are in backends/*-facet.ts and docs/targets.md)`);
  if (!Array.isArray(o.facets) || o.facets.some((f) => !(FACETS as unknown[]).includes(f))) throw new Error(`hello: facets must be an array of ${FACETS.join(', ')}`);
  const facets = o.facets as FacetName[];
  const orphan = (o.capabilities as Capability[]).find((c) => { const f = c.split('.')[0]; return f !== 'platform' && !facets.includes(f as FacetName); });
  if (orphan) throw new Error(`hello: capability ${orphan} needs the ${orphan.split('.')[0]} facet, which the adapter does not list in facets`);
  return { description, capabilities: new Set(o.capabilities as Capability[]), facets };
}

class WireFactory implements TargetFactory {
  readonly description: TargetDescription;
  readonly capabilities: ReadonlySet<Capability>;

  constructor(private readonly conn: Connection, private readonly hello: Hello, private readonly observer?: WireObserver) {
    this.description = hello.description;
    this.capabilities = hello.capabilities;
  }

  create(grant: ScenarioGrant = { mayChangeMachine: false }): Target {
    const r = this.guard('create', () => this.conn.request('create', { grant }));
    const handle = (r as { target?: unknown })?.target;
    if (typeof handle !== 'string' && typeof handle !== 'number') throw new TargetBlockedError(`adapter ${this.conn}: create must answer {"target": <handle>}, got ${JSON.stringify(r)}`);
    return new WireTarget(this, handle);
  }

  /** Run a request; a broken adapter blocks the scenario, naming what went wrong. */
  guard<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof TargetBlockedError) throw e;
      throw new TargetBlockedError(`adapter ${this.conn}: ${what}: ${(e as Error).message}`);
    }
  }

  call(handle: string | number, facet: FacetName, method: string, args: unknown[]): unknown {
    const shape = (FACET_SHAPES[facet] as Record<string, { result: Shape }>)[method].result;
    let answer: unknown;
    try {
      answer = this.conn.request('call', { target: handle, facet, method, args: toWire(args) });
    } catch (e) {
      this.observer?.answered(facet, method, { error: (e as Error).message });
      throw new TargetBlockedError(`adapter ${this.conn}: ${facet}.${method}: ${(e as Error).message}`);
    }
    if (typeof answer === 'object' && answer !== null && 'unobservable' in answer) {
      const reason = (answer as { unobservable: unknown }).unobservable;
      const keys = Object.keys(answer);
      if (typeof reason !== 'string' || !reason || keys.length !== 1) {
        this.observer?.answered(facet, method, { error: 'an unobservable answer must be exactly {"unobservable": "<reason>"}' });
        throw new TargetBlockedError(`adapter ${this.conn}: ${facet}.${method}: an unobservable answer must be exactly {"unobservable": "<reason>"}`);
      }
      this.observer?.answered(facet, method, { unobservable: reason });
      return unobservable(reason);
    }
    try {
      const v = decode(shape, answer, `${facet}.${method}`);
      if (GUEST_OUTCOMES.has(method)) {
        const o = v as { log: string[]; events?: unknown };
        // Events come from the log lines, as every backend finds them (the kernel-log catalogue).
        o.events = (decode('kernel-log', { lines: o.log, complete: true }) as { events: unknown }).events;
      }
      this.observer?.answered(facet, method, {});
      return v;
    } catch (e) {
      this.observer?.answered(facet, method, { error: (e as Error).message });
      throw new TargetBlockedError(`adapter ${this.conn}: ${(e as Error).message}`);
    }
  }

  facetsOf(): FacetName[] {
    return this.hello.facets;
  }

  get connection(): Connection {
    return this.conn;
  }
}

function facetProxy(factory: WireFactory, handle: string | number, facet: FacetName): object {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of Object.keys(FACET_SHAPES[facet])) out[method] = (...args: unknown[]) => factory.call(handle, facet, method, args);
  return out;
}

class WireTarget implements Target {
  readonly description: TargetDescription;
  readonly capabilities: ReadonlySet<Capability>;
  readonly host?: HostFacet;
  readonly kvm?: KvmFacet;
  readonly guest?: GuestFacet;

  constructor(private readonly factory: WireFactory, private readonly handle: string | number) {
    this.description = factory.description;
    this.capabilities = factory.capabilities;
    const facets = factory.facetsOf();
    if (facets.includes('host')) this.host = facetProxy(factory, handle, 'host') as HostFacet;
    if (facets.includes('kvm')) this.kvm = facetProxy(factory, handle, 'kvm') as KvmFacet;
    if (facets.includes('guest')) this.guest = facetProxy(factory, handle, 'guest') as GuestFacet;
  }

  arrange(a: Arrangement): ArrangeResult {
    const r = this.factory.guard('arrange', () => this.factory.connection.request('arrange', { target: this.handle, arrangement: toWire(a) }));
    const o = r as { met?: unknown; reason?: unknown };
    if (o?.met === true && Object.keys(o).length === 1) return { met: true };
    if (o?.met === false && typeof o.reason === 'string' && o.reason) return { met: false, reason: o.reason };
    throw new TargetBlockedError(`adapter ${this.factory.connection}: arrange must answer {"met": true} or {"met": false, "reason": "..."}, got ${JSON.stringify(r)}`);
  }

  async restore(): Promise<{ restored: boolean; detail?: string }> {
    const r = this.factory.guard('restore', () => this.factory.connection.request('restore', { target: this.handle }));
    const o = r as { restored?: unknown; detail?: unknown };
    if (typeof o?.restored !== 'boolean') throw new TargetBlockedError(`adapter ${this.factory.connection}: restore must answer {"restored": true|false, "detail"?: "..."}, got ${JSON.stringify(r)}`);
    this.factory.guard('release', () => this.factory.connection.request('release', { target: this.handle }));
    return { restored: o.restored, ...(typeof o.detail === 'string' ? { detail: o.detail } : {}) };
  }
}
