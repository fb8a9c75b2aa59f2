// The event-store port (DESIGN.md §4). Adapters: postgres-event-store.ts (default, also on PGlite)
// and eventstoredb-event-store.ts. One contract suite (test/int/event-store-contract.ts) runs against each.
import type { EventMeta } from '../../domain/events.js'

/**
 * A position in the global log. Ordered lexicographically by (commit, prepare).
 * PostgreSQL adapter: commit = writing transaction id (xid8), prepare = global sequence number.
 * EventStoreDB adapter: the $all position's commit and prepare.
 */
export interface LogPosition {
  readonly commit: bigint
  readonly prepare: bigint
}

export const START: LogPosition = Object.freeze({ commit: -1n, prepare: -1n })

export const comparePositions = (a: LogPosition, b: LogPosition): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0

export const positionToString = (p: LogPosition) => `${p.commit}/${p.prepare}`
export const positionFromString = (s: string): LogPosition => {
  const [c, p] = s.split('/')
  if (c === undefined || p === undefined) throw new Error(`bad log position ${s}`)
  return { commit: BigInt(c), prepare: BigInt(p) }
}

/**
 * Expected version for append. Stream versions count events: a stream with n events has version n
 * (its events have streamVersion 1..n). 'no_stream' = must be empty; a number = must have exactly that many.
 */
export type ExpectedVersion = 'any' | 'no_stream' | 'stream_exists' | number

/** An event as written: its type and data. The catalogue's unions (ReportEvent, ExportEvent, ...) all fit. */
export interface StoredEvent {
  type: string
  data: unknown
}

export interface EventToAppend<T extends string = string, D = unknown> {
  type: T
  data: D
  meta: EventMeta
}

/**
 * An event read back, typed as the reader says the stream holds (`readStream<ReportEvent>(...)`, as Emmett's
 * `readStream<EventType>`): the store keeps whatever was appended under the stream, the reader names its catalogue.
 */
export type RecordedEvent<E extends StoredEvent = StoredEvent> = E & {
  id: string // event id (uuid)
  stream: string
  streamVersion: number // 1-based
  position: LogPosition
  meta: EventMeta
  recordedAt: Date // store time (not business time)
}

export interface AppendResult {
  /** Stream version after the append (or after the first append of this commandId). */
  nextVersion: number
  /** Position of the last appended event. */
  lastPosition: LogPosition
  /** True when this commandId had already been appended: nothing new was written. */
  duplicate: boolean
}

export interface ReadAllOptions {
  /** Exclusive lower bound. */
  after?: LogPosition
  /** Maximum events to return (default 1000: readAll is a page; use streamAll for the whole log). */
  limit?: number
  /** Only these event types (server-side filter where the store supports it). */
  types?: readonly string[]
}

export interface Subscription {
  /** Stops the subscription; resolves when the handler will not be called again. */
  stop(): Promise<void>
  /** Resolves when the subscription stops by itself with an error (never resolves when stopped on purpose). */
  readonly failed: Promise<Error>
}

export interface SubscribeOptions {
  after?: LogPosition
  types?: readonly string[]
  batchSize?: number
  /**
   * Called with batches in log order. The next batch is not delivered until the returned promise resolves;
   * if it rejects, the subscription stops and `failed` resolves (events are never skipped).
   */
  handler: (events: RecordedEvent[]) => Promise<void>
}

export interface EventStore {
  readonly kind: 'postgres' | 'eventstoredb'
  /**
   * Appends atomically. Throws DomainError('CONCURRENCY_CONFLICT') on a wrong expected version.
   * Idempotent by events[0].meta.commandId: a second append with the same commandId writes nothing and returns
   * the first result with duplicate = true.
   */
  append(stream: string, events: EventToAppend[], expected: ExpectedVersion): Promise<AppendResult>
  /** All events of a stream in order (empty array when the stream does not exist). */
  readStream<E extends StoredEvent = StoredEvent>(stream: string, options?: { toPosition?: LogPosition; recordedBefore?: Date }): Promise<RecordedEvent<E>[]>
  /**
   * All events of each stream in order, in one read where the store can (a stream that does not exist maps to an
   * empty array). For readers that need many short streams at once (the case projections' folds).
   */
  readStreams<E extends StoredEvent = StoredEvent>(streams: readonly string[]): Promise<Map<string, RecordedEvent<E>[]>>
  /**
   * A page of the global log in order, only events a reader can never be overtaken on (gap-safe). PostgreSQL: call it
   * outside a transaction that has written anything, or the caller's own open transaction holds the horizon back.
   */
  readAll<E extends StoredEvent = StoredEvent>(options?: ReadAllOptions): Promise<RecordedEvent<E>[]>
  /** Streams the global log in order from `after`, in pages, without holding it all in memory. */
  streamAll<E extends StoredEvent = StoredEvent>(options?: ReadAllOptions & { pageSize?: number }): AsyncIterable<RecordedEvent<E>>
  /** Catch-up then live: delivers every event after `after` exactly once, in order. */
  subscribe(options: SubscribeOptions): Subscription
  /** Position of the last event a reader may currently see (START when empty). */
  headPosition(): Promise<LogPosition>
  close(): Promise<void>
}
