// The rows the case projections write: exactly their tables' columns, every one with a value (COPY writes a column
// a row lacks as NULL without a word), the party columns (case-party-columns.ts) as the view has them. The row
// builders spread the party columns or the occurrence last, for speed (see caseRow): nothing may override them.
import t from 'tap'
import { foldCase, viewOf, type CaseView } from '../../projections/case-view.js'
import { caseRow, CASE_COLUMNS } from '../../projections/read-models/cases.js'
import { supportRow, SUPPORT_COLUMNS } from '../../projections/read-models/institutions.js'
import { caseOccurrences } from '../../projections/read-models/occurrences.js'
import { casePartyColumns } from '../../projections/read-models/case-party-columns.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'
import { randomCase, rng } from '../support/report-fixtures.js'

async function views(n: number): Promise<CaseView[]> {
  const r = rng(17)
  const store = createMemoryEventStore()
  const out: CaseView[] = []
  for (let i = 0; i < n; i++) {
    const b = randomCase(r, i)
    await store.append(reportStream(b.caseId), b.events, 'no_stream')
    const v = viewOf(foldCase(await store.readStream<ReportEvent>(reportStream(b.caseId))))
    if (v) out.push(v)
  }
  return out
}

t.test('caseRow and supportRow: every column of their tables, no other, none undefined, the party as the view has it', async (t) => {
  const vs = await views(150)
  t.ok(vs.length > 100, 'random lifecycles give cases')
  const statuses = new Set<string>()
  for (const v of vs) {
    statuses.add(v.status)
    for (const [name, row, columns, terms] of [
      ['caseRow', caseRow(v), CASE_COLUMNS, v.facts.currentTerms],
      ['supportRow', supportRow(v), SUPPORT_COLUMNS, v.facts.listedTerms],
    ] as const) {
      t.same(Object.keys(row).sort(), Object.keys(columns).sort(), `${name} of ${v.caseId}: its table's columns`)
      const missing = Object.entries(row).filter(([, value]) => value === undefined)
      t.same(missing, [], `${name} of ${v.caseId}: no column left undefined`)
      const party = casePartyColumns(v, terms)
      t.same(
        Object.fromEntries(Object.keys(party).map((k) => [k, (row as Record<string, unknown>)[k]])),
        party,
        `${name} of ${v.caseId}: the party columns, not overridden`,
      )
    }
    t.equal(caseRow(v).status, v.status)
    t.equal(caseRow(v).stream_version, v.version)
  }
  t.ok(statuses.size >= 3, `several statuses seen (${[...statuses].join(', ')})`)
})

t.test('caseOccurrences: the occurrence\'s own date and times, the state and terms of the window it belongs to', async (t) => {
  const vs = await views(150)
  let seen = 0
  for (const v of vs) {
    const { inForce, underReview } = v.facts.counted
    const expected = [
      ...(inForce?.occurrences.map((o) => ({ ...o, state: 'approved', terms: inForce.terms, routing: inForce.routing })) ?? []),
      ...(underReview?.occurrences.map((o) => ({ ...o, state: 'pending', terms: underReview.terms, routing: underReview.routing })) ?? []),
    ]
    t.same(caseOccurrences(v), expected, `occurrences of ${v.caseId}`)
    seen += expected.length
  }
  t.ok(seen > 100, `occurrences compared (${seen})`)
})

