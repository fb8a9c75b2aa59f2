// The registry feed: files of every kind, errors per row and cell, full vs delta, idempotent and resumable runs,
// history by day, demo fencing, rebuild. Real PostgreSQL.
import t from 'tap'
import { mkdtemp, rm, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { registryMigrations } from '../../commands/registry/registry-migrations.js'
import { importRegistry, type RegistryImportOptions } from '../../commands/registry/registry-import.js'
import { findInstitution, findProfessional, upsertInstitutions, upsertProfessionals } from '../../commands/registry/registry.js'
import { licensedAndActive, professionalOn } from '../../commands/registry/registry-history.js'
import { rebuildRegistry } from '../../commands/registry/registry-projection.js'
import { runRegistryCommand } from '../../commands/registry/cli.js'
import { runProjectCommand } from '../../projections/cli.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS } from '../../commands/registry/demo-registry.js'
import {
  INSTITUTION_COLUMNS, PROFESSIONAL_COLUMNS, institutionCells, institutionCodes, personIds, professionalCells, writeCsv, writeXlsx,
} from '../support/registry-files.js'

const tdb = await freshDatabase('reg')
t.teardown(() => tdb.drop())
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...registryMigrations])
const dir = await mkdtemp(join(tmpdir(), 'bb-registry-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

const actor = { role: 'operator' as const, id: 'cli', via: 'cli' as const }
const run = (o: Partial<RegistryImportOptions>) =>
  importRegistry(tdb.db, { mode: 'full', asOf: '2024-03-01', actor, now: '2024-03-01T02:00:00.000Z', ...o })
const eventCount = async () => Number((await tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM events`)).rows[0]!.n)
const tables = async () => ({
  p: (await tdb.db.query(`SELECT national_id, name, practice_status, license_valid_to::text, home_institution_code, effective_from::text, demo FROM registry_professionals ORDER BY 1`)).rows,
  i: (await tdb.db.query(`SELECT code, name, status, effective_from::text, demo FROM registry_institutions ORDER BY 1`)).rows,
  h: (await tdb.db.query(`SELECT national_id, valid_from::text, valid_to::text, facts FROM registry_professional_history ORDER BY 1, 2`)).rows,
})

const codes = institutionCodes(3)
const ids = personIds(4, 'F', 100)
const inst = join(dir, 'inst.csv')
const prof = join(dir, 'prof.csv')
await writeCsv(inst, INSTITUTION_COLUMNS, codes.map((c) => institutionCells(c)))
await writeCsv(prof, PROFESSIONAL_COLUMNS, ids.map((id, i) => professionalCells(id, codes[i % 3]!)))

t.test('a full snapshot loads; the same files again change nothing', async (t) => {
  const r = await run({ institutions: inst, professionals: prof })
  t.equal(r.errorCount, 0)
  t.match(r, { applied: true, institutions: { rows: 3, recorded: 3, unchanged: 0 }, professionals: { rows: 4, recorded: 4, markedAbsent: 0 } })
  t.equal((await findProfessional(tdb.db, ids[0]!))?.licenseNumber, `醫字第${ids[0]!.slice(-6)}號`)
  t.equal((await findInstitution(tdb.db, codes[1]!))?.kind, 'clinic')
  const events = await eventCount()
  t.equal(events, 7, 'one event per entry')
  const again = await run({ institutions: inst, professionals: prof })
  t.match(again, { institutions: { recorded: 0, unchanged: 3 }, professionals: { recorded: 0, unchanged: 4 } })
  t.equal(await eventCount(), events, 'nothing appended')
})

t.test('bad rows: every error by row and cell, nothing applied', async (t) => {
  const bad = join(dir, 'bad.csv')
  const wrongChecksum = `${ids[0]!.slice(0, 9)}${(Number(ids[0]!.slice(9)) + 1) % 10}`
  await writeCsv(bad, PROFESSIONAL_COLUMNS, [
    professionalCells(wrongChecksum, codes[0]!),
    professionalCells(ids[1]!, codes[0]!, { 醫事人員類別: 'Ω' }),
    professionalCells(ids[2]!, codes[0]!, { 執照迄日: '20301231' }),
    professionalCells(ids[3]!, '9999999999', { 姓名: '新名字' }),
  ])
  const before = await tables()
  const events = await eventCount()
  const r = await run({ professionals: bad, mode: 'delta' })
  t.equal(r.applied, false)
  t.equal(r.errorCount, 4)
  t.match(r.errors, [
    { file: 'professionals', row: 2, column: '身分證號', message: /檢查碼/ },
    { row: 3, column: '醫事人員類別', message: /不存在/ },
    { row: 4, column: '執照迄日', message: /民國年/ },
    { row: 5, column: '執業機構代碼', value: '9999999999' },
  ])
  t.same(await tables(), before, 'nothing of a bad file applied')
  t.equal(await eventCount(), events)
  // the CLI says the same on stderr and exits 1
  const out = new PassThrough()
  const err = new PassThrough()
  const chunks: string[] = []
  err.on('data', (c) => chunks.push(String(c)))
  t.equal(await runRegistryCommand(['import', '--delta', '--professionals', bad, '--as-of', '1130301'], tdb.db, { out, err }), 1)
  t.match(chunks.join(''), /第 2 列 身分證號/)
})

t.test('a delta in Big5 suspends one person: history answers for any day', async (t) => {
  const delta = join(dir, 'delta-big5.csv')
  await writeCsv(delta, PROFESSIONAL_COLUMNS, [professionalCells(ids[0]!, codes[0]!, { 執業狀態: '停業', 狀態日期: '1130310' })], 'big5')
  const r = await run({ professionals: delta, mode: 'delta', asOf: '2024-03-15' })
  t.match(r, { errorCount: 0, professionals: { recorded: 1 } })
  t.equal((await findProfessional(tdb.db, ids[0]!))?.practiceStatus, 'suspended')
  t.equal(await licensedAndActive(tdb.db, ids[0]!, '2024-03-09'), true, 'active the day before the status date')
  t.equal(await licensedAndActive(tdb.db, ids[0]!, '2024-03-10'), false, 'suspended from the status date')
  t.equal(await licensedAndActive(tdb.db, ids[0]!, '2024-02-01'), undefined, 'unknown before the first snapshot')
  t.equal((await professionalOn(tdb.db, ids[0]!, '2024-03-05'))?.facts.practiceStatus, 'active')
  t.equal(await licensedAndActive(tdb.db, ids[1]!, '2024-03-20'), true, 'others untouched by a delta')
})

t.test('a full snapshot without someone marks them inactive (not deleted); an .xlsx file works the same', async (t) => {
  const xlsx = join(dir, 'prof.xlsx')
  await writeXlsx(xlsx, PROFESSIONAL_COLUMNS, ids.slice(0, 3).map((id, i) => professionalCells(id, codes[i % 3]!, i === 0 ? { 執業狀態: '停業', 狀態日期: '1130310' } : {})))
  const r = await run({ professionals: xlsx, asOf: '2024-04-01' })
  t.match(r, { errorCount: 0, professionals: { rows: 3, recorded: 0, unchanged: 3, markedAbsent: 1 } })
  const gone = await findProfessional(tdb.db, ids[3]!)
  t.equal(gone?.practiceStatus, 'inactive', 'kept, inactive')
  t.equal(await licensedAndActive(tdb.db, ids[3]!, '2024-03-31'), true)
  t.equal(await licensedAndActive(tdb.db, ids[3]!, '2024-04-01'), false)
})

t.test('a killed run re-run finishes the rest: same result as one clean run', async (t) => {
  const many = personIds(30, 'K', 500)
  const f = join(dir, 'many.csv')
  await writeCsv(f, PROFESSIONAL_COLUMNS, many.map((id) => professionalCells(id, codes[0]!)))
  let batches = 0
  await t.rejects(run({ professionals: f, mode: 'delta', batchSize: 7, progress: (label) => {
    if (label.startsWith('匯入') && ++batches === 2) throw new Error('killed')
  } }), /killed/)
  const partial = Number((await tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM registry_professionals WHERE national_id LIKE 'K%'`)).rows[0]!.n)
  t.equal(partial, 14, 'two batches committed')
  const r = await run({ professionals: f, mode: 'delta', batchSize: 7 })
  t.match(r.professionals, { recorded: 16, unchanged: 14 })
  t.equal(Number((await tdb.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM events WHERE stream_id LIKE 'registry-person-K%'`)).rows[0]!.n), 30, 'one event each, none twice')
})

t.test('demo entries are fenced: never overwrite a real entry', async (t) => {
  const demoPerson = DEMO_PROFESSIONALS[0]!
  await upsertInstitutions(tdb.db, DEMO_INSTITUTIONS, { kind: 'demo' })
  await upsertProfessionals(tdb.db, [demoPerson], { kind: 'demo' })
  t.equal((await tdb.db.query<{ demo: boolean }>(`SELECT demo FROM registry_professionals WHERE national_id = $1`, [demoPerson.nationalId])).rows[0]?.demo, true)
  // the real registry knows this person otherwise: the real entry replaces the demo one
  await upsertProfessionals(tdb.db, [{ ...demoPerson, name: '王大明（真）' }])
  const c = await upsertProfessionals(tdb.db, [demoPerson], { kind: 'demo' })
  t.match(c, { recorded: 0, fenced: 1 })
  t.equal((await findProfessional(tdb.db, demoPerson.nationalId))?.name, '王大明（真）')
})

t.test('rebuild from the events gives the same tables', async (t) => {
  const before = await tables()
  const r = await rebuildRegistry(tdb.db)
  t.ok(r.events > 0)
  t.same(await tables(), before)
})

t.test('registry tables dropped: `baobei registry rebuild` makes them again from the events, equal', async (t) => {
  const before = await tables()
  const inst = await tdb.db.query(`SELECT code, valid_from::text, valid_to::text, facts FROM registry_institution_history ORDER BY 1, 2`)
  t.ok(before.h.some((x) => x.valid_to !== null), 'a history with closed versions')
  await tdb.db.exec(`DROP TABLE registry_professional_history, registry_institution_history, registry_professionals, registry_institutions`)
  const out = new PassThrough()
  const said: string[] = []
  out.on('data', (c) => said.push(String(c)))
  t.equal(await runRegistryCommand(['rebuild'], tdb.db, { out, err: out }), 0)
  t.match(said.join(''), /rebuilt from \d+ events/)
  t.same(await tables(), before, 'professionals, institutions and the history as before')
  t.same((await tdb.db.query(`SELECT code, valid_from::text, valid_to::text, facts FROM registry_institution_history ORDER BY 1, 2`)).rows, inst.rows)
  t.equal((await findProfessional(tdb.db, ids[1]!))?.nationalId, ids[1], 'lookups work on the new tables')
})

t.test('`baobei project --rebuild registry` is the same rebuild', async (t) => {
  const before = await tables()
  await tdb.db.exec(`DROP TABLE registry_professional_history, registry_professionals`)
  const store = createPostgresEventStore(tdb.db)
  t.teardown(() => store.close())
  const out: string[] = []
  const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) }
  t.equal(await runProjectCommand(['--rebuild', 'registry'], { db: tdb.db, store }, io), 0)
  t.match(out.pop(), /^registry: rebuilt from \d+ events/)
  t.same(await tables(), before)
  t.equal(await runProjectCommand(['--list'], { db: tdb.db, store }, io), 0)
  t.match(out.pop(), /^registry$/m)
})

t.test('--staff is refused with a pointer to the accounts import; --help answers', async (t) => {
  const out = new PassThrough()
  const err = new PassThrough()
  const said: string[] = []
  err.on('data', (c) => said.push(String(c)))
  out.on('data', (c) => said.push(String(c)))
  t.equal(await runRegistryCommand(['import', '--staff', join(dir, 'x.csv')], tdb.db, { out, err }), 2)
  t.match(said.join(''), /帳號/)
  t.equal(await runRegistryCommand(['import', '--help'], tdb.db, { out, err }), 0)
  t.match(said.join(''), /--professionals FILE/)
})

t.test('a report file is written with every error', async (t) => {
  const bad = join(dir, 'bad2.csv')
  await writeCsv(bad, INSTITUTION_COLUMNS, [institutionCells('12345', { 縣市代碼: '99' })])
  const out = new PassThrough()
  const err = new PassThrough()
  const rep = join(dir, 'report.json')
  t.equal(await runRegistryCommand(['import', '--delta', '--institutions', bad, '--report', rep], tdb.db, { out, err }), 1)
  const j = JSON.parse(await readFile(rep, 'utf8')) as { errorCount: number; errors: { column: string }[] }
  t.equal(j.errorCount, 2)
  t.same(j.errors.map((e) => e.column), ['機構代碼', '縣市代碼'])
})
