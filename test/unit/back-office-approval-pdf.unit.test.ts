// 套印: the approval form PDF embeds the CJK font, shows ROC dates with weekday, the approval number and one page a case.
import { execFileSync } from 'node:child_process'
import t from 'tap'
import { evolve, initialState, type FoldableEvent, type ReportState } from '../../domain/report/state.js'
import { viewOf } from '../../projections/case-view.js'
import { ev } from '../support/report-decider-fixtures.js'
import { approvalFormEntry, renderApprovalForms, scheduleLines, type ApprovalFormEntry } from '../../http/pdf/approval-form.js'
import type { CaseView } from '../../projections/case-view.js'

const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString('utf8')
const pdfPages = (pdf: Buffer) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString())?.[1])
const pdfFonts = (pdf: Buffer) => execFileSync('pdffonts', ['-'], { input: pdf }).toString()

const entry = (n: number, over: Partial<ApprovalFormEntry> = {}): ApprovalFormEntry => ({
  caseNumber: `113030100000${String(n).padStart(2, '0')}`,
  approvalNumber: `北市衛醫字第11300${n}號`,
  approvedOn: '2024-03-01',
  applicationType: 'register',
  applicant: { name: `王小明${n}`, nationalId: 'A123456789', profession: 'A', licenseNumber: '醫字第012345號' },
  home: { code: '0101010010', name: '臺大醫院', county: '63' },
  supported: { code: '3501234567', name: '仁愛診所', county: '63' },
  department: '02',
  purpose: '01',
  schedule: { kind: 'weekly', from: '2024-03-04', to: '2024-06-28', weekdays: [1, 3], windows: [{ start: '08:00', end: '12:00' }] },
  bureau: '臺北市政府衛生局',
  ...over,
})

t.test('single form: texts, ROC dates with weekday, masked ID, approval number', async (t) => {
  const pdf = await renderApprovalForms([entry(1)], { printedAt: '2024-03-02T01:30:00.000Z', printedBy: '審查員甲' })
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-')
  t.equal(pdfPages(pdf), 1)
  const text = pdfText(pdf).replace(/ +/g, ' ')
  t.match(text, '臺北市政府衛生局')
  t.match(text, '醫事人員報備支援核准表')
  t.match(text, '11303010000001')
  t.match(text, '北市衛醫字第113001號')
  t.match(text, '1130301 星期五') // approval date
  t.match(text, '列印時間：1130302 0930 星期六', 'printed at, as domain/roc-date.ts formats an instant')
  t.match(text, '1130304 星期一 至 1130628 星期五')
  t.match(text, '每週一、三，0800–1200')
  t.match(text, 'A1234XXXX9')
  t.notMatch(text, 'A123456789')
  t.match(text, '西醫師')
  t.match(text, '仁愛診所（3501234567）')
  t.match(text, '02 內科')
  t.match(text, '1130302 0930') // printed at, Taipei time
  t.match(pdfFonts(pdf), 'NotoSansCJKtc-Regular')
  t.match(pdfFonts(pdf), /yes\s+yes/) // embedded, subset
})

t.test('batch: one PDF, one page per case, in order; cancel form names the effective date', async (t) => {
  const entries = [entry(1), entry(2), entry(3, { applicationType: 'cancel', cancelEffective: '2024-04-01' })]
  const pdf = await renderApprovalForms(entries, { printedAt: '2024-03-02T01:30:00.000Z' })
  t.equal(pdfPages(pdf), 3)
  const pages = pdfText(pdf).split('\f').map((p) => p.replace(/ +/g, ' '))
  t.match(pages[0] ?? '', '王小明1')
  t.match(pages[1] ?? '', '王小明2')
  t.match(pages[2] ?? '', '醫事人員報備支援註銷核准表')
  t.match(pages[2] ?? '', '註銷生效日 1130401 星期一')
})

t.test('explicit sessions are listed one a line', async (t) => {
  const s = scheduleLines({ kind: 'sessions', sessions: [{ date: '2024-03-09', start: '13:00', end: '17:00' }, { date: '2024-03-02', start: '08:00', end: '12:00' }] })
  t.same(s, ['1130302 0800 星期六–1200', '1130309 1300 星期六–1700'])
})

t.test('nothing to print, or a case not approved, is refused', async (t) => {
  await t.rejects(renderApprovalForms([], { printedAt: '2024-03-02T01:30:00.000Z' }), { code: 'NOTHING_SELECTED' })
  const view = { caseId: 'x', caseNumber: '11303010000001', approvalNumber: null, approvedAt: null, approved: null } as unknown as CaseView
  t.throws(() => approvalFormEntry(view, '臺北市政府衛生局'), { code: 'NOT_APPROVED_CANNOT_PRINT' })
})

t.test('the form prints the application its approval number decided (the domain says which), also while a change is pending', async (t) => {
  const fold = (events: FoldableEvent[]) => events.reduce<ReportState>((s, e) => evolve(s, e), initialState())
  const at = '2024-02-21T02:00:00.000Z'
  const approved = [ev.drafted(), ev.submitted(at), ev.approved(at)]
  const print = (events: FoldableEvent[]) => approvalFormEntry(viewOf(fold(events))!, '臺北市政府衛生局').applicationType
  t.equal(print(approved), 'register')
  t.equal(print([...approved, ev.changeRequested()]), 'register', 'a pending change does not relabel the registration approval')
  t.equal(print([...approved, ev.changeRequested(), ev.changeApproved()]), 'change')
  t.equal(print([...approved, ev.cancellationRequested()]), 'register', 'a pending cancellation neither')
  t.equal(print([...approved, ev.cancellationRequested(), ev.cancellationApproved()]), 'cancel')
})
