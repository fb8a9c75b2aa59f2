// The EventStoreDB adapter of the EventStore port (@eventstore/db-client). Chosen when EVENTSTORE_URL is set.
//  - expected version: ours counts events, ESDB revisions are 0-based (eventstoredb-mapping.ts)
//  - idempotency: event ids are derived from the command id (event-ids.ts); a repeated append is recognised by
//    reading the stream for the first event's id (before appending, and after a wrong-expected-version error).
//    ESDB itself also treats a re-append of the same ids at the same revision as a no-op.
//  - LogPosition = the $all position {commit, prepare}; $all is totally ordered, so gap safety is the server's.
//  - subscribe: catch-up by paged readAll (batches), then a $all subscription with a server-side filter (no system
//    events; optionally only some types), resubscribed with backoff from the last delivered position.
import { AsyncLocalStorage } from 'node:async_hooks'
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type JSONType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client'
import { DomainError } from '../../domain/errors.js'
import type { EventMeta } from '../../domain/events.js'
import type { Logger } from '../platform/logger.js'
import { eventIdFor } from './event-ids.js'
import {
  NON_SYSTEM_REGEX,
  backoffMs,
  fromEsdbExpectedRevision,
  isSystemEvent,
  normaliseConnectionString,
  toEsdbExpectedRevision,
  toLogPosition,
  typeFilterRegex,
  versionFromRevision,
} from './eventstoredb-mapping.js'
import {
  START,
  comparePositions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type LogPosition,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from './port.js'

const DEFAULT_PAGE = 1000

export interface EventStoreDbOptions {
  logger?: Logger
  /** Use an existing client (tests); otherwise one is made from the connection string and closed by close(). */
  client?: EventStoreDBClient
}

type AnyRecorded = NonNullable<ResolvedEvent['event']>

function toRecorded(e: AnyRecorded, fallbackCommit?: bigint): RecordedEvent | undefined {
  if (isSystemEvent(e.type, e.streamId)) return undefined
  const position = e.position ?? (fallbackCommit !== undefined ? { commit: fallbackCommit, prepare: fallbackCommit } : undefined)
  if (!position) throw new Error(`EventStoreDB returned ${e.streamId}@${e.revision} without a position (server older than 22.6?)`)
  const decode = (v: unknown) => (v instanceof Uint8Array ? JSON.parse(Buffer.from(v).toString('utf8')) : v)
  return {
    id: e.id,
    stream: e.streamId,
    streamVersion: Number(e.revision) + 1,
    position: toLogPosition(position),
    type: e.type,
    data: decode(e.data),
    meta: decode(e.metadata) as EventMeta,
    recordedAt: e.created,
  }
}

export function createEventStoreDbEventStore(connectionString: string, options: EventStoreDbOptions = {}): EventStore {
  const client = options.client ?? EventStoreDBClient.connectionString(normaliseConnectionString(connectionString))
  const ownsClient = !options.client
  const logger = options.logger
  const active = new Set<Subscription>()
  const inHandler = new AsyncLocalStorage<true>()

  async function readStreamRaw(stream: string): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = []
    try {
      for await (const r of client.readStream(stream, { direction: FORWARDS, fromRevision: ESDB_START })) {
        if (!r.event) continue
        const rec = toRecorded(r.event, r.commitPosition)
        if (rec) out.push(rec)
      }
    } catch (e) {
      if (e instanceof StreamNotFoundError) return []
      throw e
    }
    return out
  }

  /** The result of an earlier append of this command to this stream, if there was one. */
  async function priorResult(stream: string, commandId: string, count: number): Promise<AppendResult | undefined> {
    const lastId = eventIdFor(commandId, count - 1)
    const firstId = eventIdFor(commandId, 0)
    const events = await readStreamRaw(stream)
    const last = events.find((e) => e.id === lastId) ?? events.filter((e) => e.meta?.commandId === commandId).at(-1)
    if (!last && !events.some((e) => e.id === firstId)) return undefined
    const ref = last ?? events.find((e) => e.id === firstId)!
    return { nextVersion: ref.streamVersion, lastPosition: ref.position, duplicate: true }
  }

  async function append(stream: string, events: EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    const first = events[0]
    if (!first) throw new Error('append needs at least one event')
    const commandId = first.meta.commandId
    const prior = await priorResult(stream, commandId, events.length)
    if (prior) return prior
    const data = events.map((e, i) =>
      jsonEvent({ id: eventIdFor(commandId, i), type: e.type, data: (e.data ?? {}) as JSONType, metadata: e.meta as unknown as JSONType }),
    )
    try {
      const r = await client.appendToStream(stream, data, { expectedRevision: toEsdbExpectedRevision(expected) })
      if (!r.position) throw new Error('EventStoreDB append returned no position')
      return { nextVersion: Number(r.nextExpectedRevision) + 1, lastPosition: toLogPosition(r.position), duplicate: false }
    } catch (e) {
      if (e instanceof WrongExpectedVersionError) {
        const raced = await priorResult(stream, commandId, events.length)
        if (raced) return raced
        throw new DomainError('CONCURRENCY_CONFLICT', {
          stream,
          expected: fromEsdbExpectedRevision(e.expectedVersion),
          actual: versionFromRevision(e.actualVersion),
        })
      }
      throw e
    }
  }

  async function readStream(stream: string, opts: { toPosition?: LogPosition; recordedBefore?: Date } = {}) {
    let events = await readStreamRaw(stream)
    if (opts.toPosition) events = events.filter((e) => comparePositions(e.position, opts.toPosition!) <= 0)
    if (opts.recordedBefore) events = events.filter((e) => e.recordedAt < opts.recordedBefore!)
    return events
  }

  async function readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = opts.limit ?? DEFAULT_PAGE
    const after = opts.after ?? START
    const types = opts.types ? new Set(opts.types) : undefined
    const out: RecordedEvent[] = []
    let from: Position | typeof ESDB_START = after.commit < 0n ? ESDB_START : { commit: after.commit, prepare: after.prepare }
    const chunk = Math.max(limit + 1, 256)
    for (;;) {
      let seen = 0
      let lastSeen: Position | undefined
      for await (const r of client.readAll({ direction: FORWARDS, fromPosition: from, maxCount: chunk })) {
        seen++
        const ev = r.event
        if (!ev?.position) continue
        lastSeen = ev.position
        if (comparePositions(ev.position, after) <= 0) continue // fromPosition is inclusive
        const rec = toRecorded(ev)
        if (!rec || (types && !types.has(rec.type))) continue
        out.push(rec)
        if (out.length >= limit) return out
      }
      if (seen < chunk || !lastSeen) return out
      from = lastSeen
    }
  }

  async function* streamAll(opts: ReadAllOptions & { pageSize?: number } = {}): AsyncIterable<RecordedEvent> {
    let after = opts.after ?? START
    let remaining = opts.limit ?? Infinity
    const pageSize = opts.pageSize ?? DEFAULT_PAGE
    while (remaining > 0) {
      const want = Math.min(pageSize, remaining)
      const page = await readAll({ after, types: opts.types, limit: want })
      for (const e of page) yield e
      const last = page.at(-1)
      if (!last || page.length < want) return
      after = last.position
      remaining -= page.length
    }
  }

  async function headPosition(): Promise<LogPosition> {
    let from: Position | typeof END = END
    for (;;) {
      let seen = 0
      let lastSeen: Position | undefined
      for await (const r of client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: 100 })) {
        seen++
        const ev = r.event
        if (!ev?.position) continue
        if (lastSeen && comparePositions(ev.position, lastSeen) === 0) continue
        lastSeen = ev.position
        if (!isSystemEvent(ev.type, ev.streamId)) return toLogPosition(ev.position)
      }
      if (seen < 100 || !lastSeen) return START
      from = lastSeen
    }
  }

  function subscribe(opts: SubscribeOptions): Subscription {
    const batchSize = opts.batchSize ?? 500
    let stopped = false
    let current: { unsubscribe(): Promise<void> } | undefined
    let reportFailure!: (e: Error) => void
    const failed = new Promise<Error>((resolve) => (reportFailure = resolve))
    let after = opts.after ?? START

    const deliver = async (batch: RecordedEvent[]) => {
      await inHandler.run(true, () => opts.handler(batch))
      after = batch.at(-1)!.position
    }

    const loop = (async () => {
      let attempt = 0
      while (!stopped) {
        try {
          // catch-up in pages
          for (;;) {
            const page = await readAll({ after, types: opts.types, limit: batchSize })
            if (stopped) return
            if (page.length === 0) break
            await deliver(page).catch((e) => Promise.reject(Object.assign(new Error(String(e?.message ?? e)), { handler: true, cause: e })))
            attempt = 0
          }
          // live
          const filter = eventTypeFilter({ regex: opts.types ? typeFilterRegex(opts.types) : NON_SYSTEM_REGEX })
          const sub = client.subscribeToAll({
            fromPosition: after.commit < 0n ? ESDB_START : { commit: after.commit, prepare: after.prepare },
            filter,
          })
          current = sub
          if (stopped) {
            await sub.unsubscribe()
            return
          }
          for await (const r of sub as AsyncIterable<AllStreamResolvedEvent>) {
            if (stopped) break
            const ev = r.event
            if (!ev?.position || comparePositions(ev.position, after) <= 0) continue
            const rec = toRecorded(ev)
            if (!rec) continue
            try {
              await deliver([rec])
            } catch (e) {
              throw Object.assign(new Error(String((e as Error)?.message ?? e)), { handler: true, cause: e })
            }
            attempt = 0
          }
          if (stopped) return
          throw new Error('EventStoreDB subscription ended')
        } catch (e) {
          if (stopped) return
          if ((e as { handler?: boolean }).handler) {
            stopped = true
            await current?.unsubscribe().catch(() => {})
            reportFailure(((e as { cause?: unknown }).cause as Error) ?? (e as Error))
            return
          }
          attempt++
          logger?.warn({ err: e, attempt }, 'EventStoreDB subscription dropped; resubscribing')
          await current?.unsubscribe().catch(() => {})
          await new Promise((r) => setTimeout(r, backoffMs(attempt)))
        }
      }
    })()

    const sub: Subscription = {
      failed,
      async stop() {
        stopped = true
        active.delete(sub)
        if (inHandler.getStore()) {
          // called from inside the handler: the loop ends when the handler returns
          void current?.unsubscribe().catch(() => {})
          return
        }
        await current?.unsubscribe().catch(() => {})
        await loop
      },
    }
    active.add(sub)
    void failed.then(() => active.delete(sub))
    return sub
  }

  return {
    kind: 'eventstoredb',
    append,
    // typed by the reader (port.ts: RecordedEvent<E>)
    readStream: readStream as EventStore['readStream'],
    readAll: readAll as EventStore['readAll'],
    streamAll: streamAll as EventStore['streamAll'],
    subscribe,
    headPosition,
    async close() {
      await Promise.all([...active].map((s) => s.stop()))
      if (ownsClient) await client.dispose()
    },
  }
}
