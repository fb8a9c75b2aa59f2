// Where a page's time goes (issue #17), on a database the http benchmark kept (BENCH_KEEP_DB=1):
//   node --import tsx bench/profile-pages.ts --db bench_main_… [--requests 200] [--page dashboard|reviewer] [--attention]
//   node --import tsx bench/profile-pages.ts --db bench_main_… --cannon   (the http benchmark alone, on that database)
// Builds the app as bench/http.ts does, on that database, and asks for the page `--requests` times one after another
// (inject: no sockets), with the database handle wrapped to time every statement (wall time seen by Node, by the
// statement's text). Prints per request: Node CPU (a sampling profile, bucketed), each statement's mean time and
// count, and EXPLAIN (ANALYZE, BUFFERS) of the slowest statements with the parameters of their last run.
// Not part of `npm run bench`.
import { parseArgs } from 'node:util'
import { APP_MIGRATIONS } from '../bin/app-migrations.js'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { runMigrations } from '../commands/platform/migrations.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { addDays, isoToRoc } from '../domain/roc-date.js'
import { attentionCases } from '../http/attention.js'
import type { SessionUser } from '../http/session-store.js'
import { httpBench } from './http.js'
import { benchApp, benchFocus, benchUsers } from './lib/bench-app.js'
import { startCpuProfile } from './lib/profile.js'
import { timedDatabase } from './lib/timed-db.js'
import { printResult } from './lib/result.js'

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    requests: { type: 'string', default: '200' },
    page: { type: 'string', default: 'dashboard' },
    seed: { type: 'string', default: '20240301' },
    today: { type: 'string', default: addDays('2025-01-06', 45) },
    // the institution's notices alone (http/attention.ts), without the page around them
    attention: { type: 'boolean', default: false },
    // instead of the profile: the http benchmark itself (bench/http.ts, autocannon) on this database
    cannon: { type: 'boolean', default: false },
  },
})
if (!values.db) throw new Error('--db <name of a database kept by BENCH_KEEP_DB=1> is required')
const requests = Number(values.requests)
const log = (s: string) => process.stdout.write(`${s}\n`)

const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
url.pathname = `/${values.db}`
const raw = createPostgresDatabase(url.toString(), { max: 12, applicationName: 'profile-pages' })

/** Statement timings by text, with the last parameters seen (for EXPLAIN). */
const timings = new Map<string, { n: number; ms: number; params: readonly unknown[] | undefined }>()
let recording = false
const db = timedDatabase(raw, (text, params, ms) => {
  if (!recording) return
  const key = text.replace(/\s+/g, ' ').trim()
  const x = timings.get(key) ?? { n: 0, ms: 0, params }
  x.n++
  x.ms += ms
  x.params = params
  timings.set(key, x)
})

const focus = benchFocus(Number(values.seed))
if (values.cannon) {
  await runMigrations(raw, APP_MIGRATIONS)
  const env = { db: raw, store: createPostgresEventStore(raw, { pollIntervalMs: 200 }), url: url.toString(), name: values.db, pool: () => raw, drop: async () => {} }
  printResult(await httpBench(env, { seconds: 10, focus, today: values.today, connections: 10 }))
  await env.store.close()
  await raw.close()
  process.exit(0)
}
const store = createPostgresEventStore(db, { pollIntervalMs: 200 })
const served = await benchApp({ db, store, today: values.today })
const { app } = served
await app.ready()
const users = benchUsers(focus)
const user: SessionUser = values.page === 'reviewer' ? users.reviewer : users.institution
const path = values.page === 'reviewer'
  ? `/review/cases?status=under_review&status=approved&supportFrom=${isoToRoc(values.today)}&pageSize=50&sort=submittedAt`
  : '/institution'
const cookie = await served.cookieFor(user)
const get = async () => {
  if (values.attention) return JSON.stringify(await attentionCases(app, user, focus.code)).length
  const r = await app.inject({ method: 'GET', url: path, headers: { cookie } })
  if (r.statusCode !== 200) throw new Error(`${path} answered ${r.statusCode}: ${r.body.slice(0, 300)}`)
  return r.body.length
}
for (let i = 0; i < 20; i++) await get() // warm: plans, template, JIT
recording = true
const cpu = await startCpuProfile(200, 40)
const t0 = performance.now()
let bytes = 0
for (let i = 0; i < requests; i++) bytes = await get()
const wall = performance.now() - t0
const profile = await cpu.stop()
recording = false

log(`${path} as ${user.actor.role} ${user.actor.id}: ${requests} requests one after another, ${(wall / requests).toFixed(2)} ms each (${bytes} bytes)`)
log(`Node CPU per request ${(profile.totalMs / requests).toFixed(2)} ms:`)
for (const [b, ms] of Object.entries(profile.buckets).sort((a, b) => b[1] - a[1])) if (b !== 'idle') log(`  ${(ms / requests).toFixed(2).padStart(7)} ms  ${b}`)
log('top functions (self, per request):')
for (const f of profile.top) log(`  ${(f.ms / requests).toFixed(3).padStart(7)} ms  ${f.fn}  ${f.url.replace(/^.*\/work\/main\//, '')}`)
log('statements (wall seen by Node, per request):')
const sorted = [...timings.entries()].sort((a, b) => b[1].ms - a[1].ms)
for (const [text, x] of sorted) log(`  ${(x.ms / requests).toFixed(2).padStart(7)} ms  ×${(x.n / requests).toFixed(1)}  ${text.slice(0, 160)}`)
for (const [text, x] of sorted) {
  if (!/^\s*(select|with)/i.test(text) || /http_sessions|projection_versions|FROM eve/.test(text)) continue
  await raw.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, x.params) // once to warm this connection's caches
  const plan = await raw.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, x.params)
  log(`\nEXPLAIN ANALYZE ${text.slice(0, 200)}\n  params ${JSON.stringify(x.params)?.slice(0, 300)}`)
  for (const r of plan.rows) log(`  ${r['QUERY PLAN']}`)
}
await served.close()
await store.close()
await raw.close()
