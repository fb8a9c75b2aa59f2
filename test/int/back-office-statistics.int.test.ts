// 統計分析: every figure on the page and in the CSV/Excel equals a count made by folding the event log directly.
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import t from 'tap'
import { COUNTIES } from '../../domain/reference/counties.js'
import { lastAppendedPosition } from '../support/projection-env.js'
import { buildTestApp, form, login, TEST_CATCH_UP_MS } from '../support/http.js'
import type { Actor } from '../../domain/types.js'
import { isReportStream, type ReportEvent } from '../../domain/events.js'

const { app, parts, services, clock } = await buildTestApp(t)
const store = services.store!
// the test clock jumps days ahead (sessions idle out): each use logs in afresh
const TPE = { actor: { role: 'reviewer' as const, id: 'TPE-R001', name: '周文華', via: 'staff-card' as const, county: '63' }, name: '周文華' }
const NTP = { actor: { role: 'reviewer' as const, id: 'NTP-R001', name: '鄭淑惠', via: 'staff-card' as const, county: '65' }, name: '鄭淑惠' }
const MOHW = { actor: { role: 'statistician' as const, id: 'MOHW-S001', name: '蔡明哲', via: 'staff-card' as const }, name: '蔡明哲' }

const pro = (id: string, home: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: home })
async function file(applicantId: string, home: string, supportedCode: string, from: string, to: string, weekdays: (1 | 2 | 3 | 4 | 5 | 6 | 7)[]) {
  const o = await parts.reports.file(
    { applicantId, terms: { supportedCode, department: '02', purpose: '01', schedule: { kind: 'weekly', from, to, weekdays, windows: [{ start: '13:00', end: '17:00' }] } } },
    { commandId: randomUUID(), actor: pro(applicantId, home) },
  )
  await parts.waitFor(o.position)
  return o.caseId
}
const decide = async (user: typeof TPE | typeof NTP, caseId: string, fields: Record<string, string | string[]>) => {
  const s = await login(app, user)
  const r = await app.inject({ method: 'POST', url: `/review/cases/${caseId}/decision`, headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ _csrf: s.csrf, commandId: randomUUID(), ...fields }) })
  if (r.statusCode !== 303) throw new Error(`decision failed ${r.statusCode}`)
}

// February filings and decisions, then March ones (the clock moves: review times differ)
const a = await file('A123456789', '0163010001', '3563020002', '2024-04-01', '2024-04-30', [1])
const b = await file('F122334458', '0165020004', '3565010003', '2024-04-02', '2024-04-30', [2])
const c = await file('A212345679', '0163010001', '3563020002', '2024-04-03', '2024-04-30', [3])
clock.advance(2 * 86_400_000)
await decide(TPE, a, { decision: 'approve' })
await decide(NTP, b, { decision: 'reject', reason: '資料不符' })
clock.advance(12 * 86_400_000) // → 2024-03-05
await decide(TPE, c, { decision: 'return', reason: '請補件', fieldsToFix: ['attachments'] })
const d = await file('Q134567894', '0163010001', '3563020002', '2024-04-04', '2024-04-30', [4])
const e = await file('A223456012', '5963030005', '5965040006', '2024-04-05', '2024-04-30', [5])
clock.advance(3 * 86_400_000)
await decide(TPE, d, { decision: 'approve' })
await decide(TPE, e, { decision: 'approve' })
if (!(await parts.runner!.waitFor(await lastAppendedPosition(services.db!), ['statistics'], TEST_CATCH_UP_MS))) throw new Error('the statistics read model did not catch up')
const tpe = await login(app, TPE)
const mohw = await login(app, MOHW)

