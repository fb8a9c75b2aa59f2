// Every page, once over: on a database the http benchmark kept (BENCH_KEEP_DB=1), asks each GET route of the app's
// route table that takes no path parameter, as each of the bench's users (the focus institution, the institution
// home to the most applicants with its staff recorded, a reviewer of the focus county, the ministry's statistician
// and administrator), a few times one after another (inject: no sockets), and prints the median time and the
// PostgreSQL statements' share, slowest first. Finds the page nobody benchmarked (報備支援額度限制 was one).
//   node --import tsx bench/sweep-pages.ts --db bench_main_… [--times 5] [--over 30] [--only 'xlsx$'] [--suffix '?format=xlsx']
// Not part of `npm run bench`.
import { parseArgs } from 'node:util'
import { createPostgresEventStore } from '../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../commands/platform/postgres-database.js'
import { addDays } from '../domain/roc-date.js'
import type { SessionUser } from '../http/session-store.js'
import { benchApp, benchFocus, benchUsers } from './lib/bench-app.js'
import { timedDatabase } from './lib/timed-db.js'

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    times: { type: 'string', default: '5' },
    over: { type: 'string', default: '0' },
    // only the routes whose path matches this pattern
    only: { type: 'string', default: '' },
    // appended to every path asked (e.g. '?format=xlsx' for the lists' downloads)
    suffix: { type: 'string', default: '' },
    seed: { type: 'string', default: '20240301' },
    today: { type: 'string', default: addDays('2025-01-06', 45) },
  },
})
if (!values.db) throw new Error('--db <name of a database kept by BENCH_KEEP_DB=1> is required')
const times = Math.max(1, Number(values.times))
const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
url.pathname = `/${values.db}`
const raw = createPostgresDatabase(url.toString(), { max: 12, applicationName: 'sweep-pages' })

let dbMs = 0
const db = timedDatabase(raw, (_text, _params, ms) => (dbMs += ms))

const focus = benchFocus(Number(values.seed))
const home = await raw.query<{ code: string; name: string }>(
  `SELECT home_institution_code AS code, i.name FROM registry_professionals p JOIN registry_institutions i ON i.code = p.home_institution_code
    GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`,
).then((r) => r.rows[0]).catch(() => undefined)
const store = createPostgresEventStore(db, { pollIntervalMs: 200 })
const served = await benchApp({ db, store, today: values.today })
const { app } = served
await app.ready()
const users: [string, SessionUser][] = [
  ['focus institution', benchUsers(focus).institution],
  ...(home ? [[`home of ${home.code}`, benchUsers({ code: home.code, name: home.name, county: '63' }).institution] as [string, SessionUser]] : []),
  ['reviewer', benchUsers(focus).reviewer],
  ['statistician', { actor: { role: 'statistician', id: 'MOHW-S001', name: '統計', via: 'staff-card' }, name: '統計' }],
  ['admin', { actor: { role: 'admin', id: 'MOHW-A001', name: '管理', via: 'staff-card' }, name: '管理' }],
]
const routes = [...new Set(app.routeTable.filter((r) => r.method === 'GET' && !r.url.includes(':') && !r.url.includes('*')).map((r) => r.url))]
  .filter((u) => new RegExp(values.only).test(u))
  .filter((u) => !/^\/(dev|assets|static|public|healthz|status|metrics|logout)/.test(u) && !u.endsWith('.js') && !u.endsWith('.css'))
const rows: { who: string; url: string; ms: number; db: number; status: number; bytes: number }[] = []
for (const [who, user] of users) {
  const cookie = await served.cookieFor(user)
  for (const u of routes) {
    const get = () => app.inject({ method: 'GET', url: `${u}${values.suffix}`, headers: { cookie } })
    const first = await get()
    if (first.statusCode !== 200) continue
    const ms: number[] = []
    const dbs: number[] = []
    for (let i = 0; i < times; i++) {
      dbMs = 0
      const t0 = performance.now()
      await get()
      ms.push(performance.now() - t0)
      dbs.push(dbMs)
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    rows.push({ who, url: `${u}${values.suffix}`, ms: mid(ms), db: mid(dbs), status: first.statusCode, bytes: first.body.length })
  }
}
const over = Number(values.over)
process.stdout.write(`${rows.length} pages answered 200; median of ${times}, one after another (inject), statements' wall time beside\n`)
for (const r of rows.sort((a, b) => b.ms - a.ms)) {
  if (r.ms < over) continue
  process.stdout.write(`${r.ms.toFixed(1).padStart(8)} ms  (statements ${r.db.toFixed(1).padStart(7)} ms)  ${r.who.padEnd(22)} ${r.url}  ${r.bytes} bytes\n`)
}
await served.close()
await store.close()
await raw.close()
