// Killed at a random moment and re-run, the legacy migration ends exactly where one clean run ends: the CLI is
// killed (SIGKILL) mid-run, the import re-run, and the log and bookkeeping compared with a clean run's.
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freshDatabase, type TestDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { legacyMigrations } from '../../commands/legacy/legacy-migrations.js'
import { upsertInstitutions, upsertProfessionals, type RegistryProfessional } from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS } from '../../commands/registry/demo-registry.js'
import { importLegacy } from '../../commands/legacy/legacy-import.js'
import { LEGACY_COLUMNS, legacyRows, personIds, writeCsv } from '../support/registry-files.js'

const ROWS = 12_000
const people = personIds(1500, 'M', 7000)
const dir = await mkdtemp(join(tmpdir(), 'bb-legacy-kill-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const file = join(dir, 'legacy.csv')
await writeCsv(file, LEGACY_COLUMNS, legacyRows(people, ROWS, '0163010001', '3563020002'))

async function prepared(): Promise<TestDatabase> {
  const tdb = await freshDatabase('legkill')
  t.teardown(() => tdb.drop())
  await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...registryMigrations, ...legacyMigrations])
  await upsertInstitutions(tdb.db, DEMO_INSTITUTIONS)
  const ps: RegistryProfessional[] = people.map((id) => ({
    nationalId: id, name: `醫師${id.slice(-4)}`, profession: 'A', licenseNumber: `醫字第${id.slice(-6)}號`, licenseValidFrom: '2020-01-01',
    licenseValidTo: '2030-12-31', practiceStatus: 'active', homeInstitutionCode: '0163010001',
  }))
  await upsertProfessionals(tdb.db, ps)
  return tdb
}

const actor = { role: 'operator' as const, id: 'legacy-import', via: 'cli' as const }
const now = '2024-02-20T02:00:00.000Z'
const imported = async (tdb: TestDatabase) => Number((await tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM events WHERE type = 'ReportImported'`)).rows[0]!.n)
const snapshot = async (tdb: TestDatabase) => ({
  events: (await tdb.db.query(`SELECT stream_id, stream_version, type, data, meta->>'commandId' AS c FROM events WHERE type = 'ReportImported' ORDER BY stream_id`)).rows,
  spans: (await tdb.db.query(`SELECT * FROM legacy_import_spans ORDER BY case_id`)).rows,
})

t.test('killed mid-run, re-run: the same as one clean run', async (t) => {
  const killed = await prepared()
  const child = spawn(process.execPath, ['bin/baobei.js', 'import', 'legacy', file], {
    env: { ...process.env, DATABASE_URL: killed.url, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  // kill at a random moment once the first batches are in
  const target = 1000 + Math.floor(Math.random() * 4000)
  let done = false
  void exited.then(() => (done = true))
  while (!done && (await imported(killed)) < target) await new Promise((r) => setTimeout(r, 20))
  t.notOk(done, 'the run was still going when killed')
  child.kill('SIGKILL')
  await exited
  const partial = await imported(killed)
  t.ok(partial > 0 && partial < ROWS, `killed with ${partial} of ${ROWS} imported`)

  const rerun = await importLegacy(killed.db, file, { actor, now })
  t.match(rerun, { read: ROWS, rejected: 0, reconciled: true })
  t.equal(rerun.imported + rerun.alreadyThere, ROWS)
  t.ok(rerun.alreadyThere >= partial, 'what was in stays, nothing twice')

  const clean = await prepared()
  t.match(await importLegacy(clean.db, file, { actor, now }), { read: ROWS, imported: ROWS, rejected: 0, reconciled: true })
  const a = await snapshot(killed)
  const b = await snapshot(clean)
  t.equal(a.events.length, ROWS)
  t.same(a.events, b.events, 'the same events')
  t.same(a.spans, b.spans, 'the same bookkeeping')
})
