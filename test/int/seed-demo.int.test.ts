import t from 'tap'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freshDatabase } from '../support/db.js'
import { runMigrations } from '../../commands/platform/migrations.js'
import { EVENT_STORE_MIGRATIONS } from '../../commands/event-store/postgres-migrations.js'
import { createPostgresEventStore } from '../../commands/event-store/postgres-event-store.js'
import { PROJECTION_MIGRATIONS } from '../../projections/catalog.js'
import { createFrontParts } from '../../http/wiring.js'
import { seedDemo, seedCaseId } from '../../commands/seed/seed-demo.js'

const tdb = await freshDatabase()
const store = createPostgresEventStore(tdb.db)
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...PROJECTION_MIGRATIONS])
const parts = await createFrontParts({ db: tdb.db, store, clock: () => new Date(), dataDir: await mkdtemp(join(tmpdir(), 'seed-')), runProjections: true })
t.teardown(async () => {
  await parts.close()
  await store.close()
  await tdb.drop()
})

const countEvents = async () => Number((await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM events`)).rows[0]!.n)

t.test('every demo case reaches its status through the real command path', async (t) => {
  const r = await seedDemo({ db: tdb.db, reports: parts.reports, waitFor: parts.waitFor })
  t.same(r.skipped, [], 'no demo case refused')
  const status = async (key: string) => {
    const s = await parts.reports.load(seedCaseId(key))
    return s.exists ? `${s.status}/${s.applicationType}` : 'missing'
  }
  t.equal(await status('wang-clinic-evenings'), 'approved/register')
  t.equal(await status('wang-banqiao-saturdays'), 'under_review/register')
  t.equal(await status('lin-pharmacy-yonghe'), 'returned/register')
  t.equal(await status('chen-nurse-mornings'), 'under_review/change')
  t.equal(await status('wu-sessions-draft'), 'draft/register')
  t.equal(await status('liu-cancelled'), 'cancelled/cancel')
  t.equal(await status('zhi-taoyuan-rejected'), 'rejected/register')
  t.equal(await status('zhi-banqiao-approved'), 'approved/register')
  const lin = await parts.reports.load(seedCaseId('lin-pharmacy-yonghe'))
  t.ok(lin.exists && lin.routing.reviewCounty === '63' && lin.routing.copiedCounties.includes('65'), 'pharmacist routed home, supported county copied')
  const wang = await parts.reports.load(seedCaseId('wang-clinic-evenings'))
  t.match(wang.exists && wang.caseNumber, /^\d{14}$/, 'case number given at submission')
})

t.test('seeding again appends nothing', async (t) => {
  const before = await countEvents()
  const r = await seedDemo({ db: tdb.db, reports: parts.reports, waitFor: parts.waitFor })
  t.same(r.skipped, [])
  t.equal(await countEvents(), before)
})
