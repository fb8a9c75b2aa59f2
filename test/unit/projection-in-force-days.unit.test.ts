// The day deltas of 有效報備支援人數 (read-models/in-force-days.ts): spans merged per person, deltas that cancel out.
import t from 'tap'
import { dayDeltas, mergedSpans, type InForcePeriod } from '../../projections/read-models/in-force-days.js'

const period = (caseId: string, from: string, to: string, nationalId = 'A123456789', institutionCode = 'H1'): InForcePeriod =>
  ({ institutionCode, nationalId, caseId, from, to })

t.test('spans: overlapping and adjacent periods merge, a gap does not', async (t) => {
  t.same(mergedSpans([{ from: '2024-03-10', to: '2024-03-20' }, { from: '2024-03-01', to: '2024-03-09' }, { from: '2024-03-15', to: '2024-03-31' }]),
    [{ from: '2024-03-01', to: '2024-03-31' }])
  t.same(mergedSpans([{ from: '2024-03-01', to: '2024-03-09' }, { from: '2024-03-11', to: '2024-03-12' }]),
    [{ from: '2024-03-01', to: '2024-03-09' }, { from: '2024-03-11', to: '2024-03-12' }])
  t.same(mergedSpans([{ from: '2024-12-31', to: '2025-01-01' }, { from: '2025-01-02', to: '2025-01-02' }]), [{ from: '2024-12-31', to: '2025-01-02' }])
})

t.test('deltas: a person is one from their first day to their last; records count every case', async (t) => {
  const a = period('a', '2024-03-01', '2024-03-31')
  const b = period('b', '2024-03-15', '2024-04-15')
  const byDay = (ds: ReturnType<typeof dayDeltas>) => ds.sort((x, y) => (x.day < y.day ? -1 : 1)).map((d) => [d.day, d.people, d.records])
  t.same(byDay(dayDeltas([a], [], [b])), [['2024-03-15', 0, 1], ['2024-04-01', 1, 0], ['2024-04-16', -1, -1]], 'b extends a\'s span')
  t.same(dayDeltas([a], [a], [a]), [], 'a case unchanged: nothing')
  t.same(byDay(dayDeltas([a, b], [a], [])), [['2024-03-01', -1, -1], ['2024-03-15', 1, 0], ['2024-04-01', 0, 1]], 'a cancelled: b\'s span alone')
  const inside = period('c', '2024-03-05', '2024-03-06')
  t.same(byDay(dayDeltas([a], [], [inside])), [['2024-03-05', 0, 1], ['2024-03-07', 0, -1]], 'a case inside a span: records only')
  t.same(dayDeltas([], [], [period('c', '2024-03-01', '2024-03-01', 'B1', 'H2')]), [
    { institutionCode: 'H2', day: '2024-03-01', people: 1, records: 1 },
    { institutionCode: 'H2', day: '2024-03-02', people: -1, records: -1 },
  ], 'one day')
})
