// The command handler's stream cache (issue #8: no read before every command). Two stores over one database stand
// for two processes: each has its own cache, so each can hold a stale fold of a stream the other moved on.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import type { EventStore, ExpectedVersion, EventToAppend } from '../../commands/event-store/port.js'
import { createCommandHandler, type CommandMeta, type Decider } from '../../commands/command-handler.js'
import { fail } from '../../domain/errors.js'
import type { Actor } from '../../domain/types.js'

const tdb = await freshDatabase('cmdcache')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)

/** A store that counts stream reads and appends. */
function counted(store: EventStore) {
  const n = { reads: 0, appends: 0 }
  const s: EventStore = {
    ...store,
    readStream: (stream, o) => (n.reads++, store.readStream(stream, o)),
    append: (stream: string, es: EventToAppend[], ev: ExpectedVersion) => (n.appends++, store.append(stream, es, ev)),
  }
  return { store: s, n }
}
const p1 = counted(createPostgresEventStore(tdb.db))
const p2 = counted(createPostgresEventStore(tdb.db))
t.teardown(() => p1.store.close())
t.teardown(() => p2.store.close())

type Ev = { type: 'Opened'; data: Record<string, never> } | { type: 'Incremented'; data: { to: number } } | { type: 'Closed'; data: Record<string, never> }
type Cmd = { type: 'Open' } | { type: 'Increment' } | { type: 'Close' }
interface St { open: boolean; closed: boolean; value: number }
const counter: Decider<St, Cmd, Ev, void> = {
  initialState: () => ({ open: false, closed: false, value: 0 }),
  evolve: (s, e) => (e.type === 'Opened' ? { ...s, open: true } : e.type === 'Closed' ? { ...s, closed: true } : { ...s, value: e.data.to }),
  decide: (c, s) => {
    if (c.type === 'Open') return s.open ? fail('REPORT_ALREADY_EXISTS') : [{ type: 'Opened', data: {} }]
    if (!s.open) return fail('REPORT_NOT_FOUND')
    if (s.closed) return fail('ILLEGAL_TRANSITION', { status: 'closed' })
    return c.type === 'Close' ? [{ type: 'Closed', data: {} }] : [{ type: 'Incremented', data: { to: s.value + 1 } }]
  },
}
const actor = { role: 'system', id: 'cache-test', via: 'system' } as unknown as Actor
const meta = (commandId: string = randomUUID()): CommandMeta => ({ commandId, actor, correlationId: commandId, occurredAt: '2024-03-01T00:00:00.000Z' })
const h1 = createCommandHandler(p1.store, counter, { maxAttempts: 1 })
const h2 = createCommandHandler(p2.store, counter, { maxAttempts: 1 })

t.test('a stream this process wrote is not read again before the next command', async (t) => {
  const stream = `c-${randomUUID()}`
  await h1.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta() })
  const reads = p1.n.reads
  const r = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() })
  t.equal(p1.n.reads, reads, 'no read: the fold after the last append is still current')
  t.same(r.events[0]!.data, { to: 1 })
  // another handler of the same process over the same store and evolve sees the same cache
  const other = createCommandHandler(p1.store, { ...counter, decide: counter.decide }, { maxAttempts: 1 })
  t.equal((await other.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() })).nextVersion, 3)
})

t.test('stale cache (another process appended): the conflict re-reads and re-decides, even with maxAttempts 1', async (t) => {
  const stream = `c-${randomUUID()}`
  await h1.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta() })
  await h2.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() }) // p1's cache is now behind
  const r = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() })
  t.same(r.events[0]!.data, { to: 2 }, 'decided on the stream as it is, not on the stale fold')
  t.same((await p1.store.readStream(stream)).map((e) => e.type), ['Opened', 'Incremented', 'Incremented'])
})

t.test('stale cache that would REJECT: decided again on the fresh stream before the error stands', async (t) => {
  const stream = `c-${randomUUID()}`
  // p1 caches "not opened" (a rejected Increment reads the empty stream)
  await t.rejects(h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() }), { code: 'REPORT_NOT_FOUND' })
  await h2.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta() })
  const r = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() })
  t.same(r.events[0]!.data, { to: 1 }, 'not REPORT_NOT_FOUND from the stale fold')
  // and a real rejection still surfaces
  await h2.handle({ stream, command: { type: 'Close' }, ctx: undefined, meta: meta() })
  await t.rejects(h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() }), { code: 'ILLEGAL_TRANSITION' })
  t.equal((await p1.store.readStream(stream)).length, 3, 'the rejected command appended nothing')
})

