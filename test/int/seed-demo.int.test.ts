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
import { DEMO_PIN } from '../../commands/seed/demo-cards.js'
import { DEMO_INSTITUTIONS, DEMO_PROFESSIONALS, DEMO_STAFF } from '../../commands/registry/demo-registry.js'
import { listDemoCards } from '../../commands/pki/demo-pki.js'
import { cardHolderOf } from '../../domain/card/certificate-profile.js'
import { DEMO_ADMINS } from '../../commands/seed/demo-accounts.js'
import { findAccount, findAccountByCertificate } from '../../commands/accounts/find-account.js'
import { certificateNamesFromPem } from '../../commands/accounts/certificate-names.js'
import forge from 'node-forge'
const certificateFromPem = (pem: string) => forge.pki.certificateFromPem(pem)
import { virtualCardsFor } from '../../reader/virtual/rack.js'

const tdb = await freshDatabase()
const store = createPostgresEventStore(tdb.db)
await runMigrations(tdb.db, [...EVENT_STORE_MIGRATIONS, ...PROJECTION_MIGRATIONS])
const parts = await createFrontParts({ db: tdb.db, store, clock: () => new Date(), dataDir: await mkdtemp(join(tmpdir(), 'seed-')), runProjections: true })
t.teardown(async () => {
  await parts.close()
  await store.close()
  await tdb.drop()
})

const pkiDir = join(await mkdtemp(join(tmpdir(), 'seed-pki-')), 'pki')

const countEvents = async () => Number((await tdb.db.query<{ n: string }>(`SELECT count(*) AS n FROM events`)).rows[0]!.n)

t.test('every demo case reaches its status through the real command path', async (t) => {
  const r = await seedDemo({ db: tdb.db, reports: parts.reports, accounts: parts.accounts, waitFor: parts.waitFor }, { pkiDir })
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

t.test('every demo holder gets its demo cards, with the demo PIN', async (t) => {
  const cards = listDemoCards(pkiDir)
  const ids = cards.map((c) => c.id).sort()
  const want = [
    ...DEMO_PROFESSIONALS.map((p) => `professional-${p.nationalId}`),
    ...DEMO_INSTITUTIONS.map((i) => `institution-${i.code}`),
    ...DEMO_STAFF.map((s) => `staff-${s.staffId}`),
    ...DEMO_ADMINS.map((a) => `staff-${a.accountId}`),
  ].sort()
  t.same(ids, want, 'one HCA card per professional, one per institution, one staff card per reviewer/statistician')
  t.ok(cards.every((c) => c.pin === DEMO_PIN), `PIN ${DEMO_PIN}`)
  for (const p of DEMO_PROFESSIONALS) {
    const card = cards.find((c) => c.id === `professional-${p.nationalId}`)!
    t.match(card.nhi, { cardNumber: p.nhiCardNumber, sex: p.sex }, `${p.name}: NHI card`)
    t.match(cardHolderOf(certificateFromPem(card.certificatePem)), { kind: 'professional', holderId: p.nationalId, name: p.name })
  }
  const reviewer = cards.find((c) => c.id === 'staff-TPE-R001')!
  t.match(cardHolderOf(certificateFromPem(reviewer.certificatePem)), { kind: 'staff', holderId: 'TPE-R001', unit: '63' }, 'staff card names its county')
  t.equal(cards.find((c) => c.id === 'professional-A123456789')?.nhi?.birthDate, '0690512', 'ROC birth date on the NHI card')
  // the staff cards log in through their accounts (帳號管理): identified by the card's issuer and serial
  for (const id of ['TPE-R001', 'MOHW-S001', 'MOHW-A001', 'TPE-A001']) {
    const card = cards.find((c) => c.id === `staff-${id}`)!
    t.equal((await findAccountByCertificate(tdb.db, certificateNamesFromPem(card.certificatePem)))?.accountId, id, `${id}: the account its card maps to`)
    t.match((await findAccount(tdb.db, id))?.certificates, [{ serialHex: card.serial.toLowerCase().replace(/^0+/, '') }], `${id}: the demo card's serial`)
  }
  const virtual = virtualCardsFor(cards)
  t.equal([...virtual.keys()].filter((k) => k.startsWith('nhi-')).length, DEMO_PROFESSIONALS.length, 'an NHI virtual card per professional')
})

t.test('seeding again appends nothing and keeps the cards', async (t) => {
  const before = await countEvents()
  const cardsBefore = listDemoCards(pkiDir)
  const r = await seedDemo({ db: tdb.db, reports: parts.reports, accounts: parts.accounts, waitFor: parts.waitFor }, { pkiDir })
  t.same(r.skipped, [])
  t.equal(r.cards, cardsBefore.length)
  t.equal(await countEvents(), before)
  t.same(listDemoCards(pkiDir), cardsBefore, 'same cards, same serials and keys')
})
