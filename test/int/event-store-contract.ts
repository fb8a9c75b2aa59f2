// The one contract every EventStore adapter must pass (DESIGN.md §4). Run by event-store-<adapter>.int.test.ts.
import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { EventMeta } from '../../domain/events.js'
import {
  START,
  comparePositions,
  positionToString,
  type EventStore,
  type EventToAppend,
  type LogPosition,
  type RecordedEvent,
} from '../../commands/event-store/port.js'

export interface ContractFixture {
  store: EventStore
  /**
   * Optional: opens a transaction that appends one event to `stream`, then holds the transaction open until
   * `release` is called (commits after). Used to prove readers never pass an event whose transaction is in flight.
   * Returns once the event row is written (position taken) but not committed.
   */
  slowAppend?: (stream: string, event: EventToAppend) => Promise<{ release: () => Promise<void> }>
  /** Global log may already hold events of other tests/runs (EventStoreDB): filter by this prefix. */
  isolated: boolean
}

export type ContractFactory = () => Promise<ContractFixture & { teardown: () => Promise<void> }>

const meta = (commandId: string = randomUUID()): EventMeta => ({
  commandId,
  actor: { role: 'system', id: 'contract-test', via: 'system' } as unknown as EventMeta['actor'],
  correlationId: randomUUID(),
  causationId: commandId,
  occurredAt: '2024-03-01T00:00:00.000Z',
})
const ev = (type: string, data: unknown, commandId?: string): EventToAppend => ({ type, data, meta: meta(commandId) })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function eventStoreContract(t: Test, factory: ContractFactory, opts: { rounds?: number } = {}) {
  const run = `r${randomUUID().slice(0, 8)}` // prefixes streams and types so shared stores stay separable
  const T = (name: string) => `${name}_${run}`
  const S = (name: string) => `${run}-${name}`
  const ours = (e: RecordedEvent) => e.stream.startsWith(`${run}-`)

  t.test('append and readStream; versions count events', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    t.same(await store.readStream(S('empty')), [], 'missing stream reads as empty')
    const r1 = await store.append(S('a'), [ev(T('One'), { n: 1 }), ev(T('Two'), { n: 2, s: 'é"\\{}' })], 'no_stream')
    t.equal(r1.nextVersion, 2)
    t.equal(r1.duplicate, false)
    const r2 = await store.append(S('a'), [ev(T('Three'), { n: 3 })], 2)
    t.equal(r2.nextVersion, 3)
    t.ok(comparePositions(r2.lastPosition, r1.lastPosition) > 0, 'positions grow')
    const events = await store.readStream(S('a'))
    t.same(events.map((e) => [e.streamVersion, e.type, e.data]), [
      [1, T('One'), { n: 1 }],
      [2, T('Two'), { n: 2, s: 'é"\\{}' }],
      [3, T('Three'), { n: 3 }],
    ])
    t.equal(events[2]!.stream, S('a'))
    t.match(events[0]!.id, /^[0-9a-f-]{36}$/)
    t.ok(events[0]!.recordedAt instanceof Date)
    t.equal(events[0]!.meta.actor.id, 'contract-test', 'metadata round-trips')
    t.same(events[2]!.position, r2.lastPosition, 'last position reported by append')
  })

  t.test('readStreams: several streams at once, each as readStream gives it', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const names = ['m1', 'm2', 'm3'].map(S)
    for (const [i, s] of names.entries()) {
      await store.append(s, Array.from({ length: i + 1 }, (_, k) => ev(T('Many'), { i, k })), 'no_stream')
      await store.append(S('other'), [ev(T('Other'), { i })], 'any') // interleaved in the log
    }
    const got = await store.readStreams([names[2]!, S('missing'), names[0]!, names[1]!, names[0]!])
    t.same([...got.keys()].sort(), [names[0]!, names[1]!, names[2]!, S('missing')].sort(), 'one entry per stream asked')
    t.same(got.get(S('missing')), [], 'a missing stream maps to no events')
    for (const s of names) t.same(got.get(s), await store.readStream(s), `${s} equals its readStream`)
    t.same((await store.readStreams([])).size, 0, 'nothing asked, nothing read')
  })

  t.test('expected version: every form, conflicts are CONCURRENCY_CONFLICT', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const s = S('ev')
    await t.rejects(store.append(s, [ev(T('X'), {})], 'stream_exists'), { code: 'CONCURRENCY_CONFLICT' })
    await t.rejects(store.append(s, [ev(T('X'), {})], 1), { code: 'CONCURRENCY_CONFLICT' })
    t.equal((await store.append(s, [ev(T('X'), {})], 'no_stream')).nextVersion, 1)
    await t.rejects(store.append(s, [ev(T('X'), {})], 'no_stream'), { code: 'CONCURRENCY_CONFLICT', details: { stream: s } })
    await t.rejects(store.append(s, [ev(T('X'), {})], 0), { code: 'CONCURRENCY_CONFLICT' })
    await t.rejects(store.append(s, [ev(T('X'), {})], 2), { code: 'CONCURRENCY_CONFLICT', details: { expected: 2, actual: 1 } })
    t.equal((await store.append(s, [ev(T('X'), {})], 1)).nextVersion, 2)
    t.equal((await store.append(s, [ev(T('X'), {}), ev(T('X'), {})], 'stream_exists')).nextVersion, 4)
    t.equal((await store.append(s, [ev(T('X'), {})], 'any')).nextVersion, 5)
    t.equal((await store.append(S('ev-any'), [ev(T('X'), {})], 'any')).nextVersion, 1, "'any' creates a stream")
    t.equal((await store.readStream(s)).length, 5, 'rejected appends wrote nothing')
  })

  t.test('concurrent appends with the same expected version: exactly one wins', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const s = S('race')
    await store.append(s, [ev(T('X'), {})], 'no_stream')
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => store.append(s, [ev(T('X'), {})], 1)))
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    for (const r of results) if (r.status === 'rejected') t.equal((r.reason as { code?: string }).code, 'CONCURRENCY_CONFLICT')
    t.equal((await store.readStream(s)).length, 2)
  })

  t.test('idempotency by commandId: sequential and racing', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const s = S('idem')
    const cmd = randomUUID()
    const first = await store.append(s, [ev(T('X'), { a: 1 }, cmd), ev(T('Y'), {}, cmd)], 'no_stream')
    const again = await store.append(s, [ev(T('X'), { a: 1 }, cmd), ev(T('Y'), {}, cmd)], 'no_stream')
    t.equal(again.duplicate, true)
    t.equal(again.nextVersion, first.nextVersion)
    t.same(again.lastPosition, first.lastPosition)
    // even with an expected version that would now conflict
    const third = await store.append(s, [ev(T('X'), { a: 1 }, cmd), ev(T('Y'), {}, cmd)], 7)
    t.equal(third.duplicate, true)
    t.equal((await store.readStream(s)).length, 2, 'no second write')

    for (let round = 0; round < 3; round++) {
      const rs = S(`idem-race-${round}`)
      const rc = randomUUID()
      const results = await Promise.all(Array.from({ length: 4 }, () => store.append(rs, [ev(T('X'), { round }, rc)], 'any')))
      t.equal(results.filter((r) => !r.duplicate).length, 1, `round ${round}: one real write`)
      t.equal(new Set(results.map((r) => positionToString(r.lastPosition))).size, 1, 'all report the same position')
      t.equal((await store.readStream(rs)).length, 1)
    }
  })

  t.test('commands arriving together (group commit): each checked on its own, answered after its commit', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const contested = Array.from({ length: 6 }, (_, k) => S(`together-c${k}`))
    for (const s of contested) await store.append(s, [ev(T('X'), { setup: true })], 'no_stream')
    const earlier = randomUUID()
    const earlierResult = await store.append(S('together-earlier'), [ev(T('X'), {}, earlier)], 'no_stream')
    const dup = randomUUID()
    type Sent = { kind: 'contested' | 'fresh' | 'dup' | 'earlier' | 'sequence'; stream: string; p: Promise<Awaited<ReturnType<EventStore['append']>>> }
    const sent: Sent[] = []
    for (let round = 0; round < 4; round++) {
      for (const s of contested) sent.push({ kind: 'contested', stream: s, p: store.append(s, [ev(T('X'), { round }), ev(T('X'), { round, second: true })], 1) })
      for (let k = 0; k < 5; k++) {
        const s = S(`together-f${round}-${k}`)
        sent.push({ kind: 'fresh', stream: s, p: store.append(s, [ev(T('X'), { k })], 'no_stream') })
      }
      sent.push({ kind: 'dup', stream: S('together-dup'), p: store.append(S('together-dup'), [ev(T('X'), {}, dup)], 'any') })
      sent.push({ kind: 'earlier', stream: S('together-earlier'), p: store.append(S('together-earlier'), [ev(T('X'), {}, earlier)], 5) })
      // one stream, several commands at once with 'any': all of them land, versions 1..4 in some order
      sent.push({ kind: 'sequence', stream: S('together-seq'), p: store.append(S('together-seq'), [ev(T('X'), { round })], 'any') })
    }
    const settled = await Promise.allSettled(sent.map((x) => x.p))
    const results = settled.map((r, i) => ({ ...sent[i]!, r }))
    for (const s of contested) {
      const mine = results.filter((x) => x.stream === s)
      t.equal(mine.filter((x) => x.r.status === 'fulfilled').length, 1, `${s}: exactly one of four wins`)
      for (const x of mine) if (x.r.status === 'rejected') t.equal((x.r.reason as { code?: string }).code, 'CONCURRENCY_CONFLICT')
      t.equal((await store.readStream(s)).length, 3, `${s}: the winner's two events and nothing of the losers`)
    }
    for (const x of results.filter((y) => y.kind === 'fresh')) t.equal(x.r.status === 'fulfilled' && x.r.value.nextVersion, 1, 'a fresh stream beside the conflicts is appended')
    const dups = results.filter((x) => x.kind === 'dup').map((x) => x.r)
    t.ok(dups.every((r) => r.status === 'fulfilled'), 'the same command id sent 4 times at once: all answered')
    const dupValues = dups.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<EventStore['append']>>>).value)
    t.equal(dupValues.filter((v) => !v.duplicate).length, 1, 'one real write')
    t.equal(new Set(dupValues.map((v) => positionToString(v.lastPosition))).size, 1, 'all report its position')
    t.equal((await store.readStream(S('together-dup'))).length, 1)
    for (const x of results.filter((y) => y.kind === 'earlier')) {
      t.ok(x.r.status === 'fulfilled' && x.r.value.duplicate && positionToString(x.r.value.lastPosition) === positionToString(earlierResult.lastPosition), 'an earlier command id: its first result, though its expected version is wrong now')
    }
    const seq = results.filter((x) => x.kind === 'sequence').map((x) => x.r)
    t.same(seq.map((r) => (r.status === 'fulfilled' ? r.value.nextVersion : 0)).sort(), [1, 2, 3, 4], "one stream's commands at once: each its own version")
    // every answer points at its own last event
    for (const x of results) {
      if (x.r.status !== 'fulfilled' || x.r.value.duplicate) continue
      const events = await store.readStream(x.stream)
      const last = events[x.r.value.nextVersion - 1]!
      t.same(last.position, x.r.value.lastPosition, `${x.kind}: the reported position is the command's last event`)
    }
  })

  t.test('readAll: order, paging, types filter, streamAll, headPosition', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const before = await store.headPosition()
    const written: string[] = []
    for (let i = 0; i < 7; i++) {
      const evs = [ev(i % 2 ? T('Odd') : T('Even'), { i }), ev(T('Tail'), { i })]
      await store.append(S(`page-${i % 3}`), evs, 'any')
      written.push(`${i % 2 ? 'Odd' : 'Even'}${i}`, `Tail${i}`)
    }
    const label = (e: RecordedEvent) => `${e.type.replace(`_${run}`, '')}${(e.data as { i: number }).i}`
    const all: RecordedEvent[] = []
    let after: LogPosition = before
    for (;;) {
      const page = (await store.readAll({ after, limit: 3 }))
      if (page.length === 0) break
      t.ok(page.length <= 3, 'page respects the limit')
      all.push(...page)
      after = page.at(-1)!.position
    }
    const mine = all.filter(ours)
    t.same(mine.map(label), written, 'pages concatenate to the log in append order')
    for (let i = 1; i < all.length; i++) t.ok(comparePositions(all[i - 1]!.position, all[i]!.position) < 0, 'strictly increasing')
    const odd = await store.readAll({ after: before, types: [T('Odd')], limit: 100 })
    t.same(odd.map(label), ['Odd1', 'Odd3', 'Odd5'])
    const streamed: string[] = []
    for await (const e of store.streamAll({ after: before, pageSize: 2 })) if (ours(e)) streamed.push(label(e))
    t.same(streamed, written, 'streamAll yields the same sequence')
    const head = await store.headPosition()
    t.same(head, all.at(-1)!.position, 'head = last visible event')
    t.same(await store.readAll({ after: head, limit: 10 }), [], 'nothing after head')
    if (f.isolated) {
      t.same((await store.readAll({ limit: 1000 })).length, 14, 'readAll from START sees everything')
      t.ok(comparePositions(before, START) === 0, 'empty store head is START')
    }
  })

  t.test('readStream time travel: toPosition and recordedBefore', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const s = S('tt')
    const a = await store.append(s, [ev(T('X'), { v: 1 })], 'no_stream')
    await sleep(30)
    const cut = new Date()
    await sleep(30)
    await store.append(s, [ev(T('X'), { v: 2 })], 1)
    t.same((await store.readStream(s, { toPosition: a.lastPosition })).map((e) => e.data), [{ v: 1 }])
    t.same((await store.readStream(s, { recordedBefore: cut })).map((e) => e.data), [{ v: 1 }])
    t.same((await store.readStream(s, { toPosition: START })).length, 0)
  })

  t.test('subscribe: catch-up then live, batches in order, stop()', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const from = await store.headPosition()
    for (let i = 0; i < 5; i++) await store.append(S('sub'), [ev(T('C'), { i })], 'any')
    const seen: number[] = []
    let batches = 0
    let resolveAt: (() => void) | undefined
    const reached = (n: number) =>
      new Promise<void>((resolve) => {
        resolveAt = () => seen.length >= n && resolve()
        resolveAt()
      })
    const sub = store.subscribe({
      after: from,
      batchSize: 2,
      types: [T('C')],
      handler: async (events) => {
        batches++
        t.ok(events.length <= 2, 'batch size respected')
        for (const e of events) seen.push((e.data as { i: number }).i)
        resolveAt?.()
      },
    })
    await reached(5)
    for (let i = 5; i < 8; i++) await store.append(S('sub'), [ev(T('C'), { i })], 'any')
    await reached(8)
    t.same(seen, [0, 1, 2, 3, 4, 5, 6, 7], 'catch-up then live, in order, once')
    t.ok(batches >= 3)
    await sub.stop()
    await store.append(S('sub'), [ev(T('C'), { i: 99 })], 'any')
    await sleep(300)
    t.notOk(seen.includes(99), 'nothing delivered after stop()')
  })

  t.test('subscribe: a failing handler stops the subscription without skipping', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const from = await store.headPosition()
    await store.append(S('fail'), [ev(T('F'), { i: 0 }), ev(T('F'), { i: 1 })], 'any')
    let calls = 0
    const sub = store.subscribe({
      after: from,
      types: [T('F')],
      handler: async () => {
        calls++
        throw new Error('projection bug')
      },
    })
    const err = await sub.failed
    t.match(err.message, /projection bug/)
    await sleep(200)
    t.equal(calls, 1, 'not retried, not skipped past')
    await sub.stop()
    // a new subscription from the same position gets the same events again
    const again = await new Promise<number[]>((resolve) => {
      const s2 = store.subscribe({
        after: from,
        types: [T('F')],
        handler: async (es) => {
          resolve(es.map((e) => (e.data as { i: number }).i))
          void s2.stop()
        },
      })
    })
    t.same(again, [0, 1])
  })

  t.test('gap safety: 8 concurrent writers, overlapping streams, live subscriber sees each event once in order', async (t) => {
    const f = await factory()
    t.teardown(f.teardown)
    const { store } = f
    const rounds = opts.rounds ?? 10
    const wOf = (e: RecordedEvent) => (e.data as { w: number | 'slow' }).w
    for (let round = 0; round < rounds; round++) {
      const type = T(`G${round}`)
      const from = await store.headPosition()
      const delivered: RecordedEvent[] = []
      let notify: (() => void) | undefined
      const sub = store.subscribe({
        after: from,
        types: [type],
        batchSize: 7,
        handler: async (events) => {
          delivered.push(...events)
          notify?.()
        },
      })
      // A deliberately slow transaction: takes its log position first, commits after everyone else.
      const slow = f.slowAppend ? await f.slowAppend(S(`gap-${round}-slow`), ev(type, { w: 'slow' })) : undefined
      const writer = async (w: number) => {
        for (let k = 0; k < 6; k++) {
          const stream = S(`gap-${round}-${(w + k) % 4}`) // 8 writers over 4 streams: they collide
          for (;;) {
            const current = (await store.readStream(stream)).length
            try {
              await store.append(stream, [ev(type, { w, k }), ev(type, { w, k, second: true })], current === 0 ? 'no_stream' : current)
              break
            } catch (e) {
              if ((e as { code?: string }).code !== 'CONCURRENCY_CONFLICT') throw e
            }
          }
        }
      }
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)))
      if (slow) {
        await sleep(150) // time for the subscriber to be tempted
        t.equal(delivered.length, 0, `round ${round}: 96 committed events are held back behind the open transaction`)
        await slow.release()
      }
      const total = 8 * 6 * 2 + (slow ? 1 : 0)
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`round ${round}: got ${delivered.length}/${total}`)), 15000)
        notify = () => {
          if (delivered.length < total) return
          clearTimeout(timer)
          resolve()
        }
        notify()
      })
      await sleep(30)
      await sub.stop()
      t.equal(delivered.length, total, `round ${round}: every event delivered`)
      t.equal(new Set(delivered.map((e) => e.id)).size, total, `round ${round}: exactly once`)
      let ordered = true
      for (let i = 1; i < delivered.length; i++) if (comparePositions(delivered[i - 1]!.position, delivered[i]!.position) >= 0) ordered = false
      t.ok(ordered, `round ${round}: in (commit, prepare) order`)
      const readBack = await store.readAll({ after: from, types: [type], limit: 10000 })
      t.same(readBack.map((e) => e.id), delivered.map((e) => e.id), `round ${round}: same sequence as readAll`)
      for (let w = 0; w < 8; w++) {
        const ks = delivered.filter((e) => wOf(e) === w && !(e.data as { second?: boolean }).second).map((e) => (e.data as { k: number }).k)
        t.same(ks, [0, 1, 2, 3, 4, 5], `round ${round}: writer ${w} seen in its own order`)
      }
      if (slow) {
        const slowEvent = delivered.find((e) => wOf(e) === 'slow')!
        t.equal(delivered[0], slowEvent, `round ${round}: the slow event comes first in log order`)
        t.ok(delivered.slice(1).every((e) => e.position.prepare > slowEvent.position.prepare), 'it took the lowest sequence number')
      }
    }
  })
}
