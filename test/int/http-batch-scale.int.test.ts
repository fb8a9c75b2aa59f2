// 批次上傳 at scale and across a restart: N generated rows (10,000 in the long form, 500 in npm test) (deterministic CSV and the same rows as .xlsx) are
// checked, confirmed and filed with progress; the same rows uploaded again — as another file format, and after the
// server restarts on the same database (the job and its results kept in PostgreSQL) — file nothing twice.
import t from 'tap'
import ExcelJS from 'exceljs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { PROJECTION_MIGRATIONS } from '../../projections/catalog.js'
import { createFrontParts } from '../../http/wiring.js'
import { buildApp, type App } from '../../http/app.js'
import { MemorySessionStore, type SessionUser } from '../../http/session-store.js'
import { BATCH_COLUMNS } from '../../http/batch/parse.js'
import { batchMigrations } from '../../http/batch/jobs.js'
import { makePersonId } from '../../domain/national-id.js'
import { addDays, isoToRoc, weekdayOf } from '../../domain/roc-date.js'
import { freshDatabase } from '../support/db.js'
import { institution, multipart } from '../support/http.js'

// The long form (BAOBEI_LONG=1) is the 10,000-row file; in `npm test` the same paths run over 500 rows, as
// filing 10,000 cases takes several minutes on a 2-core CI machine that runs two test files at once. 500 rows prove
// the same things: every row is checked (CSV and .xlsx), the job flushes its progress every 25 rows (20 steps, so
// "progress never goes back" sees many values), the rows spread over all 4 filing lanes and over 28 days, and the
// re-uploads and the restart are judged row by row by commandId — none of that depends on the row count.
// (BAOBEI_BATCH_ROWS overrides.) A generous limit, not a speed assertion (speed: npm run bench).
const N = Number(process.env.BAOBEI_BATCH_ROWS ?? (process.env.BAOBEI_LONG ? 10_000 : 500))
t.setTimeout(60 * 60_000)
const HOSPITAL = '0163010001'

const tdb = await freshDatabase('batchscale')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...registryMigrations, ...PROJECTION_MIGRATIONS, ...batchMigrations])
await upsertInstitutions(tdb.db, DEMO_INSTITUTIONS)
// N staff members of the hospital, deterministic ids
const staff = Array.from({ length: N }, (_, i) => makePersonId('ABCDEFGH'[i % 8]!, i % 2 ? '2' : '1', 1_000_000 + i))
await upsertProfessionals(tdb.db, [
  ...DEMO_PROFESSIONALS,
  ...staff.map((nationalId, i) => ({
    nationalId, name: `測試人員${String(i).padStart(5, '0')}`, profession: 'A' as const, department: '02', licenseNumber: `醫字第${String(i).padStart(6, '0')}號`,
    licenseValidFrom: '2020-01-01', licenseValidTo: '2031-12-31', practiceStatus: 'active' as const, homeInstitutionCode: HOSPITAL,
    phone: '0900000000', nhiCardNumber: String(100000000000 + i), birthDate: '1980-01-01', sex: (i % 2 ? 'F' : 'M') as 'F' | 'M',
  })),
])

// one support session each, spread over four weeks of March 2024 (after the test clock's today, 2024-02-20)
const rows = staff.map((id, i) => {
  const d = addDays('2024-03-04', i % 28)
  const roc = isoToRoc(d)
  return [id, '3563020002', '02', '01', roc, roc, String(weekdayOf(d)), '0800', '1200', i % 100 === 0 ? `第${i}列,含逗號` : '']
})
const csvLine = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')
const csv = Buffer.from(`\uFEFF${[BATCH_COLUMNS.join(','), ...rows.map(csvLine)].join('\r\n')}\r\n`)
const wb = new ExcelJS.Workbook()
const ws = wb.addWorksheet('報備支援批次')
ws.addRow([...BATCH_COLUMNS])
for (const r of rows) ws.addRow(r)
const xlsx = Buffer.from(await wb.xlsx.writeBuffer())

// ---- the application, started (and restarted) on the same database ----
const config = loadConfig({}, { SESSION_SECRET: 'test-secret-test-secret-test-secret-0123', LOG_LEVEL: 'silent' })
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
const clock = () => new Date('2024-02-20T02:00:00.000Z')
const dataDir = await mkdtemp(join(tmpdir(), 'bb-batch-'))
t.teardown(() => rm(dataDir, { recursive: true, force: true }))

interface Running { app: App; stop(): Promise<void>; cookie: string; csrf: string }
async function start(): Promise<Running> {
  const store = createPostgresEventStore(tdb.db, { logger })
  const parts = await createFrontParts({ db: tdb.db, store, clock, dataDir, logger, runProjections: true })
  const app = await buildApp({
    config, logger, clock, db: tdb.db, store, sessions: new MemorySessionStore(() => clock().getTime()),
    readModels: parts.readModels, reports: parts.reports, blobs: parts.blobs, waitFor: parts.waitFor, accounts: parts.accounts, rules: parts.rules,
  })
  // TEST-ONLY: opens a session as a card login would (production has no such route)
  app.post('/__test/session', { config: { csrf: false } }, async (request, reply) => {
    const s = await app.sessions.start(request, reply, (request.body as { user: SessionUser }).user)
    return { csrf: s.csrf }
  })
  const r = await app.inject({ method: 'POST', url: '/__test/session', payload: { user: institution(HOSPITAL, '示範大學附設醫院') } })
  const cookie = String([r.headers['set-cookie']].flat()[0]).split(';')[0]!
  let stopped = false
  return {
    app, cookie, csrf: r.json().csrf,
    async stop() {
      if (stopped) return
      stopped = true
      await app.close()
      await parts.close()
      await store.close()
    },
  }
}

