// Issue #13, batch upload bounds: an .xlsx zip bomb is refused before ExcelJS inflates it, a workbook that passes
// that guard but explodes in ExcelJS only kills its worker thread (heap limit, deadline), a CSV past the row limit
// stops at the limit, an institution has at most MAX_OPEN_JOBS jobs open at once (also under parallel uploads), and
// jobs are kept in PostgreSQL: a server stopped mid-job leaves it to the next one, which files every row exactly once.
import { reportStream } from '../../domain/events.js'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import t from 'tap'
import { BATCH_COLUMNS, MAX_BATCH_ROWS, parseBatchFile } from '../../http/batch/parse.js'
import { checkXlsxSize } from '../../http/batch/xlsx-guard.js'
import { liveXlsxWorkers, XLSX_WORKER_LIMITS } from '../../http/batch/xlsx-read.js'
import { MAX_OPEN_JOBS } from '../../http/routes/batch.js'
import { buildTestApp, followForm, institution, login, multipart } from '../support/http.js'
import { buildApp } from '../../http/app.js'
import { BatchJobs } from '../../http/batch/jobs.js'
import type { CaseService } from '../../commands/case-service.js'

const { app, services, tdb } = await buildTestApp(t)
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const upload = (content: Buffer, filename = 'batch.csv') => {
  const m = multipart({ _csrf: hospital.csrf }, [{ name: 'file', filename, type: 'application/octet-stream', content }])
  return app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: hospital.cookie, ...m.headers }, payload: m.payload })
}

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('x').addRow([...BATCH_COLUMNS])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

t.test('an .xlsx whose content inflates far past its size is refused before it is loaded', async (t) => {
  const zip = await JSZip.loadAsync(await workbook())
  zip.file('xl/media/padding.bin', Buffer.alloc(60 * 1024 * 1024))
  const bomb = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } })
  t.ok(bomb.length < 1024 * 1024, `bomb of ${bomb.length} bytes`)
  await t.rejects(checkXlsxSize(bomb), { code: 'BATCH_FILE_INVALID' })
  const r = await upload(bomb, 'bomb.xlsx')
  const page = await followForm(app, r, hospital.cookie)
  t.equal(page.status, 303, 'refused: back to the upload page')
  t.match(page.body, '解壓縮後超過上限')
  await t.resolves(checkXlsxSize(await workbook()), 'a normal workbook passes')
})

t.test('a hostile .xlsx that passes the zip guard is read in a worker: stopped at its heap limit, a zh-TW answer, the server stays up', async (t) => {
  // 10,000 rows x 10 numeric cells: 1.5 MB of sheet XML, well within the zip guard, far more than the worker's heap
  // (made small here: the production limit is sized for 20,000 template rows) once ExcelJS holds it
  const zip = await JSZip.loadAsync(await workbook())
  const sheetPath = Object.keys(zip.files).find((f) => /^xl\/worksheets\/sheet\d*\.xml$/.test(f))!
  const xml = await zip.file(sheetPath)!.async('string')
  const cols = 'ABCDEFGHIJ'
  const rows: string[] = [/<row [\s\S]*?<\/row>/.exec(xml)![0]]
  for (let r = 2; r <= 10_001; r++) rows.push(`<row r="${r}">${[...cols].map((c, i) => `<c r="${c}${r}"><v>${r * 10 + i}</v></c>`).join('')}</row>`)
  zip.file(sheetPath, xml.replace(/<sheetData>[\s\S]*<\/sheetData>|<sheetData\/>/, `<sheetData>${rows.join('')}</sheetData>`).replace(/<dimension[^>]*\/>/, ''))
  const hostile = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
  await t.resolves(checkXlsxSize(hostile), 'the zip guard lets it through (its size and ratio are ordinary)')

  const saved = { ...XLSX_WORKER_LIMITS }
  t.teardown(() => void Object.assign(XLSX_WORKER_LIMITS, saved))
  Object.assign(XLSX_WORKER_LIMITS, { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 })
  const r = await upload(hostile, 'hostile.xlsx')
  const page = await followForm(app, r, hospital.cookie)
  t.equal(page.status, 303, 'refused: back to the upload page')
  t.match(page.body, '上傳的 Excel 檔案內容過多或過於複雜，無法在限制內讀取，請分批上傳或改用 CSV')
  t.equal(liveXlsxWorkers(), 0, 'the worker is stopped')

  Object.assign(XLSX_WORKER_LIMITS, saved, { timeoutMs: 1 })
  await t.rejects(parseBatchFile(await workbook()), { code: 'BATCH_FILE_INVALID', message: /內容過多或過於複雜/ }, 'past the deadline the worker is stopped')
  t.equal(liveXlsxWorkers(), 0)

  Object.assign(XLSX_WORKER_LIMITS, saved)
  t.equal((await app.inject({ url: '/institution/batch', headers: { cookie: hospital.cookie } })).statusCode, 200, 'the server still answers')
  const template = (await app.inject({ url: '/institution/batch/template.xlsx', headers: { cookie: hospital.cookie } })).rawPayload
  t.equal((await parseBatchFile(template)).length, 1, 'and a normal workbook is read in its worker')
})

