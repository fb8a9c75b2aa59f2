// 2. Projection rebuild: events/s for all read models from position zero, beside a raw multi-row INSERT of the same
// rows (the rows the rebuild wrote, copied back in 1000-row INSERT statements); and subscriber read-all throughput
// (streamAll through the port, with the gap-safety horizon) beside a raw keyset SELECT of the same rows.
import { START } from '../commands/event-store/port.js'
import { PROJECTIONS } from '../projections/read-models/all.js'
import { createProjectionRunner } from '../projections/runner.js'
import { physicalTable } from '../projections/projection.js'
import type { BenchDb } from './lib/env.js'
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

  // rebuild every projection from zero, one after another (each is what `baobei projections --rebuild NAME` does)
  const runner = createProjectionRunner({ db: env.db, store: env.store, projections: PROJECTIONS })
  let rebuildMs = 0
  const per: string[] = []
  for (const p of PROJECTIONS) {
    const r = await runner.rebuild(p.name)
    rebuildMs += r.ms
    per.push(`${p.name} ${Math.round((r.events * 1000) / r.ms).toLocaleString('en-US')}/s`)
  }
  const allRate = (events * 1000) / rebuildMs
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
      label: `rebuild of all ${PROJECTIONS.length} read models (${events.toLocaleString('en-US')} events each)`,
      value: allRate,
      unit: 'events/s',
      baseline: { label: `raw multi-row INSERT of the same ${rows.toLocaleString('en-US')} rows (as events/s)`, value: rawEquivalent, unit: 'events/s' },
      target: { text: '>= 10,000 events/s and >= 25% of raw', met: allRate >= 10_000 && allRate >= 0.25 * rawEquivalent },
    }),
  )
  res.notes.push(`per projection: ${per.join(', ')}`)
  res.notes.push(`rebuild wrote ${rows.toLocaleString('en-US')} read-model rows in ${(rebuildMs / 1000).toFixed(1)} s; raw INSERT of them took ${(rawMs / 1000).toFixed(1)} s`)
  if (capped) res.notes.push(`raw baseline capped at ${RAW_ROWS_CAP} rows per table (rate extrapolated)`)
  res.ms = Date.now() - t0
  return res
}
