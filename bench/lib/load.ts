// Bulk loading of generated cases straight into the PostgreSQL event store tables (events, streams,
// command_results), one multi-row insert per batch in one transaction, the same rows the store's append writes
// (event ids from eventIdFor, one command_results row per command). Used to prepare large logs quickly.
import type { Database } from '../../commands/platform/database.js'
import { eventIdFor } from '../../commands/event-store/event-ids.js'
import { EVENTS_CHANNEL } from '../../commands/event-store/postgres-event-store.js'
import type { GeneratedCase } from '../../test/support/data-generator.js'

export interface LoadStats {
  events: number
  cases: number
  commands: number
  ms: number
}

async function insertBatch(db: Database, batch: GeneratedCase[]): Promise<void> {
  const ids: string[] = []
  const streams: string[] = []
  const versions: number[] = []
  const types: string[] = []
  const datas: string[] = []
  const metas: string[] = []
  const streamIds: string[] = []
  const streamVersions: number[] = []
  for (const c of batch) {
    let v = 0
    for (const cmd of c.commands) {
      cmd.events.forEach((e, i) => {
        ids.push(eventIdFor(cmd.meta.commandId, i))
        streams.push(c.stream)
        versions.push(++v)
        types.push(e.type)
        datas.push(JSON.stringify(e.data))
        metas.push(JSON.stringify(e.meta))
      })
    }
    streamIds.push(c.stream)
    streamVersions.push(v)
  }
  await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO streams (stream_id, version) SELECT * FROM unnest($1::text[], $2::int[])`, [streamIds, streamVersions])
    await tx.query(
      `WITH ins AS (
         INSERT INTO events (event_id, stream_id, stream_version, type, data, meta)
         SELECT e.id, e.stream, e.version, e.type, e.data, e.meta
         FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, stream, version, type, data, meta, ord)
         ORDER BY e.ord
         RETURNING global_position, transaction_id, stream_id, stream_version, meta->>'commandId' AS command_id)
       INSERT INTO command_results (command_id, stream_id, next_version, last_commit, last_prepare)
       SELECT command_id, stream_id, max(stream_version), max(transaction_id::text)::xid8, max(global_position) FROM ins GROUP BY command_id, stream_id`,
      [ids, streams, versions, types, datas, metas],
    )
    await tx.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`)
  })
}

/** Loads cases in batches of about `batchEvents` events, keeping `inFlight` batches in flight while generating. */
export async function bulkLoad(
  db: Database,
  cases: Iterable<GeneratedCase>,
  opts: { batchEvents?: number; inFlight?: number; onCase?: (c: GeneratedCase) => void; progress?: (s: LoadStats) => void } = {},
): Promise<LoadStats> {
  const size = opts.batchEvents ?? 4000
  const inFlight = opts.inFlight ?? 2
  const t0 = Date.now()
  const stats: LoadStats = { events: 0, cases: 0, commands: 0, ms: 0 }
  const pending = new Set<Promise<void>>()
  let batch: GeneratedCase[] = []
  let n = 0
  let lastReport = Date.now()
  const flush = async () => {
    const b = batch
    batch = []
    n = 0
    const p = insertBatch(db, b).finally(() => pending.delete(p))
    pending.add(p)
    if (pending.size >= inFlight) await Promise.race(pending)
  }
  for (const c of cases) {
    opts.onCase?.(c)
    batch.push(c)
    stats.cases++
    stats.commands += c.commands.length
    for (const x of c.commands) n += x.events.length
    stats.events += c.commands.reduce((s, x) => s + x.events.length, 0)
    if (n >= size) await flush()
    if (opts.progress && Date.now() - lastReport > 5000) {
      lastReport = Date.now()
      opts.progress({ ...stats, ms: Date.now() - t0 })
    }
  }
  if (batch.length) await flush()
  await Promise.all(pending)
  stats.ms = Date.now() - t0
  return stats
}
