// The reviewer query (searchCases, DESIGN.md §1 filters) on a large `cases` read model built by
// bench/reviewer-query-data.ts: latency of representative searches one at a time (p50/p95), the bench's HTTP query
// under 10 concurrent callers, and with --explain the EXPLAIN (ANALYZE, BUFFERS) of every statement.
//   node --import tsx bench/reviewer-query.ts --db bb_reviewer_1m [--explain] [--runs 20] [--only name]
import { parseArgs } from 'node:util'
import type { Database } from '../commands/platform/database.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { createReadModels } from '../projections/queries/read-models.js'
import { searchCases, type CaseFilter, type CaseSort, type PageRequest } from '../projections/queries/cases.js'
import type { Scope } from '../projections/queries/scope.js'
import { ADMIN_URL } from '../test/support/db.js'
import { percentile } from './lib/result.js'

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'bb_reviewer_1m' },
    explain: { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    only: { type: 'string' },
    seconds: { type: 'string', default: '10' },
  },
})
const u = new URL(ADMIN_URL)
u.pathname = `/${values.db}`
const base = createPostgresDatabase(u.toString(), { max: 12, applicationName: 'reviewer-query-bench' })
const captured: { text: string; params: readonly unknown[] }[] = []
let capture = false
const db: Database = {
  ...base,
  kind: base.kind,
  query: (text, params) => {
    if (capture && !/projection_versions/.test(text)) captured.push({ text, params: params ?? [] })
    return base.query(text, params)
  },
  exec: (s) => base.exec(s),
  transaction: (fn) => base.transaction(fn),
  listen: (c, f) => base.listen(c, f),
  close: () => base.close(),
}
const rm = await createReadModels(db, { listen: false })

const today = '2025-02-20' // the HTTP bench's "today" (bench/run.ts)
const focusRow = await base.query<{ supported_code: string; national_id: string; applicant_name: string }>(
  `SELECT supported_code, national_id, applicant_name FROM rm_cases_v1 WHERE supported_county = '63' GROUP BY 1, 2, 3 ORDER BY count(*) DESC LIMIT 1`,
)
const focus = focusRow.rows[0]!
const county: Scope = { kind: 'county', county: '63' }
const scenarios: { name: string; scope: Scope; filter: CaseFilter; page: PageRequest<CaseSort> }[] = [
  { name: 'http-bench: county 63, 2 statuses, support from today, 50/page', scope: county, filter: { status: ['under_review', 'approved'], supportFrom: today }, page: { pageSize: 50, sort: 'submittedAt' } },
  { name: 'same, page 50 (offset 2,450)', scope: county, filter: { status: ['under_review', 'approved'], supportFrom: today }, page: { pageSize: 50, page: 50, sort: 'submittedAt' } },
  { name: 'county 63, empty form (20/page)', scope: county, filter: {}, page: {} },
  { name: 'county 63, work queue: under_review oldest first', scope: county, filter: { status: 'under_review' }, page: { sort: 'submittedAt', direction: 'asc' } },
  { name: 'county 63, national ID', scope: county, filter: { nationalId: focus.national_id }, page: {} },
  { name: 'county 63, name substring', scope: county, filter: { name: focus.applicant_name.slice(1) }, page: {} },
  { name: 'county 63, supported institution + in force today', scope: county, filter: { supportedCode: focus.supported_code, inForceOn: today }, page: {} },
  { name: 'county 65, profession D + Wednesday + submitted in Feb', scope: { kind: 'county', county: '65' }, filter: { profession: ['D'], weekday: 3, submittedFrom: '2025-02-01', submittedTo: '2025-02-28' }, page: {} },
  { name: 'national, empty form, sort by case number', scope: { kind: 'national' }, filter: {}, page: { sort: 'caseNumber', direction: 'asc' } },
  { name: 'institution (busiest supported), list by updatedAt', scope: { kind: 'institution', code: focus.supported_code }, filter: {}, page: { sort: 'updatedAt' } },
  { name: 'professional, own cases', scope: { kind: 'professional', nationalId: focus.national_id }, filter: {}, page: { sort: 'updatedAt' } },
]
const runs = Number(values.runs)
const total = await base.query<{ n: string }>(`SELECT count(*)::text AS n FROM rm_cases_v1`)
console.log(`${Number(total.rows[0]!.n).toLocaleString('en-US')} cases in rm_cases_v1; ${runs} runs per query after 2 warm-ups`)
for (const s of scenarios.filter((x) => !values.only || x.name.includes(values.only))) {
  for (let i = 0; i < 2; i++) await searchCases(rm, s.scope, s.filter, s.page)
  const ms: number[] = []
  let result = { total: 0, rows: 0 }
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const r = await searchCases(rm, s.scope, s.filter, s.page)
    ms.push(performance.now() - t0)
    result = { total: r.total, rows: r.rows.length }
  }
  console.log(`${s.name}: p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms (total ${result.total.toLocaleString('en-US')}, ${result.rows} rows)`)
  if (values.explain) {
    captured.length = 0
    capture = true
    await searchCases(rm, s.scope, s.filter, s.page)
    capture = false
    for (const q of captured) {
      const plan = await base.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.params)
      console.log(`  ${q.text.replace(/\s+/g, ' ').slice(0, 400)}\n  params ${JSON.stringify(q.params)}`)
      for (const l of plan.rows) console.log(`    ${l['QUERY PLAN']}`)
    }
  }
}

// the HTTP bench's query under 10 concurrent callers (no HTTP: the read-model part of the page only)
if (!values.only) {
  const s = scenarios[0]!
  const until = Date.now() + Number(values.seconds) * 1000
  const ms: number[] = []
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now()
        await searchCases(rm, s.scope, s.filter, s.page)
        ms.push(performance.now() - t0)
      }
    }),
  )
  console.log(`10 concurrent callers, ${values.seconds} s, "${s.name}": ${(ms.length / Number(values.seconds)).toFixed(1)} queries/s, p50 ${percentile(ms, 50).toFixed(1)} ms, p95 ${percentile(ms, 95).toFixed(1)} ms`)
}
await rm.close()
await base.close()
