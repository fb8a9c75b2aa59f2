// The case history diff as a health-bureau reviewer reads it: ROC dates with the weekday, times as 0800, zh-TW
// field names, names beside codes (科別, 目的, 縣市), never an ISO date.
import t from 'tap'
import { diffTerms, fixFieldLabels, nameChanges, rocDay } from '../../projections/terms-diff.js'
import { FIRST_REFERENCE, referenceNamer } from '../../domain/reference/lists.js'
import { describeSchedule } from '../../domain/schedule-text.js'
import type { Routing, Terms } from '../../domain/types.js'

const terms = (over: Partial<Terms> = {}): Terms => ({
  supported: { code: '3563020002', name: '仁愛家醫診所', county: '63', district: '大安區', kind: 'clinic' },
  department: '02',
  purpose: '01',
  schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-03-31', weekdays: [1], windows: [{ start: '08:00', end: '12:00' }] },
  ...over,
})
const ISO = /\d{4}-\d{2}-\d{2}/
const CLOCK = /\d{2}:\d{2}/

t.test('ROC day with weekday', async (t) => {
  t.equal(rocDay('2024-03-01'), '1130301 星期五')
  t.equal(rocDay('2010-01-03'), '0990103 星期日', 'ROC years below 100 keep three digits')
  t.equal(rocDay('not a date'), 'not a date')
})

t.test('weekly and dated schedules read in ROC dates and HHmm times (the domain\'s wording)', async (t) => {
  t.match(describeSchedule(terms().schedule), { period: '1130301 星期五 至 1130331 星期日', weekdays: '星期一', windows: '0800–1200' })
  const sessions = describeSchedule({ kind: 'sessions', sessions: [{ date: '2024-03-08', start: '13:30', end: '17:00' }, { date: '2024-03-05', start: '08:00', end: '12:00' }] })
  t.match(sessions, { period: '1130305 星期二 至 1130308 星期五', weekdays: '指定日期', windows: '1130305 0800 星期二–1200、1130308 1330 星期五–1700' })
})

t.test('a change: every field named in zh-TW, values human, no ISO date or HH:MM anywhere', async (t) => {
  const before = terms()
  const after = terms({
    supported: { code: '3565010003', name: '板橋康健診所', county: '65', kind: 'clinic' },
    department: '05',
    purpose: '02',
    note: '夜間門診',
    schedule: { kind: 'weekly', from: '2024-03-01', to: '2024-04-30', weekdays: [1, 5], windows: [{ start: '09:00', end: '12:00' }, { start: '18:00', end: '21:00' }] },
  })
  const rb: Routing = { reviewCounty: '63', copiedCounties: [] }
  const ra: Routing = { reviewCounty: '65', copiedCounties: ['63'] }
  const stored = diffTerms(before, after, rb, ra)
  t.same(stored.filter((d) => ['department', 'purpose', 'reviewCounty', 'copiedCounties'].includes(d.field)).map((d) => [d.old, d.new]),
    [['02', '05'], ['01', '02'], ['63', '65'], ['無', '63']], 'stored: the codes (named at render time, the projection stays deterministic)')
  const diff = nameChanges(stored)
  t.same(diff.map((d) => [d.label, d.old, d.new]), [
    ['被支援機構', '仁愛家醫診所（3563020002）', '板橋康健診所（3565010003）'],
    ['支援科別', '02 內科', '05 婦產科'],
    ['支援目的', '門診', '手術'],
    ['支援期間', '1130301 星期五 至 1130331 星期日', '1130301 星期五 至 1130430 星期二'],
    ['支援星期', '星期一', '星期一、星期五'],
    ['支援時段', '0800–1200', '0900–1200、1800–2100'],
    ['備註', null, '夜間門診'],
    ['審核縣市', '臺北市', '新北市'],
    ['副知縣市', '無', '臺北市'],
  ])
  for (const d of diff) {
    t.notMatch(`${d.old ?? ''} ${d.new ?? ''}`, ISO, `${d.label}: no ISO date`)
    t.notMatch(`${d.old ?? ''} ${d.new ?? ''}`, CLOCK, `${d.label}: no HH:MM`)
    t.match(d.label, /^[\u4e00-\u9fff]+$/, `${d.label}: a zh-TW name, not a code`)
  }
  t.same(diffTerms(before, terms(), rb, rb), [], 'same terms: nothing changed')
  t.same(diffTerms(undefined, before).map((d) => d.field), ['supported', 'department', 'purpose', 'period', 'weekdays', 'windows'], 'a draft: its filled fields, no routing')
})

t.test('fields to fix named in zh-TW', async (t) => {
  t.equal(fixFieldLabels(['schedule', 'attachments', 'odd']), '支援時段、附件、odd')
})

t.test('codes are named with the lists given: a department an administrator added has its name', async (t) => {
  const stored = diffTerms(terms(), terms({ department: 'ZZ', purpose: '99' }))
  t.same(nameChanges(stored).map((d) => d.new), ['ZZ', '99'], 'first version: unknown codes shown as stored')
  const now = referenceNamer({ ...FIRST_REFERENCE, departments: [...FIRST_REFERENCE.departments, { code: 'ZZ', name: '遠距醫療科' }], purposes: [...FIRST_REFERENCE.purposes, { code: '99', name: '長照服務' }] })
  t.same(nameChanges(stored, now).map((d) => [d.old, d.new]), [['02 內科', 'ZZ 遠距醫療科'], ['門診', '長照服務']])
  t.same(nameChanges([{ field: 'department', label: '支援科別', old: null, new: '02 內科' }], now)[0]!.new, '02 內科', 'a row stored with the name before: shown as stored')
})
