// Batch append for bulk loads (registry feed, legacy migration): one event on each of many streams in ONE
// statement, inside the caller's transaction (so a read model can be written in the same transaction). Kept apart
// from the single-stream append path (baobei_append), which the live commands use.
//
// Each item says which stream version it expects: 0 = the stream must not exist yet. An item whose expectation
// fails appends nothing and is reported as not appended (the caller decides: "already there" for a migration, an
// error for a registry change made under its lock). Event ids derive from the command id (event-ids.ts), and the
// command result is recorded as for any append, so a repeated command is recognised.
import type { Sql } from '../platform/database.js'
import type { EventToAppend } from './port.js'
import { eventIdFor } from './event-ids.js'

export interface BatchItem {
  stream: string
  /** Version the stream must have now (0: must not exist). */
  expected: number
  event: EventToAppend
}

export interface BatchAppendResult {
  /** Streams that got their event, with the new version. */
  appended: Map<string, number>
  /** Streams whose expectation failed (nothing appended for them). */
  refused: string[]
}

export async function batchAppend(tx: Sql, items: readonly BatchItem[]): Promise<BatchAppendResult> {
  if (items.length === 0) return { appended: new Map(), refused: [] }
  const seen = new Set<string>()
  for (const i of items) {
    if (seen.has(i.stream)) throw new Error(`batchAppend: stream ${i.stream} appears twice in one batch`)
    seen.add(i.stream)
    if (!i.event.meta.commandId) throw new Error('batchAppend: every event needs meta.commandId')
  }
  const r = await tx.query<{ stream_id: string; version: number | null }>(
    // one JSON document for the whole batch: no per-element array escaping on the client
    `WITH input AS (
       SELECT t.*, t.ord AS ordinal FROM jsonb_to_recordset($1::jsonb)
         AS t(stream_id text, expected int, command_id text, event_id uuid, type text, data jsonb, meta jsonb, ord int)),
     fresh AS (
       INSERT INTO streams (stream_id, version) SELECT stream_id, 1 FROM input WHERE expected = 0 ORDER BY ordinal
       ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id, version),
     bumped AS (
       UPDATE streams s SET version = s.version + 1 FROM input i
       WHERE i.expected > 0 AND s.stream_id = i.stream_id AND s.version = i.expected RETURNING s.stream_id, s.version),
     ok AS (SELECT * FROM fresh UNION ALL SELECT * FROM bumped),
     ins AS (
       INSERT INTO events (event_id, stream_id, stream_version, type, data, meta)
       SELECT i.event_id, i.stream_id, ok.version, i.type, i.data, i.meta FROM input i JOIN ok USING (stream_id) ORDER BY i.ordinal
       RETURNING global_position, stream_id, stream_version),
     res AS (
       INSERT INTO command_results (command_id, stream_id, next_version, last_commit, last_prepare)
       SELECT i.command_id, ins.stream_id, ins.stream_version, pg_current_xact_id(), ins.global_position
       FROM ins JOIN input i USING (stream_id)
       RETURNING command_id)
     SELECT i.stream_id, ok.version FROM input i LEFT JOIN ok USING (stream_id)`,
    [JSON.stringify(items.map((i, n) => ({
      stream_id: i.stream, expected: i.expected, command_id: i.event.meta.commandId, event_id: eventIdFor(i.event.meta.commandId, 0),
      type: i.event.type, data: i.event.data ?? null, meta: i.event.meta, ord: n,
    })))],
  )
  const appended = new Map<string, number>()
  const refused: string[] = []
  for (const row of r.rows) {
    if (row.version == null) refused.push(row.stream_id)
    else appended.set(row.stream_id, Number(row.version))
  }
  return { appended, refused }
}
