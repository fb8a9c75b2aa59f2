// An in-memory EventStore (port.ts) for unit tests of projection logic. Not an adapter for production:
// integration tests use the PostgreSQL event store.
import { randomUUID } from 'node:crypto'
import { DomainError } from '../../domain/errors.js'
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
} from '../../commands/event-store/port.js'

export interface MemoryEventStore extends EventStore {
  /** Every event, in log order. */
  readonly events: readonly RecordedEvent[]
}

export function createMemoryEventStore(options: { clock?: () => Date } = {}): MemoryEventStore {
  const clock = options.clock ?? (() => new Date())
  const log: RecordedEvent[] = []
  const byCommand = new Map<string, AppendResult>()
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const w of [...waiters]) w()
  }
  const after = (p: LogPosition | undefined) => (p ? log.filter((e) => comparePositions(e.position, p) > 0) : [...log])
  const page = (o: ReadAllOptions = {}) => {
    let evs = after(o.after)
    if (o.types) evs = evs.filter((e) => o.types!.includes(e.type))
    return o.limit === undefined ? evs : evs.slice(0, o.limit)
  }

  return {
    kind: 'postgres',
    get events() {
      return log
    },
    async append(stream: string, events: EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
      const commandId = events[0]?.meta.commandId
      const key = commandId ? `${stream}|${commandId}` : undefined
      const seen = key ? byCommand.get(key) : undefined
      if (seen) return { ...seen, duplicate: true }
      const current = log.filter((e) => e.stream === stream).length
      const ok =
        expected === 'any' ||
        (expected === 'no_stream' && current === 0) ||
        (expected === 'stream_exists' && current > 0) ||
        expected === current
      if (!ok) throw new DomainError('CONCURRENCY_CONFLICT', { stream, expected, actual: current })
      let v = current
      const recordedAt = clock()
      for (const e of events) {
        const n = BigInt(log.length)
        log.push({ id: randomUUID(), stream, streamVersion: ++v, position: { commit: n, prepare: n }, type: e.type, data: e.data, meta: e.meta, recordedAt })
      }
      const result: AppendResult = { nextVersion: v, lastPosition: log[log.length - 1]?.position ?? START, duplicate: false }
      if (key) byCommand.set(key, result)
      wake()
      return result
    },
    // typed by the reader (port.ts: RecordedEvent<E>)
    async readStream(stream, o = {}) {
      return log.filter(
        (e) =>
          e.stream === stream &&
          (!o.toPosition || comparePositions(e.position, o.toPosition) <= 0) &&
          (!o.recordedBefore || e.recordedAt < o.recordedBefore),
      ) as never[]
    },
    async readStreams(streams) {
      const wanted = new Set(streams)
      const out = new Map(streams.map((s) => [s, [] as RecordedEvent[]]))
      for (const e of log) if (wanted.has(e.stream)) out.get(e.stream)!.push(e)
      return out as never
    },
    async readAll(o) {
      return page(o) as never[]
    },
    async *streamAll(o = {}) {
      let pos = o.after
      const size = o.pageSize ?? 500
      let left = o.limit ?? Infinity
      for (;;) {
        const evs = page({ ...o, after: pos, limit: Math.min(size, left) })
        if (evs.length === 0) return
        for (const e of evs) yield e as never
        left -= evs.length
        if (left <= 0) return
        pos = evs[evs.length - 1]!.position
      }
    },
    subscribe(o: SubscribeOptions): Subscription {
      let pos = o.after
      let stopped = false
      let resolveFailed!: (e: Error) => void
      const failed = new Promise<Error>((r) => (resolveFailed = r))
      const loop = (async () => {
        while (!stopped) {
          const evs = page({ after: pos, limit: o.batchSize ?? 500, ...(o.types ? { types: o.types } : {}) })
          if (evs.length === 0) {
            await new Promise<void>((r) => {
              const w = () => {
                waiters.delete(w)
                clearTimeout(timer)
                r()
              }
              const timer = setTimeout(w, 50)
              waiters.add(w)
            })
            continue
          }
          try {
            await o.handler(evs)
          } catch (e) {
            stopped = true
            resolveFailed(e as Error)
            return
          }
          pos = evs[evs.length - 1]!.position
        }
      })()
      return {
        failed,
        async stop() {
          stopped = true
          wake()
          await loop
        },
      }
    },
    async headPosition() {
      return log[log.length - 1]?.position ?? START
    },
    async close() {
      wake()
    },
  }
}
