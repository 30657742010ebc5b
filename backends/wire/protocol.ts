/**
 * The wire protocol (docs/targets.md, "The wire protocol"): how a target in any language serves
 * the port from a child process. JSON lines on the process's stdio: the suite writes one request
 * per line on stdin and reads the answer, one line, on stdout; the adapter writes nothing else on
 * stdout (stderr is its own). One request at a time; every request carries an id the answer
 * repeats.
 *
 *   hello    {protocol, suite, port}                -> {protocol, description, capabilities, facets}
 *   create   {grant: {mayChangeMachine}}            -> {target}
 *   arrange  {target, arrangement}                  -> {met: true} | {met: false, reason}
 *   call     {target, facet, method, args}          -> the method's answer | {unobservable: reason}
 *   restore  {target}                               -> {restored, detail?}
 *   release  {target}                               -> {}
 *
 * An answer is `{"id": n, "result": ...}` or `{"id": n, "error": {"message": "..."}}`; an error
 * means the adapter broke (the scenario is reported blocked), never that the target does not
 * conform. When stdin ends the adapter exits.
 */
export const WIRE_PROTOCOL = 'tdx-conformance-wire/1';

export { PORT_VERSION } from '../port';

export type Method = 'hello' | 'create' | 'arrange' | 'call' | 'restore' | 'release';

export interface WireRequest {
  id: number;
  method: Method;
  params: Record<string, unknown>;
}

export type WireAnswer = { id: number; result: unknown } | { id: number; error: { message: string } };