const upload = (s: Running, content: Buffer, filename: string) => {
  const m = multipart({ _csrf: s.csrf }, [{ name: 'file', filename, type: filename.endsWith('.csv') ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content }])
  return s.app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: s.cookie, ...m.headers }, payload: m.payload })
}
const jobIdOf = (body: string) => /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(body)?.[1]
const confirm = (s: Running, jobId: string) => s.app.inject({ method: 'POST', url: `/institution/batch/${jobId}/confirm`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } })
const filedCount = async (s: Running) => (await s.app.inject({ url: '/api/cases?side=home&status=under_review&pageSize=1', headers: { cookie: s.cookie } })).json().total as number
/** Polls the progress fragment until the job is done; returns every progress value seen and the final fragment. */
async function runToEnd(s: Running, jobId: string) {
  const seen: number[] = []
  for (;;) {
    const r = await s.app.inject({ url: `/institution/batch/${jobId}`, headers: { cookie: s.cookie, 'hx-request': 'true' } })
    const m = /<progress id="bar" max="(\d+)" value="(\d+)">/.exec(r.body)
    if (!m) throw new Error(`no progress bar: ${r.statusCode} ${r.body.slice(0, 300)}`)
    seen.push(Number(m[2]))
    if (!r.body.includes('hx-trigger="every 1s"')) return { seen, body: r.body, max: Number(m[1]) }
    await new Promise((res) => setTimeout(res, 500))
  }
}

let first = await start()
t.teardown(() => first.stop())

t.test(`validate: ${N} rows of CSV and of .xlsx checked row by row`, async (t) => {
  const r = await upload(first, csv, 'batch-10000.csv')
  t.equal(r.statusCode, 200, r.body.slice(0, 300))
  t.match(r.body, `共 ${N} 筆，<strong>可申請 ${N} 筆</strong>，有錯誤 0 筆`)
  t.notMatch(r.body, '先前已申請')
  const x = await upload(first, xlsx, 'batch-10000.xlsx')
  t.equal(x.statusCode, 200)
  t.match(x.body, `共 ${N} 筆，<strong>可申請 ${N} 筆</strong>，有錯誤 0 筆`, 'the same rows as Excel')
  t.not(jobIdOf(x.body), jobIdOf(r.body), 'another file, another job')
  t.equal(await filedCount(first), 0, 'nothing filed before confirmation')
})

t.test(`confirm: ${N} cases filed with progress`, async (t) => {
  const jobId = jobIdOf((await upload(first, csv, 'batch-10000.csv')).body)!
  t.equal((await confirm(first, jobId)).statusCode, 303)
  const page = await first.app.inject({ url: `/institution/batch/${jobId}`, headers: { cookie: first.cookie } })
  t.match(page.body, '批次上傳：處理進度')
  const { seen, body, max } = await runToEnd(first, jobId)
  t.equal(max, N)
  t.equal(seen.at(-1), N, 'the bar ends full')
  t.same([...seen].sort((a, b) => a - b), seen, 'progress never goes back')
  t.match(body, `完成：新申請 ${N} 筆。`)
  t.equal(await filedCount(first), N)
})

t.test('the same rows as another file (.xlsx) file nothing twice', async (t) => {
  const x = await upload(first, xlsx, 'batch-10000.xlsx')
  t.match(x.body, `其中 ${N} 筆先前已申請`)
  const jobId = jobIdOf(x.body)!
  await confirm(first, jobId)
  const { body } = await runToEnd(first, jobId)
  t.match(body, `完成：新申請 0 筆，先前已送出 ${N} 筆（未重複申請）`)
  t.equal(await filedCount(first), N)
})

t.test('after a restart on the same database: the job and its results are still there, and the rows file nothing twice', async (t) => {
  await first.stop()
  const second = await start()
  t.teardown(() => second.stop())
  t.equal(await filedCount(second), N, 'the cases are in the log and the read models')
  // the same file finds its job, kept in PostgreSQL across the restart
  const again = await upload(second, csv, 'batch-10000.csv')
  t.equal(again.statusCode, 200)
  const doneId = /href="\/institution\/batch\/([0-9a-f]{64})">查看處理結果/.exec(again.body)?.[1]
  t.ok(doneId, 'this file was sent before: a link to its results')
  const { body: kept } = await runToEnd(second, doneId!)
  t.match(kept, `完成：新申請 ${N} 筆。`, 'the results survived the restart')
  // the same rows in another file (one more empty line): a new job, its rows recognised by their commandIds
  const r = await upload(second, Buffer.concat([csv, Buffer.from('\r\n')]), 'batch-10000-resaved.csv')
  t.equal(r.statusCode, 200)
  t.match(r.body, `可申請 ${N} 筆`)
  t.match(r.body, `其中 ${N} 筆先前已申請`, 'recognised by their commandIds')
  const jobId = jobIdOf(r.body)!
  await confirm(second, jobId)
  const { body } = await runToEnd(second, jobId)
  t.match(body, `完成：新申請 0 筆，先前已送出 ${N} 筆（未重複申請）`)
  t.equal(await filedCount(second), N, 'still exactly one case per row')
  const events = await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE type = 'ReportSubmitted'`)
  t.equal(Number(events.rows[0]!.n), N, 'one submission event per row in the log')
})