t.test('a repeated command id is answered from the stream, not from the cache', async (t) => {
  const stream = `c-${randomUUID()}`
  await h1.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta() })
  const id = randomUUID()
  const first = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta(id) })
  const again = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta(id) })
  t.equal(again.duplicate, true)
  t.same(again.events.map((e) => e.data), first.events.map((e) => e.data))
  // the same command through the other process (its cache has never seen it)
  const elsewhere = await h2.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta(id) })
  t.equal(elsewhere.duplicate, true)
  t.equal((await p1.store.readStream(stream)).length, 2, 'one increment only')
})

// probablyNew: a command that opens its stream (報備支援 登錄 on a case id derived from a fresh command id) is decided
// on the initial state without a read; the append's "no stream" proves the guess.
t.test('probablyNew: a new stream is opened without a read', async (t) => {
  const stream = `c-${randomUUID()}`
  const reads = p1.n.reads
  const r = await h1.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta(), probablyNew: true })
  t.equal(p1.n.reads, reads, 'no read of the stream')
  t.equal(r.nextVersion, 1)
  t.equal(r.duplicate, false)
  // the fold is kept: the next command is not read either
  await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta() })
  t.equal(p1.n.reads, reads, 'still no read')
  t.same((await p1.store.readStream(stream)).map((e) => e.type), ['Opened', 'Incremented'])
})

t.test('probablyNew on a stream the same command opened elsewhere: its first result, nothing appended', async (t) => {
  const stream = `c-${randomUUID()}`
  const id = randomUUID()
  const first = await h2.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta(id), probablyNew: true })
  // the same command again through the other process: the guess fails at the append
  const again = await h1.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta(id), probablyNew: true })
  t.equal(again.duplicate, true, 'answered as the repeat it is')
  t.same(again.position, first.position)
  t.equal((await p1.store.readStream(stream)).length, 1, 'one Opened only')
})

t.test('probablyNew on a stream another command opened: decided again on the stream as it is', async (t) => {
  const stream = `c-${randomUUID()}`
  await h2.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta() })
  // Increment with the guess: on the initial state it would be REPORT_NOT_FOUND; the stream says it is open
  const r = await h1.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta(), probablyNew: true })
  t.same(r.events[0]!.data, { to: 1 }, 'not the refusal the guessed state gave')
  // Open with the guess on an open stream: the append fails (no stream expected), decided again: the real refusal
  await t.rejects(h1.handle({ stream: `${stream}`, command: { type: 'Open' }, ctx: undefined, meta: meta(), probablyNew: true }), { code: 'REPORT_ALREADY_EXISTS' })
  t.same((await p1.store.readStream(stream)).map((e) => e.type), ['Opened', 'Incremented'])
})

t.test('probablyNew refused on a stream that is new: one read, the refusal stands, decided once', async (t) => {
  const stream = `c-${randomUUID()}`
  let decided = 0
  const h = createCommandHandler<St, Cmd, Ev, void>(p1.store, { ...counter, decide: (c: Cmd, s: St) => (decided++, counter.decide(c, s)) }, { maxAttempts: 1 })
  const reads = p1.n.reads
  await t.rejects(h.handle({ stream, command: { type: 'Increment' }, ctx: undefined, meta: meta(), probablyNew: true }), { code: 'REPORT_NOT_FOUND' })
  t.equal(decided, 1, 'not decided again on the same empty stream')
  t.equal(p1.n.reads - reads, 1, 'the stream read once to prove the refusal')
  t.equal((await p1.store.readStream(stream)).length, 0, 'nothing appended')
})

t.test('probablyNew with a command computed from the state that refuses on the guess: the repeat gets its first result', async (t) => {
  // as 報備支援 登錄 does: a dry run in the command function refuses (here: the guessed state "conflicts" with the
  // stream's own first run), before a number is spent
  const stream = `c-${randomUUID()}`
  const id = randomUUID()
  const first = await h2.handle({ stream, command: { type: 'Open' }, ctx: undefined, meta: meta(id), probablyNew: true })
  const dryRun = (s: St): Cmd => {
    if (!s.open) fail('SCHEDULE_CONFLICT')
    return { type: 'Open' }
  }
  const again = await h1.handle({ stream, command: dryRun, ctx: undefined, meta: meta(id), probablyNew: true })
  t.equal(again.duplicate, true, 'the first result, not the dry run refusal on the guessed state')
  t.same(again.position, first.position)
})
