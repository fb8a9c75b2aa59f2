// Serial numbers that are unique and never reused: each one is a `SerialAllocated` event on stream
// `serial-<scope>`, appended with an expected version (so two allocators can never take the same number) and keyed
// by the calling command's id (so a retried command gets the same number again, not a new one).
//
// Formats (ASCII, 14 characters):
//   case number (案件編號)      = ROC submission date yyyMMdd (Asia/Taipei) + 7-digit serial of that day
//                                 e.g. 11303010000001 = 1st case submitted on 民國113年3月1日; scope `case-<yyyMMdd>`
//   approval number (核准文號)  = county code (2 digits, counties.ts) + ROC decision date yyyMMdd + 5-digit serial
//                                 of that county and day, e.g. 63113030100001; scope `approval-<county>-<yyyMMdd>`
import type { SerialAllocated } from '../domain/events.js'
import { serialStream } from '../domain/events.js'
import { DomainError } from '../domain/errors.js'
import { isoToRoc, taipeiDate } from '../domain/roc-date.js'
import type { Instant } from '../domain/types.js'
import { createCommandHandler, type CommandMeta, type Decider } from './command-handler.js'
import type { EventStore } from './event-store/port.js'

interface SerialState {
  last: number
}
interface Allocate {
  scope: string
  max: number
}

export const serialDecider: Decider<SerialState, Allocate, SerialAllocated, void> = {
  initialState: () => ({ last: 0 }),
  evolve: (s, e) => ({ last: Math.max(s.last, e.data.serial) }),
  decide: (c, s) => {
    const serial = s.last + 1
    if (serial > c.max) throw new DomainError('SERIAL_EXHAUSTED', { scope: c.scope, serial, max: c.max })
    return [{ type: 'SerialAllocated', data: { scope: c.scope, serial } }]
  },
}

/**
 * Allocates the next serial (1, 2, ...) of `scope`. `meta` is the CALLING command's metadata: the allocation is
 * idempotent by its commandId (the same command always gets the same serial).
 */
export async function allocateSerial(store: EventStore, scope: string, meta: CommandMeta, options: { max?: number } = {}): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(scope)) throw new Error(`bad serial scope ${scope}`)
  const handler = createCommandHandler(store, serialDecider, { maxAttempts: 50 })
  const r = await handler.handle({
    stream: serialStream(scope),
    command: { scope, max: options.max ?? Number.MAX_SAFE_INTEGER },
    ctx: undefined,
    meta: { ...meta, commandId: `serial:${scope}:${meta.commandId}`, causationId: meta.commandId },
  })
  const e = r.events[0]
  if (!e) throw new Error(`serial allocation in ${scope} produced no event`)
  return e.data.serial
}

export const CASE_NUMBER_PATTERN = /^\d{14}$/
export const APPROVAL_NUMBER_PATTERN = /^\d{14}$/

/** 案件編號 for a submission at `meta.occurredAt` (or `at`): ROC date (7) + serial of that Taipei day (7). */
export async function allocateCaseNumber(store: EventStore, meta: CommandMeta, at: Instant = meta.occurredAt): Promise<string> {
  const roc = isoToRoc(taipeiDate(at))
  const serial = await allocateSerial(store, `case-${roc}`, meta, { max: 9_999_999 })
  return `${roc}${String(serial).padStart(7, '0')}`
}

/** 核准文號 for a decision by `county`'s bureau at `meta.occurredAt` (or `at`): county (2) + ROC date (7) + serial (5). */
export async function allocateApprovalNumber(store: EventStore, county: string, meta: CommandMeta, at: Instant = meta.occurredAt): Promise<string> {
  if (!/^\d{2}$/.test(county)) throw new DomainError('UNKNOWN_COUNTY', { county })
  const roc = isoToRoc(taipeiDate(at))
  const serial = await allocateSerial(store, `approval-${county}-${roc}`, meta, { max: 99_999 })
  return `${county}${roc}${String(serial).padStart(5, '0')}`
}
