// The EventStoreDB adapter of the EventStore port (@eventstore/db-client). Chosen when EVENTSTORE_URL is set.
//  - expected version: ours counts events, ESDB revisions are 0-based (eventstoredb-mapping.ts)
//  - idempotency: event ids are derived from the command id (event-ids.ts), so the server's own idempotency (same
//    event ids at the same expected revision: acknowledged, not written again) protects every retry. Nothing reads
//    the whole stream on an append: with an expected version, one point read of the revisions the events would
//    take tells a repeat (our first event id already there) from a new write; with 'any' (busy daily streams such
//    as the read audit) the append goes out without any read. Only after a wrong-expected-version error (or an
//    acknowledgement without a position, as an idempotent write may give) is the command looked for, backwards
//    from the end of the stream in pages, stopping at the first page that holds it.
//  - typed reads of $all (exporter, time travel, orphan sweep) are filtered by the server (a $all subscription
//    with an event-type filter, read up to the head position taken when the read began), not by this process.
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

  /** The stream from its start; with `until`, the read stops at the first event past that log position (time travel). */
  async function readStreamRaw(stream: string, until?: LogPosition): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = []
    try {
      for await (const r of client.readStream(stream, { direction: FORWARDS, fromRevision: ESDB_START })) {
        if (!r.event) continue
        const rec = toRecorded(r.event, r.commitPosition)
        if (until && rec && comparePositions(rec.position, until) > 0) break
        if (rec) out.push(rec)
      }
    } catch (e) {
      if (e instanceof StreamNotFoundError) return []
      throw e
    }
    return out
  }

  const LOOKUP_PAGE = 100

  /**
   * The result of an earlier append of this command to this stream, if there was one: searched backwards from the
   * end of the stream one page at a time (a repeat is normally of a recent command), never the whole stream at once.
   */
  async function priorResult(stream: string, commandId: string, count: number): Promise<AppendResult | undefined> {
    const lastId = eventIdFor(commandId, count - 1)
    const firstId = eventIdFor(commandId, 0)
    let from: bigint | typeof END = END
    let seenLast: RecordedEvent | undefined
    try {
      for (;;) {
        let n = 0
        let oldest: bigint | undefined
        for await (const r of client.readStream(stream, { direction: BACKWARDS, fromRevision: from, maxCount: LOOKUP_PAGE })) {
          n++
          if (!r.event) continue
          oldest = r.event.revision
          const rec = toRecorded(r.event, r.commitPosition)
          if (!rec) continue
          if (rec.id === lastId || (!seenLast && rec.meta?.commandId === commandId)) seenLast ??= rec
          if (rec.id === firstId) {
            const ref = seenLast ?? rec
            return { nextVersion: ref.streamVersion, lastPosition: ref.position, duplicate: true }
          }
        }
        if (n < LOOKUP_PAGE || oldest === undefined || oldest === 0n) break
        from = oldest - 1n
      }
    } catch (e) {
      if (e instanceof StreamNotFoundError) return undefined
      throw e
    }
    return seenLast ? { nextVersion: seenLast.streamVersion, lastPosition: seenLast.position, duplicate: true } : undefined
  }

  /** The events at revisions [first, first + count) of the stream (a point read; none when the stream is shorter). */
  async function readRevisions(stream: string, first: bigint, count: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = []
    try {
      for await (const r of client.readStream(stream, { direction: FORWARDS, fromRevision: first, maxCount: count })) {
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

  async function append(stream: string, events: EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    const first = events[0]
    if (!first) throw new Error('append needs at least one event')
    const commandId = first.meta.commandId
    const firstId = eventIdFor(commandId, 0)
    if (typeof expected === 'number' || expected === 'no_stream') {
      // where these events would go: already ours (a repeat), someone else's (the stream moved on), or free
      const at = await readRevisions(stream, BigInt(expected === 'no_stream' ? 0 : expected), events.length)
      if (at[0]?.id === firstId) {
        const ref = at.find((e) => e.id === eventIdFor(commandId, events.length - 1)) ?? at.at(-1)!
        return { nextVersion: ref.streamVersion, lastPosition: ref.position, duplicate: true }
      }
      if (at.length) {
        const prior = await priorResult(stream, commandId, events.length)
        if (prior) return prior
      }
    }
    const data = events.map((e, i) =>
      jsonEvent({ id: eventIdFor(commandId, i), type: e.type, data: (e.data ?? {}) as JSONType, metadata: e.meta as unknown as JSONType }),
    )
    try {
      const r = await client.appendToStream(stream, data, { expectedRevision: toEsdbExpectedRevision(expected) })
      if (!r.position) {
        // acknowledged without a position: an idempotent repeat of an earlier write; report that write
        const prior = await priorResult(stream, commandId, events.length)
        if (prior) return prior
        throw new Error('EventStoreDB append returned no position')
      }
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
    let events = await readStreamRaw(stream, opts.toPosition)
    if (opts.toPosition) events = events.filter((e) => comparePositions(e.position, opts.toPosition!) <= 0)
    if (opts.recordedBefore) events = events.filter((e) => e.recordedAt < opts.recordedBefore!)
    return events
  }

  /** Streams read side by side, a few at a time (the server has no read of several streams at once). */
  async function readStreams(streams: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const out = new Map<string, RecordedEvent[]>()
    const queue = [...new Set(streams)]
    await Promise.all(
      Array.from({ length: Math.min(8, queue.length) }, async () => {
        for (let s = queue.shift(); s !== undefined; s = queue.shift()) out.set(s, await readStreamRaw(s))
      }),
    )
    return out
  }

  /**
   * A typed page of $all, filtered by the server: a $all subscription with an event-type filter from `after`,
   * ended at `limit` events, at the server's caught-up signal, or at the head position taken when the read began
   * (an event or a filter checkpoint at or past it), whichever comes first.
   */
  async function readAllFiltered(after: LogPosition, types: readonly string[], limit: number): Promise<RecordedEvent[]> {
    const head = await headPosition()
    const out: RecordedEvent[] = []
    if (comparePositions(head, after) <= 0 || limit <= 0) return out
    // The caught-up signal and a checkpoint come after every event before them was handed to the stream's buffer:
    // once one is seen, the loop below drains the buffer and stops; when the buffer is already empty, `ended` stops
    // the wait for an event that may never come.
    let done = false
    let release: () => void = () => {}
    const ended = new Promise<void>((r) => (release = r))
    const sub = client.subscribeToAll({
      fromPosition: after.commit < 0n ? ESDB_START : { commit: after.commit, prepare: after.prepare },
      filter: eventTypeFilter({
        regex: typeFilterRegex(types),
        checkpointInterval: 1,
        checkpointReached: (_s, position) => {
          if (comparePositions(toLogPosition(position), head) >= 0) finish()
        },
      }),
    })
    const finish = () => {
      done = true
      if (sub.readableLength === 0) release()
    }
    sub.on('caughtUp', () => finish())
    const reading = (async () => {
      for await (const r of sub as AsyncIterable<AllStreamResolvedEvent>) {
        const ev = r.event
        if (!ev?.position) continue
        const pos = toLogPosition(ev.position)
        if (comparePositions(pos, after) <= 0) continue
        if (comparePositions(pos, head) > 0) break
        const rec = toRecorded(ev)
        if (rec) out.push(rec)
        if (out.length >= limit || comparePositions(pos, head) === 0 || (done && sub.readableLength === 0)) break
      }
    })()
    try {
      await Promise.race([reading, ended])
    } finally {
      await sub.unsubscribe().catch(() => {})
      await reading.catch(() => {})
    }
    return out.slice(0, limit)
  }

  async function readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = opts.limit ?? DEFAULT_PAGE
    const after = opts.after ?? START
    if (opts.types) return readAllFiltered(after, opts.types, limit)
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
        if (!rec) continue
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
    readStreams: readStreams as EventStore['readStreams'],
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
