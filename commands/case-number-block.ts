// 案件編號 reserved in blocks, for bulk filing (batch upload): one append of `count` SerialAllocated events to the day's
// serial stream instead of one read-and-append per case — the day's stream is read once per block, not once per case
// (which grows quadratically with a day's filings). Same stream, same events and the same decider rule (next = last + 1)
// as commands/serial-allocator.ts, so numbers from both are unique together. Idempotent by the caller's commandId: the
// same block asked again returns the same numbers. A reserved number that ends up unused is a gap, never reused.
import type { SerialAllocated } from '../domain/events.js'
import { serialStream } from '../domain/events.js'
import { DomainError } from '../domain/errors.js'
import { isoToRoc, taipeiDate } from '../domain/roc-date.js'
import type { Instant } from '../domain/types.js'
import { createCommandHandler, type CommandMeta } from './command-handler.js'
import type { EventStore } from './event-store/port.js'

const MAX = 9_999_999

export async function reserveCaseNumbers(store: EventStore, count: number, meta: CommandMeta, at: Instant = meta.occurredAt): Promise<string[]> {
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error(`bad block size ${count}`)
  const roc = isoToRoc(taipeiDate(at))
  const scope = `case-${roc}`
  const handler = createCommandHandler<{ last: number }, { n: number }, SerialAllocated, void>(store, {
    initialState: () => ({ last: 0 }),
    evolve: (s, e) => ({ last: Math.max(s.last, e.data.serial) }),
    decide: (c, s) => {
      if (s.last + c.n > MAX) throw new DomainError('SERIAL_EXHAUSTED', { scope, serial: s.last + c.n, max: MAX })
      return Array.from({ length: c.n }, (_, i) => ({ type: 'SerialAllocated' as const, data: { scope, serial: s.last + 1 + i } }))
    },
  }, { maxAttempts: 50 })
  const r = await handler.handle({
    stream: serialStream(scope), command: { n: count }, ctx: undefined,
    meta: { ...meta, commandId: `serial-block:${scope}:${meta.commandId}`, causationId: meta.commandId },
  })
  return r.events.map((e) => `${roc}${String(e.data.serial).padStart(7, '0')}`)
}