t.test('a CSV past the row limit is refused at the limit', async (t) => {
  const row = 'A123456789,3563020002,02,01,1130301,1130331,1,0800,1200,\n'
  const csv = Buffer.from(BATCH_COLUMNS.join(',') + '\n' + row.repeat(MAX_BATCH_ROWS + 1))
  await t.rejects(parseBatchFile(csv), { code: 'BATCH_FILE_INVALID', message: `一次最多上傳 ${MAX_BATCH_ROWS} 筆` })
  const ok = Buffer.from(BATCH_COLUMNS.join(',') + '\n' + row.repeat(3))
  t.equal((await parseBatchFile(ok)).length, 3)
  await t.rejects(parseBatchFile(Buffer.from([0xff, 0xfe, 0x41])), { code: 'BATCH_FILE_INVALID' }, 'not UTF-8')
})

t.test('a job stopped mid-way (server closed) is resumed by the next server on the same database; every row filed once', async (t) => {
  // 8 rows for one person (one lane, filed in file order): the first server files rows 1-2, files row 3 and stops
  // before it could record it (as a crash would), then closes; the second server resumes the job.
  const N = 8
  const lines = [BATCH_COLUMNS.join(',')]
  for (let i = 0; i < N; i++) {
    const d = new Date(Date.UTC(2024, 2, 4 + 7 * i)).toISOString().slice(0, 10)
    lines.push(`Q134567894,3563020002,04,01,${Number(d.slice(0, 4)) - 1911}${d.slice(5, 7)}${d.slice(8, 10)},${Number(d.slice(0, 4)) - 1911}${d.slice(5, 7)}${d.slice(8, 10)},1,0900,1200,`)
  }
  let calls = 0
  let thirdFiled!: () => void
  const third = new Promise<void>((res) => (thirdFiled = res))
  const gated: CaseService = Object.create(services.reports)
  gated.file = async (...args: Parameters<CaseService['file']>) => {
    const n = ++calls
    const o = await services.reports.file(...args)
    if (n === 3) {
      thirdFiled()
      await new Promise(() => {}) // never answers: this server is "killed" while row 3 is in flight
    }
    return o
  }
  const first = await buildApp({ ...services, reports: gated })
  const m = multipart({ _csrf: hospital.csrf }, [{ name: 'file', filename: 'resume.csv', type: 'text/csv', content: Buffer.from(lines.join('\n')) }])
  const up = await first.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: hospital.cookie, ...m.headers }, payload: m.payload })
  t.equal(up.statusCode, 200)
  t.match(up.body, `可申請 ${N} 筆`)
  const jobId = /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(up.body)![1]!
  const c = await first.inject({ method: 'POST', url: `/institution/batch/${jobId}/confirm`, headers: { cookie: hospital.cookie, 'x-csrf-token': hospital.csrf } })
  t.equal(c.statusCode, 303)
  await third
  await first.close()
  const job = async () => (await tdb.db.query<{ state: string; runner: string | null }>(`SELECT state, runner FROM batch_jobs WHERE id = $1`, [jobId])).rows[0]!
  const recorded = async () => Number((await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM batch_job_rows WHERE job_id = $1`, [jobId])).rows[0]!.n)
  t.same(await job(), { state: 'running', runner: null }, 'the stopped server left the job running and released it')
  t.equal(await recorded(), 2, 'rows 1-2 recorded; row 3 filed but not recorded')

  const second = await buildApp(services)
  t.teardown(() => second.close())
  await second.ready() // resumes the job
  let body = ''
  for (let i = 0; i < 600; i++) {
    body = (await second.inject({ url: `/institution/batch/${jobId}`, headers: { cookie: hospital.cookie, 'hx-request': 'true' } })).body
    if (!body.includes('hx-trigger="every 1s"')) break
    await new Promise((res) => setTimeout(res, 100))
  }
  t.equal((await job()).state, 'done')
  t.match(body, `完成：新申請 ${N} 筆。`, 'every row reported filed, row 3 recognised by its commandId')
  t.equal(await recorded(), N)
  const caseIds = (await tdb.db.query<{ case_id: string }>(`SELECT case_id FROM batch_job_rows WHERE job_id = $1`, [jobId])).rows.map((r) => r.case_id)
  t.equal(new Set(caseIds).size, N)
  const submitted = await tdb.db.query<{ stream_id: string; n: string }>(
    `SELECT stream_id, count(*) AS n FROM events WHERE type = 'ReportSubmitted' AND stream_id = ANY($1::text[]) GROUP BY stream_id`, [caseIds.map((id) => reportStream(id))])
  t.equal(submitted.rows.length, N, 'every row has its case')
  t.ok(submitted.rows.every((r) => Number(r.n) === 1), 'each submitted exactly once')
  t.same((await job()).runner, null)
  const valid = await tdb.db.query<{ valid: unknown }>(`SELECT valid FROM batch_jobs WHERE id = $1`, [jobId])
  t.same(valid.rows[0]!.valid, [], 'a done job keeps no working copy of the rows')
})

t.test('a job whose server died (no clean stop, no heartbeat) is taken over once its lease is stale; every row filed once', async (t) => {
  // Server A confirms and runs the job, files row 1, then hangs for ever on row 2, as a killed process would: it
  // neither releases the job nor beats (its lease is long and its background timer never started). Server B's lease
  // is short: it takes the job over only after A's heartbeat is older than that, and finishes it.
  const N = 4
  const lines = [BATCH_COLUMNS.join(',')]
  for (let i = 0; i < N; i++) {
    const d = new Date(Date.UTC(2024, 5, 3 + 7 * i)).toISOString().slice(0, 10)
    const roc = `${Number(d.slice(0, 4)) - 1911}${d.slice(5, 7)}${d.slice(8, 10)}`
    lines.push(`Q134567894,3563020002,04,01,${roc},${roc},1,0900,1200,`)
  }
  const up = await upload(Buffer.from(lines.join('\n')), 'crash.csv')
  t.equal(up.statusCode, 200)
  const jobId = /\/institution\/batch\/([0-9a-f]{64})\/confirm/.exec(up.body)![1]!
  let calls = 0
  const hung: CaseService = Object.create(services.reports)
  hung.file = async (...args: Parameters<CaseService['file']>) => {
    if (++calls >= 2) await new Promise(() => {}) // killed while row 2 is in flight
    return services.reports.file(...args)
  }
  const deps = (reports: CaseService) => () => ({ reports, store: services.store, ...(services.waitFor ? { waitFor: services.waitFor } : {}) })
  const a = new BatchJobs(tdb.db, deps(hung), { maxOpen: MAX_OPEN_JOBS, leaseMs: 3_600_000, flushEvery: 1 })
  t.ok(await a.confirm(jobId, '0163010001', { role: 'institution', id: '0163010001', institutionCode: '0163010001', via: 'hca-institution-card' }, 'crash-test'))
  for (let i = 0; i < 200 && calls < 2; i++) await new Promise((res) => setTimeout(res, 50))
  t.equal(calls, 2, 'A filed row 1 and hangs on row 2')
  const b = new BatchJobs(tdb.db, deps(services.reports), { maxOpen: MAX_OPEN_JOBS, leaseMs: 60_000 })
  t.same(await b.resume(), [], 'a job whose runner beat within the lease is not taken')
  await tdb.db.query(`UPDATE batch_jobs SET heartbeat = heartbeat - interval '2 minutes' WHERE id = $1`, [jobId]) // A's last beat, 2 minutes ago
  t.same(await b.resume(), [jobId], 'taken over once the lease is stale')
  await b.runOf(jobId)
  const state = await tdb.db.query<{ state: string }>(`SELECT state FROM batch_jobs WHERE id = $1`, [jobId])
  t.equal(state.rows[0]!.state, 'done')
  const rows = await tdb.db.query<{ case_id: string }>(`SELECT case_id FROM batch_job_rows WHERE job_id = $1`, [jobId])
  t.equal(rows.rows.length, N, 'every row has its result')
  const submitted = await tdb.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM events WHERE type = 'ReportSubmitted' AND stream_id = ANY($1::text[])`, [rows.rows.map((r) => reportStream(r.case_id))])
  t.equal(Number(submitted.rows[0]!.n), N, 'each row submitted exactly once')
  await b.stop()
})

