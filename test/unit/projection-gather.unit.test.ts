// Live batches coalesced under load (runner's createGather): events added soon after an apply are gathered into
// one apply, in log order; an idle projection applies at once; a failed apply settles `failed`; stop() drops the
// events not yet applied.
import t from 'tap'
import type { RecordedEvent } from '../../commands/event-store/port.js'
import { createGather } from '../../projections/runner.js'

const ev = (n: number) => ({ id: `e${n}` }) as unknown as RecordedEvent
const ids = (es: readonly RecordedEvent[]) => es.map((e) => e.id)

t.test('idle: applied at once; busy: gathered into one apply, in order', async (t) => {
  const applied: string[][] = []
  let release!: () => void
  const done = new Promise<void>((r) => (release = r))
  const g = createGather(60_000, 500, async (es) => {
    applied.push(ids(es))
    if (applied.length === 2) release()
  })
  await g.add([ev(1)])
  t.same(applied, [['e1']], 'the first batch of an idle projection is applied before add returns')
  await g.add([ev(2)])
  await g.add([ev(3), ev(4)])
  t.same(applied.length, 1, 'batches right after an apply wait to be gathered')
  // a full batch goes at once, with what was gathered before it
  await g.add(Array.from({ length: 500 }, (_, i) => ev(5 + i)))
  await done
  t.same(applied[1]!.slice(0, 4), ['e2', 'e3', 'e4', 'e5'])
  t.equal(applied[1]!.length, 503, 'one apply for everything gathered')
  g.stop()
})

t.test('gathered events are applied by the timer', async (t) => {
  const applied: string[][] = []
  let release!: () => void
  const done = new Promise<void>((r) => (release = r))
  const g = createGather(20, 500, async (es) => {
    applied.push(ids(es))
    if (applied.length === 2) release()
  })
  await g.add([ev(1)])
  await g.add([ev(2)])
  await g.add([ev(3)])
  await done
  t.same(applied, [['e1'], ['e2', 'e3']])
  g.stop()
})

t.test('gatherMs 0: every batch applied at once; a failure settles failed and stops applying', async (t) => {
  const applied: string[][] = []
  const g = createGather(0, 500, async (es) => {
    if (es[0]!.id === 'e3') throw new Error('boom')
    applied.push(ids(es))
  })
  await g.add([ev(1)])
  await g.add([ev(2)])
  await g.add([ev(3)])
  t.equal((await g.failed).message, 'boom')
  await g.add([ev(4)])
  t.same(applied, [['e1'], ['e2']], 'nothing after the failure')
})

t.test('stop drops gathered events', async (t) => {
  const applied: string[][] = []
  const g = createGather(60_000, 500, async (es) => void applied.push(ids(es)))
  await g.add([ev(1)])
  await g.add([ev(2)])
  g.stop()
  t.same(applied, [['e1']])
})
