import t from 'tap'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import * as registry from '../../commands/registry/registry.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'

const tdb = await freshDatabase()
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...registryMigrations])
await registry.upsertInstitutions(tdb.db, DEMO_INSTITUTIONS)
await registry.upsertProfessionals(tdb.db, DEMO_PROFESSIONALS)

t.test('applicant snapshot carries the home institution from the registry', async (t) => {
  const s = await registry.applicantSnapshot(tdb.db, 'H220112234')
  t.equal(s?.name, '陳怡君')
  t.equal(s?.home.code, '9963000008')
  t.equal(s?.home.kind, 'association')
  t.equal(s?.licenseValidTo, '2032-12-31')
  t.equal(await registry.applicantSnapshot(tdb.db, 'Z999999999'), undefined)
})

t.test('institution search by code prefix or name, wildcards literal', async (t) => {
  t.same((await registry.searchInstitutions(tdb.db, '3565')).map((i) => i.code), ['3565010003'])
  t.same((await registry.searchInstitutions(tdb.db, '藥局')).map((i) => i.code).sort(), ['5963030005', '5965040006'])
  t.same(await registry.searchInstitutions(tdb.db, '%'), [])
  t.same(await registry.searchInstitutions(tdb.db, '  '), [])
})

t.test('staff of an institution only', async (t) => {
  const staff = await registry.listStaffOf(tdb.db, '0163010001')
  t.equal(staff.total, 4)
  t.same(staff.rows.map((p) => p.nationalId).sort(), ['A123456789', 'A212345679', 'B120887765', 'Q134567894'])
  const names = staff.rows.map((p) => p.name)
  t.same(names, [...names].sort(), 'in name order')
  // a page, and a search by name or by the start of the national ID (LIKE's wildcards taken literally)
  const second = await registry.listStaffOf(tdb.db, '0163010001', { offset: 1, limit: 2 })
  t.same(second, { rows: staff.rows.slice(1, 3), total: 4 })
  const byName = await registry.listStaffOf(tdb.db, '0163010001', { q: staff.rows[0]!.name.slice(1) })
  t.ok(byName.rows.some((p) => p.nationalId === staff.rows[0]!.nationalId))
  t.same((await registry.listStaffOf(tdb.db, '0163010001', { q: 'b12' })).rows.map((p) => p.nationalId), ['B120887765'], 'an ID typed in lower case')
  t.same(await registry.listStaffOf(tdb.db, '0163010001', { q: '%' }), { rows: [], total: 0 })
})

t.test('recording is idempotent and updates, each change an event on the person\'s stream', async (t) => {
  const first = DEMO_PROFESSIONALS[0]!
  t.match(await registry.upsertProfessionals(tdb.db, [{ ...first, practiceStatus: 'suspended' }]), { recorded: 1, unchanged: 0 })
  t.equal((await registry.findProfessional(tdb.db, first.nationalId))?.practiceStatus, 'suspended')
  t.match(await registry.upsertProfessionals(tdb.db, [first]), { recorded: 1 })
  t.match(await registry.upsertProfessionals(tdb.db, [first]), { recorded: 0, unchanged: 1 })
  t.equal((await registry.findProfessional(tdb.db, first.nationalId))?.practiceStatus, 'active')
  const ev = await tdb.db.query<{ type: string; stream_version: number }>(
    `SELECT type, stream_version FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`registry-person-${first.nationalId}`])
  t.same(ev.rows.map((r) => [r.type, r.stream_version]), [['ProfessionalRecorded', 1], ['ProfessionalRecorded', 2], ['ProfessionalRecorded', 3]])
  // (bureau staff are accounts now, read through the accounts read model: test/int/admin-accounts.int.test.ts)
  t.equal((await registry.findProfessionalByNhiCard(tdb.db, '000056789012'))?.nationalId, 'H220112234')
})
