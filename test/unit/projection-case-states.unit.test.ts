// The case states shared by the case projections (projections/case-states.ts): each answer is the fold of the
// stream's first version−1 events, whatever the cache holds; kept states spare the store; the cache is bounded;
// concurrent misses of the same case share one read.
import t from 'tap'
import { createCaseStates } from '../../projections/case-states.js'
import { foldCase } from '../../projections/case-view.js'
import { reportStream, type ReportEvent } from '../../domain/events.js'
import type { EventStore, RecordedEvent } from '../../commands/event-store/port.js'
import { createMemoryEventStore } from '../support/memory-event-store.js'
import { randomCase, rng } from '../support/report-fixtures.js'
import { appendCases } from '../support/projection-env.js'

async function storeWithCases(n: number) {
  const store = createMemoryEventStore()
  const r = rng(11)
  const builders = Array.from({ length: n }, (_, i) => randomCase(r, i, `case-${i}`))
  await appendCases(store, builders)
  const streams = new Map<string, RecordedEvent<ReportEvent>[]>()
  for (const b of builders) streams.set(b.caseId, await store.readStream<ReportEvent>(reportStream(b.caseId)))
  let reads = 0
  let streamsRead = 0
  const counted: Pick<EventStore, 'readStreams'> = {
    readStreams: (async (s: readonly string[]) => {
      reads++
      streamsRead += s.length
      return store.readStreams(s)
    }) as EventStore['readStreams'],
  }
  return { streams, counted, reads: () => reads, streamsRead: () => streamsRead }
}

t.test('each answer is the fold of the events before the version asked, from the store or from what was kept', async (t) => {
  const env = await storeWithCases(40)
  const states = createCaseStates(env.counted)
  // cold: every version of every case asked of a fresh cache (read from the store)
  for (const [caseId, events] of env.streams)
    for (let v = 1; v <= events.length + 1; v++) {
      const got = (await createCaseStates(env.counted).before(new Map([[caseId, v]]))).get(caseId)
      t.same(got, foldCase(events.slice(0, v - 1)), `cold: ${caseId} before version ${v}`)
    }
  // warm: the folds kept, as a projection does after each batch; then every version again, without the store
  for (const [caseId, events] of env.streams) {
    let s
    for (const e of events) if ((s = foldCase([e], s))) states.keep(caseId, s)
  }
  const reads = env.reads()
  for (const [caseId, events] of env.streams)
    for (let v = Math.max(1, events.length - 1); v <= events.length + 1; v++) {
      const got = (await states.before(new Map([[caseId, v]]))).get(caseId)
      t.same(got, foldCase(events.slice(0, v - 1)), `warm: ${caseId} before version ${v}`)
    }
  t.equal(env.reads(), reads, 'the last three versions of each case (the default kept) answered without a read')
})

t.test('kept states spare the store; one read for all the cases a batch misses', async (t) => {
  const env = await storeWithCases(30)
  const cs = createCaseStates(env.counted)
  const ids = [...env.streams.keys()]
  const last = new Map(ids.map((id) => [id, env.streams.get(id)!.length]))
  const got = await cs.before(last)
  t.equal(env.reads(), 1, 'thirty misses, one read of the store')
  t.equal(env.streamsRead(), ids.filter((id) => last.get(id)! > 1).length, 'only the cases with events before the version asked')
  for (const id of ids) t.same(got.get(id), foldCase(env.streams.get(id)!.slice(0, -1)), id)
  // keep each case's last state, then ask for the state before a version after it: no read
  for (const id of ids) {
    const s = foldCase(env.streams.get(id)!)
    if (s) cs.keep(id, s)
  }
  const reads = env.reads()
  await cs.before(new Map(ids.map((id) => [id, env.streams.get(id)!.length + 1])))
  t.equal(env.reads(), reads, 'every state found in memory')
})

t.test('bounded: at most maxCases cases stay; an evicted case is read again and still right', async (t) => {
  const env = await storeWithCases(20)
  const cs = createCaseStates(env.counted, { maxCases: 5 })
  const ids = [...env.streams.keys()].filter((id) => env.streams.get(id)!.length > 2)
  for (const id of ids) await cs.before(new Map([[id, env.streams.get(id)!.length]]))
  const reads = env.reads()
  const first = ids[0]!
  const again = await cs.before(new Map([[first, env.streams.get(first)!.length]]))
  t.equal(env.reads(), reads + 1, 'the oldest case was evicted and read again')
  t.same(again.get(first), foldCase(env.streams.get(first)!.slice(0, -1)))
  const recent = ids[ids.length - 1]!
  await cs.before(new Map([[recent, env.streams.get(recent)!.length]]))
  t.equal(env.reads(), reads + 1, 'a recent case is still in memory')
})

t.test('concurrent batches missing the same cases share one read', async (t) => {
  const env = await storeWithCases(10)
  const cs = createCaseStates(env.counted)
  const ids = [...env.streams.keys()].filter((id) => env.streams.get(id)!.length > 1)
  const want = new Map(ids.map((id) => [id, env.streams.get(id)!.length]))
  const answers = await Promise.all(Array.from({ length: 7 }, () => cs.before(want)))
  t.equal(env.reads(), 1, 'seven read models, one read')
  for (const a of answers) for (const id of ids) t.same(a.get(id), foldCase(env.streams.get(id)!.slice(0, -1)))
})
