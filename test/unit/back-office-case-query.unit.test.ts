// The reviewer query form → CaseFilter: ROC dates, hour/minute selects, checkboxes; per-field zh-TW errors.
import t from 'tap'
import { parseCaseQuery, toQueryString } from '../../http/back-office/case-query.js'

t.test('every filter parsed', async (t) => {
  const r = parseCaseQuery({
    personId: 'a123456789', name: ' 王 ', applyingInstitution: '臺大', submittedFrom: '1130301', submittedTo: '1130331',
    caseNumber: '11303010000001', supportedCode: '3501234567', supportFrom: '1130401', supportTo: '1130430',
    startHour: '8', startMinute: '30', endHour: '17', endMinute: '', weekday: '3', county: '63', district: '大安區',
    profession: ['A', 'F', 'A'], approvedFrom: '1130305', approvedTo: '1130310', applicationType: ['register', 'change'],
    status: ['under_review'], sourceInstitution: '0101010010', sort: 'caseNumber', dir: 'asc', page: '2', pageSize: '50',
  })
  t.same(r.errors, [])
  t.same(r.filter, {
    nationalId: 'A123456789', name: '王', applyingInstitutionName: '臺大', caseNumber: '11303010000001',
    supportedCode: '3501234567', sourceInstitution: '0101010010',
    submittedFrom: '2024-03-01', submittedTo: '2024-03-31', supportFrom: '2024-04-01', supportTo: '2024-04-30',
    approvedFrom: '2024-03-05', approvedTo: '2024-03-10', startTime: '08:30', endTime: '17:00', weekday: 3,
    county: '63', district: '大安區', profession: ['A', 'F'], applicationType: ['register', 'change'], status: ['under_review'],
  })
  t.same(r.page, { sort: 'caseNumber', direction: 'asc', page: 2, pageSize: 50 })
  t.equal(r.filtered, true)
})

t.test('empty form: no filter, defaults', async (t) => {
  const r = parseCaseQuery({ name: '', personId: '', profession: [], submittedFrom: '' })
  t.same(r.filter, {})
  t.same(r.errors, [])
  t.equal(r.filtered, false)
  t.same(r.page, { page: 1, pageSize: 20 })
})

t.test('bad input: an error per field, the filter left out', async (t) => {
  const r = parseCaseQuery({
    personId: 'A123456788', submittedFrom: '1130230', caseNumber: '123', supportFrom: '1130501', supportTo: '1130401',
    startHour: '25', weekday: '8', county: '99', profession: ['A', 'ZZ'], status: ['done'], applicationType: ['x'],
    supportedCode: 'short', sort: 'evil; DROP', pageSize: '1000', page: '-1',
  })
  t.same(r.errors.map((e) => e.field).sort(), ['applicationType', 'caseNumber', 'county', 'personId', 'profession', 'startHour', 'status', 'submittedFrom', 'supportTo', 'supportedCode', 'weekday'])
  t.match(r.errors.find((e) => e.field === 'submittedFrom')?.message, /^送審日期（起）格式不正確（可輸入民國 \d{7}、\d{3}\/01\/04 或西元 \d{4}\/01\/04）$/)
  t.same(r.filter, {})
  t.same(r.page, { page: 1, pageSize: 20 })
})

t.test('six-digit ROC years (before 民國 100) and 24:00', async (t) => {
  const r = parseCaseQuery({ submittedFrom: '991231', endHour: '24', endMinute: '00' })
  t.same(r.filter, { submittedFrom: '2010-12-31', endTime: '24:00' })
})

t.test('dates as people type them: 1130301, 113/03/01 and 2024/03/01 are one day, and each says what it was read as', async (t) => {
  const ex = { roc: '1130104', slashed: '113/01/04', western: '2024/01/04' }
  for (const typed of ['1130301', '113/03/01', '113/3/1', '113-03-01', '2024/03/01', '2024-03-01', ' 1130301 ']) {
    const r = parseCaseQuery({ supportFrom: typed, approvedTo: typed }, undefined, ex)
    t.same(r.errors, [], typed)
    t.same(r.filter, { supportFrom: '2024-03-01', approvedTo: '2024-03-01' }, typed)
    t.equal(r.understood.supportFrom, '讀作：民國113年3月1日（星期五）', typed)
  }
  const bad = parseCaseQuery({ approvedTo: '2024/02/30' }, undefined, ex)
  t.same(bad.errors, [{ field: 'approvedTo', message: '核准日期（迄）格式不正確（可輸入民國 1130104、113/01/04 或西元 2024/01/04）' }], 'not a real date: at its field, with examples')
  t.same(bad.filter, {}, 'and left out of the filter')
  t.same(parseCaseQuery({ submittedFrom: '1'.repeat(13) }, undefined, ex).errors.map((e) => e.field), ['submittedFrom'], 'a long value is refused, never cut short')
})

t.test('query string round trip replaces page params and drops empties', async (t) => {
  const qs = toQueryString({ name: '王', profession: ['A', 'F'], personId: '', page: '3' }, { page: '4' })
  t.equal(qs, 'name=%E7%8E%8B&profession=A&profession=F&page=4')
})
