// The generic command handler on a real PostgreSQL event store, with a tiny test decider.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createCommandHandler, type CommandMeta, type Decider } from '../../commands/command-handler.js'
import { fail } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'

const tdb = await freshDatabase('cmd')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
const store = createPostgresEventStore(tdb.db)
t.teardown(() => store.close())

// A counter that must be opened once, then counts; Close forbids further increments.
type CounterEvent =
  | { type: 'Opened'; data: { name: string } }
  | { type: 'Incremented'; data: { to: number; by: string } }
  | { type: 'Closed'; data: Record<string, never> }
type CounterCommand = { type: 'Open'; name: string } | { type: 'Increment' } | { type: 'Close' } | { type: 'Noop' }
interface CounterState {
  open: boolean
  closed: boolean
  value: number
}
let decideCalls = 0
const counter: Decider<CounterState, CounterCommand, CounterEvent, { actor: Actor }> = {
  initialState: () => ({ open: false, closed: false, value: 0 }),
  evolve: (s, e) => {
    switch (e.type) {
      case 'Opened':
        return { ...s, open: true }
      case 'Incremented':
        return { ...s, value: e.data.to }
      case 'Closed':
        return { ...s, closed: true }
    }
  },
  decide: (c, s, ctx) => {
    decideCalls++
    switch (c.type) {
      case 'Open':
        if (s.open) fail('REPORT_ALREADY_EXISTS')
        return [{ type: 'Opened', data: { name: c.name } }]
      case 'Increment':
        if (!s.open) fail('REPORT_NOT_FOUND')
        if (s.closed) fail('ILLEGAL_TRANSITION', { status: 'closed' })
        return [{ type: 'Incremented', data: { to: s.value + 1, by: ctx.actor.id } }]
      case 'Close':
        if (s.closed) fail('ILLEGAL_TRANSITION')
        return [{ type: 'Closed', data: {} }]
      case 'Noop':
        return []
    }
  },
}
const actor = { role: 'professional', id: 'A123456789', via: 'hca_card' } as unknown as Actor
const meta = (commandId: string = randomUUID()): CommandMeta => ({
  commandId,
  actor,
  correlationId: 'corr-1',
  occurredAt: '2024-03-01T08:00:00.000Z',
})
const handler = createCommandHandler(store, counter)
const ctx = { actor }

t.test('decide, append, metadata on every event', async (t) => {
  const stream = `counter-${randomUUID()}`
  const m = meta()
  const r = await handler.handle({ stream, command: { type: 'Open', name: 'c' }, ctx, meta: m })
  t.equal(r.duplicate, false)
  t.equal(r.nextVersion, 1)
  t.same(r.state, { open: true, closed: false, value: 0 })
  const r2 = await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: meta() })
  t.equal(r2.nextVersion, 2)
  t.same(r2.events.map((e) => e.data), [{ to: 1, by: 'A123456789' }])
  const events = await store.readStream(stream)
  t.same(events[0]!.meta, { commandId: m.commandId, actor, correlationId: 'corr-1', causationId: m.commandId, occurredAt: '2024-03-01T08:00:00.000Z' })
  t.same(events[1]!.position, r2.position)
  const cause = await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: { ...meta(), causationId: 'parent' } })
  t.equal((await store.readStream(stream))[2]!.meta.causationId, 'parent', 'explicit causationId kept')
  t.equal(cause.nextVersion, 3)
})

t.test('a rejected command appends nothing; a no-op decision appends nothing', async (t) => {
  const stream = `counter-${randomUUID()}`
  await t.rejects(handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: meta() }), { code: 'REPORT_NOT_FOUND' })
  t.same(await store.readStream(stream), [])
  await handler.handle({ stream, command: { type: 'Open', name: 'x' }, ctx, meta: meta() })
  const noop = await handler.handle({ stream, command: { type: 'Noop' }, ctx, meta: meta() })
  t.same(noop.events, [])
  t.equal(noop.nextVersion, 1)
  t.equal((await store.readStream(stream)).length, 1)
})

