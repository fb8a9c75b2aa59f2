// Child process of the group-commit kill test: 24 writers append through one PostgreSQL event store (group commit)
// until the process is killed. After each append's promise resolves it prints `ack <commandId> <events>` (stdout on
// a pipe is synchronous on Linux, so a printed line was acknowledged). Prints 'started' once running.
// `node --import tsx test/support/group-commit-child.ts <url> <seed>`
import { randomUUID } from 'node:crypto'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { createPostgresDatabase } from '../../commands/platform/postgres-database.js'
import type { EventMeta } from '../../domain/events.js'

const url = process.argv[2]
const seed = process.argv[3] ?? '0'
if (!url) throw new Error('usage: group-commit-child.ts <database url> <seed>')
const db = createPostgresDatabase(url, { max: 6, applicationName: 'group-commit-child' })
const store = createPostgresEventStore(db, { pollIntervalMs: 50 })
const meta = (commandId: string): EventMeta =>
  ({ commandId, actor: { role: 'system', id: 'kill-test', via: 'system' }, correlationId: commandId, causationId: commandId, occurredAt: '2024-03-01T00:00:00.000Z' }) as unknown as EventMeta

process.stdout.write('started\n')
const writer = async (w: number) => {
  let k = 0
  for (;;) {
    // streams shared by writers (conflicts), and now and then the same command id sent twice at once
    const stream = `kill-${seed}-${(w + k) % 9}`
    const commandId = randomUUID()
    const n = 1 + (k % 3)
    const events = Array.from({ length: n }, (_, i) => ({ type: 'Killed', data: { w, k, i }, meta: meta(commandId) }))
    const send = () =>
      store.append(stream, events, 'any').then(
        () => process.stdout.write(`ack ${commandId} ${n}\n`),
        (e: unknown) => process.stdout.write(`err ${commandId} ${(e as { code?: string }).code ?? 'x'}\n`),
      )
    await (k % 7 === 0 ? Promise.all([send(), send()]) : send())
    k++
  }
}
await Promise.all(Array.from({ length: 24 }, (_, w) => writer(w)))
