// Batch 變更 and 註銷 (issue #16): a file of rows naming approved cases (案件編號 or 核准文號). The check is the
// confirmation's validation (a row that passes files; a row that cannot be changed or cancelled says why, per row
// and column), the preview shows old → new (變更) and which case (註銷), a re-upload files nothing twice, and a job
// whose server died mid-way is finished by another without a second command on any case.
import { reportStream } from '../../domain/events.js'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import ExcelJS from 'exceljs'
import { buildTestApp, institution, login, multipart, professional } from '../support/http.js'
import { CANCEL_COLUMNS, CHANGE_COLUMNS } from '../../http/batch/parse.js'
import { BatchJobs } from '../../http/batch/jobs.js'
import { MAX_OPEN_JOBS } from '../../http/routes/batch.js'
import type { CaseService } from '../../commands/case-service.js'
import type { Actor, Schedule } from '../../domain/types.js'

const { app, services, parts, tdb } = await buildTestApp(t)
const store = services.store!
const hospital = await login(app, institution('0163010001', '示範大學附設醫院'))
const instActor: Actor = { role: 'institution', id: '0163010001', institutionCode: '0163010001', via: 'hca-institution-card' }
const tpe: Actor = { role: 'reviewer', id: 'TPE-R001', name: '周文華', via: 'staff-card', county: '63' }
const ntp: Actor = { role: 'reviewer', id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card', county: '65' }
const weekly = (from: string, to: string, weekday: number, start = '08:00', end = '12:00'): Schedule => ({ kind: 'weekly', from, to, weekdays: [weekday as 1], windows: [{ start, end }] })

/** A case of `applicantId` at `supportedCode`, filed by its institution; approved unless asked otherwise. */
async function makeCase(applicantId: string, schedule: Schedule, opts: { approve?: boolean; supportedCode?: string; filer?: Actor } = {}) {
  const supportedCode = opts.supportedCode ?? '3563020002'
  let o = await parts.reports.file({ applicantId, terms: { supportedCode, department: '02', purpose: '01', schedule } }, { commandId: randomUUID(), actor: opts.filer ?? instActor })
  if (opts.approve !== false) o = await parts.reports.approve(o.caseId, {}, { commandId: randomUUID(), actor: supportedCode.slice(2, 4) === '65' ? ntp : tpe })
  await parts.waitFor(o.position)
  const events = await store.readStream(reportStream(o.caseId))
  const caseNumber = (events.find((e) => e.type === 'ReportSubmitted')!.data as { caseNumber: string }).caseNumber
  const approvalNumber = (events.find((e) => e.type === 'ReportApproved')?.data as { approvalNumber?: string } | undefined)?.approvalNumber ?? ''
  return { caseId: o.caseId, caseNumber, approvalNumber }
}
const countOf = async (type: string, caseId: string) => (await store.readStream(reportStream(caseId))).filter((e) => e.type === type).length

const csvOf = (columns: readonly string[], lines: string[]) => Buffer.from(`\uFEFF${columns.join(',')}\r\n${lines.join('\r\n')}\r\n`)
const upload = (kind: string, content: Buffer, as: { cookie: string; csrf: string } = hospital, base = '/institution/batch', filename = 'batch.csv') => {
  const m = multipart({ _csrf: as.csrf, kind }, [{ name: 'file', filename, type: 'text/csv', content }])
  return app.inject({ method: 'POST', url: base, headers: { cookie: as.cookie, ...m.headers }, payload: m.payload })
}
const jobOf = (body: string, base = '/institution/batch') => new RegExp(`${base.replace(/\//g, '\\/')}\\/([0-9a-f]{64})\\/confirm`).exec(body)?.[1]
const confirm = (jobId: string, as = hospital, base = '/institution/batch') => app.inject({ method: 'POST', url: `${base}/${jobId}/confirm`, headers: { cookie: as.cookie, 'x-csrf-token': as.csrf } })
async function untilDone(jobId: string, as = hospital, base = '/institution/batch') {
  for (let i = 0; i < 200; i++) {
    const r = await app.inject({ url: `${base}/${jobId}`, headers: { cookie: as.cookie, 'hx-request': 'true' } })
    if (!r.body.includes('hx-trigger="every 1s"')) return r.body
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error('batch did not finish')
}
/** A cell's error in the check page's error table. */
const cellError = (row: number, column: string) => new RegExp(`第 ${row} 列</td><td data-label="欄位">${column}</td><td[^>]*>([^<]*)<`)

// today is 2024-02-20 (1130220)
const c1 = await makeCase('A123456789', weekly('2024-03-04', '2024-03-29', 1)) // 王大明, Mondays
const c2 = await makeCase('Q134567894', weekly('2024-03-05', '2024-03-26', 2)) // 劉冠宇, Tuesdays
const c3 = await makeCase('A212345679', weekly('2024-03-06', '2024-03-27', 3), { approve: false }) // 吳佩珊, under review
const c5 = await makeCase('A123456789', weekly('2024-04-01', '2024-04-29', 1)) // 王大明, April Mondays
const c6 = await makeCase('A212345679', weekly('2024-05-02', '2024-05-30', 4)) // 吳佩珊, May Thursdays
const other = await makeCase('F122334458', weekly('2024-03-07', '2024-03-28', 4), { supportedCode: '3565010003', filer: { role: 'institution', id: '0165020004', institutionCode: '0165020004', via: 'hca-institution-card' } })

t.test('templates per kind: 變更 and 註銷 have their own columns (xlsx with the code sheet, and csv)', async (t) => {
  const csv = await app.inject({ url: '/institution/batch/template.csv?kind=cancel', headers: { cookie: hospital.cookie } })
  t.equal(csv.statusCode, 200)
  t.match(csv.body, CANCEL_COLUMNS.join(','))
  t.match(String(csv.headers['content-disposition']), 'baobei-batch-cancel-template.csv')
  const x = await app.inject({ url: '/institution/batch/template.xlsx?kind=change', headers: { cookie: hospital.cookie } })
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  t.same(wb.worksheets.map((w) => w.name), ['報備支援批次', '代碼表'])
  t.same((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1), [...CHANGE_COLUMNS])
  const page = await app.inject({ url: '/institution/batch', headers: { cookie: hospital.cookie } })
  t.match(page.body, /name="kind" value="change"/)
  t.match(page.body, 'template.xlsx?kind=cancel')
})

const changeLines = [
  `${c1.caseNumber},3563020002,02,01,1130304,1130329,1,1300,1700,,門診時段調整`, // 2: changes (by case number)
  `${c3.caseNumber},3563020002,02,01,1130306,1130327,3,1300,1700,,調整`, // 3: under review, not approved
  `11302209999999,3563020002,02,01,1130304,1130329,1,1300,1700,,調整`, // 4: no such case
  `${c1.caseNumber},3563020002,02,01,1130304,1130329,1,0900,1100,,再調整`, // 5: the same case again in this file
  `${c2.approvalNumber},3563020002,04,01,1130305,1130326,2,0800,1200,,改為家醫科`, // 6: changes (by approval number)
  `${other.caseNumber},3565010003,02,01,1130307,1130328,4,0800,1200,,調整`, // 7: another institution's staff
  `${c5.caseNumber},3563020002,02,01,1130401,1130429,1,0800,1200,,`, // 8: no reason
]
let changeJob = ''

t.test('變更: every row checked as the change command; old → new previewed; a row that cannot be changed says why', async (t) => {
  const r = await upload('change', csvOf(CHANGE_COLUMNS, changeLines))
  t.equal(r.statusCode, 200, r.body.slice(0, 400))
  t.match(r.body, '申請類別：<strong>變更</strong>')
  t.match(r.body, '共 7 筆，<strong>可申請變更 2 筆</strong>，有錯誤 5 筆')
  t.match(r.body.match(cellError(3, '案件編號或核准文號'))?.[1], '只有已核准且仍在支援期間內的案件可申請變更')
  t.match(r.body.match(cellError(4, '案件編號或核准文號'))?.[1], '查無此案件編號或核准文號')
  t.match(r.body.match(cellError(5, '案件編號或核准文號'))?.[1], '本檔第 2 列已申請同一案件')
  t.match(r.body.match(cellError(7, '案件編號或核准文號'))?.[1], '查無此案件編號或核准文號', "another institution's case is not even confirmed to exist")
  t.match(r.body.match(cellError(8, '變更理由'))?.[1], '請填寫變更理由')
  // old → new: only what changes
  t.match(r.body, new RegExp(`第 2 列</td><td data-label="案件">${c1.caseNumber}</td><td[^>]*>[^<]*</td>\\s*<td data-label="項目" class="nowrap">支援時間</td><td data-label="原核准">[^<]*0800–1200</td><td data-label="變更為"><strong>[^<]*1300–1700</strong>`))
  t.match(r.body, /第 6 列<\/td><td data-label="案件">[^<]+<\/td><td[^>]*>[^<]*<\/td>\s*<td data-label="項目" class="nowrap">支援科別<\/td><td data-label="原核准">02 [^<]*<\/td><td data-label="變更為"><strong>04 /)
  t.equal(await countOf('ChangeRequested', c1.caseId), 0, 'nothing requested before confirmation')
  changeJob = jobOf(r.body)!
  t.ok(changeJob)
})

t.test('變更 confirmed: the rows that passed the check are filed, each once (check = confirm)', async (t) => {
  t.equal((await confirm(changeJob)).statusCode, 303)
  const done = await untilDone(changeJob)
  t.match(done, '完成：新變更申請 2 筆。')
  t.notMatch(done, '未通過')
  t.equal(await countOf('ChangeRequested', c1.caseId), 1)
  t.equal(await countOf('ChangeRequested', c2.caseId), 1)
  const changed = (await store.readStream(reportStream(c1.caseId))).find((e) => e.type === 'ChangeRequested')!
  t.same((changed.data as { terms: { schedule: { windows: unknown } } }).terms.schedule.windows, [{ start: '13:00', end: '17:00' }])
  t.equal((changed.data as { reason: string }).reason, '門診時段調整')
  t.equal(changed.meta.actor.id, '0163010001')
})

t.test('a re-upload files nothing twice: the same file finds its job, the same rows in another file are recognised', async (t) => {
  const same = await upload('change', csvOf(CHANGE_COLUMNS, changeLines))
  t.match(same.body, '此檔案已送出過')
  // the two changed rows again, in a new file (another hash): recognised by their command, not refused as "pending"
  const again = await upload('change', csvOf(CHANGE_COLUMNS, [changeLines[0]!, changeLines[4]!, '']), hospital, '/institution/batch', 'again.csv')
  t.match(again.body, '<strong>可申請變更 2 筆</strong>')
  t.match(again.body, '其中 2 筆先前已申請')
  const job = jobOf(again.body)!
  t.equal((await confirm(job)).statusCode, 303)
  const done = await untilDone(job)
  t.match(done, '完成：新變更申請 0 筆，先前已送出 2 筆（未重複申請）')
  t.equal(await countOf('ChangeRequested', c1.caseId), 1, 'still one change on the case')
  t.equal(await countOf('ChangeRequested', c2.caseId), 1)
  // a new change of a case whose change is pending is refused with the reason
  const pending = await upload('change', csvOf(CHANGE_COLUMNS, [`${c1.caseNumber},3563020002,02,01,1130304,1130329,1,1400,1700,,第三次調整`]), hospital, '/institution/batch', 'third.csv')
  t.match(pending.body.match(cellError(2, '案件編號或核准文號'))?.[1], '此案件已有變更申請審核中，須待該申請結案後才能申請變更')
})

t.test('註銷: the case and its 生效日/理由 as the single form asks; a date out of the period, a pending case, bad cells say why', async (t) => {
  const lines = [
    `${c5.approvalNumber},1130415,支援結束`, // 2: cancels from 15 April (by approval number)
    `${c6.caseNumber},1130801,停診`, // 3: after the approved period
    `${c2.caseNumber},1130312,停診`, // 4: its change is under review
    `${c6.caseNumber},abc,停診`, // 5: not a date (and the same case again)
    `${c1.approvalNumber},1130311,`, // 6: no reason
  ]
  const r = await upload('cancel', csvOf(CANCEL_COLUMNS, lines))
  t.equal(r.statusCode, 200, r.body.slice(0, 400))
  t.match(r.body, '共 5 筆，<strong>可申請註銷 1 筆</strong>，有錯誤 4 筆')
  t.match(r.body, new RegExp(`第 2 列</td><td data-label="案件">${c5.approvalNumber}</td><td data-label="身分證號">[^<]+</td>\\s*<td data-label="被支援機構">3563020002 仁愛家醫診所</td><td data-label="核准的支援時間">[^<]+</td>\\s*<td data-label="註銷生效日" class="nowrap"><strong>1130415 星期一`))
  t.match(r.body.match(cellError(3, '註銷生效日'))?.[1], '註銷生效日須在支援期間內且不可早於今日')
  t.match(r.body.match(cellError(4, '案件編號或核准文號'))?.[1], '此案件已有變更申請審核中')
  t.match(r.body.match(cellError(5, '註銷生效日'))?.[1], '請輸入註銷生效日')
  t.match(r.body.match(cellError(6, '註銷理由'))?.[1], '請填寫註銷理由')
  const job = jobOf(r.body)!
  t.equal((await confirm(job)).statusCode, 303)
  t.match(await untilDone(job), '完成：新註銷申請 1 筆。')
  const cancelled = (await store.readStream(reportStream(c5.caseId))).filter((e) => e.type === 'CancellationRequested')
  t.equal(cancelled.length, 1)
  t.same(cancelled[0]!.data, { effectiveDate: '2024-04-15', reason: '支援結束' })
  t.equal(await countOf('CancellationRequested', c6.caseId), 0, 'a refused row appends nothing')
})

t.test('a professional cancels their own case in a batch; another person\'s case is not found', async (t) => {
  const wang = await login(app, professional('A123456789', '王大明'))
  const own = await makeCase('A123456789', weekly('2024-06-03', '2024-06-24', 1))
  const r = await upload('cancel', csvOf(CANCEL_COLUMNS, [`${own.caseNumber},1130610,不再支援`, `${c6.caseNumber},1130516,停診`]), wang, '/reports/batch')
  t.match(r.body, '<strong>可申請註銷 1 筆</strong>，有錯誤 1 筆')
  t.match(r.body.match(cellError(3, '案件編號或核准文號'))?.[1], '查無此案件編號或核准文號')
})

t.test('a 註銷 job whose server died after filing a row is finished by another server: each case cancelled once', async (t) => {
  const cs = [
    await makeCase('A123456789', weekly('2024-07-01', '2024-07-29', 1)),
    await makeCase('Q134567894', weekly('2024-07-02', '2024-07-30', 2)),
    await makeCase('A212345679', weekly('2024-07-03', '2024-07-31', 3)),
  ]
  const r = await upload('cancel', csvOf(CANCEL_COLUMNS, cs.map((c) => `${c.caseNumber},1130715,批次註銷`)), hospital, '/institution/batch', 'crash.csv')
  t.match(r.body, '<strong>可申請註銷 3 筆</strong>')
  const jobId = jobOf(r.body)!
  // server A files row 1, then files row 2 and dies before recording it (a killed process: no release, no heartbeat)
  let calls = 0
  const dying: CaseService = Object.create(services.reports)
  dying.requestCancellation = async (...args: Parameters<CaseService['requestCancellation']>) => {
    const o = await services.reports.requestCancellation(...args)
    if (++calls >= 2) await new Promise(() => {})
    return o
  }
  const deps = (reports: CaseService) => () => ({ reports, store, lanes: 1, ...(services.waitFor ? { waitFor: services.waitFor } : {}) })
  const a = new BatchJobs(tdb.db, deps(dying), { maxOpen: MAX_OPEN_JOBS, leaseMs: 3_600_000, flushEvery: 1 })
  t.ok(await a.confirm(jobId, '0163010001', instActor, 'crash-cancel'))
  for (let i = 0; i < 200 && calls < 2; i++) await new Promise((res) => setTimeout(res, 50))
  t.equal(calls, 2, 'A cancelled two cases and hangs')
  const b = new BatchJobs(tdb.db, deps(services.reports), { maxOpen: MAX_OPEN_JOBS, leaseMs: 60_000 })
  await tdb.db.query(`UPDATE batch_jobs SET heartbeat = heartbeat - interval '2 minutes' WHERE id = $1`, [jobId])
  t.same(await b.resume(), [jobId], 'taken over once the lease is stale')
  await b.runOf(jobId)
  for (const c of cs) t.equal(await countOf('CancellationRequested', c.caseId), 1, 'cancelled exactly once')
  const results = await tdb.db.query<{ outcome: string }>(`SELECT outcome FROM batch_job_rows WHERE job_id = $1 ORDER BY row_number`, [jobId])
  t.same(results.rows.map((x) => x.outcome), ['filed', 'filed', 'filed'], 'the row filed before the crash counts as filed by this job')
  await b.stop()
})
