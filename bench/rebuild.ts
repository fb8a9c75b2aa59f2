// 2. Projection rebuild: events/s for all read models together from position zero (one read of the log for all of
// them: runner.rebuildMany), beside a raw COPY of the same rows (the rows the rebuild wrote, COPY FROM STDIN into
// tables of the same shape: the physical limit) and beside a raw multi-row INSERT of them (1000-row INSERTs); and
// subscriber read-all throughput (streamAll through the port, with the gap-safety horizon) beside a raw keyset SELECT.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { START } from '../commands/event-store/port.js'
import { PROJECTIONS } from '../projections/read-models/all.js'
import { createProjectionRunner } from '../projections/runner.js'
import { physicalTable } from '../projections/projection.js'
import type { BenchDb } from './lib/env.js'
import { trackDatabaseCpu } from './lib/cpu.js'
import { figure, newResult, type BenchResult } from './lib/result.js'

const RAW_ROWS_CAP = 2_000_000

export async function rebuildBench(env: BenchDb, events: number): Promise<BenchResult> {
  const res = newResult('rebuild', 'projection rebuild from position zero vs raw multi-row INSERT; subscriber read-all')
  const t0 = Date.now()
  // read-all through the port
  let n = 0
  let tr = Date.now()
  for await (const _ of env.store.streamAll({ after: START, pageSize: 1000 })) n++
  const readAllRate = (n * 1000) / (Date.now() - tr)
  tr = Date.now()
  let raw = 0
  let last = 0n
  for (;;) {
    const r = await env.db.query<{ global_position: string }>(
      `SELECT global_position::text, transaction_id::text, event_id, stream_id, stream_version, type, data, meta, recorded_at FROM events WHERE global_position > $1 ORDER BY global_position LIMIT 1000`,
      [last.toString()],
    )
    if (!r.rows.length) break
    raw += r.rows.length
    last = BigInt(r.rows[r.rows.length - 1]!.global_position)
  }
  const rawReadRate = (raw * 1000) / (Date.now() - tr)
  res.figures.push(figure({ label: 'subscriber read-all (streamAll, 1000/page, gap-safe)', value: readAllRate, unit: 'events/s', baseline: { label: 'raw keyset SELECT of the same rows', value: rawReadRate, unit: 'events/s' } }))

  // rebuild every projection from zero, all together (what `baobei project --rebuild all` does)
  const cached = process.env.BENCH_CASE_STATES ? Number(process.env.BENCH_CASE_STATES) : undefined
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS, caseStatesCached: cached })
  const rssBefore = process.memoryUsage().rss
  let rssPeak = rssBefore
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50)
  // CPU seconds, which unlike the wall time do not depend on how busy the shared machine is
  const nodeBefore = process.cpuUsage()
  const pgCpu = await trackDatabaseCpu(env.db)
  const built = await runner.rebuildMany(PROJECTIONS.map((p) => p.name)).finally(() => clearInterval(sampler))
  const rebuildPgCpu = await pgCpu.stop()
  const nodeUsed = process.cpuUsage(nodeBefore)
  const rebuildNodeCpu = (nodeUsed.user + nodeUsed.system) / 1e6
  const rebuildMs = Math.max(...built.map((r) => r.ms))
  const allRate = (events * 1000) / rebuildMs
  // the same rows, COPY'd raw (one COPY FROM STDIN per table into a fresh table of the same shape and indexes)
  const client = new pg.Client({ connectionString: env.url })
  await client.connect()
  let copyMs = 0
  let copyNodeCpu = 0
  let copyPgCpu: number | null = 0
  try {
    for (const p of PROJECTIONS) {
      const v = await env.db.query<{ v: number }>(`SELECT live_version AS v FROM projection_versions WHERE name = $1`, [p.name])
      for (const base of p.tables) {
        const table = physicalTable(base, Number(v.rows[0]!.v))
        const copy = `raw_copy_${base}`
        await client.query(`DROP TABLE IF EXISTS ${copy}; CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
        const chunks: Buffer[] = []
        await pipeline(client.query(copyTo(`COPY ${table} TO STDOUT`)), async function* (source: AsyncIterable<Buffer>) {
          for await (const c of source) chunks.push(c)
        })
        const ts = Date.now()
        const pg = await trackDatabaseCpu(env.db, 20)
        const node = process.cpuUsage()
        await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${copy} FROM STDIN`)))
        copyMs += Date.now() - ts
        const used = process.cpuUsage(node)
        copyNodeCpu += (used.user + used.system) / 1e6
        const db = await pg.stop()
        copyPgCpu = copyPgCpu === null || db === null ? null : copyPgCpu + db
        await client.query(`DROP TABLE ${copy}`)
      }
    }
  } finally {
    await client.end()
  }
  const copyRate = (events * 1000) / Math.max(1, copyMs)
  // the same rows, inserted raw (1000 rows per INSERT, one transaction per statement)
  let rows = 0
  let rawMs = 0
  let capped = false
  for (const p of PROJECTIONS) {
    const v = await env.db.query<{ v: number }>(`SELECT live_version AS v FROM projection_versions WHERE name = $1`, [p.name])
    for (const base of p.tables) {
      const table = physicalTable(base, Number(v.rows[0]!.v))
      const copy = `raw_copy_${base}`
      await env.db.exec(`DROP TABLE IF EXISTS ${copy}; CREATE TABLE ${copy} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
      const all = await env.db.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM ${table} t LIMIT ${RAW_ROWS_CAP}`)
      if (all.rows.length >= RAW_ROWS_CAP) capped = true
      const ts = Date.now()
      for (let i = 0; i < all.rows.length; i += 1000) {
        const chunk = `[${all.rows.slice(i, i + 1000).map((x) => x.j).join(',')}]`
        await env.db.query(`INSERT INTO ${copy} SELECT * FROM json_populate_recordset(null::${copy}, $1::json)`, [chunk])
      }
      rawMs += Date.now() - ts
      rows += all.rows.length
      await env.db.exec(`DROP TABLE ${copy}`)
    }
  }
  const rawEquivalent = (events * 1000) / Math.max(1, rawMs)
  res.figures.push(
    figure({
      label: `rebuild of all ${PROJECTIONS.length} read models together (${events.toLocaleString('en-US')} events, one read of the log)`,
      value: allRate,
      unit: 'events/s',
      baseline: { label: `raw COPY of the same ${rows.toLocaleString('en-US')} rows (as events/s)`, value: copyRate, unit: 'events/s' },
      target: { text: '>= 10,000 events/s and >= 50% of raw COPY', met: allRate >= 10_000 && allRate >= 0.5 * copyRate },
    }),
    figure({
      label: 'rebuild of all read models together',
      value: allRate,
      unit: 'events/s',
      baseline: { label: `raw multi-row INSERT of the same rows (as events/s)`, value: rawEquivalent, unit: 'events/s' },
    }),
  )
  res.notes.push(`rebuild peak RSS of the bench process ${(rssPeak / 2 ** 20).toFixed(0)} MB (${(rssBefore / 2 ** 20).toFixed(0)} MB before)`)
  const cs = runner.caseStateStats
  res.notes.push(`case states: ${cs.asked.toLocaleString('en-US')} asked by the case projections, ${cs.read.toLocaleString('en-US')} folded again from the log (${((100 * cs.read) / Math.max(1, cs.asked)).toFixed(1)} %; ${cached ?? 'default'} cases kept)`)
  const secs = (x: number | null) => (x === null ? 'unknown' : `${x.toFixed(1)} s`)
  res.notes.push(`CPU of the rebuild: Node ${secs(rebuildNodeCpu)} (${((100 * rebuildNodeCpu * 1000) / rebuildMs).toFixed(0)} % of its wall time), PostgreSQL ${secs(rebuildPgCpu)}; of the raw COPY: Node ${secs(copyNodeCpu)}, PostgreSQL ${secs(copyPgCpu)}`)
  res.notes.push(`rebuild wrote ${rows.toLocaleString('en-US')} read-model rows in ${(rebuildMs / 1000).toFixed(1)} s; raw COPY of them took ${(copyMs / 1000).toFixed(1)} s, raw INSERT ${(rawMs / 1000).toFixed(1)} s`)
  if (capped) res.notes.push(`raw baseline capped at ${RAW_ROWS_CAP} rows per table (rate extrapolated)`)
  res.ms = Date.now() - t0
  return res
}
