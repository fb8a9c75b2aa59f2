// The seed's screens, column for column, in real Chromium (desktop 1366×768 and phone 390×844): the professional's
// home page (個人資料 with 執業科別 and the licence's 字號/第號, the calendar starting on 星期日 with 08:00~12:00
// times, 報備支援名單 with the seed's columns) and the institution's home page (counts, 有效報備支援名單 with the
// seed's columns, 有效 defined on screen, counts that agree with the list, 上次登入 in the header, a pager).
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { buildTestApp, institution, professional } from '../support/http.js'
import { launchBrowser, shot } from '../support/browser.js'
import type { SessionUser } from '../../http/session-store.js'
import type { Actor, Weekday } from '../../domain/types.js'

// filed ten days ago (a filing may not start in the past), looked at today
const { app, parts, clock } = await buildTestApp(t, {}, { now: new Date(Date.now() - 10 * 86400_000).toISOString() })
const base = await app.listen({ host: '127.0.0.1', port: 0 })
const browser = await launchBrowser()
t.teardown(() => browser.close())

const staff: Actor = { role: 'reviewer', id: 'TPE-R001', via: 'staff-card', county: '63' }
const pro = (id: string): Actor => ({ role: 'professional', id, via: 'hca-professional-card', institutionCode: '0163010001' })
const taipeiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10)
const today = taipeiToday()
const weekdays: Weekday[] = [1, 2, 3, 4, 5, 6, 7]
const file = async (id: string, from: string, to: string, days: Weekday[], start: string, end: string, approve: boolean) => {
  const o = await parts.reports.file({ applicantId: id, terms: { supportedCode: '3563020002', department: '02', purpose: '01', schedule: { kind: 'weekly', from, to, weekdays: days, windows: [{ start, end }] } } }, { commandId: randomUUID(), actor: pro(id) })
  if (approve) await parts.reports.approve(o.caseId, {}, { commandId: randomUUID(), actor: staff })
  return o
}
// in force today (two people), one approved in the future (not 有效 today), one under review
await file('A123456789', today, plusDays(today, 20), weekdays, '08:00', '12:00', true)
await file('A212345679', today, plusDays(today, 20), weekdays, '13:00', '17:00', true)
await file('A123456789', plusDays(today, 40), plusDays(today, 60), [2], '18:00', '21:00', true)
const last = await file('Q134567894', plusDays(today, 40), plusDays(today, 60), [3], '08:00', '12:00', false)
await parts.waitFor(last.position)
clock.now = new Date()

const SIZES = [{ name: 'desktop', width: 1366, height: 768 }, { name: 'phone', width: 390, height: 844 }] as const
async function pageAs(user: SessionUser, size: { width: number; height: number }) {
  const context = await browser.newContext({ locale: 'zh-TW', viewport: { width: size.width, height: size.height } })
  const r = await context.request.post(`${base}/__test/session`, { data: { user } })
  if (!r.ok()) throw new Error(`test login failed ${r.status()}`)
  return context.newPage()
}

