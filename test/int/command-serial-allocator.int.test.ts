// Case and approval numbers: unique, consecutive, never reused, idempotent per command, Asia/Taipei days.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import {
  APPROVAL_NUMBER_PATTERN,
  CASE_NUMBER_PATTERN,
  allocateApprovalNumber,
  allocateCaseNumber,
  allocateSerial,
} from '../../commands/serial-allocator.js'
import type { CommandMeta } from '../../commands/command-handler.js'
import type { Actor } from '../../domain/types.js'

const tdb = await freshDatabase('serial')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, EVENT_STORE_MIGRATIONS)
const store = createPostgresEventStore(tdb.db)
t.teardown(() => store.close())

const meta = (occurredAt: string, commandId: string = randomUUID()): CommandMeta => ({
  commandId,
  actor: { role: 'professional', id: 'A123456789', via: 'hca_card' } as unknown as Actor,
  correlationId: 'c',
  occurredAt,
})

t.test('8 concurrent case-number allocations: 8 distinct consecutive numbers of the Taipei day', async (t) => {
  // 2024-02-29 16:30 UTC is 2024-03-01 00:30 in Taipei: 民國113年3月1日
  const numbers = await Promise.all(Array.from({ length: 8 }, () => allocateCaseNumber(store, meta('2024-02-29T16:30:00.000Z'))))
  for (const n of numbers) t.match(n, CASE_NUMBER_PATTERN)
  t.same([...numbers].sort(), ['11303010000001', '11303010000002', '11303010000003', '11303010000004', '11303010000005', '11303010000006', '11303010000007', '11303010000008'])
  const events = await store.readStream('serial-case-1130301')
  t.same(events.map((e) => (e.data as { serial: number }).serial), [1, 2, 3, 4, 5, 6, 7, 8], 'recorded as events')
  // the previous Taipei day is its own sequence
  t.equal(await allocateCaseNumber(store, meta('2024-02-29T15:59:59.999Z')), '11302290000001')
})

t.test('the same command gets the same number again; a new command the next one', async (t) => {
  const m = meta('2024-05-20T02:00:00.000Z')
  const a = await allocateCaseNumber(store, m)
  const b = await allocateCaseNumber(store, m)
  t.equal(a, '11305200000001')
  t.equal(b, a, 'retried command: same number, nothing allocated')
  const racing = meta('2024-05-20T02:00:00.000Z')
  const same = await Promise.all([1, 2, 3].map(() => allocateCaseNumber(store, racing)))
  t.same(same, ['11305200000002', '11305200000002', '11305200000002'], 'racing retries of one command share one number')
  t.equal(await allocateCaseNumber(store, meta('2024-05-20T10:00:00.000Z')), '11305200000003')
})

t.test('approval numbers: county + ROC date + 5-digit serial per county and day', async (t) => {
  const a = await allocateApprovalNumber(store, '63', meta('2024-03-01T01:00:00.000Z'))
  const b = await allocateApprovalNumber(store, '63', meta('2024-03-01T02:00:00.000Z'))
  const c = await allocateApprovalNumber(store, '65', meta('2024-03-01T02:00:00.000Z'))
  t.same([a, b, c], ['63113030100001', '63113030100002', '65113030100001'])
  for (const n of [a, b, c]) {
    t.match(n, APPROVAL_NUMBER_PATTERN)
    t.equal(Buffer.byteLength(n, 'ascii'), 14)
  }
  await t.rejects(allocateApprovalNumber(store, 'X', meta('2024-03-01T01:00:00.000Z')), { code: 'UNKNOWN_COUNTY' })
})

t.test('a scope that runs out says so and allocates nothing', async (t) => {
  const scope = `tiny-${randomUUID().slice(0, 8)}`
  t.equal(await allocateSerial(store, scope, meta('2024-03-01T00:00:00Z'), { max: 2 }), 1)
  t.equal(await allocateSerial(store, scope, meta('2024-03-01T00:00:00Z'), { max: 2 }), 2)
  await t.rejects(allocateSerial(store, scope, meta('2024-03-01T00:00:00Z'), { max: 2 }), { code: 'SERIAL_EXHAUSTED' })
  t.equal((await store.readStream(`serial-${scope}`)).length, 2)
})
