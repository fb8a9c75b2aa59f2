// Builds a large `cases` read model for studying the reviewer query (EXPLAIN ANALYZE, bench/reviewer-query.ts):
// cases from the deterministic generator (every event produced by the real report decider), folded with the
// domain's evolve (as the projection does) and the projection's caseRow, written with the projection's DDL into rm_cases_v1 of a database
// that is kept (not dropped) so plans can be studied repeatedly. The event store and runner are bypassed for speed;
// the rows are the ones the cases projection would write.
//   node --import tsx bench/reviewer-query-data.ts --db bb_reviewer_1m --cases 1000000
import { parseArgs } from 'node:util'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { runMigrations } from '../commands/platform/migrations.js'
import { PROJECTION_MIGRATIONS, ensureProjection } from '../projections/catalog.js'
import { casesProjection, caseRow, CASE_COLUMNS } from '../projections/read-models/cases.js'
import { caseView } from '../projections/case-view.js'
import { evolve, initialState, type ReportState } from '../domain/report/state.js'
import { insertRows } from '../projections/sql-rows.js'
import { generateCases, makeInstitutions } from '../test/support/data-generator.js'
import { adminQuery, ADMIN_URL } from '../test/support/db.js'

const { values } = parseArgs({ options: { db: { type: 'string', default: 'bb_reviewer_1m' }, cases: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '20240301' } } })
const name = values.db!
if (!/^[a-z0-9_]+$/.test(name)) throw new Error('bad database name')
const total = Number(values.cases)
const seed = Number(values.seed)
await adminQuery(`DROP DATABASE IF EXISTS ${name}`)
await adminQuery(`CREATE DATABASE ${name} TEMPLATE template0`)
const u = new URL(ADMIN_URL)
u.pathname = `/${name}`
const db = createPostgresDatabase(u.toString(), { max: 3, applicationName: 'reviewer-query-data' })
await runMigrations(db, PROJECTION_MIGRATIONS)
await ensureProjection(db, casesProjection)
const institutions = makeInstitutions(seed)
const focus = institutions.find((i) => i.kind === 'regional_hospital' && i.county === '63')!
const t0 = Date.now()
let batch: Record<string, unknown>[] = []
let n = 0
const inflight = new Set<Promise<void>>()
const flush = async () => {
  const b = batch
  batch = []
  const p = insertRows(db, 'rm_cases_v1', CASE_COLUMNS, b).finally(() => inflight.delete(p))
  inflight.add(p)
  if (inflight.size >= 2) await Promise.race(inflight)
}
for (const c of generateCases({ seed, cases: total, events: total * 10, institutions, focus: { institution: focus, share: 0.04 } })) {
  let s: ReportState = initialState()
  for (const cmd of c.commands) for (const e of cmd.events) s = evolve(s, e)
  if (s.exists) batch.push(caseRow(caseView(s)))
  n++
  if (batch.length >= 5000) await flush()
  if (n % 50_000 === 0) console.log(`${n} cases, ${Math.round((n * 1000) / (Date.now() - t0))}/s`)
}
if (batch.length) await flush()
await Promise.all(inflight)
console.log(`loaded ${n} cases in ${((Date.now() - t0) / 1000).toFixed(0)} s; VACUUM ANALYZE ...`)
await db.exec('VACUUM ANALYZE rm_cases_v1')
console.log('done')
await db.close()
