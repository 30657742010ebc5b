/** Picking kernel-log events for assertions (host and guest logs alike). */
import { expect } from 'chai';
import type { LogEvent } from '../../backends/host-facet';
import type { MessageId } from '../../spec/kernel/printk';

export function eventsWithId(events: readonly LogEvent[], id: MessageId): LogEvent[] {
  return events.filter((e) => e.id === id);
}

/** The last event with this id; an assertion failure naming the log when there is none. */
export function lastEvent(events: readonly LogEvent[], id: MessageId, log: string): LogEvent {
  const found = eventsWithId(events, id);
  expect(found, `${log} has no "${id}" message`).to.have.length.greaterThan(0);
  return found[found.length - 1];
}
