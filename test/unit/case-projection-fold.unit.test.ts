// Case projections handed the same batch fold it once (case-projection.ts): a second projection starting from the
// very same states takes the first one's changes; one starting from other states folds its own.
import t from 'tap'
import { defineCaseProjection, type CaseChange } from '../../projections/case-projection.js'
import { createCaseStates, type CaseStates } from '../../projections/case-states.js'
import type { ProjectionContext } from '../../projections/projection.js'
import type { Sql } from '../../commands/platform/database.js'
import { reportStream } from '../../domain/events.js'
import type { ReportCase } from '../../domain/report/state.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'
import { randomCase, rng } from '../support/report-fixtures.js'

/** A case projection that records what it is handed (it writes nothing: no statement may reach `tx`). */
function recorder(name: string) {
  const seen: (readonly CaseChange[])[] = []
  const p = defineCaseProjection({ name, tables: [], ddl: () => '', apply: async (changes) => void seen.push(changes) })
  return { p, seen }
}

const noSql: Sql = {
  query: () => Promise.reject(new Error('no statement expected')),
  exec: () => Promise.reject(new Error('no statement expected')),
}
const ctxOf = (caseStates: CaseStates): ProjectionContext => ({ tx: noSql, version: 1, table: (b) => b, caseStates })

t.test('the same batch from the same states: folded once; from other states: folded again, from those', async (t) => {
  const store = createMemoryEventStore()
  const r = rng(11)
  let streams = 0
  for (let i = 0; streams < 20; i++) {
    const b = randomCase(r, i)
    if (b.events.length < 3) continue
    await store.append(reportStream(b.caseId), b.events, 'no_stream')
    streams++
  }
  const all = await store.readAll({ limit: 10_000 })
  // a batch starting mid-stream for every case: each case's state before it is folded from the store
  const firsts = new Map<string, number>()
  const batch = all.filter((e) => {
    const n = (firsts.get(e.stream) ?? 0) + 1
    firsts.set(e.stream, n)
    return n >= 2
  })
  const shared = createCaseStates(store)
  const a = recorder('a')
  const b = recorder('b')
  await a.p.handle(batch, ctxOf(shared))
  await b.p.handle(batch, ctxOf(shared))
  t.equal(a.seen.length, 1)
  t.equal(b.seen[0], a.seen[0], 'the second projection takes the first one\'s fold')

  // other states of the same cases: equal, not the same objects (a read model whose states were folded apart)
  let handed: Map<string, ReportCase | undefined> | undefined
  const other: CaseStates = {
    before: async (wanted) => (handed = new Map([...(await shared.before(wanted))].map(([id, s]) => [id, s && structuredClone(s)]))),
    keep: () => {},
    stats: shared.stats,
  }
  const c = recorder('c')
  await c.p.handle(batch, ctxOf(other))
  t.not(c.seen[0], a.seen[0], 'other states: a fold of its own')
  for (const ch of c.seen[0]!) t.equal(ch.before?.state, handed!.get(ch.caseId), `${ch.caseId}: folded from its own states`)
  t.same(
    c.seen[0]!.map((ch) => [ch.caseId, ch.after?.status, ch.steps.length]),
    a.seen[0]!.map((ch) => [ch.caseId, ch.after?.status, ch.steps.length]),
    'the same outcome',
  )
  t.equal(a.seen[0]!.length, 20, 'every case changed')
})