type Counts = { filed: number; approved: number; rejected: number; returned: number; cancelled: number; reviewDays: number[] }
const KIND: Record<string, keyof Omit<Counts, 'reviewDays'>> = {
  ReportSubmitted: 'filed', ChangeRequested: 'filed', CancellationRequested: 'filed',
  ReportApproved: 'approved', ChangeApproved: 'approved', CancellationApproved: 'cancelled',
  ReportRejected: 'rejected', ChangeRejected: 'rejected', CancellationRejected: 'rejected', ReportReturned: 'returned', ChangeReturned: 'returned',
}
/** Folds the log by hand: per (dimension key, month) counts and review times, in a county scope or national. */
async function expected(dim: 'profession' | 'institution' | 'county', county?: string) {
  const out = new Map<string, Counts>()
  const streams = new Map<string, Array<{ type: string; data: unknown; at: string }>>()
  for (const ev of await store.readAll({ limit: 10_000 })) {
    if (!isReportStream(ev.stream)) continue
    const list = streams.get(ev.stream) ?? []
    list.push({ type: ev.type, data: ev.data, at: ev.meta.occurredAt })
    streams.set(ev.stream, list)
  }
  for (const evs of streams.values()) {
    const drafted = evs.find((x) => x.type === 'ReportDrafted')!.data as Extract<ReportEvent, { type: 'ReportDrafted' }>['data']
    if (county && drafted.routing.reviewCounty !== county && !drafted.routing.copiedCounties.includes(county)) continue
    const key = dim === 'profession' ? drafted.applicant.profession : dim === 'institution' ? drafted.terms.supported.code : drafted.routing.reviewCounty
    let filedAt: string | undefined
    for (const x of evs) {
      const kind = KIND[x.type]
      if (!kind) continue
      const c = out.get(key) ?? { filed: 0, approved: 0, rejected: 0, returned: 0, cancelled: 0, reviewDays: [] }
      c[kind]++
      if (kind === 'filed') filedAt = x.at
      else if (filedAt) c.reviewDays.push(Math.floor((Date.parse(x.at) - Date.parse(filedAt)) / 86_400_000)) // whole days
      out.set(key, c)
    }
  }
  return out
}
const median = (xs: number[]) => {
  if (!xs.length) return null
  const s = [...xs].sort((p, q) => p - q)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const csvRows = (body: string) => body.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','))