t.test(`an institution has at most ${MAX_OPEN_JOBS} batch jobs open`, async (t) => {
  const file = (n: number) => Buffer.from(`${BATCH_COLUMNS.join(',')}\nA123456789,3563020002,02,01,11303${String(n).padStart(2, '0')},1130331,1,0800,1200,\n`)
  for (let i = 1; i <= MAX_OPEN_JOBS; i++) t.equal((await upload(file(i))).statusCode, 200)
  const over = await upload(file(9))
  const overPage = await followForm(app, over, hospital.cookie)
  t.equal(overPage.status, 303)
  t.match(overPage.body, '批次作業未完成')
  t.equal((await upload(file(1))).statusCode, 200, 'the same file again finds its job')
})

t.test(`${MAX_OPEN_JOBS} open jobs hold under 20 parallel uploads (atomic, not check-then-act)`, async (t) => {
  const other = await login(app, institution('3563020002', '示範醫院'))
  const file = (n: number) => Buffer.from(`${BATCH_COLUMNS.join(',')}\nA123456789,0163010001,02,01,1130${String(301 + n)},1130331,1,0800,1200,\n`)
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => {
    const m = multipart({ _csrf: other.csrf }, [{ name: 'file', filename: `p${i}.csv`, type: 'text/csv', content: file(i) }])
    return app.inject({ method: 'POST', url: '/institution/batch', headers: { cookie: other.cookie, ...m.headers }, payload: m.payload })
  }))
  t.equal(results.filter((r) => r.statusCode === 200).length, MAX_OPEN_JOBS, `exactly ${MAX_OPEN_JOBS} accepted`)
  // the others refused: 303 back to the upload page (one flash per session: the message itself is checked above)
  t.equal(results.filter((r) => r.statusCode === 303 && /^\/institution\/batch\?form=/.test(String(r.headers.location))).length, 20 - MAX_OPEN_JOBS, 'the others refused')
  const stored = await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM batch_jobs WHERE owner = '3563020002'`)
  t.equal(Number(stored.rows[0]!.n), MAX_OPEN_JOBS, 'and only those are stored')
})


t.test('expired jobs are deleted: an unconfirmed upload after its TTL, a done job after its keeping time', async (t) => {
  const before = await tdb.db.query<{ state: string }>(`SELECT state FROM batch_jobs`)
  t.ok(before.rows.some((r) => r.state === 'checked') && before.rows.some((r) => r.state === 'done'), 'checked and done jobs from the tests above')
  const now = new BatchJobs(tdb.db, () => ({ reports: services.reports, store: services.store }), { maxOpen: MAX_OPEN_JOBS })
  t.equal(await now.sweep(), 0, 'none expired yet')
  const later = new BatchJobs(tdb.db, () => ({ reports: services.reports, store: services.store }), { maxOpen: MAX_OPEN_JOBS, ttlMs: 0, keepDoneMs: 0 })
  t.equal(await later.sweep(), before.rows.length)
  t.equal((await tdb.db.query(`SELECT 1 FROM batch_job_rows`)).rows.length, 0, 'with their row results')
})