t.test('same commandId twice: the first result, no second event, even after the state moved on', async (t) => {
  const stream = `counter-${randomUUID()}`
  await handler.handle({ stream, command: { type: 'Open', name: 'x' }, ctx, meta: meta() })
  const inc = meta()
  const first = await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: inc })
  const again = await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: inc })
  t.equal(again.duplicate, true)
  t.same(again.events.map((e) => [e.type, e.data]), first.events.map((e) => [e.type, e.data]))
  t.equal(again.nextVersion, first.nextVersion)
  t.same(again.position, first.position)
  await handler.handle({ stream, command: { type: 'Close' }, ctx, meta: meta() })
  // Increment would now be refused (closed), but the repeat of the earlier command returns its first result
  const late = await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: inc })
  t.equal(late.duplicate, true)
  t.same(late.events.map((e) => e.data), [{ to: 1, by: 'A123456789' }])
  t.equal((await store.readStream(stream)).length, 3, 'Opened, Incremented, Closed: no second increment')
})

t.test('racing repeats of one commandId: one write, all get the same events', async (t) => {
  const stream = `counter-${randomUUID()}`
  await handler.handle({ stream, command: { type: 'Open', name: 'x' }, ctx, meta: meta() })
  const inc = meta()
  const results = await Promise.all(Array.from({ length: 6 }, () => handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: inc })))
  t.equal(results.filter((r) => !r.duplicate).length, 1)
  for (const r of results) t.same(r.events.map((e) => e.data), [{ to: 1, by: 'A123456789' }])
  t.equal((await store.readStream(stream)).length, 2)
})

t.test('conflicts are retried by RE-DECIDING: 8 concurrent increments give 1..8', async (t) => {
  const stream = `counter-${randomUUID()}`
  await handler.handle({ stream, command: { type: 'Open', name: 'x' }, ctx, meta: meta() })
  const h = createCommandHandler(store, counter, { maxAttempts: 50 })
  const results = await Promise.all(Array.from({ length: 8 }, () => h.handle({ stream, command: { type: 'Increment' }, ctx, meta: meta() })))
  const tos = results.map((r) => (r.events[0]!.data as { to: number }).to).sort((a, b) => a - b)
  t.same(tos, [1, 2, 3, 4, 5, 6, 7, 8], 'each decision saw the state its append was checked against')
  const stored = (await store.readStream(stream)).slice(1).map((e) => (e.data as { to: number }).to)
  t.same(stored, [1, 2, 3, 4, 5, 6, 7, 8])
})

t.test('bounded retries; the competing write is seen by the re-decision', async (t) => {
  const stream = `counter-${randomUUID()}`
  await handler.handle({ stream, command: { type: 'Open', name: 'x' }, ctx, meta: meta() })
  // ctx as a function of state: the first time, sneak in a competing increment after the stream was read
  const racing = (maxAttempts: number) => {
    let sneaked = false
    return createCommandHandler(store, counter, { maxAttempts }).handle({
      stream,
      command: { type: 'Increment' },
      ctx: async () => {
        if (!sneaked) {
          sneaked = true
          await handler.handle({ stream, command: { type: 'Increment' }, ctx, meta: meta() })
        }
        return ctx
      },
      meta: meta(),
    })
  }
  await t.rejects(racing(1), { code: 'CONCURRENCY_CONFLICT' }, 'one attempt only: the conflict surfaces')
  const before = decideCalls
  const r = await racing(2)
  t.equal(decideCalls - before, 3, 'decided twice (plus the competing command once)')
  t.same(r.events[0]!.data, { to: 3, by: 'A123456789' }, 'the re-decision built on the competing increment (2)')
  t.same((await store.readStream(stream)).map((e) => (e.data as { to?: number }).to ?? null), [null, 1, 2, 3])
})

t.test('command computed from the state (e.g. a number allocated only when missing)', async (t) => {
  const stream = `counter-${randomUUID()}`
  let calls = 0
  const r = await handler.handle({
    stream,
    command: async (s) => {
      calls++
      return { type: 'Open', name: s.open ? 'never' : 'fresh' }
    },
    ctx,
    meta: meta(),
  })
  t.equal(calls, 1)
  t.same(r.events[0]!.data, { name: 'fresh' })
})