for (const [who, session, county] of [['national', mohw, undefined], ['臺北市', tpe, '63']] as const) {
  for (const dim of ['profession', 'institution', 'county'] as const) {
    t.test(`${dim} (${who}): page, CSV and Excel equal the fold of the log`, async (t) => {
      const want = await expected(dim, county)
      t.ok(want.size > 0)
      const csv = await app.inject({ url: `/review/statistics.csv?report=${dim}&from=1130201&to=1130331`, headers: { cookie: session.cookie } })
      t.equal(csv.statusCode, 200)
      t.match(String(csv.headers['content-type']), 'text/csv')
      const [header, ...rows] = csvRows(csv.body)
      t.same(header!.slice(2), ['申辦件數', '核准', '不核准', '退回', '註銷', '審理天數中位數（以日計）'])
      // 各縣市 lists every county in scope (all 22 for the ministry), those without cases with zeros
      const groups = dim === 'county' ? (county ? [county] : COUNTIES.map((c) => c.code)) : [...want.keys()]
      t.same(rows.map((r) => r[0]).sort(), [...groups].sort(), 'same groups')
      for (const r of rows) {
        const w: Counts = want.get(r[0]!) ?? { filed: 0, approved: 0, rejected: 0, returned: 0, cancelled: 0, reviewDays: [] }
        t.same(r.slice(2, 7).map(Number), [w.filed, w.approved, w.rejected, w.returned, w.cancelled], `counts of ${r[0]}`)
        t.equal(r[7] === '' ? null : Number(r[7]), median(w.reviewDays), `median review days of ${r[0]}`)
      }
      const page = await app.inject({ url: `/review/statistics?report=${dim}&from=1130201&to=1130331`, headers: { cookie: session.cookie } })
      t.equal(page.statusCode, 200)
      t.match(page.body, '<svg')
      for (const [key, w] of want) {
        const row = new RegExp(`<tr data-key="${key}">[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? ''
        t.match(row, `data-f="filed">${w.filed}<`)
        t.match(row, `data-f="approved">${w.approved}<`)
        t.match(row, `data-f="rejected">${w.rejected}<`)
      }
      const x = await app.inject({ url: `/review/statistics.xlsx?report=${dim}&from=1130201&to=1130331`, headers: { cookie: session.cookie } })
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
      t.equal(wb.worksheets[0]!.rowCount, groups.length + 1)
    })
  }
}

t.test('by month: February and March apart; a period filter narrows the figures', async (t) => {
  const csv = await app.inject({ url: '/review/statistics.csv?report=county&from=1130201&to=1130331&byMonth=1', headers: { cookie: mohw.cookie } })
  const rows = csvRows(csv.body).slice(1)
  // months in ROC words, the same label as the page's (no 11302, no 2024-02)
  t.same([...new Set(rows.map((r) => r[0]))].sort(), ['113年2月', '113年3月'], 'the CSV labels its months 113年2月, 113年3月')
  const feb = rows.filter((r) => r[0] === '113年2月')
  const mar = rows.filter((r) => r[0] === '113年3月')
  t.same(feb.map((r) => [r[1], Number(r[3]), Number(r[4])]).sort(), [['63', 2, 1], ['65', 1, 0]].sort(), 'Feb: filed, approved per county')
  t.same(mar.map((r) => [r[1], Number(r[3]), Number(r[4]), Number(r[6])]), [['63', 2, 2, 1]], 'Mar: filed, approved, returned')
  const page = await app.inject({ url: '/review/statistics?report=county&from=1130301&to=1130331', headers: { cookie: mohw.cookie } })
  t.match(page.body, '<tr data-key="63">')
  t.match(page.body, /<tr data-key="65">[\s\S]*?data-f="filed">0</, '新北市 listed with zero filings')
  t.match(page.body, '統計期間：<strong>113年3月1日～113年3月31日</strong>')
  t.equal((page.body.match(/<tr data-key="\d+">/g) ?? []).length, 22, 'all 22 counties')
  const monthly = await app.inject({ url: '/review/statistics?report=county&from=1130201&to=1130331&byMonth=1', headers: { cookie: mohw.cookie } })
  t.match(monthly.body, '113年2月', 'month labels in ROC')
  t.match(monthly.body, '每月申辦件數（依醫事人員類別）', 'the monthly chart split by profession')
  t.match(monthly.body, '西醫師')
  const all = await app.inject({ url: '/review/statistics?report=county', headers: { cookie: mohw.cookie } })
  t.match(all.body, '統計期間：<strong>全部期間（未指定起迄', 'the default period is stated')
  const bad = await app.inject({ url: '/review/statistics?report=county&from=1139999', headers: { cookie: mohw.cookie } })
  t.match(bad.body, /id="err-stat-from"[^>]*>起日格式不正確/)
})

t.test('by month: the Excel, the CSV and the page label a month the same way, in ROC words', async (t) => {
  const q = 'report=county&from=1130201&to=1130331&byMonth=1'
  const x = await app.inject({ url: `/review/statistics.xlsx?${q}`, headers: { cookie: mohw.cookie } })
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer)
  const ws = wb.worksheets[0]!
  t.equal(String(ws.getRow(1).getCell(1).value), '月份')
  const months = new Set<string>()
  for (let i = 2; i <= ws.rowCount; i++) months.add(String(ws.getRow(i).getCell(1).value))
  t.same([...months].sort(), ['113年2月', '113年3月'], 'Excel months in ROC words')
  const page = await app.inject({ url: `/review/statistics?${q}`, headers: { cookie: mohw.cookie } })
  const cells = [...page.body.matchAll(/<tr data-key="\d+" data-month="[^"]+"><td class="nowrap">([^<]+)<\/td>/g)].map((m) => m[1])
  t.same([...new Set(cells)].sort(), ['113年2月', '113年3月'], 'the page table says the same')
  t.notMatch(page.body, /2024-0[23]</, 'no western month shown')
})

t.test('the period accepts 1130201, 113/02/01 and 2024/02/01 alike, says what it read, and a bad date is refused at its field', async (t) => {
  const csv = async (from: string, to: string) => (await app.inject({ url: `/review/statistics.csv?report=county&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: { cookie: mohw.cookie } })).body
  const compact = await csv('1130201', '1130331')
  t.equal(await csv('113/02/01', '113/3/31'), compact, 'ROC with slashes: the same figures')
  t.equal(await csv('2024/02/01', '2024-03-31'), compact, 'Gregorian: the same figures')
  const page = await app.inject({ url: `/review/statistics?report=county&from=${encodeURIComponent('113/02/01')}&to=${encodeURIComponent('2024/03/31')}`, headers: { cookie: mohw.cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /id="understood-stat-from"[^>]*>讀作：民國113年2月1日（星期四）</, 'what the from date was read as, under it')
  t.match(page.body, /id="understood-stat-to"[^>]*>讀作：民國113年3月31日（星期日）</)
  t.match(page.body, 'value="113/02/01"', 'the value stays as typed')
  t.match(page.body, '統計期間：<strong>113年2月1日～113年3月31日</strong>')
  // placeholders in the current ROC year of the clock
  const year = new Date(clock.now.getTime() + 8 * 3_600_000).getUTCFullYear() - 1911
  t.match(page.body, `placeholder="${year}0101"`)
  for (const badFrom of ['1130230', '113/13/01', '2024/02/30x', '11302011']) {
    const bad = await app.inject({ url: `/review/statistics?report=county&from=${encodeURIComponent(badFrom)}`, headers: { cookie: mohw.cookie } })
    t.equal(bad.statusCode, 200)
    t.match(bad.body, /id="err-stat-from"[^>]*>起日格式不正確（可輸入民國 \d{7}、\d{3}\/01\/04 或西元 \d{4}\/01\/04）</, `${badFrom}: refused at its field, in zh-TW`)
    t.match(bad.body, /id="stat-from"[^>]*aria-invalid="true"/)
    t.notMatch(bad.body, 'id="stat-table"', 'no unfiltered table instead')
    t.notMatch(bad.body, '下載 CSV', 'nor a download of it')
  }
  const tooLong = await app.inject({ url: `/review/statistics?report=county&from=${'1'.repeat(20)}`, headers: { cookie: mohw.cookie } })
  t.equal(tooLong.statusCode, 200, 'a long value is answered at its field, never cut short')
  t.match(tooLong.body, 'id="err-stat-from"')
  const badCsv = await app.inject({ url: '/review/statistics.csv?report=county&from=1130230', headers: { cookie: mohw.cookie } })
  t.not(badCsv.statusCode, 200, 'no download of an unfiltered table')
})

t.test('the statistician lands on 統計分析, with no review menus', async (t) => {
  const home = await app.inject({ url: '/review', headers: { cookie: mohw.cookie } })
  t.equal(home.statusCode, 303)
  t.equal(home.headers.location, '/review/statistics')
  const page = await app.inject({ url: '/review/statistics', headers: { cookie: mohw.cookie } })
  const nav = /<nav class="side"[\s\S]*?<\/nav>/.exec(page.body)?.[0] ?? ''
  t.match(nav, '統計分析')
  for (const review of ['applicationType=register', '單筆申請', '登錄異動待查', '報備支援管理']) t.notMatch(nav, review, `no ${review}`)
  const reviewerNav = /<nav class="side"[\s\S]*?<\/nav>/.exec((await app.inject({ url: '/review/statistics', headers: { cookie: tpe.cookie } })).body)?.[0] ?? ''
  t.match(reviewerNav, '單筆申請', 'a reviewer keeps them')
})