t.test('professional home: profile, Sunday-first calendar, 報備支援名單 with the seed columns', async (t) => {
  for (const size of SIZES) {
    const page = await pageAs(professional(), size)
    await page.goto(`${base}/home`)
    const facts = await page.textContent('dl.facts')
    t.match(facts, /執業科別\s*內科/, '執業科別 from the registry')
    t.match(facts, /執業執照（字號）\s*醫字/, '字號')
    t.match(facts, /執業執照（第號）\s*第012345號/, '第號')
    t.same(await page.locator('table.calendar thead th').allTextContents(), ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'])
    t.ok(await page.locator('table.calendar .occ', { hasText: '08:00~12:00' }).count() >= 1, 'times as 08:00~12:00')
    const heads = await page.locator('#home-list thead th').allTextContents()
    t.same(heads, ['管理', '被支援機構代碼', '支援科別', '開始時間', '結束時間', '送審日期', '申請進度'], 'the seed\'s columns, in order')
    const rows = page.locator('#home-list tbody tr')
    t.equal(await rows.count(), 2, 'both of 王大明\'s cases')
    const first = await rows.filter({ hasText: '0800' }).locator('td').allTextContents()
    t.match(first[1], '3563020002')
    t.match(first[2], '內科')
    t.match(first[3], /^\s*\d{7} 0800 星期[日一二三四五六]\s*$/, '開始時間: date, time and weekday')
    t.match(first[4], /^\s*\d{7} 1200 星期[日一二三四五六]\s*$/, '結束時間: date, time and weekday')
    t.match(first[5], /^\s*\d{7}\s*$/, '送審日期 in ROC')
    t.match(first[6], '已核准')
    t.match(first[0], '瀏覽')
    t.match(await page.textContent('.pager'), '共 2 件，第 1／1 頁')
    await page.screenshot({ path: shot(`seed-professional-home-${size.name}`), fullPage: true })
    await page.context().close()
  }
})

t.test('institution home: 有效報備支援名單 with the seed columns, 有效 defined, counts agree, 上次登入', async (t) => {
  for (const size of SIZES) {
    const page = await pageAs({ ...institution(), lastLoginAt: '2024-03-26T01:00:00.000Z' }, size)
    await page.goto(`${base}/institution`)
    t.match(await page.textContent('header'), '上次登入：1130326 0900 星期二', '上次登入 in the header')
    t.match(await page.textContent('#valid-def'), '「有效」指已核准、今日', '有效 is defined on screen')
    const heads = await page.locator('#valid-list thead th').allTextContents()
    t.same(heads, ['管理', '送審日期', '醫事人員類別', '身分證/統一編號', '姓名', '被支援機構代碼', '支援科別', '開始時間', '結束時間'], 'the seed\'s columns, in order')
    const rows = page.locator('#valid-list tbody tr')
    t.equal(await rows.count(), 2, 'the two approvals in force today; not the future one, not the pending one')
    const names = (await rows.locator('td:nth-child(5)').allTextContents()).map((s) => s.trim()).sort()
    t.same(names, ['吳佩珊', '王大明'])
    const cells = await rows.first().locator('td').allTextContents()
    t.match(cells[0], /瀏覽\s*變更/, '管理: 瀏覽 and 變更')
    t.match(cells[3], /^[A-Z]\d{4}X{4}\d$/, 'national ID masked')
    const tile = Number(await page.locator('.tile', { hasText: '有效報備支援人數' }).locator('.n').textContent())
    t.equal(tile, 2, '有效報備支援人數')
    t.equal(Number(await page.textContent('#valid-people')), tile, 'the list states the same number of people as the tile')
    t.equal(new Set(names).size, tile, 'and the list shows exactly those people')
    t.match(await page.textContent('.pager'), '共 2 件', 'the pager counts what the list shows')
    await page.screenshot({ path: shot(`seed-institution-home-${size.name}`), fullPage: true })
    await page.context().close()
  }
})

t.test('first login: the header says so instead of leaving 上次登入 out', async (t) => {
  const page = await pageAs(institution(), SIZES[0])
  await page.goto(`${base}/institution`)
  t.match(await page.textContent('header'), '上次登入：首次登入')
  await page.context().close()
})

t.test('institution lists: searched in the database, paged, counts that agree with the dashboard', async (t) => {
  const page = await pageAs(institution(), SIZES[0])
  await page.goto(`${base}/institution`)
  const valid = Number(await page.locator('.tile', { hasText: '有效報備支援人數' }).locator('.n').textContent())
  const approved = Number(await page.locator('.tile', { hasText: '已核准' }).locator('.n').textContent())
  await page.goto(`${base}/institution/roster`)
  t.equal(Number(await page.textContent('#list-total')), valid, '有效報備支援名冊 lists as many as the tile counts (one case each here)')
  t.match(await page.textContent('.pager'), '第 1／1 頁')
  await page.goto(`${base}/institution/outbound?status=approved`)
  t.equal(Number(await page.textContent('#list-total')), approved, '本院支援他院, 已核准: the 已核准 tile')
  await page.goto(`${base}/institution/outbound?q=${encodeURIComponent('王大明')}`)
  t.equal(Number(await page.textContent('#list-total')), 2, 'a name search counts only that person\'s cases')
  t.equal(await page.locator('table.stack tbody tr').count(), 2)
  await page.goto(`${base}/institution/outbound?q=${encodeURIComponent('%')}`)
  t.match(await page.textContent('main'), '查無資料', 'a % is searched for, not a wildcard')
  await page.screenshot({ path: shot('seed-institution-outbound-search'), fullPage: true })
  await page.context().close()
})
