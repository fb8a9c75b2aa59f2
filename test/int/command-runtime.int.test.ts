// openRuntime: PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR; migrations applied; store usable.
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { loadConfig } from '../../commands/platform/config.js'
import { createLogger } from '../../commands/platform/logger.js'
import { allMigrations, openRuntime, registerMigrations } from '../../commands/platform/runtime.js'
import type { EventMeta } from '../../domain/events.js'

const logger = createLogger('silent')
const meta = (): EventMeta => ({
  commandId: randomUUID(),
  actor: { role: 'system', id: 'runtime-test', via: 'system' } as unknown as EventMeta['actor'],
  correlationId: 'c',
  causationId: 'c',
  occurredAt: '2024-03-01T00:00:00.000Z',
})

registerMigrations([{ id: 'test/runtime-001', sql: `CREATE TABLE runtime_probe (id int PRIMARY KEY)` }])

t.test('allMigrations: event store first, then registered, then extra; no duplicates', async (t) => {
  const ids = allMigrations([{ id: 'test/extra', sql: 'SELECT 1' }, { id: 'test/runtime-001', sql: 'SELECT 1' }]).map((m) => m.id)
  t.equal(ids[0], 'event-store/001-streams-events')
  t.same(ids.slice(-2), ['test/runtime-001', 'test/extra'])
})

t.test('DATABASE_URL: PostgreSQL database and event store in it', async (t) => {
  const tdb = await freshDatabase('rt')
  t.teardown(() => tdb.drop())
  const config = loadConfig({ DATABASE_URL: tdb.url })
  const rt = await openRuntime(config, logger, { extraMigrations: [{ id: 'test/runtime-extra', sql: `CREATE TABLE runtime_extra (id int)` }] })
  t.teardown(() => rt.close())
  t.equal(rt.db.kind, 'postgres')
  t.equal(rt.store.kind, 'postgres')
  const r = await rt.store.append('rt-1', [{ type: 'Probe', data: { ok: true }, meta: meta() }], 'no_stream')
  t.equal(r.nextVersion, 1)
  t.same((await rt.store.readAll()).map((e) => e.type), ['Probe'])
  const tables = await rt.db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables WHERE table_name IN ('events','streams','command_results','runtime_probe','runtime_extra') ORDER BY 1`,
  )
  t.same(tables.rows.map((x) => x.t), ['command_results', 'events', 'runtime_extra', 'runtime_probe', 'streams'])
  // a second runtime on the same database: migrations are not applied twice
  const rt2 = await openRuntime(config, logger)
  await rt2.close()
})

t.test('no DATABASE_URL: PGlite under DATA_DIR/pglite (created), persists across opens', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'baobei-rt-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const config = loadConfig({ DATA_DIR: join(dir, 'nested') })
  const rt = await openRuntime(config, logger)
  t.equal(rt.db.kind, 'pglite')
  t.equal(rt.store.kind, 'postgres')
  await rt.store.append('rt-2', [{ type: 'Probe', data: {}, meta: meta() }], 'no_stream')
  await rt.close()
  t.ok((await stat(join(dir, 'nested', 'pglite'))).isDirectory())
  const again = await openRuntime(config, logger)
  t.equal((await again.store.readStream('rt-2')).length, 1, 'the event survived a restart')
  await again.close()
})
